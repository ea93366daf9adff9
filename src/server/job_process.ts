/**
 * Runs one dashboard job in a child process (job_child.ts) and replays what it reports as the job's TrainHooks, so
 * loading IMDb, training, evaluating, listing the misclassified reviews and saving the model never hold up the
 * server's event loop (the model stays in that process: the server loads it from the run folder when asked for it).
 * A process, not a worker thread: the native addon's thread pool and scratch memory are process-wide and not made
 * for two JS threads calling kernels at once (a job training while "Try it" predicts); a process also gives all of a
 * job's memory back when it ends, and a crash fails that job, not the server.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { backendInfo } from '../backend/index.js';
import { compiledEntry } from '../compiled_entry.js';
import { ENV_VARS } from '../env.js';
import type { TrainHooks } from '../experiments/train_hooks.js';
import type { WeightHistogram } from '../experiments/weight_histograms.js';
import type { Logs } from '../models/progress.js';
import type { Sample } from '../report/record.js';
import { CrashNote } from './crash_note.js';
import type { JobConfig } from './job_spec.js';
import { pathRedactor } from './redact.js';
import { JobCancelled, type TrainOutcome } from './train.js';

/** What the server tells the job's process. */
export type ToChild =
  | { type: 'start'; config: JobConfig; dataPath?: string; batchDelayMs: number; runDir: string }
  | { type: 'cancel' }
  | { type: 'delay'; ms: number };

/** A job's outcome as it crosses the process boundary: the model stays in the process, which saves it in the run folder. */
export type SentOutcome = Omit<TrainOutcome, 'model'>;

/** Whether the job's process saved the trained model into <runDir>/model (not when cancelled), or why not. */
export type ModelSaved = { modelSaved: boolean; modelError?: string };

/** What the job's process reports, in order. */
export type FromChild =
  | { type: 'phase'; text: string }
  | { type: 'trainBegin'; info: { epochs: number; steps: number; samples: number; params: number } }
  | { type: 'batch'; epoch: number; batch: number; logs: Logs }
  | { type: 'histograms'; epoch: number; weights: WeightHistogram[] }
  | { type: 'samples'; epoch: number; samples: Sample[] }
  | { type: 'epochEnd'; epoch: number; logs: Logs; seconds: number }
  | { type: 'done'; outcome: SentOutcome; saved: ModelSaved }
  | { type: 'failed'; name: string; message: string };

/** The outcome of a job's process, and whether its model was saved in the run folder (modelError says why not). */
export type ProcessOutcome = SentOutcome & ModelSaved;

export interface JobProcess {
  /** The process's id (the tests pause it to show the server answers while a job works). */
  pid: number | undefined;
  /** Settles once the process has ended: with the outcome, or rejected with the job's error (JobCancelled included). */
  outcome: Promise<ProcessOutcome>;
  /** The pause after every batch from now on (DashboardOptions.batchDelayMs, which a test may change mid-job). */
  setBatchDelay(ms: number): void;
  /** Kills the process now (one that did not stop when asked); the job then fails, its error saying `why`. */
  kill(why: string): void;
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

/** Starts the job's process; hooks.signal cancels it (the process stops after the batch it is in, as fit does in-process). */
export function startJobProcess(config: JobConfig, hooks: TrainHooks, o: { runDir: string; dataPath?: string; batchDelayMs: number }): JobProcess {
  const entry = jobChildEntry();
  if (!existsSync(entry)) {
    const missing = new Error(`the compiled dashboard job runner is missing (${path.relative(process.cwd(), entry)}): run npm run build`);
    return { pid: undefined, outcome: Promise.reject(missing), setBatchDelay: () => undefined, kill: () => undefined };
  }
  // execArgv []: the server's own node flags (a test runner's loaders) are not the child's business. The kernels'
  // settings are: `rnnlab serve --threads` set them in this process only, so they go along in the environment.
  const engine = backendInfo();
  const env = { ...childEnv(), RNNLAB_THREADS: String(engine.threads), ...(engine.backend === 'reference' ? { RNNLAB_BACKEND: 'reference' } : {}) };
  const child = fork(entry, [], { execArgv: [], env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const stderr = new CrashNote();
  // A crash's stack names the installed package's files and the data folder: the job's error is shown and recorded.
  const redact = pathRedactor([o.dataPath && path.resolve(o.dataPath)]);
  let killedBecause: string | null = null;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    process.stderr.write(chunk);
    stderr.push(chunk);
  });
  const send = (m: ToChild) => { if (child.connected) child.send(m); };
  const onAbort = () => send({ type: 'cancel' });
  send({ type: 'start', config, dataPath: o.dataPath, batchDelayMs: o.batchDelayMs, runDir: o.runDir });
  if (hooks.signal?.aborted) onAbort();
  else hooks.signal?.addEventListener('abort', onAbort, { once: true });

  const outcome = new Promise<ProcessOutcome>((resolve, reject) => {
    let last: Extract<FromChild, { type: 'done' | 'failed' }> | null = null;
    // A hook may be async (an epoch's record is written): replay the messages in order, and the result after them all.
    let chain = Promise.resolve();
    child.on('message', (m: FromChild) => {
      if (m.type === 'done' || m.type === 'failed') last = m;
      else chain = chain.then(() => replay(m, hooks));
    });
    child.on('error', (e) => {
      hooks.signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      hooks.signal?.removeEventListener('abort', onAbort);
      chain.then(() => {
        if (last?.type === 'done') resolve({ ...last.outcome, ...last.saved });
        else if (last?.type === 'failed') reject(last.name === 'JobCancelled' ? new JobCancelled() : Object.assign(new Error(last.message), { name: last.name }));
        else {
          const said = redact(stderr.text());
          const how = signal ? `signal ${signal}` : `exit code ${code}`;
          reject(new Error(`the job's training process ${killedBecause ? `${killedBecause} (${how})` : `ended without a result (${how})`}${said ? `: ${said}` : ''}`));
        }
      }).catch(reject);
    });
  });
  const kill = (why: string) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killedBecause = why;
    child.kill('SIGKILL');
  };
  return { pid: child.pid, outcome, setBatchDelay: (ms) => send({ type: 'delay', ms }), kill };
}

async function replay(m: Exclude<FromChild, { type: 'done' | 'failed' }>, hooks: TrainHooks): Promise<void> {
  switch (m.type) {
    case 'phase': return hooks.onPhase?.(m.text);
    case 'trainBegin': return hooks.onTrainBegin?.(m.info);
    case 'batch': return void (await hooks.onBatchEnd?.(m.epoch, m.batch, m.logs));
    case 'histograms': return hooks.onHistograms?.(m.epoch, m.weights);
    case 'samples': return hooks.onSamples?.(m.epoch, m.samples);
    case 'epochEnd': return void (await hooks.onEpochEnd?.(m.epoch, m.logs, m.seconds));
  }
}
