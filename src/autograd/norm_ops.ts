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

/** Keras's backend epsilon, which its masked moments add to the count of real steps. */
const KERAS_EPSILON = 1e-7;

/**
 * batchNorm in training under a padding mask, as Keras 3's BatchNormalization._moments (3.2 on): each channel's mean
 * and biased variance over the real steps only, each sum divided by (real count + 1e-7), so a channel with no real
 * value has mean 0 and variance 0 (Keras's numbers for an all-padded batch), not NaN. Every value, padded ones
 * included, is then normalized with them, and the gradient flows through the masked moments (into real values only).
 * mask: one byte per row of x's last axis (a [B, T] mask for x [B, T, C]), nonzero for a real step.
 */
export function maskedBatchNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, g: ChannelGeometry, eps: number,
  mask: Uint8Array): BatchNormResult {
  const K = kernels();
  const { outer, C, inner } = g;
  const xd = x.floatData();
  const row = x.shape[x.rank - 1];
  const real = (i: number) => mask[Math.floor(i / row)] !== 0;
  const sum = new Float64Array(C), count = new Float64Array(C), sq = new Float64Array(C);
  eachValue(g, (i, c) => { if (real(i)) { sum[c] += xd[i]; count[c] += 1; } });
  const mean = allocFloat(C, false), variance = allocFloat(C, false);
  for (let c = 0; c < C; c++) mean[c] = sum[c] / (count[c] + KERAS_EPSILON);
  // Squared deviations from the mean as stored (float32 in training), which forward and backward both normalize with.
  eachValue(g, (i, c) => { if (real(i)) { const d = xd[i] - mean[c]; sq[c] += d * d; } });
  for (let c = 0; c < C; c++) variance[c] = sq[c] / (count[c] + KERAS_EPSILON);
  const y = allocFloat(x.size, false);
  const gd = (gamma?.values as FArray | undefined) ?? null;
  K.batchNormForward(outer, C, inner, xd, mean, variance, gd, (beta?.values as FArray | undefined) ?? null, eps, y);
  const out = new Tensor(y, x.shape, 'float32');
  record(out, [x, gamma, beta], () => {
    const dy = out.grad!;
    const dx = x.requiresGrad ? allocFloat(x.size, false) : null;
    const dgamma = gamma?.requiresGrad ? allocFloat(C, false) : null;
    const dbeta = beta?.requiresGrad ? allocFloat(C, false) : null;
    // With the statistics held constant the kernel gives dgamma, dbeta and dx's direct part, gamma dy / std.
    K.batchNormBackward(outer, C, inner, xd, mean, variance, gd, eps, false, dy, dx, dgamma, dbeta);
    if (dx) {
      // The path through the moments: L depends on mean m and variance v, each a sum over the real values / D.
      // dL/dv = -1/2 gamma std^-3 sum(dy (x - m)); dL/dm = -gamma/std sum(dy) + dL/dv dv/dm, where
      // dv/dm = -2 sum_real(x - m) / D (not 0: D is the count plus 1e-7). A real value gets (dL/dm + dL/dv 2 (x - m)) / D.
      const sdy = new Float64Array(C), sdyc = new Float64Array(C), off = new Float64Array(C);
      eachValue(g, (i, c) => {
        sdy[c] += dy[i];
        sdyc[c] += dy[i] * (xd[i] - mean[c]);
        if (real(i)) off[c] += xd[i] - mean[c];
      });
      const dMean = new Float64Array(C), dVar = new Float64Array(C), D = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        const inv = 1 / Math.sqrt(variance[c] + eps), scale = gd ? gd[c] : 1;
        D[c] = count[c] + KERAS_EPSILON;
        dVar[c] = -0.5 * scale * inv * inv * inv * sdyc[c];
        dMean[c] = -scale * inv * sdy[c] - 2 * dVar[c] * off[c] / D[c];
      }
      eachValue(g, (i, c) => { if (real(i)) dx[i] += (dMean[c] + 2 * dVar[c] * (xd[i] - mean[c])) / D[c]; });
    }
    if (dx) accumulate(x, dx, true);
    if (dgamma) accumulate(gamma, dgamma, true);
    if (dbeta) accumulate(beta, dbeta, true);
  });
  return { y: out, mean, variance };
}

/** f(flat index, channel) for every value of x viewed as [outer, C, inner]. */
function eachValue({ outer, C, inner }: ChannelGeometry, f: (i: number, c: number) => void): void {
  for (let o = 0; o < outer; o++) for (let c = 0; c < C; c++) {
    const base = (o * C + c) * inner;
    for (let k = 0; k < inner; k++) f(base + k, c);
  }
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
