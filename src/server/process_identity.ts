/**
 * Whether the process that wrote a record (or a temp file) can still be its writer. A live pid is not enough: pids
 * are reused (a reboot, a restarted container, a busy machine wrapping around), so on Linux the process's start time
 * (/proc/<pid>/stat, field 22) decides too: a process that started after the record was begun is not its writer.
 * Elsewhere, or where /proc cannot be read, the live pid alone decides.
 */
import { readFileSync } from 'node:fs';
import { processAlive } from '../io/process_alive.js';

/** The clock ticks of /proc's times: USER_HZ, fixed at 100 by the kernel's interface on the architectures Node runs on. */
const USER_HZ = 100;
/**
 * A start this much later than the record still counts. The start is computed from btime, which moves with every
 * step of the wall clock (NTP corrections, a resumed VM): a live writer would otherwise look newer than its own record.
 * The records hold wall-clock times only, so no clock-free comparison is possible; a step beyond this can still mark
 * a live run interrupted, which is why nothing is deleted on this check alone (src/io/atomic.ts's age rule).
 */
export const SLACK_MS = 60_000;

function bootTimeMs(): number | null {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return m ? Number(m[1]) * 1000 : null;
  } catch {
    return null;
  }
}

/** When process pid started (ms since the epoch), or null where /proc does not say (not Linux, no such process). */
export function processStartMs(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2, the command name, is in parentheses and may itself hold spaces and parentheses: count from the last ')'.
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3]);
  const boot = bootTimeMs();
  return Number.isFinite(ticks) && boot !== null ? boot + (ticks * 1000) / USER_HZ : null;
}

/** Whether process pid is alive and may be the one that was already running at sinceMs (ms since the epoch). */
export function writerAlive(pid: number, sinceMs: number): boolean {
  if (!processAlive(pid)) return false;
  const started = processStartMs(pid);
  return started === null || !Number.isFinite(sinceMs) || started <= sinceMs + SLACK_MS;
}
