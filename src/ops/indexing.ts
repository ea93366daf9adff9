/**
 * tfjs-core's index-driven ops: gatherND, scatterND, tensorScatterUpdate, unsortedSegmentSum, mirrorPad, diag and
 * meshgrid, and the shape checks ensureShape and broadcastArgs. Plain (non-recording) ops: none of them carries a gradient here.
 */
import { sizeOf, Tensor, type DType, type Shape, type TensorLike } from '../tensor.js';
import { alloc, assertShape, asTensor, result, resultFrom, shownArg, strides } from './convert.js';
import { broadcastShape } from './broadcast.js';

/** The flat offsets (into `shape`) of each K-long index row of `indices`; an out-of-range row is an error naming op. */
function rowOffsets(indices: Tensor, shape: Shape, op: string): { offsets: Int32Array; k: number; slice: number } {
  if (indices.rank < 1) throw new Error(`${op}: indices must be at least rank 1, got a scalar`);
  const k = indices.shape[indices.rank - 1];
  if (k > shape.length) throw new Error(`${op}: index depth ${k} (indices' last dimension) exceeds the rank ${shape.length} of [${shape.join(', ')}]`);
  const st = strides(shape), rows = k === 0 ? sizeOf(indices.shape.slice(0, -1)) : indices.size / k;
  const offsets = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let off = 0;
    for (let j = 0; j < k; j++) {
      const v = indices.values[r * k + j];
      if (v < 0 || v >= shape[j]) throw new Error(`${op}: index [${Array.from(indices.values.slice(r * k, r * k + k)).join(', ')}] is out of bounds for shape [${shape.join(', ')}]`);
      off += v * st[j];
    }
    offsets[r] = off;
  }
  return { offsets, k, slice: sizeOf(shape.slice(k)) };
}

/** tfjs's gatherND: slices of x picked by the index rows in indices' last dimension. */
export function gatherND(x: TensorLike, indices: TensorLike): Tensor {
  const t = asTensor(x, 'x', 'gatherND'), idx = asTensor(indices, 'indices', 'gatherND', 'int32');
  const { offsets, k, slice } = rowOffsets(idx, t.shape, 'gatherND');
  const out = alloc(offsets.length * slice, t.dtype);
  offsets.forEach((off, r) => { for (let i = 0; i < slice; i++) out[r * slice + i] = t.values[off + i]; });
  return result(out, [...idx.shape.slice(0, -1), ...t.shape.slice(k)], t.dtype);
}

function scatterInto(base: Tensor | null, idx: Tensor, upd: Tensor, shape: Shape, op: string, accumulate: boolean): Tensor {
  const { offsets, k, slice } = rowOffsets(idx, shape, op);
  const want = [...idx.shape.slice(0, -1), ...shape.slice(k)];
  if (want.length !== upd.rank || want.some((d, i) => d !== upd.shape[i])) {
    throw new Error(`${op}: updates have shape [${upd.shape.join(', ')}] but indices and shape need [${want.join(', ')}]`);
  }
  const dtype: DType = base ? base.dtype : upd.dtype;
  const out = alloc(sizeOf(shape), dtype);
  if (base) out.set(base.values);
  offsets.forEach((off, r) => {
    for (let i = 0; i < slice; i++) out[off + i] = accumulate ? out[off + i] + upd.values[r * slice + i] : upd.values[r * slice + i];
  });
  return result(out, [...shape], dtype);
}

/** tfjs's scatterND: zeros of `shape` with updates added at the index rows (repeated rows add up). */
export function scatterND(indices: TensorLike, updates: TensorLike, shape: Shape): Tensor {
  const idx = asTensor(indices, 'indices', 'scatterND', 'int32'), upd = asTensor(updates, 'updates', 'scatterND');
  return scatterInto(null, idx, upd, assertShape(shape, 'scatterND'), 'scatterND', true);
}

/** tfjs's tensorScatterUpdate: a copy of tensor with the index rows replaced by updates. */
export function tensorScatterUpdate(tensor: TensorLike, indices: TensorLike, updates: TensorLike): Tensor {
  const t = asTensor(tensor, 'tensor', 'tensorScatterUpdate'), idx = asTensor(indices, 'indices', 'tensorScatterUpdate', 'int32');
  const upd = asTensor(updates, 'updates', 'tensorScatterUpdate');
  if (upd.dtype !== t.dtype) throw new Error(`tensorScatterUpdate: updates (${upd.dtype}) must have the tensor's dtype (${t.dtype})`);
  return scatterInto(t, idx, upd, t.shape, 'tensorScatterUpdate', false);
}

/** tfjs's unsortedSegmentSum: row i of x added into output row segmentIds[i]; ids outside [0, numSegments) are dropped. */
export function unsortedSegmentSum(x: TensorLike, segmentIds: TensorLike, numSegments: number): Tensor {
  const t = asTensor(x, 'x', 'unsortedSegmentSum'), ids = asTensor(segmentIds, 'segmentIds', 'unsortedSegmentSum', 'int32');
  if (!Number.isInteger(numSegments) || numSegments < 0) throw new Error(`unsortedSegmentSum: numSegments must be a non-negative integer, got ${shownArg(numSegments)}`);
  if (ids.rank !== 1 || t.rank < 1 || ids.shape[0] !== t.shape[0]) {
    throw new Error(`unsortedSegmentSum: segmentIds must be 1-D with one id per row of x (x [${t.shape.join(', ')}], segmentIds [${ids.shape.join(', ')}])`);
  }
  // tfjs 4.22 sums through a float mask, so every result is float32.
  const row = sizeOf(t.shape.slice(1)), dtype: DType = 'float32';
  const out = alloc(numSegments * row, dtype);
  ids.values.forEach((s, r) => {
    if (s < 0 || s >= numSegments) return;
    for (let i = 0; i < row; i++) out[s * row + i] += t.values[r * row + i];
  });
  return result(out, [numSegments, ...t.shape.slice(1)], dtype);
}

/** tfjs's mirrorPad: 'reflect' mirrors without the edge (pad < dim), 'symmetric' with it (pad <= dim). */
export function mirrorPad(x: TensorLike, paddings: Array<[number, number]>, mode: 'reflect' | 'symmetric'): Tensor {
  const t = asTensor(x, 'x', 'mirrorPad');
  if (mode !== 'reflect' && mode !== 'symmetric') throw new Error(`mirrorPad: mode must be 'reflect' or 'symmetric', got ${shownArg(mode)}`);
  if (t.rank === 0) throw new Error('mirrorPad(scalar) is not defined. Pass non-scalar to mirrorPad');
  if (!Array.isArray(paddings) || paddings.length !== t.rank) throw new Error(`mirrorPad: paddings must have ${t.rank} [before, after] pairs, got ${shownArg(paddings)}`);
  const shift = mode === 'reflect' ? 1 : 0;
  paddings.forEach(([a, b], i) => {
    const most = t.shape[i] - shift;
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0 || a > most || b > most) {
      throw new Error(`mirrorPad: padding [${shownArg(a)}, ${shownArg(b)}] of axis ${i} must be integers in [0, ${most}] for size ${t.shape[i]} in '${mode}' mode`);
    }
  });
  const from = mirrorPadSources(t.shape, paddings, mode);
  const shape = t.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  return resultFrom(shape, t.dtype, (i) => t.values[from[i]]);
}

/** For each value of mirrorPad's output, the flat index in x it copies (its gradient adds back there). */
export function mirrorPadSources(xShape: Shape, paddings: Array<[number, number]>, mode: 'reflect' | 'symmetric'): Int32Array {
  const shift = mode === 'reflect' ? 1 : 0;
  const shape = xShape.map((d, i) => d + paddings[i][0] + paddings[i][1]), st = strides(xShape), ost = strides(shape);
  const source = (c: number, d: number): number => (c < 0 ? -c - 1 + shift : c >= d ? 2 * d - c - 1 - shift : c);
  const out = new Int32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) {
    let from = 0;
    for (let a = 0; a < shape.length; a++) from += source(Math.floor(i / ost[a]) % shape[a] - paddings[a][0], xShape[a]) * st[a];
    out[i] = from;
  }
  return out;
}

/** tfjs's diag: x's entries on the diagonal of a [...x.shape, ...x.shape] tensor. */
export function diag(x: TensorLike): Tensor {
  const t = asTensor(x, 'x', 'diag');
  const out = alloc(t.size * t.size, t.dtype);
  for (let i = 0; i < t.size; i++) out[i * t.size + i] = t.values[i];
  return result(out, [...t.shape, ...t.shape], t.dtype);
}

/** tfjs's meshgrid: the coordinate grids of two tensors' values ('xy': [y.size, x.size]; 'ij': [x.size, y.size]). */
export function meshgrid(x?: TensorLike, y?: TensorLike, { indexing = 'xy' }: { indexing?: string } = {}): Tensor[] {
  if (indexing !== 'xy' && indexing !== 'ij') throw new Error(`meshgrid: indexing must be 'xy' or 'ij', got ${shownArg(indexing)}`);
  if (x === undefined) return [];
  const a = asTensor(x, 'x', 'meshgrid');
  if (y === undefined) return [a]; // tfjs: one input comes back as it is
  const b = asTensor(y, 'y', 'meshgrid');
  const ij = indexing === 'ij';
  const shape = ij ? [a.size, b.size] : [b.size, a.size];
  const col = shape[1];
  const first = resultFrom(shape, a.dtype, (i) => a.values[ij ? Math.floor(i / col) : i % col]);
  const second = resultFrom(shape, b.dtype, (i) => b.values[ij ? i % col : Math.floor(i / col)]);
  return [first, second];
}

/** tfjs's ensureShape: x itself when its shape fits `shape` (null matches any size), else an error naming both. */
export function ensureShape(x: TensorLike, shape: Array<number | null>): Tensor {
  const t = asTensor(x, 'x', 'ensureShape');
  if (!Array.isArray(shape)) throw new Error(`ensureShape: shape must be an array of sizes (null for any), got ${shownArg(shape)}`);
  if (t.rank !== shape.length || shape.some((d, i) => d !== null && d !== t.shape[i])) {
    throw new Error(`ensureShape: the shape of the tensor [${t.shape.join(', ')}] does not match the expected shape [${shape.map((d) => shownArg(d)).join(', ')}]`);
  }
  return t;
}

/**
 * A shape argument of broadcastArgs: an int32 tensor, or plain sizes read as they are (an int32 parse would read 1.5
 * as 1, a size nobody gave); either way every size a non-negative integer.
 */
function shapeTensor(s: TensorLike, arg: string): Tensor {
  const t = asTensor(s, arg, 'broadcastArgs', s instanceof Tensor ? 'int32' : 'numeric');
  const bad = t.values.findIndex((v) => !Number.isInteger(v) || v < 0);
  if (bad !== -1) throw new Error(`broadcastArgs: ${arg} must hold non-negative integer sizes, got ${t.values[bad]} at index ${bad}`);
  return t;
}

/** tfjs's broadcastArgs: the broadcast of two int32 1-D shape tensors, as an int32 1-D tensor. */
export function broadcastArgs(s0: TensorLike, s1: TensorLike): Tensor {
  const a = shapeTensor(s0, 's0'), b = shapeTensor(s1, 's1');
  if (a.rank !== 1 || b.rank !== 1) throw new Error(`broadcastArgs: the shapes must be 1-D tensors, got ranks ${a.rank} and ${b.rank}`);
  const shape = broadcastShape(Array.from(a.values), Array.from(b.values), 'broadcastArgs');
  return result(Int32Array.from(shape), [shape.length], 'int32');
}
