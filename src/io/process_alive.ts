/** Whether a process of this host is alive, by its pid: signal 0 tests without signalling (EPERM: alive, someone else's). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
