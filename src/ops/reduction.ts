/**
 * Reductions over axes (tfjs's axis and keepDims), softmax/logSoftmax over the last axis, arg-extrema,
 * topk and norm. Reduced axes are moved innermost first, so every reduction is a loop over contiguous rows.
 */
import { kernels } from '../backend/index.js';
import { Tensor, sizeOf, type DType, type Shape, type TensorLike } from '../tensor.js';
import { alloc, asTensor, axisNotInteger, kernelFloats, normAxis, result, resultFrom, shownArg } from './convert.js';
import { permute } from './transpose.js';
import { tidy } from './memory.js';
import { describe } from '../describe.js';

/**
 * Axes as sorted non-negative numbers; undefined/null means all. A repeated axis ([1, -1] on rank 2) is refused, as
 * TensorFlow refuses it: tfjs reduces such a list to a different shape than merging the repeat would.
 */
export function parseAxes(axis: number | number[] | null | undefined, rank: number, op?: string): number[] {
  if (axis === undefined || axis === null) return [...Array(rank).keys()];
  const prefix = op ? `${op}: ` : '';
  const list = Array.isArray(axis) ? axis : [axis];
  for (const a of list) {
    // Type first: "must be in range [-2, 2) but got axis 1" for the string '1' contradicts itself.
    if (typeof a !== 'number') throw axisNotInteger(a, op);
    if (Number.isNaN(a) || a < -rank || a >= rank) throw new Error(`${prefix}All values in axis param must be in range [-${rank}, ${rank}) but got axis ${a}`);
    if (!Number.isInteger(a)) throw new Error(`${prefix}All values in axis param must be integers but got axis ${a}`);
  }
  const axes = list.map((a) => (a < 0 ? a + rank : a));
  const repeated = axes.findIndex((a, i) => axes.indexOf(a) !== i);
  if (repeated >= 0) {
    throw new Error(`${prefix}axis [${list.join(', ')}] names axis ${axes[repeated]} twice (${list[axes.indexOf(axes[repeated])]} and ${list[repeated]} of a rank-${rank} tensor); list each axis once`);
  }
  return axes.sort((p, q) => p - q);
}

interface Rows { values: ArrayLike<number>; rows: number; len: number; outShape: Shape }

/** The data rearranged as [kept..., reduced...] rows, and the output shape. */
function rowsOf(x: Tensor, axes: number[], keepDims: boolean): Rows {
  const kept = [...Array(x.rank).keys()].filter((d) => !axes.includes(d));
  const len = sizeOf(axes.map((d) => x.shape[d]));
  const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept.map((d) => x.shape[d]);
  const alreadyInner = axes.every((d, i) => d === x.rank - axes.length + i);
  const values = alreadyInner ? x.values : permute(x.values, x.shape, [...kept, ...axes], new Float64Array(x.size));
  return { values, rows: len === 0 ? sizeOf(kept.map((d) => x.shape[d])) : x.size / len, len, outShape };
}

function reduce(x: TensorLike, op: string, axis: number | number[] | null | undefined, keepDims: boolean,
  dtypeOf: (d: DType) => DType, fold: (v: ArrayLike<number>, start: number, len: number) => number): Tensor {
  const t = asTensor(x, 'x', op);
  const r = rowsOf(t, parseAxes(axis, t.rank, op), keepDims);
  const dtype = dtypeOf(t.dtype);
  const out = alloc(r.rows, dtype);
  for (let i = 0; i < r.rows; i++) out[i] = fold(r.values, i * r.len, r.len);
  return result(out, r.outShape, dtype);
}

const sumDtype = (d: DType): DType => (d === 'bool' ? 'int32' : d);
const same = (d: DType): DType => d;

function total(v: ArrayLike<number>, s: number, n: number): number { let acc = 0; for (let i = s; i < s + n; i++) acc += v[i]; return acc; }
function product(v: ArrayLike<number>, s: number, n: number): number { let acc = 1; for (let i = s; i < s + n; i++) acc *= v[i]; return acc; }
function largest(v: ArrayLike<number>, s: number, n: number): number {
  if (n === 0) return NaN;
  let m = v[s];
  for (let i = s + 1; i < s + n; i++) if (v[i] > m || Number.isNaN(v[i])) { m = v[i]; if (Number.isNaN(m)) break; }
  return m;
}
function smallest(v: ArrayLike<number>, s: number, n: number): number {
  if (n === 0) return NaN;
  let m = v[s];
  for (let i = s + 1; i < s + n; i++) if (v[i] < m || Number.isNaN(v[i])) { m = v[i]; if (Number.isNaN(m)) break; }
  return m;
}

type Axis = number | number[] | null;
export const sum = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor => reduce(x, 'sum', axis, keepDims, sumDtype, total);
export const prod = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor => reduce(x, 'prod', axis, keepDims, sumDtype, product);
export const max = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor => reduce(x, 'max', axis, keepDims, same, largest);
export const min = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor => reduce(x, 'min', axis, keepDims, same, smallest);
export const mean = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor =>
  reduce(x, 'mean', axis, keepDims, () => 'float32', (v, s, n) => (n === 0 ? NaN : total(v, s, n) / n));
export const any = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor =>
  reduce(asTensor(x, 'x', 'any', 'bool'), 'any', axis, keepDims, same, (v, s, n) => +(largest(v, s, n) === 1));
export const all = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor =>
  reduce(asTensor(x, 'x', 'all', 'bool'), 'all', axis, keepDims, same, (v, s, n) => +(n === 0 || smallest(v, s, n) === 1));

function argExtreme(x: TensorLike, axis: number, op: string, better: (a: number, b: number) => boolean): Tensor {
  const t = asTensor(x, 'x', op);
  // tfjs takes a one-axis list (its parseAxisParam); several axes are no argMax.
  if (Array.isArray(axis) && axis.length === 1) axis = axis[0];
  if (Array.isArray(axis)) throw new Error(`${op}: axis must be a single number, got [${axis.join(', ')}]`);
  if (t.rank === 0) throw new Error(`${op}: the input must have rank 1 or higher`);
  const ax = normAxis(axis, t.rank, op);
  return reduce(t, op, ax, false, () => 'int32', (v, s, n) => {
    let best = 0;
    for (let i = 1; i < n; i++) if (better(v[s + i], v[s + best])) best = i;
    return best;
  });
}
export const argMax = (x: TensorLike, axis = 0): Tensor => argExtreme(x, axis, 'argMax', (a, b) => a > b);
export const argMin = (x: TensorLike, axis = 0): Tensor => argExtreme(x, axis, 'argMin', (a, b) => a < b);

function lastAxisOnly(t: Tensor, axis: number, what: string, name: string, op: string): void {
  if (t.rank === 0) throw new Error(`${what}: logits must have rank 1 or higher`);
  if (!Number.isInteger(axis)) throw axisNotInteger(axis, op);
  const a = axis < 0 ? axis + t.rank : axis;
  if (a !== t.rank - 1) throw new Error(`${what} along a non-last dimension is not yet supported. Logits was rank ${t.rank} and ${name} was ${axis}`);
}

/** Softmax over the last axis (the native row-wise kernel). */
export function softmax(logits: TensorLike, dim = -1): Tensor {
  const t = asTensor(logits, 'logits', 'softmax', 'float32');
  lastAxisOnly(t, dim, 'Softmax', 'dim', 'softmax');
  const cols = t.shape[t.rank - 1];
  const out = alloc(t.size, 'float32');
  if (t.size > 0) kernels().softmax(t.size / cols, cols, kernelFloats(t), out as Float32Array);
  return result(out, t.shape, 'float32');
}

/** x - max - log(sum(exp(x - max))) per row of the last axis. */
export function logSoftmax(logits: TensorLike, axis = -1): Tensor {
  // tfjs's logSoftmax takes int32 and bool logits too (its softmax does not), giving float32.
  const t = asTensor(logits, 'logits', 'logSoftmax');
  lastAxisOnly(t, axis, 'Log Softmax', 'axis', 'logSoftmax');
  const cols = t.shape[t.rank - 1];
  const d = t.values;
  const out = alloc(t.size, 'float32');
  for (let s = 0; s < t.size; s += cols) {
    const m = largest(d, s, cols);
    let z = 0;
    for (let i = s; i < s + cols; i++) z += Math.exp(d[i] - m);
    const lz = Math.log(z);
    for (let i = s; i < s + cols; i++) out[i] = d[i] - m - lz;
  }
  return result(out, t.shape, 'float32');
}

/** log(sum(exp(x))) over axis, computed as max + log(sum(exp(x - max))) so large values do not overflow. */
export function logSumExp(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  // tfjs takes int32 and bool too (its exp makes them float32).
  const given = asTensor(x, 'x', 'logSumExp');
  const t = given.dtype === 'float32' ? given : reduceMap(given, (v) => v, 'float32');
  const axes = parseAxes(axis, t.rank, 'logSumExp');
  return tidy(() => {
    const m = max(t, axes, true);
    const shifted = resultFrom(t.shape, 'float32', (i) => Math.exp(t.values[i] - m.values[broadcastAt(m.shape, t.shape, i)]));
    const total = sum(shifted, axes, true);
    const shape = keepDims ? total.shape : t.shape.filter((_, k) => !axes.includes(k));
    return resultFrom(shape, 'float32', (i) => Math.log(total.values[i]) + m.values[i]);
  });
}

/** The flat index into a kept-dims reduction of shape `kept` for flat index i of `full`. */
function broadcastAt(kept: number[], full: number[], i: number): number {
  let pos = 0, stride = 1, rem = i;
  for (let d = full.length - 1; d >= 0; d--) {
    const c = rem % full[d];
    rem = (rem - c) / full[d];
    if (kept[d] !== 1) pos += c * stride;
    stride *= kept[d];
  }
  return pos;
}

/** Sort order for topk (and inTopKAsync): larger first, NaN above everything (as max lets NaN win), so the order is total. */
export function descending(a: number, b: number): number {
  const na = Number.isNaN(a), nb = Number.isNaN(b);
  if (na || nb) return na && nb ? 0 : na ? -1 : 1;
  return a === b ? 0 : a > b ? -1 : 1;
}

/** The k largest entries of the last axis, largest first (equal values: lower index first; NaN counts as largest). */
export function topk(x: TensorLike, k = 1, sorted = true): { values: Tensor; indices: Tensor } {
  const t = asTensor(x, 'x', 'topk');
  if (t.rank === 0) throw new Error('topk() expects the input to be of rank 1 or higher');
  const last = t.shape[t.rank - 1];
  if (!Number.isInteger(k)) throw new Error(`'k' passed to topk() must be an integer but got ${shownArg(k)}`);
  if (k < 0) throw new Error(`'k' passed to topk() must be >= 0 but got ${k}`);
  if (k > last) throw new Error(`'k' passed to topk() must be <= the last dimension (${last}) but got ${k}`);
  if (typeof sorted !== 'boolean') throw new Error(`topk: sorted must be a boolean, got ${describe(sorted)}`);
  const rows = last === 0 ? 0 : t.size / last;
  const values = alloc(rows * k, t.dtype), indices = new Int32Array(rows * k);
  const d = t.values;
  const order = [...Array(last).keys()];
  for (let r = 0; r < rows; r++) {
    const s = r * last;
    order.sort((i, j) => descending(d[s + i], d[s + j]) || i - j);
    for (let i = 0; i < k; i++) { indices[r * k + i] = order[i]; values[r * k + i] = d[s + order[i]]; }
    order.sort((i, j) => i - j);
  }
  const shape = [...t.shape.slice(0, -1), k];
  return { values: result(values, shape, t.dtype), indices: result(indices, [...shape], 'int32') };
}

export type NormOrd = number | 'euclidean' | 'fro';

/** tfjs's euclideanNorm: norm(x, 'euclidean', axis, keepDims). */
export function euclideanNorm(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  return norm(x, 'euclidean', axis, keepDims);
}

/** Vector norms (1, 2/'euclidean', ±Infinity) over one axis or all; matrix norms (1, Infinity, 'fro') over two. */
export function norm(x: TensorLike, ord: NormOrd = 'euclidean', axis: number | number[] | null = null, keepDims = false): Tensor {
  // Intermediate sums are registered tensors; tidy drops them from the count.
  return tidy(() => normOf(x, ord, axis, keepDims));
}

function normOf(x: TensorLike, ord: NormOrd, axis: number | number[] | null, keepDims: boolean): Tensor {
  const t = asTensor(x, 'x', 'norm');
  const absT = reduceMap(t, Math.abs, t.dtype);
  // tfjs: a scalar's norm is its absolute value, whatever the ord and axis; only keepDims reads the axis (and refuses one).
  if (t.rank === 0) {
    if (keepDims) parseAxes(axis, 0, 'norm');
    return result(absT.values, [], absT.dtype);
  }
  const axes = parseAxes(axis, t.rank, 'norm');
  const invalid = (): Error => new Error(`Error in norm: invalid ord value: ${shownArg(ord)}`);
  if (axis === null || axes.length === 1) {
    const over: Axis = axis === null ? null : axes;
    if (ord === 1) return sum(absT, over, keepDims);
    if (ord === Infinity) return max(absT, over, keepDims);
    if (ord === -Infinity) return min(absT, over, keepDims);
    if (ord === 'euclidean' || ord === 2) return sqrtOf(sum(reduceMap(t, (v) => v * v, 'float32'), over, keepDims));
    throw invalid();
  }
  if (axes.length === 2) {
    const [r, c] = axis as number[];
    const rowAxis = r < 0 ? r + t.rank : r, colAxis = c < 0 ? c + t.rank : c;
    if (ord === 1) return maxOver(sum(absT, rowAxis, true), colAxis, keepDims, axes);
    if (ord === Infinity) return maxOver(sum(absT, colAxis, true), rowAxis, keepDims, axes);
    if (ord === -Infinity) return minOver(sum(absT, colAxis, true), rowAxis, keepDims, axes);
    if (ord === 'fro' || ord === 'euclidean') return sqrtOf(sum(reduceMap(t, (v) => v * v, 'float32'), axes, keepDims));
    throw invalid();
  }
  throw new Error(`Error in norm: invalid axis: ${shownArg(axis)}`);
}

function reduceMap(t: Tensor, fn: (v: number) => number, dtype: DType = t.dtype === 'bool' ? 'int32' : t.dtype): Tensor {
  const out = alloc(t.size, dtype);
  for (let i = 0; i < t.size; i++) out[i] = fn(t.values[i]);
  return new Tensor(out, t.shape, dtype);
}

function sqrtOf(t: Tensor): Tensor {
  for (let i = 0; i < t.size; i++) t.values[i] = Math.sqrt(t.values[i]);
  return t;
}

/** Reduces the kept-dims result of the first step over the second axis, then drops both when !keepDims. */
function maxOver(t: Tensor, axis: number, keepDims: boolean, axes: number[]): Tensor { return finish(max(t, axis, true), keepDims, axes); }
function minOver(t: Tensor, axis: number, keepDims: boolean, axes: number[]): Tensor { return finish(min(t, axis, true), keepDims, axes); }
function finish(t: Tensor, keepDims: boolean, axes: number[]): Tensor {
  return keepDims ? t : result(t.viewValues(), t.shape.filter((_, i) => !axes.includes(i)), t.dtype);
}
