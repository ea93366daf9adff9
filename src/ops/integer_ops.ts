/** tfjs's integer-only ops: bitwiseAnd and raggedRange. */
import { type Tensor, type TensorLike } from '../tensor.js';
import { alloc, asTensor, result } from './convert.js';

/** Elementwise x & y of two int32 tensors of one shape (tfjs broadcasts nothing here either). */
export function bitwiseAnd(x: TensorLike, y: TensorLike): Tensor {
  const a = asTensor(x, 'x', 'bitwiseAnd'), b = asTensor(y, 'y', 'bitwiseAnd');
  if (a.dtype !== 'int32' || b.dtype !== 'int32') throw new Error(`BitwiseAnd: Only supports 'int32' values in tensor, found type of x: ${a.dtype} and type of y: ${b.dtype}`);
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`BitwiseAnd: Tensors must have the same shape. x: [${a.shape.join(', ')}], y: [${b.shape.join(', ')}]`);
  }
  const out = alloc(a.size, 'int32');
  for (let i = 0; i < out.length; i++) out[i] = a.values[i] & b.values[i];
  return result(out, [...a.shape], 'int32');
}

/**
 * One range per row, range(starts[i], limits[i], deltas[i]), concatenated: {rtNestedSplits (int32 row bounds),
 * rtDenseValues}. Each argument is a scalar (shared by every row) or a 1-D tensor; the dtype is starts'.
 */
export function raggedRange(starts: TensorLike, limits: TensorLike, deltas: TensorLike): { rtNestedSplits: Tensor; rtDenseValues: Tensor } {
  const s = asTensor(starts, 'starts', 'raggedRange');
  const l = asTensor(limits, 'limits', 'raggedRange', s.dtype === 'bool' ? 'numeric' : s.dtype);
  const d = asTensor(deltas, 'deltas', 'raggedRange', s.dtype === 'bool' ? 'numeric' : s.dtype);
  if (s.dtype === 'bool') throw new Error('raggedRange: starts must be float32 or int32');
  const args = [s, l, d];
  if (args.some((t) => t.rank > 1)) throw new Error('raggedRange: starts, limits and deltas must be scalars or 1-D tensors');
  const vectors = args.filter((t) => t.rank === 1);
  const rows = vectors.length ? vectors[0].size : 1;
  if (vectors.some((t) => t.size !== rows)) throw new Error(`raggedRange: starts, limits and deltas must have the same length, got ${args.map((t) => `[${t.shape.join(', ')}]`).join(', ')}`);
  const at = (t: Tensor, i: number): number => t.values[t.rank === 0 ? 0 : i];
  const splits = new Int32Array(rows + 1), values: number[] = [];
  for (let i = 0; i < rows; i++) {
    const a = at(s, i), b = at(l, i), step = at(d, i);
    if (step === 0) throw new Error(`raggedRange: deltas[${i}] is 0 (Requires delta != 0)`);
    const count = (step > 0 && b > a) || (step < 0 && b < a) ? Math.ceil(Math.abs((b - a) / step)) : 0;
    // An infinite or huge row (a start of -Infinity) would otherwise fill memory until the process dies.
    if (!(count <= 2147483647) || splits[i] + count > 2147483647) {
      throw new Error(`raggedRange: row ${i} (start ${a}, limit ${b}, delta ${step}) has more than 2147483647 values (Requires ((limit - start) / delta) <= 2147483647)`);
    }
    for (let k = 0; k < count; k++) values.push(a + k * step);
    splits[i + 1] = splits[i] + count;
  }
  const dense = alloc(values.length, s.dtype);
  dense.set(values);
  return { rtNestedSplits: result(splits, [rows + 1], 'int32'), rtDenseValues: result(dense, [values.length], s.dtype) };
}
