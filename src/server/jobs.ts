/**
 * The training queue: one job trains at a time, the rest wait in order. Every job gets a run folder in
 * the CLI's layout as soon as it starts; results.json says "running" (with this process's pid) and is
 * rewritten atomically after every epoch, and at the end it says completed, cancelled or failed, so a
 * cancelled or crashed job leaves a consistent folder that says what happened.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { Logs } from '../models/progress.js';
import { curveCharts } from '../cli/imdb.js';
import { baseResults, pct } from '../cli/io.js';
import { sampleLine } from '../experiments/addition_task.js';
import type { ReportDoc, Section } from '../report/html.js';
import { defaultOutDir, toJson, writeRun } from '../report/run.js';
import { HttpError, notFound } from './http.js';
import { commandLine, type JobSpec } from './job_spec.js';
import { saveRunModel } from './model_io.js';
import type { ModelRegistry } from './models.js';
import { labelFor } from './runs.js';
import { JobCancelled, trainJob, type LiveHooks, type TrainOutcome } from './train.js';
import { newJobId } from './job_id.js';

export type JobStatus = 'queued' | 'running' | 'completed' | 'cancelled' | 'failed';

export interface BatchPoint {
  /** Batches done in the whole job (1-based). */
  step: number;
  /** Fractional epoch: epoch index + (batch + 1) / steps. */
  epoch: number;
  loss: number;
  acc: number | null;
}

export interface EpochPoint {
  /** 1-based. */
  epoch: number;
  logs: Record<string, number>;
  seconds: number;
}

export interface Progress {
  epoch: number;
  epochs: number;
  batch: number;
  steps: number;
  /** Of all batches of all epochs. */
  fraction: number;
  elapsedSeconds: number;
  etaSeconds: number | null;
}

export interface JobView {
  id: string;
  name: string;
  status: JobStatus;
  config: JobSpec['config'];
  command: string;
  phase: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The run folder's name inside the runs folder (once started). */
  runId: string | null;
  progress: Progress | null;
  params: number | null;
  epochs: EpochPoint[];
  metrics: Record<string, number | null> | null;
  error: string | null;
  /** Whether the trained model can be used in "Try it" and "Inside the network". */
  modelReady: boolean;
}

interface Job extends JobView {
  points: BatchPoint[];
  cancelRequested: boolean;
  pending: BatchPoint[];
  flushTimer: NodeJS.Timeout | null;
  fitStart: number;
}

export type Broadcast = (event: string, data: unknown) => void;

const MAX_QUEUED = 20;
const MAX_KEPT = 50;
const FLUSH_MS = 100;

export class JobQueue {
  private jobs: Job[] = [];
  private running: Job | null = null;
  private idle: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly runsDir: string,
    private readonly registry: ModelRegistry,
    private readonly broadcast: Broadcast,
    private readonly dataPath?: string,
    private readonly batchDelayMs = 0,
  ) {}

  list(): JobView[] {
    return this.jobs.map(view);
  }

  /** A job with its batch curve, for a client that connects late. */
  get(id: string): JobView & { points: BatchPoint[] } {
    const j = this.find(id);
    return { ...view(j), points: j.points };
  }

  snapshot(): (JobView & { points: BatchPoint[] })[] {
    return this.jobs.map((j) => ({ ...view(j), points: j.points }));
  }

  private find(id: string): Job {
    const j = this.jobs.find((x) => x.id === id);
    if (!j) throw notFound(`no job '${id}'`);
    return j;
  }

  submit(spec: JobSpec): JobView {
    if (this.closed) throw new HttpError(503, 'the server is shutting down');
    const queued = this.jobs.filter((j) => j.status === 'queued').length;
    if (queued >= MAX_QUEUED) throw new HttpError(429, `${queued} jobs are already waiting; cancel some or wait`);
    const job: Job = {
      id: newJobId(),
      name: spec.name,
      status: 'queued',
      config: spec.config,
      command: commandLine(spec.config),
      phase: this.running ? 'waiting for the running job' : 'starting',
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      runId: null,
      progress: null,
      params: null,
      epochs: [],
      metrics: null,
      error: null,
      modelReady: false,
      points: [],
      cancelRequested: false,
      pending: [],
      flushTimer: null,
      fitStart: 0,
    };
    this.jobs.push(job);
    this.trim();
    this.emitJob(job);
    this.pump();
    return view(job);
  }

  cancel(id: string): JobView {
    const j = this.find(id);
    if (j.status === 'queued') {
      j.status = 'cancelled';
      j.phase = 'cancelled before it started';
      j.finishedAt = new Date().toISOString();
      this.emitJob(j);
    } else if (j.status === 'running') {
      j.cancelRequested = true;
      j.phase = 'cancelling';
      this.emitJob(j);
    } else {
      throw new HttpError(409, `job '${id}' has already ${j.status === 'completed' ? 'completed' : j.status === 'failed' ? 'failed' : 'been cancelled'}`);
    }
    return view(j);
  }

  /** Cancels everything and waits for the running job to write its folder. */
  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.jobs) {
      if (j.status === 'queued') this.cancel(j.id);
      else if (j.status === 'running') j.cancelRequested = true;
    }
    await this.idle;
  }

  /** Resolves once no job is running or waiting. */
  async drain(): Promise<void> {
    while (this.running || this.jobs.some((j) => j.status === 'queued')) await this.idle;
  }

  private trim(): void {
    const finished = this.jobs.filter((j) => j.status !== 'queued' && j.status !== 'running');
    for (let i = 0; i < finished.length - MAX_KEPT; i++) this.jobs.splice(this.jobs.indexOf(finished[i]), 1);
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const next = this.jobs.find((j) => j.status === 'queued');
    if (!next) return;
    this.running = next;
    this.idle = this.execute(next).finally(() => {
      this.running = null;
      this.pump();
    });
  }

  private emitJob(j: Job): void {
    this.broadcast('job', view(j));
  }

  private flush(j: Job): void {
    if (j.flushTimer) {
      clearTimeout(j.flushTimer);
      j.flushTimer = null;
    }
    if (!j.pending.length) return;
    const points = j.pending;
    j.pending = [];
    this.broadcast('batches', { id: j.id, points, progress: j.progress });
  }

  private async execute(j: Job): Promise<void> {
    j.status = 'running';
    j.phase = 'starting';
    const started = new Date();
    j.startedAt = started.toISOString();
    const dir = uniqueDir(defaultOutDir(j.name, started, this.runsDir));
    j.runId = path.basename(dir);
    const argv = j.command.split(' ').slice(1);
    const base = { ...baseResults(j.config.task, argv, started), finishedAt: null, runName: j.name, source: 'rnnlab serve', config: j.config };
    const writeStatus = (extra: Record<string, unknown>) => {
      try {
        writeFileAtomic(path.join(dir, 'results.json'), toJson({ ...base, ...extra }) + '\n');
      } catch (e) {
        j.phase = `cannot write ${dir}: ${(e as Error).message}`;
      }
    };
    const history: Record<string, number[]> = {};
    const epochSeconds: number[] = [];
    writeStatus({ status: 'running', pid: process.pid, history, timing: { secondsPerEpoch: epochSeconds } });
    this.emitJob(j);

    let steps = 1, epochs = 1;
    const hooks: LiveHooks = {
      phase: (text) => {
        j.phase = j.cancelRequested ? 'cancelling' : text;
        this.emitJob(j);
      },
      trainBegin: (info) => {
        steps = Math.max(1, info.steps);
        epochs = info.epochs;
        j.params = info.params;
        j.fitStart = performance.now();
        j.progress = { epoch: 0, epochs, batch: 0, steps, fraction: 0, elapsedSeconds: 0, etaSeconds: null };
      },
      batch: (epoch, batch, logs: Logs) => {
        const done = epoch * steps + batch + 1;
        const fraction = done / (epochs * steps);
        const elapsed = (performance.now() - j.fitStart) / 1000;
        j.progress = { epoch: epoch + 1, epochs, batch: batch + 1, steps, fraction, elapsedSeconds: elapsed, etaSeconds: fraction > 0 ? (elapsed * (1 - fraction)) / fraction : null };
        const acc = logs.accuracy ?? logs.acc;
        const p: BatchPoint = { step: done, epoch: epoch + (batch + 1) / steps, loss: logs.loss, acc: typeof acc === 'number' ? acc : null };
        j.points.push(p);
        j.pending.push(p);
        if (!j.flushTimer) j.flushTimer = setTimeout(() => this.flush(j), FLUSH_MS);
      },
      epoch: (epoch, logs, seconds) => {
        this.flush(j);
        const clean: Record<string, number> = {};
        for (const [k, v] of Object.entries(logs)) if (typeof v === 'number') clean[k] = v;
        for (const [k, v] of Object.entries(clean)) (history[k] ??= []).push(v);
        epochSeconds.push(seconds);
        const point: EpochPoint = { epoch: epoch + 1, logs: clean, seconds };
        j.epochs.push(point);
        writeStatus({ status: 'running', pid: process.pid, history, timing: { secondsPerEpoch: epochSeconds } });
        this.broadcast('epoch', { id: j.id, epoch: point, progress: j.progress });
      },
      shouldStop: () => j.cancelRequested,
      afterBatch: this.batchDelayMs > 0 ? () => new Promise((r) => setTimeout(r, this.batchDelayMs)) : undefined,
    };

    let outcome: TrainOutcome | null = null;
    let error: Error | null = null;
    try {
      outcome = await trainJob(j.config, hooks, this.dataPath);
    } catch (e) {
      error = e as Error;
    }
    this.flush(j);
    const cancelled = j.cancelRequested || error instanceof JobCancelled || !!outcome?.cancelled;
    const status: JobStatus = error && !(error instanceof JobCancelled) ? 'failed' : cancelled ? 'cancelled' : 'completed';
    j.finishedAt = new Date().toISOString();
    const metrics = outcome ? { ...outcome.metrics } : {};
    j.metrics = metrics;
    if (status === 'completed' && outcome) {
      j.phase = 'saving';
      this.emitJob(j);
      try {
        const c = j.config;
        const options = c.task === 'imdb' ? { embeddingDim: c.embeddingDim, units: c.units, maskZero: c.maskZero } : {};
        await saveRunModel(dir, outcome.model, outcome.meta, options, finiteOnly(metrics));
      } catch (e) {
        j.phase = `model not saved: ${(e as Error).message}`;
      }
      this.registry.addTrained({
        id: j.runId, label: labelFor(j.runId, outcome.meta), meta: outcome.meta, source: 'memory',
        accuracy: metrics.testAccuracy ?? metrics.exactMatchAccuracy ?? null, createdAt: j.startedAt,
      }, outcome.model);
      j.modelReady = true;
    }
    // fit records the epoch it was stopped in (with the batches it did); say so.
    const partial = status === 'cancelled' && !!j.progress && j.epochs.length > 0 && j.progress.batch < j.progress.steps && j.progress.epoch === j.epochs.length;
    const finding = status === 'completed' && outcome ? outcome.finding : statusFinding(j, status, error, partial);
    const results: Record<string, unknown> = {
      ...base,
      finishedAt: j.finishedAt,
      status,
      ...(outcome ? outcome.record : { history, timing: { secondsPerEpoch: epochSeconds } }),
      config: outcome?.record.config ?? j.config,
      finding,
      ...(status === 'cancelled' ? { cancelledAt: j.finishedAt, cancelledAfterEpochs: j.epochs.length - (partial ? 1 : 0), partialLastEpoch: partial } : {}),
      ...(error && status === 'failed' ? { error: { name: error.name, message: error.message } } : {}),
    };
    try {
      writeRun(dir, results, reportDoc(j, status, finding, outcome, history));
      // writeRun writes plainly; end on an atomic write so the status flip is all-or-nothing.
      writeFileAtomic(path.join(dir, 'results.json'), toJson(results) + '\n');
    } catch (e) {
      writeStatus({ ...results, reportError: (e as Error).message });
    }
    j.status = status;
    j.error = status === 'failed' ? error!.message : null;
    j.phase = status === 'completed' ? 'done' : status === 'cancelled' ? `cancelled after ${j.epochs.length} epoch${j.epochs.length === 1 ? '' : 's'}` : 'failed';
    this.emitJob(j);
    this.trim();
  }
}

function uniqueDir(dir: string): string {
  if (!existsSync(dir)) return dir;
  for (let k = 2; ; k++) if (!existsSync(`${dir}-${k}`)) return `${dir}-${k}`;
}

function view(j: Job): JobView {
  return {
    id: j.id, name: j.name, status: j.status, config: j.config, command: j.command, phase: j.phase, createdAt: j.createdAt,
    startedAt: j.startedAt, finishedAt: j.finishedAt, runId: j.runId, progress: j.progress, params: j.params, epochs: j.epochs,
    metrics: j.metrics, error: j.error, modelReady: j.modelReady,
  };
}

function finiteOnly(m: Record<string, number | null>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;
}

function statusFinding(j: Job, status: JobStatus, error: Error | null, partial = false): string {
  const n = j.epochs.length - (partial ? 1 : 0);
  const done = `${n} epoch${n === 1 ? '' : 's'}`;
  if (status === 'failed') return `The run failed after ${done}: ${error?.message ?? 'unknown error'}`;
  return `The run was cancelled after ${done}${partial ? `, ${j.progress!.batch} of ${j.progress!.steps} batches into epoch ${n + 1} (kept as a partial last epoch)` : ''}.`;
}

function reportDoc(j: Job, status: JobStatus, finding: string, outcome: TrainOutcome | null, history: Record<string, number[]>): ReportDoc {
  const sections: Section[] = [{ title: 'Curves', charts: outcome?.charts ?? curveCharts(history) }];
  if (outcome?.samples?.length) {
    const qw = 2 * (j.config.task === 'addition' ? j.config.digits : 3) + 1;
    sections.push({ title: 'Samples', pre: outcome.samples.map((s) => sampleLine(s, qw, qw)).join('\n') });
  }
  if (outcome?.summary.length) sections.push({ title: 'Model summary', pre: outcome.summary.join('\n') });
  const metrics: Record<string, string | number> = { status };
  for (const [k, v] of Object.entries(outcome?.metrics ?? {})) {
    if (typeof v === 'number') metrics[k] = /ccuracy/.test(k) ? pct(v) : Number(v.toFixed(4));
  }
  if (outcome) metrics.parameters = outcome.params.toLocaleString('en-US');
  return { title: `${j.name} (${status})`, subtitle: `dashboard run; the same from the terminal: ${j.command}`, finding, metrics, sections, config: (outcome?.record.config as Record<string, unknown>) ?? { ...j.config } };
}
