/**
 * worker.json in a sweep run's folder: which worker runs (or ran) it, on which host and process, how far it got,
 * and a heartbeat, so the dashboard can show a sweep per worker and tell live workers from gone ones — for the
 * local pool and for queue workers alike, since both write into the run folders.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { sweepTempFiles, writeFileAtomic } from '../io/atomic.js';
import { aliveAs, isProcessStart, ownProcessStart, type ProcessStart } from '../io/process_alive.js';
import { parseJsonOnce, RepeatedKeyError } from '../io/strict_json.js';

export const WORKER_FILE = 'worker.json';
/** A running run's worker rewrites its file at least this often; twice as long without news means it is gone. */
export const HEARTBEAT_MS = 5000;
/**
 * A new epoch is written at most this often. Each write is synchronous and fsyncs (milliseconds, far more on NFS) on
 * the thread that renews the queue's job locks: a write per epoch line of a fast run (hundreds a second) starved the
 * renewals until a healthy worker's own lock lapsed. The latest epoch waits in memory at most this long.
 */
export const EPOCH_WRITE_MS = 1000;

export interface WorkerStamp {
  worker: string;
  /** The run's folder name. */
  runId: string;
  host: string;
  pid: number;
  /** interrupted: stopped with its sweep or worker (Ctrl-C), to be resumed; not a failed attempt. */
  state: 'running' | 'completed' | 'failed' | 'interrupted';
  startedAt: string;
  updatedAt: string;
  epoch: number | null;
  epochs: number | null;
  /**
   * On Linux: which process of which boot `pid` is (src/io/process_alive.ts), so a reused pid is not taken for the
   * worker, whatever the wall clock did. Absent in older stamps and where /proc cannot be read.
   */
  writer?: ProcessStart;
  /** The worker that had the run before, when this one took it over from a worker that died mid-run. */
  takenOverFrom?: string;
  /**
   * The starts of this run, by any worker or sweep, that ran to an end (completed or failed; not one stopped by
   * Ctrl-C or killed): sweep.json's `attempts` is never less. Kept in the folder because a job lost with Redis takes
   * BullMQ's count with it, before the waiting sweep may have seen the job at all. Absent in older stamps.
   */
  attempts?: number;
}

/** The run folder's count of ended starts (WorkerStamp.attempts), 0 without a stamp. */
export function stampAttempts(dir: string): number {
  return attemptsOf(readWorkerStamp(dir));
}

/** A stamp's attempts when it holds a count (a positive integer), else 0: a damaged stamp counts none. */
export function attemptsOf(stamp: Pick<WorkerStamp, 'attempts'> | null | undefined): number {
  const n: unknown = stamp?.attempts;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 0;
}

/**
 * The run folders this process is running now. A stamp "running" under this very process for a folder not in it was
 * left by one of its own earlier tries whose closing write failed (a full disk): stale, not busy.
 */
const runningHere = new Set<string>();

/** Why writing the stamp at `file` failed, as one sentence for the sweep's or worker's log. */
export class StampWriteError extends Error {
  constructor(readonly file: string, cause: unknown) {
    super(`cannot write ${file} (${(cause as Error)?.message ?? String(cause)})`);
    this.name = 'StampWriteError';
  }
}

/** How workerLog writes and tells time; tests count its writes with a clock of their own. */
export interface StampIo {
  write?: (file: string, text: string) => void;
  clock?: () => number;
}

/**
 * Starts the run's stamp; epoch() follows its progress (written at most every EPOCH_WRITE_MS, the latest epoch always
 * reaching the file within that, and at end()), end() closes it. Write errors never stop a run; end() returns the one
 * of its closing write (the stamp then still says "running"), which its caller reports.
 */
export function workerLog(dir: string, worker: string, io: StampIo = {}): { epoch(e: { epoch: number; epochs: number }): void; end(state: 'completed' | 'failed' | 'interrupted'): StampWriteError | null } {
  const writeFile = io.write ?? writeFileAtomic;
  const clock = io.clock ?? Date.now;
  const now = () => new Date().toISOString();
  const before = readWorkerStamp(dir);
  const key = path.resolve(dir);
  runningHere.add(key);
  const start = ownProcessStart();
  const stamp: WorkerStamp = { worker, runId: path.basename(dir), host: hostname(), pid: process.pid, ...(start ? { writer: { ...start } } : {}),
    state: 'running', startedAt: now(), updatedAt: now(), epoch: null, epochs: null, attempts: stampAttempts(dir),
    ...(before?.state === 'running' && before.worker !== worker ? { takenOverFrom: before.worker } : {}) };
  const file = path.join(dir, WORKER_FILE);
  let lastWrite = 0;
  // The write due for an epoch that came too soon after the last write.
  let pending: ReturnType<typeof setTimeout> | null = null;
  const write = (): StampWriteError | null => {
    if (pending) { clearTimeout(pending); pending = null; }
    lastWrite = clock();
    stamp.updatedAt = now();
    try {
      writeFile(file, JSON.stringify(stamp, null, 2) + '\n');
      return null;
    } catch (e) {
      // The stamp is for display; the run's own results decide its fate. A missed heartbeat is caught up by the next.
      return new StampWriteError(file, e);
    }
  };
  write();
  const beat = setInterval(() => void write(), HEARTBEAT_MS);
  beat.unref();
  return {
    epoch(e) {
      stamp.epoch = e.epoch;
      stamp.epochs = e.epochs;
      const wait = lastWrite + EPOCH_WRITE_MS - clock();
      if (wait <= 0) void write();
      else if (!pending) {
        pending = setTimeout(() => void write(), wait);
        pending.unref();
      }
    },
    end(state) {
      clearInterval(beat);
      if (pending) { clearTimeout(pending); pending = null; }
      stamp.state = state;
      if (state !== 'interrupted') stamp.attempts = (stamp.attempts ?? 0) + 1;
      runningHere.delete(key);
      return write();
    },
  };
}

/** The stamp in a run folder, or null when there is none or it cannot be read (workerStampOf says why). */
export function readWorkerStamp(dir: string): WorkerStamp | null {
  return workerStampOf(dir).stamp;
}

/** Why a parsed worker.json that is not a stamp (isWorkerStamp) was not read; `name` shows the file. */
export function notAWorkerStamp(name: string): string {
  return `${name} is not a worker stamp (it needs "worker" and "updatedAt")`;
}

/** Whether a parsed worker.json is a stamp: it names its worker and when it was last written. */
export function isWorkerStamp(s: unknown): s is WorkerStamp {
  return typeof s === 'object' && s !== null && typeof (s as WorkerStamp).worker === 'string' && typeof (s as WorkerStamp).updatedAt === 'string';
}

/**
 * The stamp in a run folder, with why one the folder holds was not read: a worker.json that gives a key twice (its
 * worker, state or attempts would be read as whichever came last), that is not JSON, or that is no stamp. Such a stamp
 * counts as none (the next worker to start the run writes a whole one); `problem` is null when there is no file.
 */
export function workerStampOf(dir: string): { stamp: WorkerStamp | null; problem: string | null } {
  const name = `${path.basename(dir)}/${WORKER_FILE}`;
  let text: string;
  try {
    text = readFileSync(path.join(dir, WORKER_FILE), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { stamp: null, problem: code === 'ENOENT' ? null : `${name} cannot be read (${code ?? 'error'})` };
  }
  let s: unknown;
  try {
    s = parseJsonOnce(text, name);
  } catch (e) {
    return { stamp: null, problem: e instanceof RepeatedKeyError ? `${e.message}; it is not read` : `${name} is not valid JSON` };
  }
  return isWorkerStamp(s) ? { stamp: s, problem: null } : { stamp: null, problem: notAWorkerStamp(name) };
}

/**
 * Removes the temp files an interrupted atomic write left in a run folder, by src/io/atomic.ts's one rule (an hour
 * old, written on this host, writer gone); returns their names. Not by the pid alone: the run's previous worker
 * may be on another machine, or this one's pid namespace may not see it, and its write may still be going on.
 */
export function cleanStaleTemps(dir: string): string[] {
  return sweepTempFiles(dir).map((f) => path.basename(f));
}

/**
 * Whether the stamp's worker process (of this host) still runs: exactly by its recorded start where the stamp has
 * one, else by its pid alone (older stamps).
 */
export function stampProcessAlive(s: WorkerStamp): boolean {
  return aliveAs(s.pid, s.writer);
}

/** Whether the stamp was written by this very process (its pid, and its recorded start where it has one). */
function writtenHere(s: WorkerStamp): boolean {
  if (s.host !== hostname() || s.pid !== process.pid) return false;
  const own = ownProcessStart();
  return !isProcessStart(s.writer) || !own || (s.writer.bootId === own.bootId && s.writer.startTicks === own.startTicks);
}

/** Whether the stamp's worker is gone, or is this process and no longer runs the run (its closing write failed). */
function stampStale(dir: string, s: WorkerStamp): boolean {
  if (writtenHere(s)) return !runningHere.has(path.resolve(dir));
  return s.host === hostname() && !stampProcessAlive(s);
}

/**
 * A stamp left "running" by a worker of this host that is gone is closed with the state the run's results show.
 * That start ran to an end (its results say so), so it counts among the attempts, as end() would have counted it.
 */
export function closeStaleStamp(dir: string, state: 'completed' | 'failed'): void {
  const s = readWorkerStamp(dir);
  if (!s || s.state !== 'running' || !stampStale(dir, s)) return;
  try {
    writeFileAtomic(path.join(dir, WORKER_FILE), JSON.stringify({ ...s, state, attempts: stampAttempts(dir) + 1, updatedAt: new Date().toISOString() }, null, 2) + '\n');
  } catch {
    // display only
  }
}

/**
 * The stamp of a worker that is running the run now, or null: one of this host whose process still runs (this one
 * only while it runs the run), or one of another host whose heartbeat is fresh. A job that vanished from Redis (flushed, restarted without persistence) is
 * queued again while its first worker may still be training it; this keeps a second worker from training into the
 * same folder at the same time.
 */
export function liveStamp(dir: string, now = Date.now()): WorkerStamp | null {
  const s = readWorkerStamp(dir);
  if (!s || s.state !== 'running') return null;
  if (s.host === hostname()) return stampStale(dir, s) ? null : s;
  return now - Date.parse(s.updatedAt) < 2 * HEARTBEAT_MS ? s : null;
}
