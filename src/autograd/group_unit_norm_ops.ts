/**
 * Differentiable ops of Keras 3's GroupNormalization and UnitNormalization, as plain loops with forward and backward
 * side by side (statistics in JavaScript doubles, as the layer-norm kernels keep theirs in double).
 */
import { allocFloat } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { accumulate, record } from './tape.js';

/**
 * x viewed as [batch, positions, channels] (channels last), channels split into `groups` consecutive groups: each
 * (sample, group) normalized with its own mean and biased variance over all its positions and channels, then scaled
 * by gamma [channels] and shifted by beta [channels] (Keras 3's GroupNormalization with axis last).
 */
export function groupNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, groups: number, eps: number): Tensor {
  const C = x.shape[x.rank - 1], B = x.shape[0];
  const P = B === 0 || C === 0 ? 0 : x.size / (B * C);
  const per = C / groups, n = P * per;
  const xd = x.floatData();
  const gd = gamma?.floatData() ?? null, bd = beta?.floatData() ?? null;
  const mean = new Float64Array(B * groups), rstd = new Float64Array(B * groups);
  const y = allocFloat(x.size, false);
  for (let b = 0; b < B; b++) {
    for (let g = 0; g < groups; g++) {
      let s = 0;
      for (let p = 0; p < P; p++) for (let c = g * per; c < (g + 1) * per; c++) s += xd[(b * P + p) * C + c];
      const m = s / n;
      let v = 0;
      for (let p = 0; p < P; p++) for (let c = g * per; c < (g + 1) * per; c++) v += (xd[(b * P + p) * C + c] - m) ** 2;
      const r = 1 / Math.sqrt(v / n + eps);
      mean[b * groups + g] = m;
      rstd[b * groups + g] = r;
      for (let p = 0; p < P; p++) for (let c = g * per; c < (g + 1) * per; c++) {
        const i = (b * P + p) * C + c;
        y[i] = (xd[i] - m) * r * (gd ? gd[c] : 1) + (bd ? bd[c] : 0);
      }
    }
  }
  const out = new Tensor(y, x.shape, 'float32');
  return record(out, [x, gamma, beta], () => {
    const dy = out.grad!;
    const dx = x.requiresGrad ? allocFloat(x.size, false) : null;
    const dgamma = gamma?.requiresGrad ? allocFloat(C) : null;
    const dbeta = beta?.requiresGrad ? allocFloat(C) : null;
    for (let b = 0; b < B; b++) {
      for (let g = 0; g < groups; g++) {
        const m = mean[b * groups + g], r = rstd[b * groups + g];
        // d loss / d xhat = dy * gamma; dx = r * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) over the group.
        let sum = 0, sumX = 0;
        for (let p = 0; p < P; p++) for (let c = g * per; c < (g + 1) * per; c++) {
          const i = (b * P + p) * C + c;
          const xhat = (xd[i] - m) * r, dh = dy[i] * (gd ? gd[c] : 1);
          sum += dh; sumX += dh * xhat;
          if (dgamma) dgamma[c] += dy[i] * xhat;
          if (dbeta) dbeta[c] += dy[i];
        }
        if (!dx) continue;
        for (let p = 0; p < P; p++) for (let c = g * per; c < (g + 1) * per; c++) {
          const i = (b * P + p) * C + c;
          const xhat = (xd[i] - m) * r, dh = dy[i] * (gd ? gd[c] : 1);
          dx[i] = r * (dh - sum / n - xhat * sumX / n);
        }
      }
    }
    if (dx) accumulate(x, dx, true);
    if (dgamma) accumulate(gamma, dgamma, true);
    if (dbeta) accumulate(beta, dbeta, true);
  });
}

/**
 * Keras 3's ops.normalize(order 2): each row of x viewed as [rows, cols] times rsqrt(max(sum of squares,
 * epsilon^2)). A row whose squared norm is under epsilon^2 is scaled by the constant 1 / epsilon, so its gradient
 * is finite (Keras 3 clamps before the rsqrt for the same reason).
 */
export function unitNorm(x: Tensor, cols: number, epsilon: number): Tensor {
  const rows = cols === 0 ? 0 : x.size / cols;
  const xd = x.floatData();
  const floor = epsilon * epsilon;
  const inv = new Float64Array(rows), clamped = new Uint8Array(rows);
  const y = allocFloat(x.size, false);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = r * cols; j < (r + 1) * cols; j++) s += xd[j] * xd[j];
    clamped[r] = s < floor ? 1 : 0;
    inv[r] = 1 / Math.sqrt(Math.max(s, floor));
    for (let j = r * cols; j < (r + 1) * cols; j++) y[j] = xd[j] * inv[r];
  }
  const out = new Tensor(y, x.shape, 'float32');
  return record(out, [x], () => {
    const dy = out.grad!;
    const dx = allocFloat(x.size, false);
    for (let r = 0; r < rows; r++) {
      const k = inv[r];
      // y = x * k(x) with k = s^-1/2: dx = k dy - x k^3 (dy . x); a clamped row has a constant k.
      let dot = 0;
      if (!clamped[r]) for (let j = r * cols; j < (r + 1) * cols; j++) dot += dy[j] * xd[j];
      for (let j = r * cols; j < (r + 1) * cols; j++) dx[j] = k * dy[j] - xd[j] * k * k * k * dot;
    }
    accumulate(x, dx, true);
  });
}
