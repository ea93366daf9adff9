/**
 * tfjs's tf.linalg namespace: bandPart, gramSchmidt and qr (Householder). They are built from the recording ops, so
 * their gradients are those of the same computation, as tfjs's (which are composites too).
 */
import { Tensor, type TensorLike } from '../tensor.js';
import * as T from '../ops/index.js';
import { scoped } from './scoped.js';
import { asTensor, shownArg } from '../ops/convert.js';
import { concat, div, matMul, mul, neg, reshape, slice, sub, sum } from './public_ops.js';
import { cast, norm, stack, unstack, where } from './differentiable_ops.js';

/** One band limit: a number (negative keeps the whole side) or an int32 scalar tensor, as tfjs takes either. */
function bandLimit(limit: number | Tensor, size: number, name: string): number {
  if (limit instanceof Tensor) {
    if (limit.dtype !== 'int32' || limit.size !== 1) throw new Error(`bandPart(): ${name} must be a number or an int32 scalar, got a ${limit.dtype} tensor of shape [${limit.shape.join(', ')}]`);
    const v = limit.values[0];
    return v < 0 ? size : Math.min(v, size);
  }
  if (typeof limit !== 'number' || !Number.isInteger(limit)) throw new Error(`bandPart(): ${name} must be an integer, got ${shownArg(limit)}.`);
  const rows = name === 'numLower' ? 'rows' : 'columns';
  if (limit > size) throw new Error(`bandPart(): ${name} (${limit}) must not be greater than the number of ${rows} (${size}).`);
  return limit < 0 ? size : limit;
}

/** Keeps entries (i, j) of each innermost matrix with -numUpper <= i - j <= numLower; zeros the rest. */
function bandPartOp(a: TensorLike, numLower: number | Tensor, numUpper: number | Tensor): Tensor {
  const x = asTensor(a, 'a', 'bandPart');
  if (x.rank < 2) throw new Error(`bandPart(): Rank must be at least 2, got ${x.rank}.`);
  const [m, n] = x.shape.slice(-2);
  const lo = bandLimit(numLower, m, 'numLower'), hi = bandLimit(numUpper, n, 'numUpper');
  const inBand = T.tensor(Int32Array.from({ length: m * n }, (_, k) => {
    const d = Math.floor(k / n) - (k % n);
    return d <= lo && d >= -hi ? 1 : 0;
  }), [m, n], 'bool');
  return where(inBand, x, T.zerosLike(x));
}

/** Orthonormalises the rows of a 2-D tensor, or a list of 1-D tensors, in order (modified Gram-Schmidt). */
function gramSchmidtOp(xs: Tensor | Tensor[]): Tensor | Tensor[] {
  const asMatrix = !Array.isArray(xs);
  if (asMatrix && !(xs instanceof Tensor && xs.rank === 2)) throw new Error('gramSchmidt: input must be a 2-D tensor or an array of 1-D tensors');
  const rows = asMatrix ? unstack(xs) : xs;
  if (rows.length === 0) throw new Error('Gram-Schmidt process: input must not be null, undefined, or empty');
  const dim = rows[0].shape[0];
  rows.forEach((r, i) => {
    if (!(r instanceof Tensor) || r.rank !== 1) throw new Error(`gramSchmidt: xs[${i}] must be a 1-D tensor`);
    if (r.shape[0] !== dim) throw new Error(`Gram-Schmidt: Non-unique lengths found in the input vectors: (${r.shape[0]} vs. ${dim})`);
  });
  if (rows.length > dim) throw new Error(`Gram-Schmidt: Number of vectors (${rows.length}) exceeds number of dimensions (${dim}).`);
  const ys: Tensor[] = [];
  for (const row of rows) {
    let x = row;
    for (const y of ys) x = sub(x, mul(sum(mul(y, x)), y));
    ys.push(div(x, norm(x)));
  }
  return asMatrix ? stack(ys) : ys;
}

/** One Householder QR of an [m, n] matrix; R's diagonal takes the sign opposite to the pivot's (tfjs's choice). */
function qr2d(x: Tensor, fullMatrices: boolean): [Tensor, Tensor] {
  const [m, n] = x.shape;
  let q: Tensor = T.eye(m), r: Tensor = x;
  const one = T.ones([1, 1]);
  for (let j = 0; j < Math.min(m, n); j++) {
    const col = slice(r, [j, j], [m - j, 1]);
    const colNorm = norm(col);
    const pivot = slice(r, [j, j], [1, 1]);
    const s = T.where(T.greater(pivot, 0), T.fill([1, 1], -1), one);
    const u = sub(pivot, mul(s, colNorm));
    // The reflector v = [1, col[1:] / u]; H = I - tau v v^T maps col onto s * |col| * e1.
    const v = m - j === 1 ? one : concat([one, slice(div(col, u), [1, 0], [m - j - 1, 1])], 0);
    const tauV = mul(neg(div(mul(s, u), colNorm)), v);
    const block = slice(r, [j, 0], [m - j, n]);
    const reflected = sub(block, matMul(tauV, matMul(v, block, true, false)));
    r = j === 0 ? reflected : concat([slice(r, [0, 0], [j, n]), reflected], 0);
    const qBlock = slice(q, [0, j], [m, m - j]);
    const qReflected = sub(qBlock, matMul(matMul(qBlock, v), tauV, false, true));
    q = j === 0 ? qReflected : concat([slice(q, [0, 0], [m, j]), qReflected], 1);
  }
  if (!fullMatrices && m > n) return [slice(q, [0, 0], [m, n]), slice(r, [0, 0], [n, n])];
  return [q, r];
}

/**
 * QR decomposition of the innermost matrices of x ([..., m, n]): Q [..., m, k], R [..., k, n] with k = min(m, n),
 * or k = m with fullMatrices. Batched inputs of any m, n give those shapes (tfjs 4.22 handles only square batches).
 */
function qrOp(x: TensorLike, fullMatrices = false): [Tensor, Tensor] {
  const t = asTensor(x, 'x', 'qr');
  if (t.rank < 2) throw new Error(`qr() requires input tensor to have a rank >= 2, but got rank ${t.rank}`);
  if (typeof fullMatrices !== 'boolean') throw new Error(`qr: fullMatrices must be a boolean, got ${shownArg(fullMatrices)}`);
  const f = t.dtype === 'float32' ? t : cast(t, 'float32');
  if (t.rank === 2) return qr2d(f, fullMatrices);
  const batch = t.shape.slice(0, -2), [m, n] = t.shape.slice(-2);
  const mats = unstack(reshape(f, [-1, m, n]));
  const k = fullMatrices ? m : Math.min(m, n);
  if (mats.length === 0) return [T.zeros([...batch, m, k]), T.zeros([...batch, k, n])];
  const parts = mats.map((a) => qr2d(a, fullMatrices));
  return [reshape(stack(parts.map((p) => p[0])), [...batch, m, k]), reshape(stack(parts.map((p) => p[1])), [...batch, k, n])];
}

export const bandPart = scoped(bandPartOp);
export const gramSchmidt = scoped(gramSchmidtOp);
export const qr = scoped(qrOp);

/** tf.linalg. */
export const linalg = { bandPart, gramSchmidt, qr };
