import type { FArray, NormKernels } from '../kernels.js';
import { Args } from './common.js';

/** batch normalization's leading checks, in native/norm.cc's order: outer, C, inner, then x. */
function channelArgs(kernel: string, outer: number, C: number, inner: number, x: FArray): Args {
  const a = new Args(kernel);
  a.integer('outer', outer), a.integer('C', C), a.integer('inner', inner);
  a.floats('x', x, outer * C * inner);
  return a;
}

/** f(value index, channel) over x viewed as [outer, C, inner]. */
function eachChannelValue(outer: number, C: number, inner: number, f: (i: number, c: number) => void): void {
  for (let o = 0; o < outer; o++) for (let c = 0; c < C; c++) {
    const base = (o * C + c) * inner;
    for (let k = 0; k < inner; k++) f(base + k, c);
  }
}

/** 1 / sqrt(variance[c] + eps), in double. */
function inverseStd(C: number, variance: FArray, eps: number): Float64Array {
  const inv = new Float64Array(C);
  for (let c = 0; c < C; c++) inv[c] = 1 / Math.sqrt(variance[c] + eps);
  return inv;
}

export const normKernels: NormKernels = {
  batchNormStats(outer: number, C: number, inner: number, x: FArray, mean: FArray, variance: FArray): void {
    const a = channelArgs('batchNormStats', outer, C, inner, x);
    a.floats('mean', mean, C), a.floats('variance', variance, C);
    const n = outer * inner;
    const sum = new Float64Array(C), sq = new Float64Array(C);
    eachChannelValue(outer, C, inner, (i, c) => { sum[c] += x[i]; });
    const mu = sum.map((s) => (n > 0 ? s / n : 0));
    // Two passes (squared deviations from the mean), not E[x^2] - E[x]^2, which cancels badly.
    eachChannelValue(outer, C, inner, (i, c) => { const d = x[i] - mu[c]; sq[c] += d * d; });
    for (let c = 0; c < C; c++) { mean[c] = mu[c]; variance[c] = n > 0 ? sq[c] / n : 0; }
  },

  batchNormForward(outer: number, C: number, inner: number, x: FArray, mean: FArray, variance: FArray,
    gamma: FArray | null, beta: FArray | null, eps: number, y: FArray): void {
    const a = channelArgs('batchNormForward', outer, C, inner, x);
    a.floats('mean', mean, C), a.floats('variance', variance, C), a.floats('gamma', gamma, C, true), a.floats('beta', beta, C, true);
    a.num('eps', eps);
    a.floats('y', y, outer * C * inner);
    const inv = inverseStd(C, variance, eps);
    const scale = inv.map((v, c) => v * (gamma ? gamma[c] : 1));
    eachChannelValue(outer, C, inner, (i, c) => { y[i] = (x[i] - mean[c]) * scale[c] + (beta ? beta[c] : 0); });
  },

  batchNormBackward(outer: number, C: number, inner: number, x: FArray, mean: FArray, variance: FArray,
    gamma: FArray | null, eps: number, batchStats: boolean, dy: FArray, dx: FArray | null, dgamma: FArray | null, dbeta: FArray | null): void {
    const a = channelArgs('batchNormBackward', outer, C, inner, x);
    const size = outer * C * inner;
    a.floats('mean', mean, C), a.floats('variance', variance, C), a.floats('gamma', gamma, C, true);
    a.num('eps', eps);
    a.floats('dy', dy, size), a.floats('dx', dx, size, true), a.floats('dgamma', dgamma, C, true), a.floats('dbeta', dbeta, C, true);
    const inv = inverseStd(C, variance, eps);
    // Per channel: sum dy and sum dy * (x - mean); dgamma = inv * the second.
    const sdy = new Float64Array(C), sdyc = new Float64Array(C);
    eachChannelValue(outer, C, inner, (i, c) => { sdy[c] += dy[i]; sdyc[c] += dy[i] * (x[i] - mean[c]); });
    for (let c = 0; c < C; c++) {
      if (dgamma) dgamma[c] = sdyc[c] * inv[c];
      if (dbeta) dbeta[c] = sdy[c];
    }
    if (!dx) return;
    // dx = k * dy - shift - (x - mean) * slope, per channel (shift = slope = 0 when the statistics are constants).
    const n = outer * inner;
    const k = inv.map((v, c) => v * (gamma ? gamma[c] : 1));
    const shift = k.map((v, c) => (batchStats && n > 0 ? v * sdy[c] / n : 0));
    const slope = k.map((v, c) => (batchStats && n > 0 ? v * inv[c] * inv[c] * sdyc[c] / n : 0));
    eachChannelValue(outer, C, inner, (i, c) => { dx[i] = k[c] * dy[i] - shift[c] - (x[i] - mean[c]) * slope[c]; });
  },

  layerNormForward(rows: number, cols: number, x: FArray, gamma: FArray | null, beta: FArray | null, eps: number,
    y: FArray, mean: FArray, rstd: FArray): void {
    const a = new Args('layerNormForward');
    a.integer('rows', rows), a.integer('cols', cols);
    a.floats('x', x, rows * cols), a.floats('gamma', gamma, cols, true), a.floats('beta', beta, cols, true);
    a.num('eps', eps);
    a.floats('y', y, rows * cols), a.floats('mean', mean, rows), a.floats('rstd', rstd, rows);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let s = 0;
      for (let j = 0; j < cols; j++) s += x[o + j];
      const mu = cols > 0 ? s / cols : 0;
      let q = 0;
      for (let j = 0; j < cols; j++) { const d = x[o + j] - mu; q += d * d; }
      const inv = 1 / Math.sqrt((cols > 0 ? q / cols : 0) + eps);
      mean[r] = mu;
      rstd[r] = inv;
      // The stored (possibly float32-rounded) mean and rstd, so forward and backward see the same numbers.
      const m = mean[r], v = rstd[r];
      for (let j = 0; j < cols; j++) y[o + j] = (x[o + j] - m) * v * (gamma ? gamma[j] : 1) + (beta ? beta[j] : 0);
    }
  },

  layerNormBackward(rows: number, cols: number, x: FArray, gamma: FArray | null, mean: FArray, rstd: FArray, dy: FArray,
    dx: FArray | null, dgamma: FArray | null, dbeta: FArray | null): void {
    const a = new Args('layerNormBackward');
    a.integer('rows', rows), a.integer('cols', cols);
    a.floats('x', x, rows * cols), a.floats('gamma', gamma, cols, true), a.floats('mean', mean, rows), a.floats('rstd', rstd, rows);
    a.floats('dy', dy, rows * cols), a.floats('dx', dx, rows * cols, true), a.floats('dgamma', dgamma, cols, true), a.floats('dbeta', dbeta, cols, true);
    const sg = new Float64Array(cols), sb = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols, m = mean[r], v = rstd[r];
      // g = dy * gamma is the gradient w.r.t. the normalized row xhat; dx = rstd * (g - mean(g) - xhat * mean(g * xhat)).
      let sum = 0, dot = 0;
      for (let j = 0; j < cols; j++) {
        const xh = (x[o + j] - m) * v, g = dy[o + j] * (gamma ? gamma[j] : 1);
        sg[j] += dy[o + j] * xh;
        sb[j] += dy[o + j];
        sum += g;
        dot += g * xh;
      }
      if (!dx) continue;
      const mg = sum / cols, mgx = dot / cols;
      for (let j = 0; j < cols; j++) {
        const xh = (x[o + j] - m) * v, g = dy[o + j] * (gamma ? gamma[j] : 1);
        dx[o + j] = v * (g - mg - xh * mgx);
      }
    }
    for (let j = 0; j < cols; j++) {
      if (dgamma) dgamma[j] = sg[j];
      if (dbeta) dbeta[j] = sb[j];
    }
  },
};
