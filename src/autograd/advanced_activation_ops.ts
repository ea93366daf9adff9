/**
 * Differentiable ops of the advanced-activation layers (ReLU, LeakyReLU, ELU, ThresholdedReLU, Rescaling: one
 * elementwise f with its derivative; PReLU: a learned slope broadcast over the input; Softmax: over any axes) and
 * the log_softmax activation (over the last axis).
 * Plain loops in the precision in force, forward and backward side by side.
 */
import { allocFloat } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { accumulate, record } from './tape.js';

/** y = f(x) elementwise; dx = dy * df(x). */
export function pointwise(x: Tensor, f: (v: number) => number, df: (v: number) => number): Tensor {
  const xd = x.floatData();
  const y = allocFloat(x.size, false);
  for (let i = 0; i < y.length; i++) y[i] = f(xd[i]);
  const out = new Tensor(y, x.shape, 'float32');
  return record(out, [x], () => {
    const g = out.grad!;
    const dx = allocFloat(x.size, false);
    for (let i = 0; i < dx.length; i++) dx[i] = g[i] * df(xd[i]);
    accumulate(x, dx, true);
  });
}

/**
 * For each element of shape, the index of its slot in a tensor of reduced shape (1 on every axis in axes, the
 * same size elsewhere): PReLU's alpha broadcast, and the softmax group an element belongs to.
 */
function slotOf(shape: readonly number[], axes: ReadonlySet<number>): { slot: Int32Array; slots: number } {
  const size = shape.reduce((a, b) => a * b, 1);
  const slot = new Int32Array(size);
  let slots = 1;
  // stride of each axis in the reduced layout (0 on a reduced axis)
  const strides = new Array<number>(shape.length).fill(0);
  for (let a = shape.length - 1; a >= 0; a--) {
    if (axes.has(a)) continue;
    strides[a] = slots;
    slots *= shape[a];
  }
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let s = 0;
    for (let a = 0; a < shape.length; a++) s += idx[a] * strides[a];
    slot[i] = s;
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
  return { slot, slots };
}

/**
 * PReLU: y = alpha * x for x < 0, x otherwise, alpha of shape x.shape[1:] with 1 on the shared axes (broadcast over
 * the batch and those axes). d alpha sums dy * x over the broadcast positions where x <= 0.
 */
export function prelu(x: Tensor, alpha: Tensor): Tensor {
  const xd = x.floatData(), ad = alpha.floatData();
  // Axes of x where alpha has size 1 (the batch axis included) are the ones alpha is shared along.
  const shared = new Set<number>([0]);
  alpha.shape.forEach((d, i) => { if (d === 1 && x.shape[i + 1] !== 1) shared.add(i + 1); });
  const { slot } = slotOf(x.shape, shared);
  const y = allocFloat(x.size, false);
  // x < 0, not x <= 0: ±0 stay as they are whatever alpha is, as tfjs's prelu (the gradient's mask is x > 0, as tfjs's).
  for (let i = 0; i < y.length; i++) y[i] = xd[i] < 0 ? ad[slot[i]] * xd[i] : xd[i];
  const out = new Tensor(y, x.shape, 'float32');
  return record(out, [x, alpha], () => {
    const g = out.grad!;
    const dx = allocFloat(x.size, false);
    const da = allocFloat(alpha.size);
    for (let i = 0; i < dx.length; i++) {
      if (xd[i] > 0) dx[i] = g[i];
      else { dx[i] = g[i] * ad[slot[i]]; da[slot[i]] += g[i] * xd[i]; }
    }
    accumulate(x, dx, true);
    accumulate(alpha, da, true);
  });
}

/** Softmax normalized jointly over axes (non-negative axis numbers): dx = y * (dy - sum over the group of dy * y). */
export function softmaxOver(x: Tensor, axes: readonly number[]): Tensor {
  const xd = x.floatData();
  const { slot, slots } = slotOf(x.shape, new Set(axes));
  const max = new Float64Array(slots).fill(-Infinity);
  for (let i = 0; i < xd.length; i++) if (xd[i] > max[slot[i]]) max[slot[i]] = xd[i];
  const sum = new Float64Array(slots);
  const e = new Float64Array(x.size);
  for (let i = 0; i < xd.length; i++) { e[i] = Math.exp(xd[i] - max[slot[i]]); sum[slot[i]] += e[i]; }
  const y = allocFloat(x.size, false);
  for (let i = 0; i < y.length; i++) y[i] = e[i] / sum[slot[i]];
  const out = new Tensor(y, x.shape, 'float32');
  return record(out, [x], () => {
    const g = out.grad!;
    const dot = new Float64Array(slots);
    for (let i = 0; i < y.length; i++) dot[slot[i]] += g[i] * y[i];
    const dx = allocFloat(x.size, false);
    for (let i = 0; i < dx.length; i++) dx[i] = y[i] * (g[i] - dot[slot[i]]);
    accumulate(x, dx, true);
  });
}

/**
 * log(softmax(x)) over the last axis, as x - max - log(sum(exp(x - max))) so neither overflows nor loses the tail;
 * dx = dy - softmax(x) * (sum of dy over the row).
 */
export function logSoftmaxLastAxis(x: Tensor): Tensor {
  const xd = x.floatData();
  const cols = x.shape[x.rank - 1];
  const y = allocFloat(x.size, false);
  for (let s = 0; s < x.size; s += cols) {
    let max = -Infinity;
    for (let i = s; i < s + cols; i++) if (xd[i] > max) max = xd[i];
    let sum = 0;
    for (let i = s; i < s + cols; i++) sum += Math.exp(xd[i] - max);
    const lse = max + Math.log(sum);
    for (let i = s; i < s + cols; i++) y[i] = xd[i] - lse;
  }
  const out = new Tensor(y, x.shape, 'float32');
  return record(out, [x], () => {
    const g = out.grad!;
    const dx = allocFloat(x.size, false);
    for (let s = 0; s < x.size; s += cols) {
      let total = 0;
      for (let i = s; i < s + cols; i++) total += g[i];
      for (let i = s; i < s + cols; i++) dx[i] = g[i] - Math.exp(y[i]) * total;
    }
    accumulate(x, dx, true);
  });
}
