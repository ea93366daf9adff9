/**
 * The job list after a restart, rebuilt from the run folders the dashboard wrote: finished jobs come back with
 * their status, epochs and results; a job that was still running when the old server stopped is shown as
 * interrupted (its folder keeps the epochs it finished). Records of another live server are left to it.
 */
import type { EpochHistograms } from '../experiments/weight_histograms.js';
import { statSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_FILE, type RunRecord, type Sample } from '../report/record.js';
import { notFound, type HttpError } from './http.js';
import { epochsDone, type EpochPoint, type JobStatus, type JobView } from './jobs.js';
import type { JobConfig } from './job_spec.js';
import { recordFromOtherHost, recordWriterAlive } from './runs.js';

/** The id of a job rebuilt from its run folder: stable across restarts, distinct from a live job's random id. */
export const restoredJobId = (runId: string): string => `run-${runId}`;

/** The ids the server hands out: newJobId's (job- and 16 base64url characters) and restoredJobId's. */
const LIVE_JOB_ID = /^job-[A-Za-z0-9_-]{16}$/;
const RESTORED_JOB_ID = /^run-(.+)$/;

/**
 * The 404 for a job id the queue does not know. The queue keeps only its most recent finished jobs, and a restart
 * lists earlier ones anew by run folder: an id of the server's own form is said to be a job no longer kept, pointing
 * at the run list (its run folder stays), not one that never existed. `runSource` says who wrote the run folder of
 * that name (its record's source; 'unknown' when the record cannot be read), or null when there is none: a run the
 * dashboard never trained (a terminal's `rnnlab imdb`) was never a job, and is not said to have been dropped.
 */
export function jobNotKept(id: string, runSource: (runId: string) => 'cli' | 'dashboard' | 'unknown' | null): HttpError | null {
  const restored = RESTORED_JOB_ID.exec(id);
  const source = restored ? runSource(restored[1]) : null;
  if (restored && source !== null) {
    const run = `GET /api/runs/${encodeURIComponent(restored[1])}`;
    if (source === 'dashboard') return notFound(`job '${id}' is no longer kept in the job list (the server keeps its most recent finished jobs only); its run is ${run}`);
    if (source === 'unknown') return notFound(`no job '${id}': the record of run '${restored[1]}' cannot be read, so no job is rebuilt from it; the run is ${run}`);
    return notFound(`no job '${id}': run '${restored[1]}' was not trained by the dashboard, so it is no job; the run is ${run}`);
  }
  if (!LIVE_JOB_ID.test(id)) return null;
  return notFound(`no job '${id}' in the job list: the server keeps its most recent finished jobs only, and after a restart lists earlier ones by run folder (ids run-<folder>); a job that started has its run folder in GET /api/runs`);
}

function epochsOf(r: RunRecord): EpochPoint[] {
  const m = r.models[0];
  if (!m) return [];
  const histograms = new Map(((r.details?.histograms as EpochHistograms[] | undefined) ?? []).map((h) => [h.epoch, h.weights]));
  const n = Math.max(0, ...Object.values(m.history).map((v) => v.length));
  return Array.from({ length: n }, (_, e) => {
    const logs: Record<string, number> = {};
    for (const [k, v] of Object.entries(m.history)) if (typeof v[e] === 'number') logs[k] = v[e] as number;
    const samples = (r.details?.samplesPerEpoch as Sample[][] | undefined)?.[e];
    const weights = histograms.get(e + 1);
    return { epoch: e + 1, logs, seconds: m.secondsPerEpoch[e] ?? 0, ...(Array.isArray(samples) ? { samples } : {}), ...(weights ? { histograms: weights } : {}) };
  });
}

function statusOf(r: RunRecord): JobStatus | null {
  if (r.status !== 'running') return r.status;
  // Still written by another server that is alive (another machine's pids say nothing here): not ours to show.
  const ours = r.pid === process.pid && !recordFromOtherHost(r);
  if (!ours && recordWriterAlive(r)) return null;
  return 'interrupted';
}

/**
 * Whether a record left "running" holds every epoch its job asked for. Then training had ended, and what was left
 * undone is the end of the job (evaluation, the model, the report, the final record): the server may have stopped
 * then, or may have failed to write the final record (a full disk), which the folder cannot tell apart.
 */
function trainedToTheEnd(r: RunRecord, epochs: number): boolean {
  return typeof r.config.epochs === 'number' && epochs >= r.config.epochs;
}

/**
 * Whether the run folder's model/ was written after its results.json last was: a job's process saves its model
 * once training has ended, so a record left "running" and older than model/ missed only the job's end (the report,
 * the final record). A full disk that took every record write since (and maybe the model too, leaving model/ empty)
 * leaves exactly this; a server stopped while the job trained leaves no model/ at all.
 */
export function modelNewerThanRecord(runDir: string): boolean {
  try {
    return statSync(path.join(runDir, 'model')).mtimeMs > statSync(path.join(runDir, RESULTS_FILE)).mtimeMs;
  } catch {
    return false;
  }
}

/** epochs: the recorded ones, a partial last one included (partial: it was, as a cancellation records it). */
function phaseOf(status: JobStatus, epochs: number, partial: boolean, ended: boolean): string {
  const done = epochsDone(epochs, partial);
  if (status === 'interrupted' && ended) return `interrupted before its final record was written (its folder records ${done})`;
  if (status === 'interrupted') return `interrupted by a server restart after ${done}`;
  if (status === 'cancelled') return `cancelled after ${done}`;
  return status === 'completed' ? 'done' : status;
}

/** One job view per dashboard run folder, oldest first (the order the queue keeps). */
export function restoredJobs(records: { id: string; record: RunRecord }[], hasModel: (runId: string) => boolean, savedAfterRecord: (runId: string) => boolean = () => false): JobView[] {
  const out: JobView[] = [];
  for (const { id, record: r } of records) {
    if (r.source !== 'dashboard') continue;
    const status = statusOf(r);
    if (!status) continue;
    const epochs = epochsOf(r);
    const partialLastEpoch = status === 'cancelled' && epochs.length > 0 && r.cancellation?.partialLastEpoch === true;
    const ended = status === 'interrupted' && (trainedToTheEnd(r, epochs.length) || savedAfterRecord(id));
    const metrics = Object.fromEntries(Object.entries(r.metrics).filter(([, v]) => v === null || typeof v === 'number')) as Record<string, number | null>;
    out.push({
      id: restoredJobId(id), name: r.runName, status,
      config: { task: r.command, ...r.config } as JobConfig,
      // The dashboard records its command line after "rnnlab" (the task first).
      command: ['rnnlab', ...r.argv].join(' '),
      phase: phaseOf(status, epochs.length, partialLastEpoch, ended),
      createdAt: r.startedAt, startedAt: r.startedAt, finishedAt: r.finishedAt,
      runId: id, progress: null, params: r.models[0]?.params ?? null, epochs,
      metrics: status === 'interrupted' ? null : metrics,
      error: r.error?.message ?? (status !== 'interrupted' ? null : ended
        ? 'its training had ended, but its final record was never written: the server stopped before it was, or could not write it (a full disk?)'
        : 'the server stopped while this job trained'),
      modelReady: status === 'completed' && hasModel(id), partialLastEpoch,
    });
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}
