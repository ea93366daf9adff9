/**
 * The job list after a restart, rebuilt from the run folders the dashboard wrote: finished jobs come back with
 * their status, epochs and results; a job that was still running when the old server stopped is shown as
 * interrupted (its folder keeps the epochs it finished). Records of another live server are left to it.
 */
import type { EpochHistograms } from '../experiments/weight_histograms.js';
import type { RunRecord, Sample } from '../report/record.js';
import { epochsDone, type EpochPoint, type JobStatus, type JobView } from './jobs.js';
import type { JobConfig } from './job_spec.js';
import { recordFromOtherHost, recordWriterAlive } from './runs.js';

/** The id of a job rebuilt from its run folder: stable across restarts, distinct from a live job's random id. */
export const restoredJobId = (runId: string): string => `run-${runId}`;

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

/** epochs: the recorded ones, a partial last one included (partial: it was, as a cancellation records it). */
function phaseOf(status: JobStatus, epochs: number, partial: boolean): string {
  const done = epochsDone(epochs, partial);
  if (status === 'interrupted') return `interrupted by a server restart after ${done}`;
  if (status === 'cancelled') return `cancelled after ${done}`;
  return status === 'completed' ? 'done' : status;
}

/** One job view per dashboard run folder, oldest first (the order the queue keeps). */
export function restoredJobs(records: { id: string; record: RunRecord }[], hasModel: (runId: string) => boolean): JobView[] {
  const out: JobView[] = [];
  for (const { id, record: r } of records) {
    if (r.source !== 'dashboard') continue;
    const status = statusOf(r);
    if (!status) continue;
    const epochs = epochsOf(r);
    const metrics = Object.fromEntries(Object.entries(r.metrics).filter(([, v]) => v === null || typeof v === 'number')) as Record<string, number | null>;
    out.push({
      id: restoredJobId(id), name: r.runName, status,
      config: { task: r.command, ...r.config } as JobConfig,
      // The dashboard records its command line after "rnnlab" (the task first).
      command: ['rnnlab', ...r.argv].join(' '),
      phase: phaseOf(status, epochs.length, epochs.length > 0 && r.cancellation?.partialLastEpoch === true),
      createdAt: r.startedAt, startedAt: r.startedAt, finishedAt: r.finishedAt,
      runId: id, progress: null, params: r.models[0]?.params ?? null, epochs,
      metrics: status === 'interrupted' ? null : metrics,
      error: r.error?.message ?? (status === 'interrupted' ? 'the server stopped while this job trained' : null),
      modelReady: status === 'completed' && hasModel(id),
    });
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}
