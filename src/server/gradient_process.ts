/**
 * Runs one gradient measurement (POST /api/inspect/gradients) in a short-lived child process (gradient_child.ts):
 * d loss / d h_t over 256 reviews holds a thread for seconds, and in the server's process it would hold every other
 * request that long. The child loads each model itself, from the run folder (or builds the same seeded untrained
 * one), measures the rows the server sends, answers with the series and ends. A process rather than a worker thread,
 * for the reasons job_process.ts gives: the native addon's pool is process-wide, and a crash takes down only the child.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { compiledEntry } from '../compiled_entry.js';
import { HttpError } from './http.js';
import type { GradientSeries } from './inference.js';
import { forkChild } from './job_process.js';

/** One model to measure: the ids of the reviews (as the model reads them, before padding) and their labels. */
export interface GradientItem {
  id: string;
  rows: number[][];
  labels: number[];
}

export type ToGradientChild = { type: 'measure'; runsDir: string; maxModelParams?: number; items: GradientItem[] };

export type FromGradientChild =
  | { type: 'ready' }
  /** versions[i]: the run model's files as the child loaded them (RunStore.modelVersion), null or absent for an untrained one. */
  | { type: 'done'; series: GradientSeries[]; versions: (string | null)[] }
  /** status: an HttpError's (a model without a loss is a 422), null for anything else. */
  | { type: 'failed'; status: number | null; message: string };

/** How long a measurement may take before its process is killed: 4 models of 256 reviews take seconds, not minutes. */
export const GRADIENT_DEADLINE_MS = 120_000;

export function gradientChildEntry(): string {
  return compiledEntry('server/gradient_child.js');
}

/**
 * Measures the items in a fresh process. Resolves with the series (and the loaded models' versions); rejects with
 * the child's HttpError as such, a 500 for its other errors and a crash, a 503 past deadlineMs (the process is then
 * killed), and at once, killing the process, when `signal` aborts (the client went away, the server is closing).
 */
export function measureInProcess(m: Omit<ToGradientChild, 'type'>, o: { deadlineMs: number; signal?: AbortSignal }): Promise<{ series: GradientSeries[]; versions: (string | null)[] }> {
  const entry = gradientChildEntry();
  if (!existsSync(entry)) {
    return Promise.reject(new HttpError(500, `the compiled gradient measurement runner is missing (${path.relative(process.cwd(), entry)}): run npm run build`));
  }
  if (o.signal?.aborted) return Promise.reject(new HttpError(503, 'the gradient measurement was abandoned before it started (the client went away or the server is closing)'));
  // Started as a job's process is: with the server's kernel settings (`rnnlab serve --threads`), so the child sums
  // in the same order and its numbers are the server's own.
  const { child, stderr } = forkChild(entry);
  return new Promise((resolve, reject) => {
    let answer: Exclude<FromGradientChild, { type: 'ready' }> | null = null;
    let killedBecause: HttpError | null = null;
    let failure: Error | null = null;
    const kill = (why: HttpError) => {
      killedBecause ??= why;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(new HttpError(503, `the gradient measurement did not finish within ${o.deadlineMs / 1000} s and was stopped; measure fewer reviews or models`)), o.deadlineMs);
    const onAbort = () => kill(new HttpError(503, 'the gradient measurement was stopped: the client went away or the server is closing'));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (r: FromGradientChild) => {
      if (r.type === 'ready') child.send({ type: 'measure', ...m } satisfies ToGradientChild);
      else answer = r;
    });
    // Without a listener a failed spawn or send would be the server's uncaught exception.
    child.on('error', (e) => {
      failure ??= e;
      kill(new HttpError(500, `the gradient measurement's process failed: ${e.message}`));
    });
    const settle = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (answer?.type === 'done') return resolve({ series: answer.series, versions: answer.versions });
      if (answer?.type === 'failed') return reject(answer.status === null ? new Error(answer.message) : new HttpError(answer.status, answer.message));
      if (killedBecause) return reject(killedBecause);
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const said = stderr.text();
      reject(new HttpError(500, `the gradient measurement's process ended without a result (${how})${failure ? `: ${failure.message}` : said ? `: ${said}` : ''}`));
    };
    child.once('exit', settle);
    // A process that never started emits 'error' and no 'exit'.
    child.once('error', () => { if (child.pid === undefined) settle(null, null); });
  });
}
