/**
 * The indexing ops a recurrence composed step by step needs, each linear in its input: one time step of a
 * [B, T, W] tensor, the steps stacked back, a column block, a flat segment (a row of GRU's [2, 3U] bias) and a
 * per-row choice between two tensors (masked steps). Their backwards add into the source's gradient in place, so a
 * T-step loop costs O(B T W) in gradients, not the O(B T^2 W) a generic slice-and-pad would.
 */
import { allocFloat, type FArray } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { accumulate, gradBuffer, record } from './tape.js';

/** x[:, t, :] of x [B, T, W], as [B, W], in x's dtype (int32 ids above 2^24 would not survive float32). */
export function timeStep(x: Tensor, t: number): Tensor {
  const [B, T, W] = x.shape;
  if (x.values instanceof Int32Array) {
    // Integer data (ids, bools) carries no gradient.
    const ids = new Int32Array(B * W);
    for (let b = 0; b < B; b++) ids.set(x.values.subarray((b * T + t) * W, (b * T + t + 1) * W), b * W);
    return new Tensor(ids, [B, W], x.dtype);
  }
  const xd = x.floatData();
  const y = allocFloat(B * W, false);
  for (let b = 0; b < B; b++) y.set(xd.subarray((b * T + t) * W, (b * T + t + 1) * W), b * W);
  const out = new Tensor(y, [B, W], 'float32');
  return record(out, [x], () => {
    const g = out.grad!, dx = gradBuffer(x);
    for (let b = 0; b < B; b++) for (let w = 0; w < W; w++) dx[(b * T + t) * W + w] += g[b * W + w];
  });
}

/** steps[s] [B, W] for s = 0..T-1, as [B, T, W]. */
export function stackSteps(steps: Tensor[]): Tensor {
  const T = steps.length;
  const [B, W] = steps[0].shape;
  const y = allocFloat(B * T * W, false);
  steps.forEach((st, s) => {
    const d = st.floatData();
    for (let b = 0; b < B; b++) y.set(d.subarray(b * W, (b + 1) * W), (b * T + s) * W);
  });
  const out = new Tensor(y, [B, T, W], 'float32');
  return record(out, steps, () => {
    const g = out.grad!;
    steps.forEach((st, s) => {
      if (!st.requiresGrad) return;
      const gs = allocFloat(B * W, false);
      for (let b = 0; b < B; b++) gs.set(g.subarray((b * T + s) * W, (b * T + s + 1) * W), b * W);
      accumulate(st, gs, true);
    });
  });
}

/** Columns [from, from + width) of the last axis of x [..., C], as [..., width]. */
export function columns(x: Tensor, from: number, width: number): Tensor {
  const C = x.shape[x.rank - 1];
  const rows = x.size / C;
  const xd = x.floatData();
  const y = allocFloat(rows * width, false);
  for (let r = 0; r < rows; r++) y.set(xd.subarray(r * C + from, r * C + from + width), r * width);
  const out = new Tensor(y, [...x.shape.slice(0, -1), width], 'float32');
  return record(out, [x], () => {
    const g = out.grad!, dx = gradBuffer(x);
    for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) dx[r * C + from + c] += g[r * width + c];
  });
}

/** The flat elements [offset, offset + n) of x, as [n]. */
export function segment(x: Tensor, offset: number, n: number): Tensor {
  const y = allocFloat(n, false);
  y.set(x.floatData().subarray(offset, offset + n));
  const out = new Tensor(y, [n], 'float32');
  return record(out, [x], () => {
    const g = out.grad!, dx = gradBuffer(x);
    for (let i = 0; i < n; i++) dx[offset + i] += g[i];
  });
}

/** Row b of a where keep[b], else row b of other; a and other [B, W]. */
export function selectRows(keep: ArrayLike<number>, a: Tensor, other: Tensor): Tensor {
  const [B, W] = a.shape;
  const ad = a.floatData(), od = other.floatData();
  const y = allocFloat(B * W, false);
  for (let b = 0; b < B; b++) y.set((keep[b] ? ad : od).subarray(b * W, (b + 1) * W), b * W);
  const out = new Tensor(y, [B, W], 'float32');
  return record(out, [a, other], () => {
    const g = out.grad!;
    const route = (t: Tensor, mine: boolean) => {
      if (!t.requiresGrad) return;
      const d: FArray = allocFloat(B * W);
      for (let b = 0; b < B; b++) if (!keep[b] === !mine) d.set(g.subarray(b * W, (b + 1) * W), b * W);
      accumulate(t, d, true);
    };
    route(a, true);
    route(other, false);
  });
}
