/**
 * worker.json in a sweep run's folder: which worker runs (or ran) it, on which host and process, how far it got,
 * and a heartbeat, so the dashboard can show a sweep per worker and tell live workers from gone ones — for the
 * local pool and for queue workers alike, since both write into the run folders.
 */
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { TEMP_PREFIX, writeFileAtomic } from '../io/atomic.js';

export const WORKER_FILE = 'worker.json';
/** A running run's worker rewrites its file at least this often; twice as long without news means it is gone. */
export const HEARTBEAT_MS = 5000;

export interface WorkerStamp {
  worker: string;
  /** The run's folder name. */
  runId: string;
  host: string;
  pid: number;
  state: 'running' | 'completed' | 'failed';
  startedAt: string;
  updatedAt: string;
  epoch: number | null;
  epochs: number | null;
  /** The worker that had the run before, when this one took it over from a worker that died mid-run. */
  takenOverFrom?: string;
}

/** Starts the run's stamp; epoch() follows its progress, end() closes it. Write errors never stop a run. */
export function workerLog(dir: string, worker: string): { epoch(e: { epoch: number; epochs: number }): void; end(state: 'completed' | 'failed'): void } {
  const now = () => new Date().toISOString();
  const before = readWorkerStamp(dir);
  const stamp: WorkerStamp = { worker, runId: path.basename(dir), host: hostname(), pid: process.pid, state: 'running', startedAt: now(), updatedAt: now(), epoch: null, epochs: null,
    ...(before?.state === 'running' && before.worker !== worker ? { takenOverFrom: before.worker } : {}) };
  const write = () => {
    stamp.updatedAt = now();
    try {
      writeFileAtomic(path.join(dir, WORKER_FILE), JSON.stringify(stamp, null, 2) + '\n');
    } catch {
      // The stamp is for display; the run's own results decide its fate.
    }
  };
  write();
  const beat = setInterval(write, HEARTBEAT_MS);
  beat.unref();
  return {
    epoch(e) {
      stamp.epoch = e.epoch;
      stamp.epochs = e.epochs;
      write();
    },
    end(state) {
      clearInterval(beat);
      stamp.state = state;
      write();
    },
  };
}

/** The stamp in a run folder, or null when there is none or it cannot be read. */
export function readWorkerStamp(dir: string): WorkerStamp | null {
  try {
    const s = JSON.parse(readFileSync(path.join(dir, WORKER_FILE), 'utf8')) as WorkerStamp;
    return typeof s?.worker === 'string' && typeof s.updatedAt === 'string' ? s : null;
  } catch {
    return null;
  }
}

/** Whether a process of this host is alive (EPERM: alive, someone else's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const TEMP_RE = /-(\d+)-[0-9a-f]+$/;

/**
 * Removes the temp files (.rnnlab-tmp-<name>-<pid>-<hex>) that an interrupted atomic write left in a run folder,
 * those of processes that are gone; returns their names. A live process's temp file is its write in progress.
 */
export function cleanStaleTemps(dir: string): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  const removed: string[] = [];
  for (const n of names) {
    if (!n.startsWith(TEMP_PREFIX)) continue;
    const m = TEMP_RE.exec(n);
    if (!m || pidAlive(Number(m[1]))) continue;
    try { unlinkSync(path.join(dir, n)); removed.push(n); } catch { /* gone already */ }
  }
  return removed;
}

/** A stamp left "running" by a worker of this host that is gone is closed with the state the run's results show. */
export function closeStaleStamp(dir: string, state: 'completed' | 'failed'): void {
  const s = readWorkerStamp(dir);
  if (!s || s.state !== 'running' || s.host !== hostname() || pidAlive(s.pid)) return;
  try {
    writeFileAtomic(path.join(dir, WORKER_FILE), JSON.stringify({ ...s, state, updatedAt: new Date().toISOString() }, null, 2) + '\n');
  } catch {
    // display only
  }
}
