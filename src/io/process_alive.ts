/**
 * Whether a process of this host is alive, and on Linux whether it is the very process that wrote a record. A pid
 * alone is reused; the kernel's boot id and the process's start (in clock ticks since boot, field 22 of
 * /proc/<pid>/stat) name one process of one boot exactly, and neither moves when the wall clock is stepped.
 */
import { readFileSync } from 'node:fs';

/** Whether a process of this host is alive, by its pid: signal 0 tests without signalling (EPERM: alive, someone else's). */
export function processAlive(pid: number): boolean {
  // kill() reads 0 as this process group and -1 (or any negative pid) as every process or a group, which always
  // answer: a record saying pid 0 or -1 (damaged, or written by hand) would read as written by a live process forever.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Which process of which boot: what a writer records of itself so that a reader can tell it from a reused pid. */
export interface ProcessStart {
  /** /proc/sys/kernel/random/boot_id: new at every boot of the kernel. */
  bootId: string;
  /** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
  startTicks: number;
}

/** Whether a value read from a file (stamps are read without a schema) is a ProcessStart; a damaged one counts as none. */
export function isProcessStart(v: unknown): v is ProcessStart {
  const o = v as Partial<ProcessStart> | null | undefined;
  return typeof o?.bootId === 'string' && o.bootId !== '' && Number.isSafeInteger(o.startTicks) && (o.startTicks as number) >= 0;
}

/** This kernel's boot id, or null where there is no /proc (not Linux). */
export function currentBootId(): string | null {
  // Read once: the boot cannot change while this process lives (and liveness checks run per record, per request).
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootId = null;
    }
  }
  return bootId;
}
let bootId: string | null | undefined;

/** Field 22 of /proc/<pid>/stat (or of /proc/self/stat), or null where /proc does not show that process. */
export function processStartTicks(pid: number | 'self'): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2, the command name, is in parentheses and may itself hold spaces and parentheses: count from the last ')'.
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3]);
  return Number.isSafeInteger(ticks) && ticks >= 0 ? ticks : null;
}

let own: ProcessStart | null | undefined;

/** This process's boot id and start ticks (they never change while it lives), or null where /proc cannot say. */
export function ownProcessStart(): ProcessStart | null {
  if (own === undefined) {
    const bootId = currentBootId();
    const startTicks = processStartTicks('self');
    own = bootId !== null && startTicks !== null ? { bootId, startTicks } : null;
  }
  return own;
}

/**
 * Whether the process that recorded `start` under `pid` (on this host) still runs: same boot and same start ticks
 * is the same process, whatever the wall clock did since. Another boot's writer is gone. Where /proc cannot be read
 * (not Linux, or /proc mounted with hidepid hiding that pid), the live pid alone decides.
 */
/** Whether pid's process (of this host) still runs: exactly by `start` when it is a recorded start, else by the pid alone. */
export function aliveAs(pid: number, start: unknown): boolean {
  return isProcessStart(start) ? recordedProcessAlive(pid, start) : processAlive(pid);
}

export function recordedProcessAlive(pid: number, start: ProcessStart): boolean {
  const boot = currentBootId();
  if (boot !== null && boot !== start.bootId) return false;
  if (!processAlive(pid)) return false;
  const ticks = boot === null ? null : processStartTicks(pid);
  return ticks === null || ticks === start.startTicks;
}
