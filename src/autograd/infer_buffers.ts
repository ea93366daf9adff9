/**
 * Small buffers for predict's recurrent kernels without a fresh typed array each: at batch 1 every small
 * Float32Array is an ArrayBuffer outside the JavaScript heap plus GC work, and those allocations cost more of
 * predict's JavaScript time than anything else. Large sizes still come from the scratch pool (allocFloat), so a big
 * batch does not pin its memory here after predict. Float64 precision (reference kernels) always gets allocFloat.
 */
import { allocFloat, getPrecision, type FArray } from '../backend/index.js';

/** Floats (or ints) above which a buffer comes from the scratch pool instead. */
const SMALL_MAX = 1 << 16;
/** Buffer starts are rounded to whole 64-byte lines, so two buffers never share one. */
const LINE = 16;

let callFloats = new Float32Array(0);
let callInts = new Int32Array(0);

/** A buffer that only one kernel call reads (calls never overlap, so one buffer serves all); contents undefined. */
export function callFloatBuffer(n: number): FArray {
  if (n > SMALL_MAX || getPrecision() !== 32) return allocFloat(n, false);
  if (callFloats.length < n) callFloats = new Float32Array(n);
  return callFloats.subarray(0, n);
}

/** callFloatBuffer's twin for a row index. */
export function callIntBuffer(n: number): Int32Array {
  if (n > SMALL_MAX) return new Int32Array(n);
  if (callInts.length < n) callInts = new Int32Array(n);
  return callInts.subarray(0, n);
}

let arena = new Float32Array(0);
let arenaUsed = 0;
let arenaWanted = 0;
let batchDepth = 0;

/**
 * An output buffer (contents undefined) that lives until the innermost withBatchBuffers() scope ends, like the
 * scratch pool's buffers (nothing may escape the batch: predict copies its outputs out). Outside any scope, or when
 * the arena is full this time, allocFloat's; the arena grows to what the batch wanted once no scope is open.
 */
export function batchFloatBuffer(n: number): FArray {
  if (batchDepth === 0 || n > SMALL_MAX || getPrecision() !== 32) return allocFloat(n, false);
  const start = arenaUsed, end = start + Math.ceil(n / LINE) * LINE;
  arenaWanted = Math.max(arenaWanted, end);
  if (end > arena.length) return allocFloat(n, false);
  arenaUsed = end;
  return arena.subarray(start, start + n);
}

/** Runs fn (one batch of predict, outputs copied out inside it); the batch buffers it took are reused afterwards. */
export function withBatchBuffers<T>(fn: () => T): T {
  const mark = arenaUsed;
  batchDepth++;
  try {
    return fn();
  } finally {
    batchDepth--;
    arenaUsed = mark;
    if (batchDepth === 0 && arenaWanted > arena.length && arenaWanted <= 4 * SMALL_MAX) arena = new Float32Array(arenaWanted);
  }
}
