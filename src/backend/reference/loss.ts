import type { FArray, LossKernels } from '../kernels.js';
import { checkRows, checkSameLength } from './common.js';

/** Keras backend epsilon(). */
const EPS = 1e-7;

function logSumExp(x: FArray, offset: number, cols: number): number {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) if (x[offset + j] > m) m = x[offset + j];
  if (m === -Infinity) m = 0;
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(x[offset + j] - m);
  return m + Math.log(s);
}

const clip = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/** The mean over i < n of lossAt(i), which also writes element i's gradient (already / n); 0 when n is 0. */
function meanOf(n: number, lossAt: (i: number) => number): number {
  if (n === 0) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) total += lossAt(i);
  return total / n;
}

export const lossKernels: LossKernels = {
  sigmoidCrossEntropyWithLogits(n: number, logits: FArray, target: FArray, grad: FArray): number {
    checkSameLength('sigmoidCrossEntropyWithLogits', n, { logits, target, grad }, 'n');
    return meanOf(n, (i) => {
      const x = logits[i];
      const z = target[i];
      const sig = 1 / (1 + Math.exp(-x));
      grad[i] = (sig - z) / n;
      // max(x, 0) - x z + log(1 + e^-|x|)
      return Math.max(x, 0) - x * z + Math.log1p(Math.exp(-Math.abs(x)));
    });
  },

  binaryCrossentropy(n: number, prob: FArray, target: FArray, grad: FArray): number {
    checkSameLength('binaryCrossentropy', n, { prob, target, grad }, 'n');
    return meanOf(n, (i) => {
      const p = prob[i];
      const z = target[i];
      const c = clip(p, EPS, 1 - EPS);
      // The clip passes the gradient only inside [eps, 1 - eps].
      grad[i] = p >= EPS && p <= 1 - EPS ? (-z / c + (1 - z) / (1 - c)) / n : 0;
      return -(z * Math.log(c) + (1 - z) * Math.log(1 - c));
    });
  },

  softmaxCrossEntropyWithLogits(rows: number, cols: number, logits: FArray, target: FArray, grad: FArray): number {
    checkRows('softmaxCrossEntropyWithLogits', rows, cols, { logits, target, grad });
    if (rows === 0) return 0;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const lse = logSumExp(logits, o, cols);
      let tsum = 0;
      for (let j = 0; j < cols; j++) {
        total += target[o + j] * (lse - logits[o + j]);
        tsum += target[o + j];
      }
      // dL/dx_j = softmax_j * sum(t) - t_j
      for (let j = 0; j < cols; j++) grad[o + j] = (Math.exp(logits[o + j] - lse) * tsum - target[o + j]) / rows;
    }
    return total / rows;
  },

  sparseSoftmaxCrossEntropyWithLogits(rows: number, cols: number, logits: FArray, labels: Int32Array, grad: FArray): number {
    checkRows('sparseSoftmaxCrossEntropyWithLogits', rows, cols, { logits, labels, grad });
    for (let r = 0; r < rows; r++) {
      if (!(labels[r] >= 0 && labels[r] < cols)) {
        throw new RangeError(`sparseSoftmaxCrossEntropyWithLogits: argument 'labels' holds ${labels[r]} at ${r}, outside [0, ${cols})`);
      }
    }
    if (rows === 0) return 0;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const lse = logSumExp(logits, o, cols);
      const label = labels[r];
      total += lse - logits[o + label];
      for (let j = 0; j < cols; j++) grad[o + j] = (Math.exp(logits[o + j] - lse) - (j === label ? 1 : 0)) / rows;
    }
    return total / rows;
  },

  /**
   * Keras: q = p / sum(p) per row; c = clip(q, eps, 1 - eps); loss = -sum(t log c).
   * dL/dq_j = -t_j / q_j inside the clip (0 outside); dL/dp_k = (dL/dq_k - sum_j dL/dq_j q_j) / sum(p).
   */
  categoricalCrossentropy(rows: number, cols: number, prob: FArray, target: FArray, grad: FArray): number {
    checkRows('categoricalCrossentropy', rows, cols, { prob, target, grad });
    if (rows === 0) return 0;
    let total = 0;
    const gq = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let S = 0;
      for (let j = 0; j < cols; j++) S += prob[o + j];
      let gqDotQ = 0;
      for (let j = 0; j < cols; j++) {
        const q = prob[o + j] / S;
        const t = target[o + j];
        total -= t * Math.log(clip(q, EPS, 1 - EPS));
        gq[j] = q >= EPS && q <= 1 - EPS ? -t / q : 0;
        gqDotQ += gq[j] * q;
      }
      for (let j = 0; j < cols; j++) grad[o + j] = (gq[j] - gqDotQ) / S / rows;
    }
    return total / rows;
  },

  meanSquaredError(n: number, pred: FArray, target: FArray, grad: FArray): number {
    checkSameLength('meanSquaredError', n, { pred, target, grad }, 'n');
    return meanOf(n, (i) => {
      const d = pred[i] - target[i];
      grad[i] = (2 * d) / n;
      return d * d;
    });
  },
};
