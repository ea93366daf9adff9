/**
 * The pieces of Keras's Attention and AdditiveAttention that are not batched matrix products (merge_ops.ts):
 * scaling by a learned scalar, the additive (Bahdanau) score, masking scores, and zeroing masked query rows.
 */
import { allocFloat } from '../backend/index.js';
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
 * scale [D] or null (all ones) -> [B, Tq, Tv].
 */
export function additiveScores(q: Tensor, k: Tensor, scale: Tensor | null): Tensor {
  const [B, Tq, D] = q.shape;
  const Tv = k.shape[1];
  const qd = q.floatData(), kd = k.floatData();
  const sd = scale ? scale.floatData() : null;
  // tanh(q_i + k_j) for every pair, kept for backward: B * Tq * Tv * D values.
  const th = allocFloat(B * Tq * Tv * D, false);
  const y = allocFloat(B * Tq * Tv, false);
  for (let b = 0; b < B; b++) for (let i = 0; i < Tq; i++) for (let j = 0; j < Tv; j++) {
    const qo = (b * Tq + i) * D, ko = (b * Tv + j) * D, to = ((b * Tq + i) * Tv + j) * D;
    let s = 0;
    for (let d = 0; d < D; d++) {
      const t = Math.tanh(qd[qo + d] + kd[ko + d]);
      th[to + d] = t;
      s += (sd ? sd[d] : 1) * t;
    }
    y[(b * Tq + i) * Tv + j] = s;
  }
  const out = new Tensor(y, [B, Tq, Tv], 'float32');
  return record(out, [q, k, scale], () => {
    const g = out.grad!;
    const dq = q.requiresGrad ? allocFloat(q.size) : null;
    const dk = k.requiresGrad ? allocFloat(k.size) : null;
    const ds = scale?.requiresGrad ? gradBuffer(scale) : null;
    for (let b = 0; b < B; b++) for (let i = 0; i < Tq; i++) for (let j = 0; j < Tv; j++) {
      const gij = g[(b * Tq + i) * Tv + j];
      const qo = (b * Tq + i) * D, ko = (b * Tv + j) * D, to = ((b * Tq + i) * Tv + j) * D;
      for (let d = 0; d < D; d++) {
        const t = th[to + d];
        if (ds) ds[d] += gij * t;
        const pre = gij * (sd ? sd[d] : 1) * (1 - t * t);
        if (dq) dq[qo + d] += pre;
        if (dk) dk[ko + d] += pre;
      }
    }
    if (dq) accumulate(q, dq, true);
    if (dk) accumulate(k, dk, true);
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
