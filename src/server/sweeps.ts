/**
 * The Sweeps view's data: every folder directly inside the runs folder that holds a sweep.json (written by
 * `rnnlab sweep`), read through the safe file layer, as a listing with progress and as one sweep's ranked table
 * and per-axis effects.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { hostname } from 'node:os';
import { RESULTS_FILE } from '../report/record.js';
import { completedRun, precisionFallback } from '../sweep/outcome.js';
import { SWEEP_FILE, sweepRecordProblem, type SweepRecord } from '../sweep/record.js';
import { unmeasuredLine } from '../sweep/summary.js';
import { attemptsOf, HEARTBEAT_MS, isWorkerStamp, notAWorkerStamp, WORKER_FILE, type WorkerStamp } from '../sweep/worker_file.js';
import { HttpError, notFound } from './http.js';
import { writerAlive } from './process_identity.js';
import { mapBounded, STAT_CONCURRENCY } from './runs.js';
import { readJsonInside, resolveInside, UnsafeFileError } from './safe_files.js';
import { parseOutline, RecordCache } from './record_reader.js';
import { runFolderNames, RUN_ID_RE } from './runs_folder.js';
import { isPlainObject } from '../plain_object.js';

/** sweep.json grows with the runs; a few thousand runs fit well under this. */
const SWEEP_FILE_LIMITS = { maxBytes: 16 * 1024 * 1024 };

export interface SweepListing {
  id: string;
  command: string;
  metric: string;
  goal: 'max' | 'min';
  total: number;
  completed: number;
  failed: number;
  pending: number;
  finished: boolean;
  updatedAt: string;
  /**
   * Runs sweep.json still calls pending whose folder holds a finished results.json: the sweep process was stopped
   * (or killed) before it recorded them. They count as completed or failed above; the ranking leaves them out until
   * the sweep is resumed.
   */
  unrecorded: number;
  /** The best setting so far, when any run has completed. */
  best: { label: string; mean: number; std: number; n: number } | null;
  error?: string;
}

type RecordedRun = SweepRecord['runs'][number];
/** A run's status as its own folder shows it when sweep.json lags behind. */
type DiskRun = RecordedRun & { unrecorded?: true };

function statusCounts(runs: readonly DiskRun[]) {
  const count = (s: string) => runs.filter((r) => r.status === s).length;
  return { total: runs.length, completed: count('completed'), failed: count('failed'), pending: count('pending'), unrecorded: runs.filter((r) => r.unrecorded).length };
}

export class SweepStore {
  /**
   * What the listing needs of each pending run's record, by path and stamps: an unfinished sweep is listed on every
   * request, and its runs' records (large ones parsed in a worker) are read again only when they change.
   */
  readonly outlines = new RecordCache(parseOutline);

  constructor(readonly dir: string) {}

  /** The folders of the runs folder; a runs folder gone or unreadable is an error naming it, never an empty list. */
  private folders(): string[] {
    return runFolderNames(this.dir);
  }

  /** The folder's sweep record; null when it holds no sweep.json. Damaged records throw, naming the file. */
  private async read(id: string): Promise<SweepRecord | null> {
    let rec: unknown;
    try {
      rec = await readJsonInside(this.dir, `${id}/${SWEEP_FILE}`, SWEEP_FILE_LIMITS);
    } catch (e) {
      if (e instanceof UnsafeFileError && e.reason === 'missing') return null;
      throw e;
    }
    const r = rec as Partial<SweepRecord> | null;
    const problem = sweepRecordProblem(r);
    // The folder's content, not the server, is at fault: 422 naming the file, as a damaged run record is.
    if (problem) throw new HttpError(422, `${id}/${SWEEP_FILE}: ${problem}`);
    return r as SweepRecord;
  }

  /**
   * A run's worker.json, read through the safe file layer; `problem` says why one the run's folder holds was not read
   * (a key given twice, not JSON, no stamp, a link or FIFO): the run is shown without it, saying so, never the sweep refused.
   */
  private async stamp(id: string, runId: string): Promise<{ stamp: WorkerStamp | null; problem: string | null }> {
    if (!RUN_ID_RE.test(runId)) return { stamp: null, problem: null };
    const rel = `${id}/runs/${runId}/${WORKER_FILE}`;
    try {
      const s = await readJsonInside(this.dir, rel, { maxBytes: 64 * 1024 });
      return isWorkerStamp(s) ? { stamp: s, problem: null } : { stamp: null, problem: notAWorkerStamp(rel) };
    } catch (e) {
      if (e instanceof UnsafeFileError && e.reason === 'missing') return { stamp: null, problem: null };
      return { stamp: null, problem: (e as Error).message };
    }
  }

  /**
   * The sweep's runs with each run sweep.json calls pending checked against its folder: sweep.json is rewritten only
   * by a live sweep, so after `kill -9` it still says pending for runs that completed. A finished results.json says
   * what happened, with the metric as the sweep would rank it (a completed run without it is failed, as on resume).
   */
  private async onDisk(id: string, rec: SweepRecord): Promise<DiskRun[]> {
    if (rec.finishedAt !== null) return rec.runs;
    return Promise.all(rec.runs.map(async (r): Promise<DiskRun> => {
      if (r.status !== 'pending' || !RUN_ID_RE.test(r.id)) return r;
      const rel = `${id}/runs/${r.id}/${RESULTS_FILE}`;
      let record;
      try {
        record = await this.outlines.get(await resolveInside(this.dir, rel), rel);
      } catch {
        // Missing, or a link leading out of the runs folder: the run has not finished as far as anyone can tell.
        return r;
      }
      // Half-written, damaged or unreadable: likewise.
      if ('error' in record || record.status !== 'completed') return r;
      // What the sweep will record once it writes sweep.json again (record.ts collectEntries): the run's own record
      // says now whether it trained in another precision than its flags (the spec's, its axes') asked for.
      const flags = { ...(isPlainObject(rec.spec.flags) ? rec.spec.flags : {}), ...r.axes };
      const precision = record.precision;
      const fallback = typeof precision === 'string' ? precisionFallback(flags, { precision }) : null;
      return { ...r, ...completedRun(record.metrics, rec.spec.metric, r.id), ...(fallback ? { precisionFallback: fallback } : {}), unrecorded: true };
    }));
  }

  /**
   * The folders that may hold a sweep: a runs folder of thousands of runs holds a few sweeps, and the full safe read
   * of each folder's sweep.json (which is most often missing) held up every other request. One lstat, without blocking
   * the server, rules out a folder with no sweep.json; anything else found there is read (and judged) as before.
   */
  private async sweepFolders(): Promise<string[]> {
    const ids = this.folders();
    const missing = await mapBounded(ids, STAT_CONCURRENCY, (id) => lstat(path.join(this.dir, id, SWEEP_FILE)).then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ENOENT'));
    return ids.filter((_, i) => !missing[i]);
  }

  async list(): Promise<SweepListing[]> {
    const out: SweepListing[] = [];
    for (const id of await this.sweepFolders()) {
      // One damaged folder is listed with its problem; it never takes the others' listing down with it.
      try {
        const rec = await this.read(id);
        if (!rec) continue;
        const top = rec.summary?.rows[0];
        out.push({ id, command: rec.spec.command, metric: rec.summary?.metric ?? rec.spec.metric, goal: rec.summary?.goal ?? 'max',
          ...statusCounts(await this.onDisk(id, rec)), finished: rec.finishedAt !== null, updatedAt: rec.updatedAt,
          best: top && Number.isFinite(top.mean) ? { label: top.label, mean: top.mean, std: top.std, n: top.n } : null });
      } catch (e) {
        out.push({ id, command: '', metric: '', goal: 'max', total: 0, completed: 0, failed: 0, pending: 0, unrecorded: 0, finished: false, updatedAt: '', best: null, error: (e as Error).message });
      }
    }
    out.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id));
    return out;
  }

  async get(id: string) {
    if (!RUN_ID_RE.test(id) || id.startsWith('.')) throw notFound(`no sweep '${id}'`);
    const rec = await this.read(id);
    if (!rec) throw notFound(`no sweep '${id}'`);
    const disk = await this.onDisk(id, rec);
    const read = await Promise.all(disk.map((r) => this.stamp(id, r.id)));
    const stamps = read.map((r) => r.stamp);
    const now = Date.now();
    const runs = disk.map((r, i) => {
      const st = stamps[i];
      // sweep.json is rewritten now and then (a local sweep's every few seconds, a queue sweep's when queued and when
      // its wait ends); a run a live worker has taken since shows as running. The stamp keeps the attempts too, so a run
      // completed after sweep.json was last written is not shown with none (record.ts's rule, read as stampAttempts
      // reads it).
      const running = r.status === 'pending' && st?.state === 'running' && stampAlive(st, now);
      return { id: r.id, axes: r.axes, seed: r.seed, status: running ? 'running' : r.status, attempts: Math.max(r.attempts, attemptsOf(st)), value: r.value ?? null, error: r.error ?? null,
        worker: st?.worker ?? r.worker ?? null, takenOverFrom: st?.takenOverFrom ?? null, epoch: running ? st.epoch : null, epochs: st?.epochs ?? null,
        unrecorded: r.unrecorded ?? false, stampError: read[i].problem,
        // Per run, what the terminal's "trained in float32" line says of the sweep: from sweep.json, or for a run
        // finished since it was last written, from the run's own record.
        ...(r.precisionFallback ? { precisionFallback: r.precisionFallback } : {}) };
    });
    return {
      id, spec: rec.spec, createdAt: rec.createdAt, updatedAt: rec.updatedAt, finishedAt: rec.finishedAt, ...statusCounts(disk),
      runs, workers: workersOf(stamps), summary: rec.summary,
      // Computed here rather than read from the record: the dashboard shows the terminal's words, for sweep.json files
      // of every age (the browser cannot import summary.ts).
      unmeasuredLine: rec.summary ? unmeasuredLine(rec.summary) : null,
    };
  }
}

/**
 * Whether a stamp's worker is alive: on this host its process answers (and is the one that began the run); elsewhere it wrote within two heartbeats
 * (a running run's worker rewrites its stamp every HEARTBEAT_MS).
 */
function stampAlive(s: WorkerStamp, now: number, host = hostname()): boolean {
  return s.host === host ? writerAlive(s.pid, Date.parse(s.startedAt), s.writer) : now - Date.parse(s.updatedAt) < 2 * HEARTBEAT_MS;
}

export interface WorkerView {
  worker: string;
  host: string;
  alive: boolean;
  /** The run it is on now, with its epoch, if any. */
  current: { runId: string; epoch: number | null; epochs: number | null } | null;
  completed: number;
  failed: number;
  lastSeen: string;
}

/** The sweep's workers as their runs' stamps show them: what each ran, what it runs now, whether it is alive. */
export function workersOf(stamps: (WorkerStamp | null)[], now = Date.now(), host = hostname()): WorkerView[] {
  const by = new Map<string, WorkerView>();
  for (const s of stamps) {
    if (!s) continue;
    const w = by.get(s.worker) ?? { worker: s.worker, host: s.host, alive: false, current: null, completed: 0, failed: 0, lastSeen: s.updatedAt };
    if (s.updatedAt > w.lastSeen) w.lastSeen = s.updatedAt;
    const alive = stampAlive(s, now, host);
    if (s.state === 'completed') w.completed++;
    else if (s.state === 'failed') w.failed++;
    else if (s.state === 'running' && alive) w.current = { runId: s.runId, epoch: s.epoch, epochs: s.epochs };
    if (alive) w.alive = true;
    by.set(s.worker, w);
  }
  return [...by.values()].sort((a, b) => a.worker.localeCompare(b.worker));
}
