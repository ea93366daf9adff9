/**
 * Runs one tfjs usage snippet, written once as `async (tf) => result`, against TensorFlow.js (CPU backend) and
 * against rnnlab, capturing what it prints. Results (tensors become {dtype, shape, values}) are compared to a
 * tolerance; printed lines are compared where the snippet's output is deterministic.
 */
import { expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';

await tf.setBackend('cpu');

export { tf, rl };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Snippet = (lib: any) => unknown;

export interface Run { result: unknown; logs: string[] }

export interface SnippetOptions {
  /** Compare the printed lines too (only where the snippet prints nothing random). */
  logs?: boolean;
  /** Relative tolerance for numbers (float32 arithmetic differs in summation order). */
  tol?: number;
}

function isTensorLike(v: unknown): v is { dtype: string; shape: number[]; dataSync(): ArrayLike<number> } {
  return typeof v === 'object' && v !== null && typeof (v as { dataSync?: unknown }).dataSync === 'function' && Array.isArray((v as { shape?: unknown }).shape);
}

/** Tensors to plain {dtype, shape, values}; typed arrays to arrays; everything else as is (recursively). */
export function plain(v: unknown): unknown {
  if (isTensorLike(v)) return { dtype: v.dtype, shape: [...v.shape], values: Array.from(v.dataSync()) };
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

function format(args: unknown[]): string {
  return args.map((a) => (typeof a === 'string' ? a : JSON.stringify(plain(a)))).join(' ');
}

/** Runs the snippet on lib with console.log captured (tfjs's print() writes through console.log). */
export async function runCapturing(lib: unknown, snippet: Snippet): Promise<Run> {
  const logs: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { logs.push(...format(args).split('\n')); });
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    const result = plain(await snippet(lib));
    return { result, logs };
  } finally {
    spy.mockRestore();
    warn.mockRestore();
  }
}

/** Deep equality with a relative tolerance on numbers; the path names where they differ. */
export function expectClose(ours: unknown, theirs: unknown, tol: number, path = 'result'): void {
  if (typeof theirs === 'number' && typeof ours === 'number') {
    if (Number.isNaN(theirs)) { expect(ours, path).toBeNaN(); return; }
    if (!Number.isFinite(theirs)) { expect(ours, path).toBe(theirs); return; }
    expect(Math.abs(ours - theirs), `${path}: ${ours} vs tfjs ${theirs}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(theirs)));
    return;
  }
  if (Array.isArray(theirs)) {
    expect(Array.isArray(ours), `${path} is an array`).toBe(true);
    expect((ours as unknown[]).length, `${path}.length`).toBe(theirs.length);
    theirs.forEach((t, i) => expectClose((ours as unknown[])[i], t, tol, `${path}[${i}]`));
    return;
  }
  if (typeof theirs === 'object' && theirs !== null) {
    expect(typeof ours, path).toBe('object');
    expect(Object.keys(ours as object).sort(), `${path} keys`).toEqual(Object.keys(theirs).sort());
    for (const [k, t] of Object.entries(theirs)) expectClose((ours as Record<string, unknown>)[k], t, tol, `${path}.${k}`);
    return;
  }
  expect(ours, path).toEqual(theirs);
}

/** One test: the snippet runs on both libraries and their results (and, with logs, printed lines) agree. */
export function snippet(name: string, fn: Snippet, options: SnippetOptions = {}): void {
  it(name, async () => {
    const theirs = await runCapturing(tf, fn);
    const ours = await runCapturing(rl, fn);
    expectClose(ours.result, theirs.result, options.tol ?? 1e-5);
    if (options.logs) expect(ours.logs).toEqual(theirs.logs);
  });
}

/** A snippet whose results depend on each library's random streams: run it on both, then check each run. */
export function snippetChecked(name: string, fn: Snippet, check: (run: Run, lib: 'tfjs' | 'rnnlab') => void): void {
  it(name, async () => {
    check(await runCapturing(tf, fn), 'tfjs');
    check(await runCapturing(rl, fn), 'rnnlab');
  });
}
