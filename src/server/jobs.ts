/**
 * The training queue: one job trains at a time, in a process of its own (job_process.ts), the rest wait in order. Every job gets a run folder in
 * the CLI's layout as soon as it starts (made with one mkdir, so a CLI run started in the same second never shares
 * it); results.json says "running" (with this process's pid) and is rewritten atomically as epochs end (at most
 * every RECORD_EVERY_MS, and once more when training ends), and at the end it says completed, cancelled or failed,
 * so a cancelled or crashed job leaves a consistent folder that says what happened. A job whose folder cannot be made fails before training; one whose record cannot be written at
 * the end is marked failed with the reason, since nothing of it would outlive the server.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { additionCharts } from '../experiments/addition_result.js';
import { curveCharts } from '../experiments/imdb_result.js';
import type { EpochHistograms, WeightHistogram } from '../experiments/weight_histograms.js';
import type { Logs } from '../models/progress.js';
import type { ReportDoc } from '../report/html.js';
import { writeRecord, type ModelRecord, type Num, type RecordBody, type Sample } from '../report/record.js';
import { createRunDir, defaultOutDir, finishRecord, startRecord } from '../report/run.js';
import { lockRunFolder, type RunFolderLock } from '../report/run_lock.js';
import { HttpError, notFound } from './http.js';
import { commandLine, type JobConfig, type JobSpec } from './job_spec.js';
import { startJobProcess, type JobHooks, type JobProcess, type ProcessOutcome } from './job_process.js';
import { JobCancelled, SAVING_PHASE } from './train.js';
import { newJobId } from './job_id.js';
import { rawErrnoWords } from '../local_files.js';

/** The phase of a job whose process writes its report: training has ended and its status is decided. */
export const REPORT_PHASE = 'writing the report';

/**
 * The phase of a job whose process has done its last batch uncancelled: fit's last validation and the task's scoring
 * follow, which a cancel no longer stops.
 */
export const FINISHING_PHASE = 'finishing the last epoch';

/** interrupted: rebuilt after a restart from a folder whose job was still training when the old server stopped. */
export type JobStatus = 'queued' | 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';

/** Whether a job in this status is over: nothing more will happen to it. */
export const jobEnded = (status: JobStatus): boolean => status !== 'queued' && status !== 'running';

export interface BatchPoint {
  /** Batches done in the whole job (1-based). */
  step: number;
  /** Fractional epoch: epoch index + (batch + 1) / steps. */
  epoch: number;
  loss: number;
  acc: number | null;
  /** Wall-clock seconds since training began (the curves' time axis). */
  seconds: number;
}

export interface EpochPoint {
  /** 1-based. */
  epoch: number;
  logs: Record<string, number>;
  seconds: number;
  /** Wall-clock seconds since training began, at the end of this epoch (validation included). */
  elapsedSeconds?: number;
  /** Addition: the sample questions answered after this epoch (✓/✗). */
  samples?: Sample[];
  /** Every trainable weight's histogram and its last batch's gradient's after this epoch. */
  histograms?: WeightHistogram[];
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
  /** A cancelled job's last epoch in `epochs` is the one it was stopped in: drawn, not counted (as its record's cancellation). */
  partialLastEpoch: boolean;
}

/**
 * What the job list, the page's event stream's snapshot and its job events carry: everything but the epochs' detail
 * (every epoch's histograms and samples) and the batch curve, which a page gets for the one job it shows (the job's
 * own stream, GET /api/jobs/:id/events, or GET /api/jobs/:id). So a page opened on a long-lived server gets a few
 * kilobytes per job, not megabytes.
 */
export interface JobSummary extends Omit<JobView, 'epochs'> {
  epochCount: number;
  /** The last finished epoch's numbers (no histograms or samples), or null before the first. */
  lastEpoch: { epoch: number; logs: Record<string, number>; seconds: number } | null;
}

/** One job in full: every epoch with its histograms and samples, and its kept batch curve. */
export type JobDetail = JobView & { points: BatchPoint[] };

interface Job extends JobView {
  /** Every pointStride-th batch's point (see keepPoint). */
  points: BatchPoint[];
  pointStride: number;
  cancelRequested: boolean;
  /** Its process said it saves the model: training ended uncancelled, so a cancel would be answered and ignored. */
  savingModel: boolean;
  /** Its process said training ended uncancelled (its last batch done): from then on a cancel stops nothing. */
  trainingEnded: boolean;
  /** Kills the job's process when it has not stopped cancelDeadlineMs after a cancel. */
  cancelTimer: NodeJS.Timeout | null;
  /** The cancel had to kill the job's process: the job is still cancelled, its record saying so. */
  killedAfterCancel: boolean;
  /** The status decided once its process has answered, while its report is written (REPORT_PHASE), else null. */
  endingAs: JobStatus | null;
  abort: AbortController;
  pending: BatchPoint[];
  flushTimer: NodeJS.Timeout | null;
  /** Why the trained model could not be saved in the run folder (it stays usable until the server stops). */
  modelError: string | null;
}

export type Broadcast = (event: string, data: unknown) => void;

const MAX_QUEUED = 20;
/** Finished jobs the list keeps (docs/CLI.md `rnnlab serve`); job_history.jobNotKept words the 404 for the rest. */
export const MAX_KEPT = 50;
const FLUSH_MS = 100;
/**
 * How often, at most, a running job's record is rewritten. The record grows every epoch (history, samples,
 * histograms): rewriting it after each one costs O(epochs²) in all, and put the server's replay of a fast job tens of
 * seconds behind its process (its progress, ETA and cancel following the replay, not the training).
 */
const RECORD_EVERY_MS = 500;
const MAX_POINTS = 2000;

/**
 * A job keeps every pointStride-th batch's point; when they would outnumber max, the stride doubles and the points
 * off it go. So a long job's curve (held for as long as the server keeps the job, and sent whole to a client that
 * opens the job) stays within max points, evenly spaced, whatever the batch count. Live clients still get every
 * point as it happens.
 */
function keepPoint(j: Job, p: BatchPoint, max: number): void {
  if (p.step % j.pointStride !== 0) return;
  j.points.push(p);
  while (j.points.length > max) {
    j.pointStride *= 2;
    j.points = j.points.filter((q) => q.step % j.pointStride === 0);
  }
}

export class JobQueue {
  private jobs: Job[] = [];
  private running: Job | null = null;
  private idle: Promise<void> = Promise.resolve();
  private closed = false;
  /** How long close() waits for the running job's process to stop after the cancel before it kills it. */
  closeDeadlineMs = 30_000;
  /**
   * How long a cancelled job's process may take to stop before it is killed: one frozen, or deep in a long IMDb load
   * (which reads a cancel only between steps), would otherwise hold every job queued behind it. A job past its last
   * batch is not cancelled (onTrainingEnd), so its evaluation is never cut short by this.
   */
  cancelDeadlineMs = 30_000;
  /**
   * How long the process writing a job's report (started, if need be, then rendering) may take before it is killed
   * and the record written without the report, saying why: a stuck one would otherwise hold the queue. A long run's
   * report renders in seconds, so minutes is generous.
   */
  renderDeadlineMs = 5 * 60_000;
  /** The running job's training process. */
  private process: JobProcess | null = null;
  /** The running job's hold on its run folder (src/report/run_lock.ts): a CLI run given that folder as --out is refused. */
  private runLock: RunFolderLock | null = null;
  private delayMs: number;

  constructor(
    private readonly runsDir: string,
    private readonly broadcast: Broadcast,
    private readonly dataPath?: string,
    /** A pause after every training batch, in ms (DashboardOptions.batchDelayMs); a test may change it, the running job's included. */
    batchDelayMs = 0,
    restored: JobView[] = [],
    /** The batch points a job keeps for late clients (and for its whole life): past it the curve is thinned. */
    public maxPoints = MAX_POINTS,
  ) {
    this.delayMs = batchDelayMs;
    this.jobs = restored.slice(-MAX_KEPT).map((v) => ({ ...v, points: [], pointStride: 1, cancelRequested: false, savingModel: false, trainingEnded: false, cancelTimer: null, killedAfterCancel: false, endingAs: null, abort: new AbortController(), pending: [], flushTimer: null, modelError: null }));
  }

  get batchDelayMs(): number {
    return this.delayMs;
  }

  set batchDelayMs(ms: number) {
    this.delayMs = ms;
    this.process?.setBatchDelay(ms);
  }

  /** The id of the process the running job trains in, or null (tests pause it to show the server still answers). */
  trainingPid(): number | null {
    return this.process?.pid ?? null;
  }

  /** Whether a cancel's kill timer is set for the job (tests check that a job finishing normally has none). */
  killPending(id: string): boolean {
    return this.find(id).cancelTimer !== null;
  }

  /** Every kept job's summary: the job list, and what a page gets when it connects (or reconnects). */
  list(): JobSummary[] {
    return this.jobs.map(summary);
  }

  /** One job's summary, as the job list has it. */
  summary(id: string): JobSummary {
    return summary(this.find(id));
  }

  /** A job in full, for the page that shows it. */
  get(id: string): JobDetail {
    const j = this.find(id);
    return { ...view(j), points: j.points };
  }

  private find(id: string): Job {
    const j = this.jobs.find((x) => x.id === id);
    if (!j) throw notFound(`no job '${id}'`);
    return j;
  }

  /** Queues every job or, when they do not all fit, none (a 429). */
  submitAll(specs: JobSpec[]): JobSummary[] {
    this.checkRoom(specs.length);
    return specs.map((spec) => this.submit(spec));
  }

  /** Throws the 503 or 429 that submitting n jobs now would. */
  checkRoom(n: number): void {
    if (this.closed) throw new HttpError(503, 'the server is shutting down');
    const queued = this.jobs.filter((j) => j.status === 'queued').length;
    if (queued + n > MAX_QUEUED) throw new HttpError(429, `${queued} jobs are already waiting (at most ${MAX_QUEUED}); cancel some or wait`);
  }

  submit(spec: JobSpec): JobSummary {
    this.checkRoom(1);
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
      partialLastEpoch: false,
      points: [],
      pointStride: 1,
      cancelRequested: false,
      savingModel: false,
      trainingEnded: false,
      cancelTimer: null,
      killedAfterCancel: false,
      endingAs: null,
      abort: new AbortController(),
      pending: [],
      flushTimer: null,
      modelError: null,
    };
    this.jobs.push(job);
    this.trim();
    this.emitJob(job);
    this.pump();
    return summary(job);
  }

  cancel(id: string): JobSummary {
    const j = this.find(id);
    if (j.status === 'queued') {
      j.status = 'cancelled';
      j.phase = 'cancelled before it started';
      j.finishedAt = new Date().toISOString();
      this.emitJob(j);
    } else if (j.status === 'running' && j.phase === REPORT_PHASE && j.endingAs === 'cancelled') {
      // A cancel repeated once the job has stopped for an earlier one: answered as while it was stopping (idempotent,
      // as a DELETE is), not refused as if training had ended on its own.
    } else if (j.status === 'running' && j.phase === REPORT_PHASE && j.endingAs === 'failed') {
      throw new HttpError(409, `job '${id}' has failed and is writing its report; it ends in moments`);
    } else if (j.status === 'running' && j.phase === REPORT_PHASE) {
      // Its outcome is decided and recorded in the report being written: a cancel now would be answered and ignored.
      throw new HttpError(409, `job '${id}' has finished training and is writing its report; it ends in moments`);
    } else if (j.status === 'running' && j.savingModel) {
      throw new HttpError(409, `job '${id}' has finished training and is saving its model; a cancel would change nothing, and it ends completed in moments`);
    } else if (j.status === 'running' && j.trainingEnded) {
      // Its process reads no cancel any more: accepting one would only start the kill timer on a job finishing normally.
      throw new HttpError(409, `job '${id}' has finished training and is evaluating the trained model; a cancel would change nothing, and it ends completed`);
    } else if (j.status === 'running') {
      j.cancelRequested = true;
      j.abort.abort();
      j.phase = 'cancelling';
      const deadline = this.cancelDeadlineMs;
      // Cleared once the process has answered (execute; past that point it writes the report, under its own deadline)
      // or has said training ended (onTrainingEnd: it will not stop, and ends completed).
      j.cancelTimer ??= setTimeout(() => {
        if (this.running !== j || j.trainingEnded) return;
        j.killedAfterCancel = true;
        this.process?.kill(`did not stop within ${deadline / 1000} s of the cancel and was killed`);
      }, deadline);
      this.emitJob(j);
    } else {
      const how = { completed: 'completed', failed: 'failed', cancelled: 'been cancelled', interrupted: 'been interrupted' } as Record<JobStatus, string>;
      throw new HttpError(409, `job '${id}' has already ${how[j.status]}`);
    }
    return summary(j);
  }

  /**
   * Cancels everything and waits for the running job to write its folder. A job's process that does not stop within
   * closeDeadlineMs (frozen, or deep in a long IMDb load, which checks for a cancel only between steps), unless its
   * training has ended, is killed, so that `rnnlab serve` still exits after Ctrl-C; that job is then recorded as failed, saying so.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.jobs) {
      if (j.status === 'queued') this.cancel(j.id);
      else if (j.status === 'running') {
        j.cancelRequested = true;
        j.abort.abort();
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), this.closeDeadlineMs); });
    // A job past its last batch is finishing (evaluating, saving, writing its report), not cancelled: it may take
    // longer than the deadline (an IMDb test pass), and killing it would lose its trained model. A second Ctrl-C
    // still stops the server at once.
    if ((await Promise.race([this.idle, deadline])) === 'late' && !this.runningPastTraining()) {
      this.process?.kill(`did not stop within ${this.closeDeadlineMs / 1000} s of the server closing and was killed`);
    }
    clearTimeout(timer);
    await this.idle;
  }

  /** Whether the running job's training has ended uncancelled: it is finishing, and ends completed. */
  runningPastTraining(): boolean {
    return this.running?.trainingEnded === true;
  }

  /** Whether a job of this queue is training into the run folder `runId` now. */
  writingRun(runId: string): boolean {
    return this.running?.runId === runId;
  }

  /** Resolves once no job is running or waiting. */
  async drain(): Promise<void> {
    while (this.running || this.jobs.some((j) => j.status === 'queued')) await this.idle;
  }

  private trim(): void {
    const finished = this.jobs.filter((j) => jobEnded(j.status));
    for (let i = 0; i < finished.length - MAX_KEPT; i++) this.jobs.splice(this.jobs.indexOf(finished[i]), 1);
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const next = this.jobs.find((j) => j.status === 'queued');
    if (!next) return;
    this.running = next;
    this.idle = this.execute(next).finally(() => {
      this.runLock?.release();
      this.runLock = null;
      this.running = null;
      this.pump();
    });
  }

  private emitJob(j: Job): void {
    this.broadcast('job', summary(j));
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
    const startedAt = new Date();
    j.startedAt = startedAt.toISOString();
    let dir: string;
    // createRunDir makes missing parents: a runs folder moved or deleted under the server would be made anew and the
    // job trained into it, unseen by the lists (which answer 503 then). Said without the folder's path, as job errors are.
    if (!existsSync(this.runsDir)) {
      this.end(j, 'failed', "cannot create the job's run folder: the runs folder is gone (moved or deleted while the server runs); put it back, or restart rnnlab serve with --runs naming where it is now");
      return;
    }
    try {
      dir = createRunDir(defaultOutDir(j.name, startedAt, this.runsDir));
      this.runLock = lockRunFolder(dir, j.command);
    } catch (e) {
      // Nothing could be kept of a run without its folder (a read-only or full disk): say so instead of training.
      this.end(j, 'failed', `cannot create the job's run folder: ${(e as Error).message}`);
      return;
    }
    j.runId = path.basename(dir);
    const start = startRecord({ command: j.config.task, argv: j.command.split(' ').slice(1), source: 'dashboard', runName: j.name, startedAt, config: { ...j.config } });
    // Each epoch's weight and gradient histograms: details.histograms of the record written after every epoch.
    const histogramsPerEpoch: EpochHistograms[] = [];
    // What the run folder says while the job trains: the epochs so far, rewritten atomically as they end (throttled).
    const live: ModelRecord = { name: liveModelName(j.config), params: null, history: {}, secondsPerEpoch: [] };
    const running = throttled(() => {
      try {
        writeRecord(dir, { ...start, models: [live], ...withHistograms(undefined, histogramsPerEpoch) });
      } catch (e) {
        j.phase = `cannot write ${dir}: ${(e as Error).message}`;
      }
    }, RECORD_EVERY_MS);
    running.request();
    this.emitJob(j);

    let steps = 1, epochs = 1;
    let samples: Sample[] | undefined;
    let histograms: WeightHistogram[] | undefined;
    const hooks: JobHooks = {
      signal: j.abort.signal,
      onPhase: (text) => {
        j.savingModel = text === SAVING_PHASE;
        j.phase = j.cancelRequested && !j.trainingEnded ? 'cancelling' : text;
        this.emitJob(j);
      },
      onTrainingEnd: () => {
        j.trainingEnded = true;
        // A cancel that raced with the end of training was accepted, but its process will not stop: it ends completed.
        if (j.cancelTimer) clearTimeout(j.cancelTimer);
        j.cancelTimer = null;
        j.phase = FINISHING_PHASE;
        this.emitJob(j);
      },
      onTrainBegin: (info) => {
        steps = Math.max(1, info.steps);
        epochs = info.epochs;
        j.params = info.params;
        live.params = info.params;
        j.progress = { epoch: 0, epochs, batch: 0, steps, fraction: 0, elapsedSeconds: 0, etaSeconds: null };
      },
      onBatchEnd: (epoch, batch, logs: Logs, elapsed) => {
        const done = epoch * steps + batch + 1;
        const fraction = done / (epochs * steps);
        j.progress = { epoch: epoch + 1, epochs, batch: batch + 1, steps, fraction, elapsedSeconds: elapsed, etaSeconds: fraction > 0 ? (elapsed * (1 - fraction)) / fraction : null };
        const acc = logs.accuracy ?? logs.acc;
        const p: BatchPoint = { step: done, epoch: epoch + (batch + 1) / steps, loss: logs.loss, acc: typeof acc === 'number' ? acc : null, seconds: elapsed };
        keepPoint(j, p, this.maxPoints);
        j.pending.push(p);
        // The last batch's point goes out at once: the curve is whole as training ends, not a flush later.
        if (done === epochs * steps) this.flush(j);
        else if (!j.flushTimer) j.flushTimer = setTimeout(() => this.flush(j), FLUSH_MS);
      },
      onHistograms: (_epoch, weights) => {
        histograms = weights;
      },
      onSamples: (_epoch, answered) => {
        samples = answered;
      },
      onEpochEnd: (epoch, logs, seconds, elapsed) => {
        this.flush(j);
        const clean: Record<string, number> = {};
        for (const [k, v] of Object.entries(logs)) if (typeof v === 'number') clean[k] = v;
        for (const [k, v] of Object.entries(clean)) (live.history[k] ??= []).push(v);
        live.secondsPerEpoch.push(seconds);
        const point: EpochPoint = { epoch: epoch + 1, logs: clean, seconds, elapsedSeconds: elapsed, ...(samples ? { samples } : {}), ...(histograms ? { histograms } : {}) };
        j.epochs.push(point);
        if (histograms) histogramsPerEpoch.push({ epoch: epoch + 1, weights: histograms });
        samples = undefined;
        histograms = undefined;
        running.request();
        this.broadcast('epoch', { id: j.id, epoch: point, progress: j.progress });
      },
    };

    let outcome: ProcessOutcome | null = null;
    let error: Error | null = null;
    // The job trains in a process of its own, which gives all its memory back when it ends (job_process.ts says why).
    const child = startJobProcess(j.config, hooks, { runDir: dir, dataPath: this.dataPath, batchDelayMs: this.delayMs, renderDeadlineMs: this.renderDeadlineMs });
    this.process = child;
    try {
      outcome = await child.outcome;
    } catch (e) {
      error = e as Error;
    }
    // Every epoch replayed is on disk before the final record is sent to be written, and no timer writes after it.
    running.flush();
    if (j.cancelTimer) clearTimeout(j.cancelTimer);
    j.cancelTimer = null;
    let unwritten: string | null = null;
    let status: JobStatus;
    try {
      ({ status, unwritten, error } = await this.finishRun(j, child, { outcome, error, start, dir, live, histogramsPerEpoch }));
    } finally {
      // Whatever threw before the render was sent, the job's process (waiting for it, with the model) does not outlive the job.
      child.release();
      this.process = null;
    }
    // Given back before the job is told ended: a page (or a CLI run) acting on that finds the folder free.
    this.runLock?.release();
    if (unwritten !== null) {
      // Its model/ may be whole, but a run without its record is not one /api/predict serves.
      j.modelReady = false;
      this.end(j, 'failed', `the run folder ${j.runId} could not be written: ${unwritten}`);
    }
    else this.end(j, status, status === 'failed' ? error!.message : null);
  }

  /**
   * Decides the job's status and has its record and report written (by the job's process, or one started for it).
   * The error returned is the job's: the process's, or why a stop nobody asked the server for is a failure.
   */
  private async finishRun(j: Job, child: JobProcess, r: FinishInput): Promise<{ status: JobStatus; unwritten: string | null; error: Error | null }> {
    const { outcome, start, dir, live, histogramsPerEpoch } = r;
    let { error } = r;
    this.flush(j);
    const signal = outcome?.signal ?? (error instanceof JobCancelled ? error.signal : undefined);
    // A terminal's Ctrl-C reaches the server and the job's process together: the server's own handler (which cancels
    // every job) has run by the next turn of the event loop, so only a signal still unexplained then was sent to the
    // job's process alone (by an administrator, a supervisor, a container runtime), and nobody cancelled the job.
    if (signal !== undefined && !j.cancelRequested) await new Promise((resolve) => setImmediate(resolve));
    if (signal !== undefined && !j.cancelRequested) {
      error = new Error(`the job's training process received ${signal}, which this server did not send (a signal to that process alone), and stopped`);
    }
    // Killed because it did not stop after the cancel: what the user asked for happened, by force.
    const forced = j.killedAfterCancel && !!error && !(error instanceof JobCancelled);
    // The process's outcome decides, not the request: a cancel that reached it after training had ended (its result
    // on the way) stopped nothing, as Keras's stopTraining set after fit returns does nothing; the model is saved.
    const cancelled = error instanceof JobCancelled || forced || !!outcome?.cancelled;
    const status = error && !(error instanceof JobCancelled) && !forced ? 'failed' : cancelled ? 'cancelled' : 'completed';
    j.finishedAt = new Date().toISOString();
    j.metrics = outcome ? { ...outcome.metrics } : {};
    if (status === 'completed' && outcome) {
      if (outcome.modelSaved) j.modelReady = true;
      else j.modelError = outcome.modelError ?? "the job's process saved no model";
    }
    const partial = status !== 'completed' && stoppedMidEpoch(j);
    const finding = status === 'completed' && outcome ? outcome.body.finding
      : `${statusFinding(j, status, error, partial)}${forced ? ` Its process did not stop within ${this.cancelDeadlineMs / 1000} s of the cancel and was killed.` : ''}`;
    const plain: RecordBody = outcome ? { ...outcome.body, finding } : { config: { ...j.config }, data: null, models: [live], metrics: {}, finding };
    const body: RecordBody = { ...plain, ...withHistograms(plain.details, histogramsPerEpoch) };
    const record = finishRecord(start, body, status, {
      cancellation: status === 'cancelled' ? { afterEpochs: j.epochs.length - (partial ? 1 : 0), partialLastEpoch: partial } : null,
      error: error && status === 'failed' ? { name: error.name, message: error.message } : null,
    });
    let unwritten: string | null = null;
    // The job's process renders the reports (seconds of SVG and PNG work for a long run): the server only serves them.
    j.phase = REPORT_PHASE;
    j.endingAs = status;
    this.emitJob(j);
    try {
      unwritten = await child.render(dir, record, reportDoc(j, status, finding, outcome, live.history));
    } catch (e) {
      // No process could write it: the record at least, saying why there is no report.
      try {
        writeRecord(dir, { ...record, reportError: `the report was not written: ${(e as Error).message}` });
      } catch (e2) {
        unwritten = rawErrnoWords(e2);
      }
    }
    return { status, unwritten, error };
  }

  /** The job's last state, told to every page. */
  private end(j: Job, status: JobStatus, error: string | null): void {
    j.status = status;
    j.finishedAt ??= new Date().toISOString();
    j.error = error;
    // Whole epochs, as the record's cancellation counts them (a partial last one is in the curves, not in the count).
    const late = j.cancelRequested ? ' (the cancel came after training had ended)' : '';
    j.partialLastEpoch = status === 'cancelled' && stoppedMidEpoch(j);
    j.phase = status === 'completed' ? (j.modelError === null ? `done${late}` : `done, but the model was not saved: ${j.modelError}${late}`)
      : status === 'cancelled' ? `cancelled after ${epochsDone(j.epochs.length, j.partialLastEpoch)}${j.killedAfterCancel ? '; its process did not stop in time and was killed' : ''}` : 'failed';
    this.emitJob(j);
    this.trim();
  }

}

/**
 * A write asked for often, done at most every `ms`: at once when the last was longer ago, else once when the time has
 * come (however many asks came meanwhile); flush() does a pending one now and leaves no timer behind. The write is
 * synchronous, so one can never overlap, or land after, a later one.
 */
function throttled(write: () => void, ms: number): { request(): void; flush(): void } {
  let timer: NodeJS.Timeout | null = null;
  let due = false;
  let last = -Infinity;
  const run = () => {
    timer = null;
    due = false;
    last = performance.now();
    write();
  };
  return {
    request() {
      due = true;
      if (timer) return;
      const wait = last + ms - performance.now();
      if (wait <= 0) run();
      else timer = setTimeout(run, wait);
    },
    flush() {
      if (timer) clearTimeout(timer);
      timer = null;
      if (due) run();
    },
  };
}

/** What a job's end is made of: its process's outcome or error, and what the server kept while it trained. */
interface FinishInput {
  outcome: ProcessOutcome | null;
  error: Error | null;
  start: ReturnType<typeof startRecord>;
  dir: string;
  live: ModelRecord;
  histogramsPerEpoch: EpochHistograms[];
}

/** details.histograms beside a record's other details, or nothing when no epoch had any. */
function withHistograms(details: Record<string, unknown> | undefined, perEpoch: EpochHistograms[]): { details?: Record<string, unknown> } {
  if (!perEpoch.length) return details ? { details } : {};
  return { details: { ...details, histograms: perEpoch } };
}

function liveModelName(c: JobConfig): string {
  return c.task === 'imdb' ? c.model : `${c.rnn} seq2seq`;
}

function view(j: Job): JobView {
  return {
    id: j.id, name: j.name, status: j.status, config: j.config, command: j.command, phase: j.phase, createdAt: j.createdAt,
    startedAt: j.startedAt, finishedAt: j.finishedAt, runId: j.runId, progress: j.progress, params: j.params, epochs: j.epochs,
    metrics: j.metrics, error: j.error, modelReady: j.modelReady, partialLastEpoch: j.partialLastEpoch,
  };
}

function summary(j: Job): JobSummary {
  const { epochs, ...rest } = view(j);
  const last = epochs[epochs.length - 1];
  return { ...rest, epochCount: epochs.length, lastEpoch: last ? { epoch: last.epoch, logs: last.logs, seconds: last.seconds } : null };
}

/** "5 epochs" or, when the last of the recorded epochs is partial, "5 epochs and part of epoch 6" (whole ones counted). */
export function epochsDone(recorded: number, partial: boolean): string {
  const whole = recorded - (partial ? 1 : 0);
  return `${whole} epoch${whole === 1 ? '' : 's'}${partial ? ` and part of epoch ${whole + 1}` : ''}`;
}

/** Whether the job's last recorded epoch is one fit was stopped in (with the batches it did), not a whole one. */
function stoppedMidEpoch(j: Job): boolean {
  return !!j.progress && j.epochs.length > 0 && j.progress.batch < j.progress.steps && j.progress.epoch === j.epochs.length;
}

function statusFinding(j: Job, status: JobStatus, error: Error | null, partial = false): string {
  const n = j.epochs.length - (partial ? 1 : 0);
  const done = `${n} epoch${n === 1 ? '' : 's'}`;
  if (status === 'failed') return `The run failed after ${epochsDone(j.epochs.length, partial)}: ${error?.message ?? 'unknown error'}`;
  return `The run was cancelled after ${done}${partial ? `, ${j.progress!.batch} of ${j.progress!.steps} batches into epoch ${n + 1} (kept as a partial last epoch)` : ''}.`;
}

function reportDoc(j: Job, status: JobStatus, finding: string, outcome: ProcessOutcome | null, history: Record<string, Num[]>): ReportDoc {
  const h = history as Record<string, number[]>;
  const doc: ReportDoc = outcome?.doc ?? { title: j.name, sections: [{ title: 'Curves', charts: j.config.task === 'imdb' ? curveCharts(h) : additionCharts(h) }], config: { ...j.config } };
  return {
    ...doc, title: `${j.name} (${status})`, subtitle: `dashboard run; the same from the terminal: ${j.command}`, finding,
    metrics: { status, ...(doc.metrics ?? {}) },
  };
}
