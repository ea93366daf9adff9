/**
 * Whether the process that wrote a record (or a temp file) can still be its writer. A live pid is not enough: pids
 * are reused (a reboot, a restarted container, a busy machine wrapping around). Records that carry their writer's
 * boot id and start ticks (src/io/process_alive.ts) are matched exactly, free of the wall clock. Older records and
 * temp files carry only a wall-clock time: on Linux the process's start, as a wall-clock time, decides (a process
 * that started after the record was begun is not its writer). Elsewhere, or where /proc cannot be read, the live pid
 * alone decides.
 */
import { readFileSync } from 'node:fs';
import { isProcessStart, processAlive, processStartTicks, recordedProcessAlive } from '../io/process_alive.js';

/** The clock ticks of /proc's times: USER_HZ, fixed at 100 by the kernel's interface on the architectures Node runs on. */
const USER_HZ = 100;
/**
 * For records without their writer's start: a start this much later than the record still counts. The start is
 * computed from btime, which moves with every step of the wall clock (NTP corrections, a resumed VM): a live writer
 * would otherwise look newer than its own record. A step beyond this can still mark such a live run interrupted,
 * which is why nothing is deleted on this check alone (src/io/atomic.ts's age rule).
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

/** When process pid started (ms since the epoch, by the wall clock's btime), or null where /proc does not say. */
export function processStartMs(pid: number): number | null {
  const ticks = processStartTicks(pid);
  const boot = bootTimeMs();
  return ticks !== null && boot !== null ? boot + (ticks * 1000) / USER_HZ : null;
}

/**
 * Whether process pid is alive and is the record's writer: by `start` exactly when the record has it, else by being
 * already running at sinceMs (ms since the epoch, the record's start). A malformed `start` (from a file read without
 * a schema) counts as none.
 */
export function writerAlive(pid: number, sinceMs: number, start?: unknown): boolean {
  if (isProcessStart(start)) return recordedProcessAlive(pid, start);
  if (!processAlive(pid)) return false;
  const started = processStartMs(pid);
  return started === null || !Number.isFinite(sinceMs) || started <= sinceMs + SLACK_MS;
}
