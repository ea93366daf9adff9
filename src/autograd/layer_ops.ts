/**
 * Differentiable ops of the shape and noise layers (Permute, ZeroPadding1D, Cropping1D, SpatialDropout1D,
 * GaussianNoise, GaussianDropout, AlphaDropout): plain loops, forward and backward side by side.
 */
import { allocFloat, type FArray } from '../backend/index.js';
import { permute } from '../ops/transpose.js';
import { Tensor } from '../tensor.js';
import { accumulate, record } from './tape.js';

/** x with its axes reordered: out axis i is x's axis perm[i]; the gradient goes back through the inverse order. */
export function permuteAxes(x: Tensor, perm: number[]): Tensor {
  const y = permute(x.floatData(), x.shape, perm, allocFloat(x.size, false));
  const out = new Tensor(y, perm.map((p) => x.shape[p]), 'float32');
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return record(out, [x], () => accumulate(x, permute(out.grad!, out.shape, inverse, allocFloat(x.size, false)), true));
}

/**
 * x [B, T, C] -> [B, left + T + right, C]: zeros added before and after the steps; a negative amount removes
 * that many steps instead (Cropping1D). Backward reads the same window of the gradient.
 */
export function padTime(x: Tensor, left: number, right: number): Tensor {
  const [B, T, C] = x.shape;
  const To = T + left + right;
  // Steps kept: input steps [t0, t1) land at output steps [t0 + left, t1 + left).
  const t0 = Math.max(0, -left), t1 = Math.min(T, To - left);
  const xd = x.floatData();
  const y = allocFloat(B * To * C);
  const n = Math.max(0, t1 - t0) * C;
  for (let b = 0; b < B; b++) y.set(xd.subarray((b * T + t0) * C, (b * T + t0) * C + n), (b * To + t0 + left) * C);
  const out = new Tensor(y, [B, To, C], 'float32');
  return record(out, [x], () => {
    const g = out.grad!;
    const dx = allocFloat(x.size);
    for (let b = 0; b < B; b++) dx.set(g.subarray((b * To + t0 + left) * C, (b * To + t0 + left) * C + n), (b * T + t0) * C);
    accumulate(x, dx, true);
  });
}

/**
 * y = x * scale + shift elementwise, scale and shift (each null for 1 and 0) made by the caller: Masking's zeroed
 * steps, and every noise layer with its own draw. dx = dy * scale.
 */
export function scaleShift(x: Tensor, scale: FArray | null, shift: FArray | null): Tensor {
  const xd = x.floatData();
  const y = allocFloat(x.size, false);
  for (let i = 0; i < y.length; i++) y[i] = (scale ? xd[i] * scale[i] : xd[i]) + (shift ? shift[i] : 0);
  const out = new Tensor(y, x.shape, 'float32');
  return record(out, [x], () => {
    const g = out.grad!;
    const dx = allocFloat(x.size, false);
    for (let i = 0; i < dx.length; i++) dx[i] = scale ? g[i] * scale[i] : g[i];
    accumulate(x, dx, true);
  });
}
