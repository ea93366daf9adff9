/**
 * The pieces of Keras's Attention and AdditiveAttention that are not batched matrix products (merge_ops.ts):
 * scaling by a learned scalar, the additive (Bahdanau) score, masking scores, and zeroing masked query rows.
 */
import { Act, allocFloat, kernels } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { accumulate, gradBuffer, record } from './tape.js';

/** x * s for a one-element s (Keras's learned attention scale); the gradient reaches both. */
export function scaleBy(x: Tensor, s: Tensor): Tensor {
  const xd = x.floatData();
  const k = s.floatData()[0];
  const y = allocFloat(x.size, false);
  for (let i = 0; i < y.length; i++) y[i] = xd[i] * k;
  const out = new Tensor(y, x.shape, 'float32');
  return record(out, [x, s], () => {
    const g = out.grad!;
    if (s.requiresGrad) {
      let ds = 0;
      for (let i = 0; i < g.length; i++) ds += g[i] * xd[i];
      gradBuffer(s)[0] += ds;
    }
    if (x.requiresGrad) {
      const dx = allocFloat(x.size, false);
      for (let i = 0; i < dx.length; i++) dx[i] = g[i] * k;
      accumulate(x, dx, true);
    }
  });
}

/**
 * Bahdanau scores: out[b, i, j] = sum_d scale[d] * tanh(q[b, i, d] + k[b, j, d]); q [B, Tq, D], k [B, Tv, D],
 * scale [D] or null (all ones) -> [B, Tq, Tv]. Every (b, i, j) pair's D sums go through the backend at once: a
 * broadcast add, one tanh kernel over them all and one GEMM with scale, so the cost is in the kernels, not in
 * a TypeScript loop over batch x Tq x Tv x D calls to Math.tanh.
 */
export function additiveScores(q: Tensor, k: Tensor, scale: Tensor | null): Tensor {
  const K = kernels();
  const [B, Tq, D] = q.shape;
  const Tv = k.shape[1];
  const N = B * Tq * Tv;
  const qd = q.floatData(), kd = k.floatData();
  const s = scale ? scale.floatData() : allocFloat(D, false).fill(1);
  // th: tanh(q_i + k_j) for every pair, [N, D], kept for backward.
  const th = allocFloat(N * D, false);
  for (let b = 0; b < B; b++) for (let i = 0; i < Tq; i++) {
    const qo = (b * Tq + i) * D;
    for (let j = 0; j < Tv; j++) {
      const ko = (b * Tv + j) * D, to = ((b * Tq + i) * Tv + j) * D;
      for (let d = 0; d < D; d++) th[to + d] = qd[qo + d] + kd[ko + d];
    }
  }
  K.activation(Act.tanh, th, th);
  const y = allocFloat(N, false);
  K.gemm(false, false, N, 1, D, 1, th, s, 0, y, null, Act.linear);
  const out = new Tensor(y, [B, Tq, Tv], 'float32');
  return record(out, [q, k, scale], () => {
    const g = out.grad!;
    if (scale?.requiresGrad) K.gemm(false, false, 1, D, N, 1, g, th, 1, gradBuffer(scale), null, Act.linear);
    if (!q.requiresGrad && !k.requiresGrad) return;
    // dpre[n, d] = g[n] * scale[d] * (1 - th[n, d]^2): an outer product, then tanh's backward.
    const dpre = allocFloat(N * D, false);
    K.gemm(false, false, N, D, 1, 1, g, s, 0, dpre, null, Act.linear);
    K.activationBackward(Act.tanh, th, dpre, dpre);
    const block = Tv * D;
    if (q.requiresGrad) {
      const dq = allocFloat(q.size, false);
      for (let bi = 0; bi < B * Tq; bi++) K.colSum(Tv, D, dpre.subarray(bi * block, (bi + 1) * block), dq.subarray(bi * D, (bi + 1) * D), false);
      accumulate(q, dq, true);
    }
    if (k.requiresGrad) {
      const dk = allocFloat(k.size);
      for (let b = 0; b < B; b++) {
        const dkb = dk.subarray(b * block, (b + 1) * block);
        for (let i = 0; i < Tq; i++) K.axpy(1, dpre.subarray((b * Tq + i) * block, (b * Tq + i + 1) * block), dkb);
      }
      accumulate(k, dk, true);
    }
  });
}

/** scores - 1e9 where keep is 0 (Keras's padding of attention scores); keep [B or 1, Tq, Tv] broadcast over batch. */
export function maskScores(scores: Tensor, keep: Uint8Array): Tensor {
  const sd = scores.floatData();
  const per = keep.length;
  const y = allocFloat(scores.size, false);
  for (let i = 0; i < y.length; i++) y[i] = keep[i % per] ? sd[i] : sd[i] - 1e9;
  const out = new Tensor(y, scores.shape, 'float32');
  return record(out, [scores], () => accumulate(scores, out.grad!));
}

/** x [B, T, D] with rows whose keep [B, T] is 0 set to zero (Keras multiplies the result by the query mask). */
export function zeroRows(x: Tensor, keep: Uint8Array): Tensor {
  const D = x.shape[x.rank - 1];
  const xd = x.floatData();
  const y = allocFloat(x.size, false);
  for (let i = 0; i < y.length; i++) y[i] = keep[Math.floor(i / D)] ? xd[i] : 0;
  const out = new Tensor(y, x.shape, 'float32');
  return record(out, [x], () => {
    const g = out.grad!;
    const dx = allocFloat(x.size, false);
    for (let i = 0; i < dx.length; i++) dx[i] = keep[Math.floor(i / D)] ? g[i] : 0;
    accumulate(x, dx, true);
  });
}
