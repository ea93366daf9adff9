/**
 * tfjs's sparse ops: tf.sparseToDense and tf.sparse (sparseSegmentSum / sparseSegmentMean, sparseReshape,
 * sparseFillEmptyRows), with tfjs's checks (indices in range, segment ids sorted). Plain ops: tfjs registers no
 * gradient for them either.
 */
import { sizeOf, type Shape, type Tensor, type TensorLike } from '../tensor.js';
import { alloc, assertShape, asTensor, result } from './convert.js';

/**
 * A tensor of outputShape holding defaultValue, with sparseValues (one per index row, or one scalar for all) at
 * sparseIndices (a scalar, 1-D list of positions in a 1-D output, or [n, rank] rows). A repeated index keeps the last value.
 */
export function sparseToDense(sparseIndices: TensorLike, sparseValues: TensorLike, outputShape: Shape, defaultValue: TensorLike = 0): Tensor {
  const shape = assertShape(outputShape, 'sparseToDense');
  const idx = asTensor(sparseIndices, 'sparseIndices', 'sparseToDense', 'int32');
  const vals = asTensor(sparseValues, 'sparseValues', 'sparseToDense');
  const def = asTensor(defaultValue, 'defaultValue', 'sparseToDense', typeof defaultValue === 'number' || typeof defaultValue === 'boolean' ? vals.dtype : 'numeric');
  if (def.dtype !== vals.dtype) throw new Error(`sparseToDense: defaultValue's dtype ${def.dtype} must match sparseValues' ${vals.dtype}`);
  if (def.size !== 1) throw new Error('sparseToDense: defaultValue must be a scalar');
  if (idx.rank > 2) throw new Error(`sparseToDense: sparseIndices must be rank 0, 1 or 2, got rank ${idx.rank}`);
  const rows = idx.rank === 0 ? 1 : idx.shape[0], depth = idx.rank === 2 ? idx.shape[1] : 1;
  if (depth !== shape.length) throw new Error(`sparseToDense: each index has ${depth} coordinate(s) but outputShape [${shape.join(', ')}] has rank ${shape.length}`);
  if (vals.rank > 1 || (vals.rank === 1 && vals.size !== rows)) {
    throw new Error(`sparseToDense: sparseValues must be a scalar or a 1-D tensor of ${rows} values, got shape [${vals.shape.join(', ')}]`);
  }
  const out = alloc(sizeOf(shape), vals.dtype).fill(def.values[0]);
  for (let r = 0; r < rows; r++) {
    let off = 0;
    for (let j = 0; j < depth; j++) {
      const v = idx.values[r * depth + j];
      if (v < 0 || v >= shape[j]) throw new Error(`sparseToDense: index ${JSON.stringify(Array.from(idx.values.slice(r * depth, r * depth + depth)))} does not index into [${shape.join(', ')}]`);
      off = off * shape[j] + v;
    }
    out[off] = vals.values[vals.rank === 0 ? 0 : r];
  }
  return result(out, [...shape], vals.dtype);
}

/** Rows data[indices[i]] added (or averaged) into output row segmentIds[i]; the ids must be sorted, rows they skip are 0. */
function segmentReduce(data: TensorLike, indices: TensorLike, segmentIds: TensorLike, mean: boolean): Tensor {
  const op = mean ? 'sparseSegmentMean' : 'sparseSegmentSum';
  const x = asTensor(data, 'data', op), idx = asTensor(indices, 'indices', op, 'int32'), ids = asTensor(segmentIds, 'segmentIds', op, 'int32');
  if (x.rank < 1) throw new Error(`${op}: data must be at least 1-D, got a scalar`);
  if (idx.rank !== 1 || ids.rank !== 1) throw new Error(`${op}: indices and segmentIds must be 1-D`);
  if (idx.size !== ids.size) throw new Error(`${op}: indices (${idx.size}) and segmentIds (${ids.size}) must have the same length`);
  const n = idx.size, row = sizeOf(x.shape.slice(1));
  for (let i = 0; i < n; i++) {
    if (idx.values[i] < 0 || idx.values[i] >= x.shape[0]) throw new Error(`${op}: indices[${i}] == ${idx.values[i]} out of range [0, ${x.shape[0]})`);
    if (ids.values[i] < 0) throw new Error(`${op}: segmentIds[${i}] == ${ids.values[i]} is negative`);
    if (i > 0 && ids.values[i] < ids.values[i - 1]) throw new Error(`${op}: segment ids are not increasing (segmentIds[${i}] == ${ids.values[i]} after ${ids.values[i - 1]})`);
  }
  const segments = n === 0 ? 0 : ids.values[n - 1] + 1;
  const acc = new Float64Array(segments * row), counts = new Int32Array(segments);
  for (let i = 0; i < n; i++) {
    const s = ids.values[i], from = idx.values[i] * row;
    counts[s]++;
    for (let k = 0; k < row; k++) acc[s * row + k] += x.values[from + k];
  }
  const dtype = x.dtype === 'bool' ? 'int32' : x.dtype;
  const out = alloc(segments * row, dtype);
  for (let k = 0; k < out.length; k++) {
    const c = counts[Math.floor(k / row)];
    const v = mean && c > 0 ? acc[k] / c : acc[k];
    out[k] = dtype === 'int32' ? Math.trunc(v) : v;
  }
  return result(out, [segments, ...x.shape.slice(1)], dtype);
}

export function sparseSegmentSum(data: TensorLike, indices: TensorLike, segmentIds: TensorLike): Tensor { return segmentReduce(data, indices, segmentIds, false); }
export function sparseSegmentMean(data: TensorLike, indices: TensorLike, segmentIds: TensorLike): Tensor { return segmentReduce(data, indices, segmentIds, true); }

function indexMatrix(indices: TensorLike, op: string, arg: string): Tensor {
  const t = asTensor(indices, arg, op, 'int32');
  if (t.rank !== 2) throw new Error(`${op}: ${arg} must be a 2-D [count, rank] int32 tensor, got shape [${t.shape.join(', ')}]`);
  return t;
}
function shapeVector(shape: TensorLike, op: string, arg: string): number[] {
  const t = asTensor(shape, arg, op, 'int32');
  if (t.rank !== 1) throw new Error(`${op}: ${arg} must be a 1-D int32 tensor, got shape [${t.shape.join(', ')}]`);
  return Array.from(t.values);
}

/**
 * A sparse tensor's index rows re-expressed for newShape (one -1 is inferred), the values unchanged:
 * {outputIndices [count, newRank], outputShape}.
 */
export function sparseReshape(inputIndices: TensorLike, inputShape: TensorLike, newShape: TensorLike): { outputIndices: Tensor; outputShape: Tensor } {
  const op = 'sparseReshape';
  const idx = indexMatrix(inputIndices, op, 'inputIndices'), from = shapeVector(inputShape, op, 'inputShape'), want = shapeVector(newShape, op, 'newShape');
  if (idx.shape[1] !== from.length) throw new Error(`${op}: inputIndices have ${idx.shape[1]} coordinates per row but inputShape [${from.join(', ')}] has rank ${from.length}`);
  if (from.some((d) => d < 0)) throw new Error(`${op}: inputShape [${from.join(', ')}] has a negative size`);
  const total = sizeOf(from), unknown = want.flatMap((d, i) => (d === -1 ? [i] : []));
  if (unknown.length > 1) throw new Error(`${op}: only one output dimension may be -1, not both ${unknown[0]} and ${unknown[1]}`);
  if (want.some((d) => d < -1)) throw new Error(`${op}: newShape [${want.join(', ')}] has a size below -1`);
  const known = want.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const to = want.slice();
  if (unknown.length === 1) {
    if (known === 0 || total % known !== 0) throw new Error(`${op}: cannot infer the -1 in newShape [${want.join(', ')}] for ${total} dense values`);
    to[unknown[0]] = total / known;
  }
  if (sizeOf(to) !== total) throw new Error(`${op}: inputShape [${from.join(', ')}] has ${total} dense values but newShape [${want.join(', ')}] has ${sizeOf(to)}`);
  const rows = idx.shape[0], r0 = from.length, r1 = to.length;
  const out = new Int32Array(rows * r1);
  for (let r = 0; r < rows; r++) {
    let flat = 0;
    for (let j = 0; j < r0; j++) {
      const v = idx.values[r * r0 + j];
      if (v < 0 || v >= from[j]) throw new Error(`${op}: inputIndices row ${r} [${Array.from(idx.values.slice(r * r0, r * r0 + r0)).join(', ')}] is outside inputShape [${from.join(', ')}]`);
      flat = flat * from[j] + v;
    }
    for (let j = r1 - 1; j >= 0; j--) { out[r * r1 + j] = flat % to[j]; flat = Math.floor(flat / to[j]); }
  }
  return { outputIndices: result(out, [rows, r1], 'int32'), outputShape: result(Int32Array.from(to), [r1], 'int32') };
}

/**
 * Gives every empty row of a sparse tensor one entry, [row, 0, ...] = defaultValue. Entries come out grouped by row
 * (input order within a row); reverseIndexMap[i] is where input entry i went; emptyRowIndicator marks the filled rows.
 */
export function sparseFillEmptyRows(indices: TensorLike, values: TensorLike, denseShape: TensorLike, defaultValue: TensorLike):
  { outputIndices: Tensor; outputValues: Tensor; emptyRowIndicator: Tensor; reverseIndexMap: Tensor } {
  const op = 'sparseFillEmptyRows';
  const idx = indexMatrix(indices, op, 'indices'), vals = asTensor(values, 'values', op), shape = shapeVector(denseShape, op, 'denseShape');
  const def = asTensor(defaultValue, 'defaultValue', op, typeof defaultValue === 'number' || typeof defaultValue === 'boolean' ? vals.dtype : 'numeric');
  if (vals.rank !== 1 || vals.size !== idx.shape[0]) throw new Error(`${op}: values must be 1-D with one value per index row (${idx.shape[0]}), got shape [${vals.shape.join(', ')}]`);
  if (def.size !== 1 || def.dtype !== vals.dtype) throw new Error(`${op}: defaultValue must be a scalar of the values' dtype (${vals.dtype})`);
  if (shape.length === 0 || shape.length !== idx.shape[1]) throw new Error(`${op}: denseShape [${shape.join(', ')}] must have one size per index coordinate (${idx.shape[1]})`);
  const n = idx.shape[0], rank = shape.length, rowsN = shape[0];
  const counts = new Int32Array(rowsN);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < rank; j++) {
      const v = idx.values[i * rank + j];
      if (v < 0 || v >= shape[j]) throw new Error(`${op}: indices(${i}, ${j}) is invalid: ${v} is outside [0, ${shape[j]})`);
    }
    counts[idx.values[i * rank]]++;
  }
  const start = new Int32Array(rowsN + 1);
  for (let r = 0; r < rowsN; r++) start[r + 1] = start[r] + Math.max(counts[r], 1);
  const total = start[rowsN];
  const outIdx = new Int32Array(total * rank), outVals = alloc(total, vals.dtype), empty = new Int32Array(rowsN), reverse = new Int32Array(n);
  const filled = new Int32Array(rowsN);
  for (let i = 0; i < n; i++) {
    const row = idx.values[i * rank], at = start[row] + filled[row]++;
    reverse[i] = at;
    outVals[at] = vals.values[i];
    for (let j = 0; j < rank; j++) outIdx[at * rank + j] = idx.values[i * rank + j];
  }
  for (let r = 0; r < rowsN; r++) {
    if (counts[r] > 0) continue;
    empty[r] = 1;
    outIdx[start[r] * rank] = r;
    outVals[start[r]] = def.values[0];
  }
  return { outputIndices: result(outIdx, [total, rank], 'int32'), outputValues: result(outVals, [total], vals.dtype),
    emptyRowIndicator: result(empty, [rowsN], 'bool'), reverseIndexMap: result(reverse, [n], 'int32') };
}

/** tf.sparse. */
export const sparse = { sparseSegmentSum, sparseSegmentMean, sparseReshape, sparseFillEmptyRows };
