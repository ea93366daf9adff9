/**
 * Runs one dashboard job in a child process (job_child.ts) and replays what it reports as the job's TrainHooks, so
 * loading IMDb, training, evaluating, listing the misclassified reviews, saving the model and rendering the run's
 * report never hold up the server's event loop (the model stays in that process: the server loads it from the run folder when asked for it).
 * A process, not a worker thread: the native addon's thread pool and scratch memory are process-wide and not made
 * for two JS threads calling kernels at once (a job training while "Try it" predicts); a process also gives all of a
 * job's memory back when it ends, and a crash fails that job, not the server.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { backendInfo } from '../backend/index.js';
import { compiledEntry } from '../compiled_entry.js';
import { ENV_VARS } from '../env.js';
import type { TrainHooks } from '../experiments/train_hooks.js';
import type { WeightHistogram } from '../experiments/weight_histograms.js';
import type { Logs } from '../models/progress.js';
import type { ReportDoc } from '../report/html.js';
import type { RunRecord, Sample } from '../report/record.js';
import { CrashNote } from './crash_note.js';
import type { JobConfig } from './job_spec.js';
import { pathRedactor } from './redact.js';
import { JobCancelled, type TrainOutcome } from './train.js';

/** What the server tells the job's process. */
export type ToChild =
  | { type: 'start'; config: JobConfig; dataPath?: string; batchDelayMs: number; runDir: string }
  | { type: 'cancel' }
  | { type: 'delay'; ms: number }
  /** After the job's result (or first, to a process started for this alone): write the run's reports and record. */
  | { type: 'render'; runDir: string; record: RunRecord; doc: ReportDoc };

/** A job's outcome as it crosses the process boundary: the model stays in the process, which saves it in the run folder. */
export type SentOutcome = Omit<TrainOutcome, 'model'>;

/** Whether the job's process saved the trained model into <runDir>/model (not when cancelled), or why not. */
export type ModelSaved = { modelSaved: boolean; modelError?: string };

/** What the job's process reports, in order. */
export type FromChild =
  | { type: 'phase'; text: string }
  | { type: 'trainBegin'; info: { epochs: number; steps: number; samples: number; params: number } }
  /** elapsed: seconds since the process's fit began when it did this batch (by its clock: the server may read it later). */
  | { type: 'batch'; epoch: number; batch: number; logs: Logs; elapsed: number }
  | { type: 'histograms'; epoch: number; weights: WeightHistogram[] }
  | { type: 'samples'; epoch: number; samples: Sample[] }
  | { type: 'epochEnd'; epoch: number; logs: Logs; seconds: number; elapsed: number }
  /** Training ended uncancelled (TrainHooks.onTrainingEnd): the process reads no cancel from now on. */
  | { type: 'trainingEnded' }
  /** `signal`: a SIGINT, SIGTERM or SIGHUP that reached the process, not the server's cancel, stopped training. */
  | { type: 'done'; outcome: SentOutcome; saved: ModelSaved; signal?: string }
  | { type: 'failed'; name: string; message: string; signal?: string }
  /** The run's reports and record are written; `unwritten` says why not even the record could be, or is null. */
  | { type: 'rendered'; unwritten: string | null }
  /** Listening: sent once at startup (a message sent earlier may reach only a --require'd module's listener). */
  | { type: 'ready' };

/**
 * The outcome of a job's process, whether its model was saved in the run folder (modelError says why not), and the
 * signal that stopped its training, when a signal rather than the server's cancel did.
 */
export type ProcessOutcome = SentOutcome & ModelSaved & { signal?: string };

/**
 * A job's hooks, also told when the process did each batch and epoch (seconds since its fit began): the server
 * replays the messages after the fact, so its own clock would time the replay, not the training.
 */
export interface JobHooks extends Omit<TrainHooks, 'onBatchEnd' | 'onEpochEnd'> {
  onBatchEnd?: (epoch: number, batch: number, logs: Logs, elapsedSeconds: number) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: Logs, seconds: number, elapsedSeconds: number) => void | Promise<void>;
}

export interface JobProcess {
  /** The process's id (the tests pause it to show the server answers while a job works). */
  pid: number | undefined;
  /** Settles with the job's result (every earlier message replayed): the outcome, or rejected with the job's error (JobCancelled included). */
  outcome: Promise<ProcessOutcome>;
  /**
   * Has the job's process, once the outcome has settled, write report.html, report.png and then results.json into
   * runDir, and end; a process started for this alone does it when the job's one is gone (crashed, killed). Resolves
   * with why not even the record could be written, or null; rejects when the process writing died first (a job's
   * process that died by itself is replaced by a fresh one once) or had not answered within renderDeadlineMs.
   */
  render(runDir: string, record: RunRecord, doc: ReportDoc): Promise<string | null>;
  /** The pause after every batch from now on (DashboardOptions.batchDelayMs, which a test may change mid-job). */
  setBatchDelay(ms: number): void;
  /** Kills the process now (one that did not stop when asked); the job then fails, its error saying `why` (a render's too). */
  kill(why: string): void;
  /** Ends the job's process if `render` was never sent to it (it would wait for it, holding the model, forever). */
  release(): void;
}

/** The compiled child entry (node cannot run TypeScript): under vitest this module is source, the job's process runs dist/. */
export function jobChildEntry(): string {
  return compiledEntry('server/job_child.js');
}

/**
 * What the job's process inherits of the environment: what finds programs and folders and sets up Node, and the
 * RNNLAB_* settings training honours (docs/ENVIRONMENT.md), but not the dashboard's access token, nor anything else
 * the server was started with (cloud credentials...). NODE_OPTIONS goes along: a --max-old-space-size given for
 * large jobs is meant for the process that trains.
 */
const INHERITED = ['PATH', 'HOME', 'USERPROFILE', 'SYSTEMROOT', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LC_ALL', 'TZ', 'XDG_CACHE_HOME', 'NODE_OPTIONS'];
const SECRET = new Set(['RNNLAB_TOKEN']);

export function childEnv(from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const names = new Set([...INHERITED, ...Object.keys(ENV_VARS).filter((n) => !SECRET.has(n))]);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) {
    // Windows spells its variables in any case (Path, SystemRoot).
    if (value !== undefined && (names.has(name) || (process.platform === 'win32' && names.has(name.toUpperCase())))) env[name] = value;
  }
  return env;
}

function missingEntry(entry: string): Error {
  return new Error(`the compiled dashboard job runner is missing (${path.relative(process.cwd(), entry)}): run npm run build`);
}

/**
 * A job's process (the compiled child entry), its stderr echoed to the server's and kept for the job's error; a
 * gradient measurement's process starts the same way (gradient_process.ts).
 */
export function forkChild(entry: string): { child: ChildProcess; stderr: CrashNote } {
  // execArgv []: the server's own node flags (a test runner's loaders) are not the child's business. The kernels'
  // settings are: `rnnlab serve --threads` set them in this process only, so they go along in the environment.
  const engine = backendInfo();
  // RNNLAB_OFFLINE: the dashboard never downloads the IMDb data (the server refuses IMDb jobs without it); data gone
  // between the submission and the start fails the job rather than fetching 84 MB.
  const env = { ...childEnv(), RNNLAB_THREADS: String(engine.threads), RNNLAB_OFFLINE: '1', ...(engine.backend === 'reference' ? { RNNLAB_BACKEND: 'reference' } : {}) };
  const child = fork(entry, [], { execArgv: [], env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const stderr = new CrashNote();
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    process.stderr.write(chunk);
    stderr.push(chunk);
  });
  return { child, stderr };
}

const ended = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Why a render ended without the process's answer; `retry` when the process ended or failed by itself (not killed by us). */
class RenderLost extends Error {
  constructor(message: string, readonly retry: boolean) {
    super(message);
  }
}

/**
 * Sends `render` to `child` and waits for its answer; a process that ends without one, fails to start or to take
 * the message, or has not answered within deadlineMs (it is then killed) rejects, saying how.
 */
function renderIn(child: ChildProcess, stderr: CrashNote, m: Extract<ToChild, { type: 'render' }>, o: { redact: (s: string) => string; deadlineMs: number; killedBecause: () => string | null; whenReady?: boolean }): Promise<string | null> {
  return new Promise((resolve, reject) => {
    if (ended(child) || !child.connected) return reject(new RenderLost("the job's process ended before writing the report", true));
    let answer: { unwritten: string | null } | null = null;
    let late = false;
    let failure: Error | null = null;
    // A stuck writer (startup that never ends, a render that never returns) must not hold the job queue: past the deadline it is killed.
    const timer = setTimeout(() => {
      late = true;
      child.kill('SIGKILL');
    }, o.deadlineMs);
    const onMessage = (r: FromChild) => {
      if (r.type === 'ready' && o.whenReady) child.send(m);
      if (r.type === 'rendered') answer = r;
    };
    // Without a listener a failed spawn or send would be thrown as the server's uncaught exception.
    const onError = (e: Error) => {
      failure ??= e;
      if (!ended(child)) child.kill('SIGKILL');
    };
    // Settled once the process is gone: a job that has ended holds no process (nor its memory) any more.
    child.on('message', onMessage);
    child.on('error', onError);
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('error', onError);
      if (answer) return resolve(answer.unwritten);
      const said = o.redact(stderr.text());
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const why = o.killedBecause();
      if (late) return reject(new RenderLost(`the process writing the report did not finish within ${o.deadlineMs / 1000} s and was killed`, false));
      if (why) return reject(new RenderLost(`the process writing the report ${why} (${how})`, false));
      if (failure) return reject(new RenderLost(`the process writing the report failed: ${o.redact(failure.message)}`, true));
      reject(new RenderLost(`the process writing the report ended without a result (${how})${said ? `: ${said}` : ''}`, true));
    };
    child.once('exit', onExit);
    // A process that never started emits 'error' and no 'exit'.
    child.once('error', () => { if (child.pid === undefined) onExit(null, null); });
    if (!o.whenReady) child.send(m);
  });
}

/** Starts the job's process; hooks.signal cancels it (the process stops after the batch it is in, as fit does in-process). */
export function startJobProcess(config: JobConfig, hooks: JobHooks, o: { runDir: string; dataPath?: string; batchDelayMs: number; renderDeadlineMs: number }): JobProcess {
  const entry = jobChildEntry();
  if (!existsSync(entry)) {
    const missing = missingEntry(entry);
    return { pid: undefined, outcome: Promise.reject(missing), setBatchDelay: () => undefined, kill: () => undefined, render: () => Promise.reject(missing), release: () => undefined };
  }
  const { child, stderr } = forkChild(entry);
  // A crash's stack names the installed package's files and the data folder: the job's error is shown and recorded.
  const redact = pathRedactor([o.dataPath && path.resolve(o.dataPath)]);
  let killedBecause: string | null = null;
  let renderKilledBecause: string | null = null;
  let renderSent = false;
  // The process that writes the report now (the job's, or one started for it): kill() ends it too.
  let writer: ChildProcess = child;
  const send = (m: ToChild) => { if (child.connected) child.send(m); };
  const onAbort = () => send({ type: 'cancel' });
  send({ type: 'start', config, dataPath: o.dataPath, batchDelayMs: o.batchDelayMs, runDir: o.runDir });
  if (hooks.signal?.aborted) onAbort();
  else hooks.signal?.addEventListener('abort', onAbort, { once: true });

  const outcome = new Promise<ProcessOutcome>((resolve, reject) => {
    let last: Extract<FromChild, { type: 'done' | 'failed' }> | null = null;
    // A hook may be async (an epoch's record is written): replay the messages in order, and the result after them all.
    let chain = Promise.resolve();
    const settle = () => {
      if (last?.type === 'done') resolve({ ...last.outcome, ...last.saved, ...(last.signal ? { signal: last.signal } : {}) });
      else if (last?.type === 'failed') reject(last.name === 'JobCancelled' ? new JobCancelled(last.signal) : Object.assign(new Error(last.message), { name: last.name }));
    };
    child.on('message', (m: FromChild) => {
      if (m.type === 'rendered' || m.type === 'ready') return;
      // The process stays, waiting for the render: the result settles the outcome once every earlier message is replayed.
      if (m.type === 'done' || m.type === 'failed') {
        last = m;
        hooks.signal?.removeEventListener('abort', onAbort);
        chain.then(settle).catch(reject);
      } else chain = chain.then(() => replay(m, hooks));
    });
    child.on('error', (e) => {
      hooks.signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      hooks.signal?.removeEventListener('abort', onAbort);
      chain.then(() => {
        if (last) settle();
        else {
          const said = redact(stderr.text());
          const how = signal ? `signal ${signal}` : `exit code ${code}`;
          reject(new Error(`the job's training process ${killedBecause ? `${killedBecause} (${how})` : `ended without a result (${how})`}${said ? `: ${said}` : ''}`));
        }
      }).catch(reject);
    });
  });
  const kill = (why: string) => {
    if (!ended(child)) killedBecause = why;
    // A job killed while writing its report keeps its status; its record says why the report is missing.
    if (renderSent && !ended(writer)) renderKilledBecause = why;
    if (!ended(child)) child.kill('SIGKILL');
    if (writer !== child && !ended(writer)) writer.kill('SIGKILL');
  };
  const renderFresh = (m: ToChild & { type: 'render' }): Promise<string | null> => {
    if (!existsSync(entry)) return Promise.reject(missingEntry(entry));
    const fresh = forkChild(entry);
    writer = fresh.child;
    return renderIn(fresh.child, fresh.stderr, m, { redact, deadlineMs: o.renderDeadlineMs, killedBecause: () => renderKilledBecause, whenReady: true });
  };
  const render = async (runDir: string, record: RunRecord, doc: ReportDoc): Promise<string | null> => {
    const m = { type: 'render' as const, runDir, record, doc };
    renderSent = true;
    // The job's process is gone (it crashed, or was killed): a fresh one writes the report, so the server never renders.
    if (ended(child) || !child.connected) return renderFresh(m);
    try {
      return await renderIn(child, stderr, m, { redact, deadlineMs: o.renderDeadlineMs, killedBecause: () => renderKilledBecause });
    } catch (e) {
      // It died by itself between its result and the render (OOM-killed, crashed): once more, in a fresh process.
      if (e instanceof RenderLost && e.retry) return renderFresh(m);
      throw e;
    }
  };
  // The job's process waits for `render` after its result: one the server never sends it (building the record threw) is ended here.
  const release = () => {
    if (!renderSent && !ended(child)) child.kill('SIGKILL');
  };
  return { pid: child.pid, outcome, setBatchDelay: (ms) => send({ type: 'delay', ms }), kill, render, release };
}

async function replay(m: Exclude<FromChild, { type: 'done' | 'failed' }>, hooks: JobHooks): Promise<void> {
  switch (m.type) {
    case 'phase': return hooks.onPhase?.(m.text);
    case 'trainBegin': return hooks.onTrainBegin?.(m.info);
    case 'batch': return void (await hooks.onBatchEnd?.(m.epoch, m.batch, m.logs, m.elapsed));
    case 'histograms': return hooks.onHistograms?.(m.epoch, m.weights);
    case 'samples': return hooks.onSamples?.(m.epoch, m.samples);
    case 'epochEnd': return void (await hooks.onEpochEnd?.(m.epoch, m.logs, m.seconds, m.elapsed));
    case 'trainingEnded': return hooks.onTrainingEnd?.();
  }
}
