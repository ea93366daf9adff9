/**
 * tfjs's stridedSlice (TensorFlow's strided_slice): begin/end/strides per axis with the five bit masks. The
 * spec's entries map onto the input's axes once the ellipsis (explicit, or implied at the end) is expanded;
 * a new axis inserts a dimension of 1, a shrunk axis takes one element and drops its dimension.
 */
import { Tensor, sizeOf, type TensorLike } from '../tensor.js';
import { alloc, asTensor, result, shownArg, strides as stridesOf } from './convert.js';

interface AxisPlan { start: number; step: number; size: number }

/** Where each output element comes from: flat input offsets, plus the output shape. */
export interface StridedPlan { shape: number[]; from: Int32Array }

const bit = (mask: number, i: number): boolean => ((mask >> i) & 1) === 1;

function checkList(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || v.some((d) => !Number.isInteger(d))) throw new Error(`stridedSlice: ${what} must be an array of integers, got ${shownArg(v)}`);
  return v as number[];
}

export function stridedSlicePlan(shape: readonly number[], begin: number[], end: number[], strides: number[] | undefined,
  beginMask: number, endMask: number, ellipsisMask: number, newAxisMask: number, shrinkAxisMask: number): StridedPlan {
  checkList(begin, 'begin'); checkList(end, 'end');
  const st = strides === undefined ? begin.map(() => 1) : checkList(strides, 'strides');
  if (end.length !== begin.length || st.length !== begin.length) {
    throw new Error(`stridedSlice: begin, end and strides must have the same length, got ${begin.length}, ${end.length} and ${st.length}`);
  }
  for (const [name, m] of [['beginMask', beginMask], ['endMask', endMask], ['ellipsisMask', ellipsisMask], ['newAxisMask', newAxisMask], ['shrinkAxisMask', shrinkAxisMask]] as const) {
    if (!Number.isInteger(m) || m < 0) throw new Error(`stridedSlice: ${name} must be a non-negative integer bit mask, got ${shownArg(m)}`);
  }
  if ((ellipsisMask & (ellipsisMask - 1)) !== 0) throw new Error('Multiple ellipses in slice spec not allowed.');
  const n = begin.length;
  const ellipsisAt = ellipsisMask === 0 ? -1 : Math.log2(ellipsisMask & -ellipsisMask);
  // Spec entries that consume an input axis (everything but new axes and the ellipsis).
  let consuming = 0;
  for (let i = 0; i < n; i++) if (i !== ellipsisAt && !bit(newAxisMask, i)) consuming++;
  const rank = shape.length;
  if (consuming > rank) throw new Error(`stridedSlice: the spec indexes ${consuming} axes but the input has rank ${rank}`);

  const plans: AxisPlan[] = [];
  const outShape: number[] = [];
  let axis = 0;
  const full = (): void => { const d = shape[axis++]; plans.push({ start: 0, step: 1, size: d }); outShape.push(d); };
  for (let i = 0; i < n; i++) {
    if (i === ellipsisAt) { for (let k = 0; k < rank - consuming; k++) full(); continue; }
    if (bit(newAxisMask, i)) { outShape.push(1); continue; }
    const d = shape[axis], s = st[i];
    if (s === 0) throw new Error(`stridedSlice: strides[${i}] must be non-zero`);
    if (bit(shrinkAxisMask, i)) {
      const at = begin[i] < 0 ? begin[i] + d : begin[i];
      if (at < 0 || at >= d) throw new Error(`stridedSlice: index ${begin[i]} of axis ${axis} (shrinkAxisMask) is out of range for size ${d}`);
      plans.push({ start: at, step: 1, size: 1 });
      axis++;
      continue;
    }
    const [lo, hi] = s > 0 ? [0, d] : [-1, d - 1];
    const clamp = (v: number): number => Math.min(hi, Math.max(lo, v < 0 ? v + d : v));
    const b = bit(beginMask, i) ? (s > 0 ? 0 : d - 1) : clamp(begin[i]);
    const e = bit(endMask, i) ? (s > 0 ? d : -1) : clamp(end[i]);
    const size = Math.max(0, Math.ceil((e - b) / s));
    plans.push({ start: b, step: s, size });
    outShape.push(size);
    axis++;
  }
  while (axis < rank) full(); // the implied ellipsis at the end

  const src = stridesOf([...shape]);
  const sizes = plans.map((p) => p.size);
  const from = new Int32Array(sizeOf(sizes));
  const counter = new Array<number>(plans.length).fill(0);
  for (let i = 0; i < from.length; i++) {
    let pos = 0;
    for (let k = 0; k < plans.length; k++) pos += (plans[k].start + counter[k] * plans[k].step) * src[k];
    from[i] = pos;
    for (let k = plans.length - 1; k >= 0; k--) { if (++counter[k] < sizes[k]) break; counter[k] = 0; }
  }
  return { shape: outShape, from };
}

export function stridedSlice(x: TensorLike, begin: number[], end: number[], strides?: number[], beginMask = 0, endMask = 0,
  ellipsisMask = 0, newAxisMask = 0, shrinkAxisMask = 0): Tensor {
  const t = asTensor(x, 'x', 'stridedSlice');
  const plan = stridedSlicePlan(t.shape, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask);
  const out = alloc(plan.from.length, t.dtype);
  for (let i = 0; i < out.length; i++) out[i] = t.values[plan.from[i]];
  return result(out, plan.shape, t.dtype);
}
