/** Slicing and joining: slice, gather, concat, stack, unstack, split, tile, reverse, pad. */
import { Tensor, sizeOf, type Shape, type TensorLike } from '../tensor.js';
import { alloc, assertFillValue, asTensor, normAxis, result, resultFrom, shownArg, storedBool, strides, upcast } from './convert.js';

/**
 * Copies the box begin..begin+size of x. A number begin/size applies to the first axis; shorter arrays are
 * padded with 0 (begin) and -1 (size); size -1 means "to the end".
 */
export function slice(x: TensorLike, begin: number | number[], size?: number | number[]): Tensor {
  const t = asTensor(x, 'x', 'slice');
  const where = `Error in slice${t.rank}D`;
  const listOrNumber = (v: unknown): boolean => typeof v === 'number' || Array.isArray(v);
  if (!listOrNumber(begin)) throw new Error(`${where}: begin must be a number or an array of numbers, got ${shownArg(begin)}`);
  if (size != null && !listOrNumber(size)) throw new Error(`${where}: size must be a number or an array of numbers, got ${shownArg(size)}`);
  const b = typeof begin === 'number' ? [begin] : [...begin];
  if (b.length > t.rank) throw new Error(`${where}: Length of begin ${b.join(',')} must match the rank of the array (${t.rank}).`);
  while (b.length < t.rank) b.push(0);
  const s = size == null ? [] : typeof size === 'number' ? [size] : [...size];
  if (s.length > t.rank) throw new Error(`${where}: Length of size ${s.join(',')} must match the rank of the array (${t.rank}).`);
  while (s.length < t.rank) s.push(-1);
  for (let i = 0; i < t.rank; i++) {
    if (!Number.isInteger(b[i]) || b[i] < 0 || b[i] > t.shape[i]) throw new Error(`${where}: begin[${i}] (${shownArg(b[i])}) must be an integer in [0, ${t.shape[i]}]`);
    if (s[i] === -1) s[i] = t.shape[i] - b[i];
    if (!Number.isInteger(s[i]) || s[i] < 0) throw new Error(`${where}: size[${i}] (${shownArg(s[i])}) must be a non-negative integer or -1`);
    if (b[i] + s[i] > t.shape[i]) throw new Error(`${where}: begin[${i}] + size[${i}] (${b[i] + s[i]}) would overflow input.shape[${i}] (${t.shape[i]})`);
  }
  return copyBox(t, b, s);
}

function copyBox(t: Tensor, begin: number[], size: Shape, outShape: Shape = [...size]): Tensor {
  const out = alloc(sizeOf(size), t.dtype);
  const src = strides(t.shape);
  const counter = new Array<number>(size.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let pos = 0;
    for (let d = 0; d < size.length; d++) pos += (begin[d] + counter[d]) * src[d];
    out[i] = t.values[pos];
    for (let d = size.length - 1; d >= 0; d--) { if (++counter[d] < size[d]) break; counter[d] = 0; }
  }
  return result(out, outShape, t.dtype);
}

/** Slices of x along axis picked by integer indices; batchDims leading dimensions pair x with indices. */
export function gather(x: TensorLike, indices: TensorLike, axis = 0, batchDims = 0): Tensor {
  const t = asTensor(x, 'x', 'gather');
  const idx = asTensor(indices, 'indices', 'gather', 'int32');
  const plan = gatherPlan(t.shape, idx, axis, batchDims);
  const out = alloc(plan.outSize, t.dtype);
  plan.visit((from, to, n) => { for (let i = 0; i < n; i++) out[to + i] = t.values[from + i]; });
  return result(out, plan.outShape, t.dtype);
}

/**
 * gather's gradient: g (shaped like gather's output) added back at the rows it was read from, repeated indices
 * accumulating, as a float32 tensor of x's shape; any batchDims, as tfjs differentiates them.
 */
export function gatherGradient(xShape: Shape, indices: TensorLike, axis: number, batchDims: number, g: Tensor): Tensor {
  const plan = gatherPlan(xShape, asTensor(indices, 'indices', 'gather', 'int32'), axis, batchDims);
  const acc = new Float64Array(sizeOf(xShape));
  plan.visit((from, to, n) => { for (let i = 0; i < n; i++) acc[from + i] += g.values[to + i]; });
  return resultFrom([...xShape], 'float32', (i) => acc[i]);
}

/** The checked arguments of a gather and a walk over its copies: visit(from in x, to in the output, run length). */
function gatherPlan(shape: Shape, idx: Tensor, axis: number, batchDims: number) {
  const rank = shape.length;
  const ax = normAxis(axis, rank, 'gather');
  const dim = shape[ax];
  // Every index up front, as tfjs: the copy loop never reads one when x is empty.
  for (const k of idx.values) if (k < 0 || k >= dim) throw new Error(`GatherV2: the index value ${k} is not in [0, ${dim - 1}]`);
  // tfjs counts a negative batchDims from the rank of indices.
  if (Number.isInteger(batchDims) && batchDims < 0) batchDims += idx.rank;
  if (!Number.isInteger(batchDims) || batchDims < 0 || batchDims > ax || batchDims > idx.rank) {
    throw new Error(`gather: batchDims (${shownArg(batchDims)}) must be in [0, min(axis, rank of indices)]`);
  }
  for (let d = 0; d < batchDims; d++) {
    if (shape[d] !== idx.shape[d]) throw new Error(`gather: x.shape[${d}] (${shape[d]}) must equal indices.shape[${d}] (${idx.shape[d]}) for batchDims ${batchDims}`);
  }
  const outer = sizeOf(shape.slice(0, ax)), inner = sizeOf(shape.slice(ax + 1));
  const batches = sizeOf(shape.slice(0, batchDims));
  const outerPerBatch = outer / Math.max(batches, 1), perBatch = batches === 0 ? 0 : idx.size / batches;
  const outShape = [...shape.slice(0, ax), ...idx.shape.slice(batchDims), ...shape.slice(ax + 1)];
  const visit = (copy: (from: number, to: number, n: number) => void): void => {
    for (let o = 0; o < outer; o++) {
      const batch = Math.floor(o / outerPerBatch);
      for (let j = 0; j < perBatch; j++) {
        const k = idx.values[batch * perBatch + j];
        copy((o * dim + k) * inner, (o * perBatch + j) * inner, inner);
      }
    }
  };
  return { outShape, outSize: outer * perBatch * inner, visit };
}

/** Joins tensors of equal rank along axis; the others must agree. Mixed dtypes upcast. */
export function concat(tensors: TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error('Pass at least one tensor to concat');
  const ts = tensors.map((x, i) => asTensor(x, `tensors[${i}]`, 'concat'));
  const rank = ts[0].rank;
  if (rank === 0) throw new Error('concat: scalars cannot be concatenated (use stack)');
  const ax = normAxis(axis, rank, 'concat');
  const where = `Error in concat${rank}D`;
  ts.forEach((t, i) => {
    if (t.rank !== rank) throw new Error(`${where}: rank of tensors[${i}] must be the same as the rank of the rest (${rank})`);
    const bad = t.shape.findIndex((d, k) => k !== ax && d !== ts[0].shape[k]);
    if (bad !== -1) {
      throw new Error(`${where}: Shape of tensors[${i}] (${t.shape.join(',')}) does not match the shape of the rest (${ts[0].shape.join(',')}) along the non-concatenated axis ${bad}.`);
    }
  });
  const dtype = ts.map((t) => t.dtype).reduce(upcast);
  const shape = [...ts[0].shape];
  shape[ax] = ts.reduce((n, t) => n + t.shape[ax], 0);
  const outer = sizeOf(shape.slice(0, ax)), rowLen = sizeOf(shape.slice(ax));
  const out = alloc(sizeOf(shape), dtype);
  let col = 0;
  for (const t of ts) {
    const len = sizeOf(t.shape.slice(ax));
    for (let o = 0; o < outer; o++) for (let i = 0; i < len; i++) out[o * rowLen + col + i] = t.values[o * len + i];
    col += len;
  }
  return result(out, shape, dtype);
}

export function stack(tensors: TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error('Pass at least one tensor to tf.stack');
  const ts = tensors.map((x, i) => asTensor(x, `tensors[${i}]`, 'stack'));
  ts.forEach((t) => {
    if (t.shape.length !== ts[0].shape.length || t.shape.some((d, k) => d !== ts[0].shape[k])) {
      throw new Error(`All tensors passed to stack must have matching shapes Shapes ${ts[0].shape.join(',')} and ${t.shape.join(',')} must match`);
    }
  });
  const ax = normAxis(axis, ts[0].rank, 'stack', true);
  const withAxis = ts.map((t) => new Tensor(t.values, expandShape(t.shape, ax), t.dtype));
  return concat(withAxis, ax);
}

function expandShape(shape: Shape, axis: number): Shape {
  const s = [...shape];
  s.splice(axis, 0, 1);
  return s;
}

export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const t = asTensor(x, 'x', 'unstack');
  const ax = normAxis(axis, t.rank, 'unstack');
  const shape = t.shape.filter((_, i) => i !== ax);
  return splitSizes(t, new Array<number>(t.shape[ax]).fill(1), ax, shape);
}

/** Pieces along axis: a count that divides the axis, or sizes (one may be -1) that sum to it. */
export function split(x: TensorLike, numOrSizeSplits: number | number[], axis = 0): Tensor[] {
  const t = asTensor(x, 'x', 'split');
  const ax = normAxis(axis, t.rank, 'split');
  const dim = t.shape[ax];
  let sizes: number[];
  if (typeof numOrSizeSplits !== 'number' && !Array.isArray(numOrSizeSplits)) {
    throw new Error(`split: numOrSizeSplits must be a number of equal pieces or an array of sizes, got ${shownArg(numOrSizeSplits)}`);
  }
  if (typeof numOrSizeSplits === 'number') {
    if (!Number.isInteger(numOrSizeSplits) || numOrSizeSplits <= 0 || dim % numOrSizeSplits !== 0) {
      throw new Error(`split: Number of splits must evenly divide the axis. (${numOrSizeSplits} splits of axis ${ax}, size ${dim}, of shape [${t.shape.join(',')}])`);
    }
    sizes = new Array<number>(numOrSizeSplits).fill(dim / numOrSizeSplits);
  } else {
    sizes = [...numOrSizeSplits];
    // Checked before the sum: a bigint would throw a TypeError there, and a string would be concatenated.
    const bad = sizes.findIndex((s) => !Number.isInteger(s) || s < -1);
    if (bad !== -1) throw new Error(`split: numOrSizeSplits[${bad}] must be a non-negative integer or -1, got ${shownArg(sizes[bad])} in ${shownArg(numOrSizeSplits)}`);
    const implicit = sizes.filter((s) => s === -1).length;
    if (implicit > 1) throw new Error('There should be only one negative value in split array.');
    const known = sizes.reduce((a, s) => (s === -1 ? a : a + s), 0);
    if (implicit === 1) sizes[sizes.indexOf(-1)] = dim - known;
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((a, s) => a + s, 0) !== dim) {
      throw new Error(`split: The sum of sizes must match the size of the axis dimension. (sizes [${numOrSizeSplits.join(',')}], axis ${ax} of shape [${t.shape.join(',')}])`);
    }
  }
  return splitSizes(t, sizes, ax);
}

function splitSizes(t: Tensor, sizes: number[], axis: number, pieceShape?: Shape): Tensor[] {
  const begin = new Array<number>(t.rank).fill(0);
  return sizes.map((s) => {
    const size = [...t.shape];
    size[axis] = s;
    const piece = copyBox(t, [...begin], size, pieceShape ? [...pieceShape] : [...size]);
    begin[axis] += s;
    return piece;
  });
}

/** Repeats x reps[i] times along axis i. */
export function tile(x: TensorLike, reps: number[]): Tensor {
  const t = asTensor(x, 'x', 'tile');
  if (!Array.isArray(reps) || reps.length !== t.rank) throw new Error(`Error in tile: rank of input ${t.rank} must match length of reps ${Array.isArray(reps) ? reps.length : shownArg(reps)}.`);
  if (reps.some((r) => !Number.isInteger(r) || r < 0)) throw new Error(`Error in tile: reps must be non-negative integers, got ${shownArg(reps)}`);
  const shape = t.shape.map((d, i) => d * reps[i]);
  const src = strides(t.shape), dst = strides(shape);
  const out = alloc(sizeOf(shape), t.dtype);
  for (let i = 0; i < out.length; i++) {
    let pos = 0, rem = i;
    for (let d = 0; d < shape.length; d++) { const c = Math.floor(rem / dst[d]); rem -= c * dst[d]; pos += (c % t.shape[d]) * src[d]; }
    out[i] = t.values[pos];
  }
  return result(out, shape, t.dtype);
}

/** Reverses the given axes (all of them by default). */
export function reverse(x: TensorLike, axis?: number | number[]): Tensor {
  const t = asTensor(x, 'x', 'reverse');
  const axes = axis == null ? [...Array(t.rank).keys()] : (Array.isArray(axis) ? axis : [axis]).map((a) => normAxis(a, t.rank, 'reverse'));
  // tfjs reverses a repeated axis twice (a no-op), TensorFlow refuses it: refused here, naming it.
  const repeated = axes.find((a, i) => axes.indexOf(a) !== i);
  if (repeated !== undefined) throw new Error(`reverse: axis ${repeated} is repeated in [${(axis as number[]).join(', ')}]`);
  const st = strides(t.shape);
  const out = alloc(t.size, t.dtype);
  for (let i = 0; i < t.size; i++) {
    let pos = 0, rem = i;
    for (let d = 0; d < t.rank; d++) {
      const c = Math.floor(rem / st[d]);
      rem -= c * st[d];
      pos += (axes.includes(d) ? t.shape[d] - 1 - c : c) * st[d];
    }
    out[i] = t.values[pos];
  }
  return result(out, [...t.shape], t.dtype);
}

/** Pads each axis with paddings[i] = [before, after] copies of constantValue. */
export function pad(x: TensorLike, paddings: Array<[number, number]>, constantValue = 0): Tensor {
  const t = asTensor(x, 'x', 'pad');
  if (t.rank === 0) throw new Error('pad(scalar) is not defined. Pass non-scalar to pad');
  assertFillValue(constantValue, 'pad', 'constantValue');
  if (!Array.isArray(paddings) || paddings.length !== t.rank) {
    throw new Error(`pad: paddings must have one [before, after] pair per axis (${t.rank}), got ${shownArg(paddings)}`);
  }
  paddings.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0)) throw new Error(`pad: paddings[${i}] must be two non-negative integers, got ${shownArg(p)}`);
  });
  const shape = t.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const out = alloc(sizeOf(shape), t.dtype);
  out.fill(t.dtype === 'bool' ? storedBool(constantValue) : constantValue);
  const src = strides(t.shape), dst = strides(shape);
  for (let i = 0; i < t.size; i++) {
    let pos = 0, rem = i;
    for (let d = 0; d < t.rank; d++) { const c = Math.floor(rem / src[d]); rem -= c * src[d]; pos += (c + paddings[d][0]) * dst[d]; }
    out[pos] = t.values[i];
  }
  return result(out, shape, t.dtype);
}
