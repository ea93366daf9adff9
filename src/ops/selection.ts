/**
 * tfjs-core's data-dependent ops, whose output size depends on the values: whereAsync, booleanMaskAsync,
 * setdiff1dAsync, inTopKAsync, unique, searchSorted / lowerBound / upperBound, bincount, denseBincount. The async ones resolve
 * as tfjs's do (they only await so tfjs code runs unchanged). Plain (non-recording) ops.
 */
import { sizeOf, type DType, type Tensor, type TensorLike } from '../tensor.js';
import { alloc, asTensor, normAxis, result, shownArg } from './convert.js';
import { gather } from './slicing.js';
import { reshape } from './shape.js';
import { tidy } from './memory.js';
import { descending } from './reduction.js';

/** The coordinates of the true entries, one row each: int32 [count, rank]. */
function trueCoordinates(c: Tensor): Tensor {
  const rows: number[] = [];
  const st = c.shape.map((_, i) => sizeOf(c.shape.slice(i + 1)));
  let count = 0;
  c.values.forEach((v, i) => {
    if (v === 0) return;
    count++;
    for (let a = 0; a < c.rank; a++) rows.push(Math.floor(i / st[a]) % c.shape[a]);
  });
  return result(Int32Array.from(rows), [count, c.rank], 'int32');
}

export async function whereAsync(condition: TensorLike): Promise<Tensor> {
  return trueCoordinates(asTensor(condition, 'condition', 'whereAsync', 'bool'));
}

/** tfjs's booleanMaskAsync: the slices of tensor (from axis on) where mask, which covers mask.rank axes, is true. */
export async function booleanMaskAsync(tensor: TensorLike, mask: TensorLike, axis = 0): Promise<Tensor> {
  const t = asTensor(tensor, 'tensor', 'boolMask'), m = asTensor(mask, 'mask', 'boolMask', 'bool');
  if (m.rank === 0) throw new Error('booleanMaskAsync: mask cannot be scalar');
  const ax = normAxis(axis, t.rank, 'booleanMaskAsync');
  const covered = t.shape.slice(ax, ax + m.rank);
  if (covered.length !== m.rank || covered.some((d, i) => d !== m.shape[i])) {
    throw new Error(`booleanMaskAsync: mask's shape [${m.shape.join(', ')}] must match the dimensions of tensor's shape [${t.shape.join(', ')}] from axis ${ax}`);
  }
  const picks: number[] = [];
  m.values.forEach((v, i) => { if (v !== 0) picks.push(i); });
  return tidy(() => gather(reshape(t, [...t.shape.slice(0, ax), m.size, ...t.shape.slice(ax + m.rank)]),
    result(Int32Array.from(picks), [picks.length], 'int32'), ax));
}

/** tfjs's setdiff1dAsync: [the values of x not in y, in x's order, and their indices in x]. */
export async function setdiff1dAsync(x: TensorLike, y: TensorLike): Promise<[Tensor, Tensor]> {
  const a = asTensor(x, 'x', 'setdiff1d'), b = asTensor(y, 'y', 'setdiff1d');
  if (a.dtype !== b.dtype) throw new Error(`setdiff1dAsync: x and y should have the same dtype, but got x (${a.dtype}) and y (${b.dtype})`);
  if (a.rank !== 1) throw new Error(`setdiff1dAsync: x should be 1D tensor, but got x (${a.shape})`);
  if (b.rank !== 1) throw new Error(`setdiff1dAsync: y should be 1D tensor, but got y (${b.shape})`);
  const drop = new Set(b.values), kept: number[] = [], at: number[] = [];
  a.values.forEach((v, i) => { if (!drop.has(v)) { kept.push(v); at.push(i); } });
  const out = alloc(kept.length, a.dtype);
  out.set(kept);
  return [result(out, [kept.length], a.dtype), result(Int32Array.from(at), [at.length], 'int32')];
}

/** tfjs's unique along axis: the distinct slices in first-seen order, and for each input slice its index among them. */
export function unique(x: TensorLike, axis = 0): { values: Tensor; indices: Tensor } {
  const t = asTensor(x, 'x', 'unique');
  if (t.rank === 0) throw new Error('unique: x must be at least rank 1, got a scalar');
  const ax = normAxis(axis, t.rank, 'unique');
  const outer = sizeOf(t.shape.slice(0, ax)), n = t.shape[ax], inner = sizeOf(t.shape.slice(ax + 1));
  const keyOf = (j: number): string => {
    const parts: number[] = [];
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) parts.push(t.values[(o * n + j) * inner + i]);
    return parts.join(',');
  };
  const seen = new Map<string, number>(), firsts: number[] = [], indices = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const key = keyOf(j);
    let k = seen.get(key);
    if (k === undefined) { k = firsts.length; seen.set(key, k); firsts.push(j); }
    indices[j] = k;
  }
  const values = tidy(() => gather(t, result(Int32Array.from(firsts), [firsts.length], 'int32'), ax));
  return { values, indices: result(indices, [n], 'int32') };
}

/** tfjs's searchSorted: per row, the insertion index of each value ('left': first >=, 'right': first >); binary search, so the rows must be sorted. */
export function searchSorted(sortedSequence: TensorLike, values: TensorLike, side: 'left' | 'right' = 'left'): Tensor {
  const s = asTensor(sortedSequence, 'sortedSequence', 'searchSorted'), v = asTensor(values, 'values', 'searchSorted');
  if (side !== 'left' && side !== 'right') throw new Error(`searchSorted: side must be 'left' or 'right', got ${shownArg(side)}`);
  if (s.rank < 1 || v.rank < 1) throw new Error('searchSorted: sortedSequence and values must be at least rank 1');
  if (s.rank !== v.rank || s.shape.slice(0, -1).some((d, i) => d !== v.shape[i])) {
    throw new Error(`searchSorted: sortedSequence [${s.shape.join(', ')}] and values [${v.shape.join(', ')}] must have the same leading dimensions`);
  }
  const width = s.shape[s.rank - 1], per = v.shape[v.rank - 1], out = new Int32Array(v.size);
  for (let i = 0; i < v.size; i++) {
    const base = Math.floor(i / Math.max(per, 1)) * width, target = v.values[i];
    let lo = 0, hi = width;
    while (lo < hi) {
      const mid = (lo + hi) >> 1, m = s.values[base + mid];
      if (side === 'left' ? m < target : m <= target) lo = mid + 1; else hi = mid;
    }
    out[i] = lo;
  }
  // tfjs 4.22 answers 1-D inputs as one row: [1, values.size].
  return result(out, v.rank === 1 ? [1, v.size] : [...v.shape], 'int32');
}
export const lowerBound = (sortedSequence: TensorLike, values: TensorLike): Tensor => searchSorted(sortedSequence, values, 'left');
export const upperBound = (sortedSequence: TensorLike, values: TensorLike): Tensor => searchSorted(sortedSequence, values, 'right');

function counts(x: Tensor, w: Tensor, size: number, binary: boolean, op: string, out: ArrayLike<number> & { [i: number]: number }, from: number, n: number): void {
  for (let i = from; i < from + n; i++) {
    const b = x.values[i];
    if (b < 0) throw new Error(`${op}: input values must be non-negative, got ${b}`);
    if (b >= size) continue;
    out[b] = binary ? 1 : out[b] + (w.size > 0 ? w.values[i] : 1);
  }
}

/** tfjs's bincount: counts (or summed weights) of each value of the 1-D int32 x in [0, size); weights [] counts. */
export function bincount(x: TensorLike, weights: TensorLike, size: number): Tensor {
  const t = asTensor(x, 'x', 'bincount', 'int32'), w = asTensor(weights, 'weights', 'bincount');
  if (t.dtype !== 'int32') throw new Error(`bincount: x must be int32, got ${t.dtype}`);
  if (!Number.isInteger(size) || size < 0) throw new Error(`bincount: size must be a non-negative integer, got ${shownArg(size)}`);
  if (w.size > 0 && (w.rank !== t.rank || w.shape.some((d, i) => d !== t.shape[i]))) {
    throw new Error(`bincount: weights [${w.shape.join(', ')}] must have x's shape [${t.shape.join(', ')}] or be empty`);
  }
  const dtype: DType = w.dtype === 'bool' ? 'int32' : w.dtype;
  const out = alloc(size, dtype);
  counts(t, w, size, false, 'bincount', out, 0, t.size);
  return result(out, [size], dtype);
}

/** tfjs's denseBincount: bincount per row of a 1-D or 2-D x; binaryOutput marks presence (1) instead of counting. */
export function denseBincount(x: TensorLike, weights: TensorLike, size: number, binaryOutput = false): Tensor {
  const t = asTensor(x, 'x', 'denseBincount', 'int32'), w = asTensor(weights, 'weights', 'denseBincount');
  if (t.rank !== 1 && t.rank !== 2) throw new Error(`denseBincount: x must be rank 1 or 2, got rank ${t.rank}`);
  if (!Number.isInteger(size) || size < 0) throw new Error(`denseBincount: size must be a non-negative integer, got ${shownArg(size)}`);
  if (w.size > 0 && (w.rank !== t.rank || w.shape.some((d, i) => d !== t.shape[i]))) {
    throw new Error(`denseBincount: weights [${w.shape.join(', ')}] must have x's shape [${t.shape.join(', ')}] or be empty`);
  }
  const rows = t.rank === 2 ? t.shape[0] : 1, n = t.shape[t.rank - 1];
  const dtype: DType = w.dtype === 'bool' ? 'int32' : w.dtype;
  const out = alloc(rows * size, dtype);
  for (let r = 0; r < rows; r++) counts(t, w, size, binaryOutput, 'denseBincount', out.subarray(r * size, (r + 1) * size), r * n, n);
  return result(out, t.rank === 2 ? [rows, size] : [size], dtype);
}

/**
 * tfjs's inTopKAsync: whether each row's target class is among the row's k largest predictions (ties: lower index
 * first; NaN counts as the largest, as in topk; a target outside [0, width) is false).
 */
export async function inTopKAsync(predictions: TensorLike, targets: TensorLike, k = 1): Promise<Tensor> {
  const p = asTensor(predictions, 'predictions', 'inTopK'), t = asTensor(targets, 'targets', 'inTopK', 'int32');
  if (p.rank < 1) throw new Error(`inTopKAsync: predictions must be at least rank 1, got rank ${p.rank}`);
  if (t.rank !== p.rank - 1 || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new Error(`inTopKAsync: targets [${t.shape.join(', ')}] must have the leading dimensions of predictions [${p.shape.join(', ')}]`);
  }
  const width = p.shape[p.rank - 1];
  if (!Number.isInteger(k) || k < 0 || k > width) throw new Error(`inTopKAsync: k must be an integer in [0, ${width}], got ${shownArg(k)}`);
  const out = new Int32Array(t.size);
  for (let r = 0; r < t.size; r++) {
    const target = t.values[r];
    // A class outside [0, width) is in no row's top k (tfjs 4.22 answers false); reading it would reach the next row.
    if (target < 0 || target >= width) continue;
    const v = p.values[r * width + target];
    let ahead = 0;
    // Entries ahead of the target in topk's order (ties: lower index first).
    for (let j = 0; j < width; j++) if (j !== target && (descending(p.values[r * width + j], v) || j - target) < 0) ahead++;
    out[r] = ahead < k ? 1 : 0;
  }
  return result(out, [...t.shape], 'bool');
}
