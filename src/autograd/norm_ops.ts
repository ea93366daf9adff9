/**
 * Differentiable normalization and time-resampling ops: batch and layer normalization and average pooling on their
 * kernels (native/norm.cc, native/avg_pool.cc), up-sampling as plain loops (a copy, memory-bound either way).
 */
import { allocFloat, kernels, type FArray } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { accumulate, record } from './tape.js';
import type { Conv1dGeometry } from './ops.js';

/** x viewed as [outer, C, inner] around the normalized channel axis. */
export interface ChannelGeometry { outer: number; C: number; inner: number }

export interface BatchNormResult {
  y: Tensor;
  /** The statistics y was normalized with: the batch's own in training, the given ones otherwise. */
  mean: FArray;
  variance: FArray;
}

/**
 * y = (x - mean) / sqrt(variance + eps) * gamma + beta per channel. With stats null (training) mean and variance are
 * the batch's own (biased variance) and the gradient flows through them; given stats (the moving averages) are
 * constants.
 */
export function batchNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, g: ChannelGeometry, eps: number,
  stats: { mean: FArray; variance: FArray } | null): BatchNormResult {
  const K = kernels();
  const { outer, C, inner } = g;
  const xd = x.floatData();
  let mean: FArray, variance: FArray;
  if (stats) ({ mean, variance } = stats);
  else {
    mean = allocFloat(C, false);
    variance = allocFloat(C, false);
    K.batchNormStats(outer, C, inner, xd, mean, variance);
  }
  const y = allocFloat(x.size, false);
  const gd = (gamma?.values as FArray | undefined) ?? null;
  K.batchNormForward(outer, C, inner, xd, mean, variance, gd, (beta?.values as FArray | undefined) ?? null, eps, y);
  const out = new Tensor(y, x.shape, 'float32');
  record(out, [x, gamma, beta], () => {
    const dx = x.requiresGrad ? allocFloat(x.size, false) : null;
    const dgamma = gamma?.requiresGrad ? allocFloat(C, false) : null;
    const dbeta = beta?.requiresGrad ? allocFloat(C, false) : null;
    K.batchNormBackward(outer, C, inner, xd, mean, variance, gd, eps, stats === null, out.grad!, dx, dgamma, dbeta);
    if (dx) accumulate(x, dx, true);
    if (dgamma) accumulate(gamma, dgamma, true);
    if (dbeta) accumulate(beta, dbeta, true);
  });
  return { y: out, mean, variance };
}

/** Each row of x viewed as [rows, cols] normalized over its cols, then scaled by gamma [cols] and shifted by beta [cols]. */
export function layerNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, cols: number, eps: number): Tensor {
  const K = kernels();
  const rows = cols === 0 ? 0 : x.size / cols;
  const xd = x.floatData();
  const gd = (gamma?.values as FArray | undefined) ?? null;
  const y = allocFloat(x.size, false);
  const mean = allocFloat(rows, false), rstd = allocFloat(rows, false);
  K.layerNormForward(rows, cols, xd, gd, (beta?.values as FArray | undefined) ?? null, eps, y, mean, rstd);
  const out = new Tensor(y, x.shape, 'float32');
  return record(out, [x, gamma, beta], () => {
    const dx = x.requiresGrad ? allocFloat(x.size, false) : null;
    const dgamma = gamma?.requiresGrad ? allocFloat(cols, false) : null;
    const dbeta = beta?.requiresGrad ? allocFloat(cols, false) : null;
    K.layerNormBackward(rows, cols, xd, gd, mean, rstd, out.grad!, dx, dgamma, dbeta);
    if (dx) accumulate(x, dx, true);
    if (dgamma) accumulate(gamma, dgamma, true);
    if (dbeta) accumulate(beta, dbeta, true);
  });
}

/** Mean over windows of time, padding not counted: x [B, T, C] -> [B, To, C]. */
export function avgPool1d(x: Tensor, pool: number, g: Conv1dGeometry): Tensor {
  const K = kernels();
  const [B, T, C] = x.shape;
  const y = allocFloat(B * g.outSteps * C, false);
  K.avgPool1d(B, T, C, pool, g.stride, g.padLeft, g.outSteps, x.floatData(), y);
  const out = new Tensor(y, [B, g.outSteps, C], 'float32');
  return record(out, [x], () => {
    const dx = allocFloat(x.size, false);
    K.avgPool1dBackward(B, T, C, pool, g.stride, g.padLeft, g.outSteps, out.grad!, dx);
    accumulate(x, dx, true);
  });
}

/** Each step repeated size times in place: x [B, T, C] -> [B, T * size, C]. */
export function upSampling1d(x: Tensor, size: number): Tensor {
  const [B, T, C] = x.shape;
  const xd = x.floatData();
  const y = allocFloat(B * T * size * C, false);
  for (let r = 0; r < B * T; r++) {
    const row = xd.subarray(r * C, (r + 1) * C);
    for (let k = 0; k < size; k++) y.set(row, (r * size + k) * C);
  }
  const out = new Tensor(y, [B, T * size, C], 'float32');
  return record(out, [x], () => {
    const gy = out.grad!;
    const dx = allocFloat(x.size);
    for (let r = 0; r < B * T; r++) for (let k = 0; k < size; k++) {
      const o = (r * size + k) * C;
      for (let c = 0; c < C; c++) dx[r * C + c] += gy[o + c];
    }
    accumulate(x, dx, true);
  });
}
