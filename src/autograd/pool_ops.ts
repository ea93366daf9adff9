/**
 * tfjs's pools on channels-last tensors: maxPool, avgPool (2-D), maxPool3d, avgPool3d, pool (any window, dilated),
 * maxPoolWithArgmax and dilation2d. Max gradients go to the first maximum of each window (tfjs's argmax rule);
 * averages count only the window's positions inside the input, as tfjs's. The 2-D max ops and dilation2d keep x's
 * dtype (int32 or bool in, the same out), as tfjs 4.22's; maxPool3d answers in float32, and the averages take float32 only.
 */
import { sizeOf, type DType, type Tensor, type TensorLike } from '../tensor.js';
import { scoped } from './scoped.js';
import { asTensor, resultFrom, shownArg } from '../ops/convert.js';
import { perDim, windowIndices, windowPlan, type PadSpec, type RoundingMode, type WindowPlan } from '../ops/conv_geometry.js';
import { grads, reshape } from './public_ops.js';
import { batched, channelsLast } from './conv_ops.js';
import { batchToSpaceND, spaceToBatchND } from './layout_ops.js';
import { noGradient } from './nondifferentiable_ops.js';
import { cast } from './differentiable_ops.js';

interface Windows { plan: WindowPlan; idx: Int32Array; b: number; c: number; positions: number; outCount: number; winCount: number }

function windows(t: Tensor, n: number, size: number | number[], strides: number | number[], dilations: number | number[], pad: PadSpec, op: string,
  dimRoundingMode?: RoundingMode): Windows {
  const plan = windowPlan(t.shape.slice(1, n + 1), perDim(size, n, 'filterSize', op), perDim(strides, n, 'strides', op), perDim(dilations, n, 'dilations', op),
    pad, op, dimRoundingMode);
  return { plan, idx: windowIndices(plan), b: t.shape[0], c: t.shape[n + 1], positions: sizeOf(plan.inSizes), outCount: sizeOf(plan.out), winCount: sizeOf(plan.window) };
}

/**
 * For each output entry, the flat input entry holding its window's first maximum of x (+ bias(window offset,
 * channel)), -1 when the window is all padding; and that window offset. NaN wins, as in max.
 */
function argmaxOf(x: Tensor, w: Windows, bias?: (win: number, ch: number) => number): { arg: Int32Array; win: Int32Array } {
  const { idx, b, c, positions, outCount, winCount } = w;
  const arg = new Int32Array(b * outCount * c).fill(-1), win = new Int32Array(arg.length).fill(-1);
  for (let k = 0; k < b; k++) for (let o = 0; o < outCount; o++) for (let ch = 0; ch < c; ch++) {
    const out = (k * outCount + o) * c + ch;
    let best = -Infinity;
    for (let j = 0; j < winCount; j++) {
      const p = idx[o * winCount + j];
      if (p < 0) continue;
      const flat = (k * positions + p) * c + ch, v = x.values[flat] + (bias ? bias(j, ch) : 0);
      if (v > best || arg[out] < 0 || Number.isNaN(v)) { best = v; arg[out] = flat; win[out] = j; if (Number.isNaN(v)) break; }
    }
  }
  return { arg, win };
}

/** conv_ops' batched for the ops that keep x's dtype (conv_ops' asks for float32, as the convolutions and averages do). */
function batchedAnyDtype(x: TensorLike, n: number, op: string): { t: Tensor; unbatch: (y: Tensor) => Tensor } {
  const t = asTensor(x, 'x', op);
  if (t.dtype === 'float32') return batched(t, n, op);
  if (t.rank === n + 1) return { t: reshape(t, [1, ...t.shape]), unbatch: (y) => reshape(y, y.shape.slice(1)) };
  if (t.rank !== n + 2) throw new Error(`Error in ${op}: input must be rank ${n + 2} (or ${n + 1} unbatched), but got rank ${t.rank}.`);
  return { t, unbatch: (y) => y };
}

/** A window that is all padding: -Infinity in float32; 0 in int32 and bool, as tfjs's typed buffers store it. */
const emptyMax = (dtype: DType): number => (dtype === 'float32' ? -Infinity : 0);

function maxPoolNd(x: TensorLike, n: number, filterSize: number | number[], strides: number | number[], pad: PadSpec, op: string,
  dimRoundingMode?: RoundingMode, dilations: number | number[] = 1): Tensor {
  const { t, unbatch } = batchedAnyDtype(x, n, op);
  const w = windows(t, n, filterSize, strides, dilations, pad, op, dimRoundingMode);
  const { arg } = argmaxOf(t, w);
  const y = resultFrom([w.b, ...w.plan.out, w.c], t.dtype, (i) => (arg[i] < 0 ? emptyMax(t.dtype) : t.values[arg[i]]));
  return unbatch(grads(y, [t], (g) => {
    const dx = new Float64Array(t.size);
    arg.forEach((a, i) => { if (a >= 0) dx[a] += g.values[i]; });
    return [resultFrom([...t.shape], 'float32', (i) => dx[i])];
  }));
}

function avgPoolNd(x: TensorLike, n: number, filterSize: number | number[], strides: number | number[], pad: PadSpec, op: string,
  dimRoundingMode?: RoundingMode, dilations: number | number[] = 1): Tensor {
  const { t, unbatch } = batched(x, n, op);
  const w = windows(t, n, filterSize, strides, dilations, pad, op, dimRoundingMode);
  const { idx, b, c, positions, outCount, winCount } = w;
  const count = new Int32Array(outCount);
  for (let o = 0; o < outCount; o++) for (let j = 0; j < winCount; j++) if (idx[o * winCount + j] >= 0) count[o]++;
  const y = resultFrom([b, ...w.plan.out, c], 'float32', (i) => {
    const ch = i % c, o = Math.floor(i / c) % outCount, k = Math.floor(i / (c * outCount));
    let s = 0;
    for (let j = 0; j < winCount; j++) { const p = idx[o * winCount + j]; if (p >= 0) s += t.values[(k * positions + p) * c + ch]; }
    return s / count[o];
  });
  return unbatch(grads(y, [t], (g) => {
    const dx = new Float64Array(t.size);
    for (let i = 0; i < g.size; i++) {
      const ch = i % c, o = Math.floor(i / c) % outCount, k = Math.floor(i / (c * outCount));
      for (let j = 0; j < winCount; j++) { const p = idx[o * winCount + j]; if (p >= 0) dx[(k * positions + p) * c + ch] += g.values[i] / count[o]; }
    }
    return [resultFrom([...t.shape], 'float32', (i) => dx[i])];
  }));
}

function maxPoolOp(x: TensorLike, filterSize: number | [number, number], strides: number | [number, number], pad: PadSpec, dimRoundingMode?: RoundingMode): Tensor {
  return maxPoolNd(x, 2, filterSize, strides, pad, 'maxPool', dimRoundingMode);
}
function avgPoolOp(x: TensorLike, filterSize: number | [number, number], strides: number | [number, number], pad: PadSpec, dimRoundingMode?: RoundingMode): Tensor {
  return avgPoolNd(x, 2, filterSize, strides, pad, 'avgPool', dimRoundingMode);
}
function maxPool3dOp(x: TensorLike, filterSize: number | number[] = [1, 1, 1], strides: number | number[], pad: PadSpec, dimRoundingMode?: RoundingMode,
  dataFormat: 'NDHWC' = 'NDHWC'): Tensor {
  channelsLast(dataFormat, 'NDHWC', 'maxPool3d');
  // tfjs 4.22 computes it in float32 whatever x's dtype (its 2-D max pools keep the dtype).
  const t = asTensor(x, 'x', 'maxPool3d');
  return maxPoolNd(t.dtype === 'float32' ? t : cast(t, 'float32'), 3, filterSize, strides, pad, 'maxPool3d', dimRoundingMode);
}
function avgPool3dOp(x: TensorLike, filterSize: number | number[] = [1, 1, 1], strides: number | number[], pad: PadSpec, dimRoundingMode?: RoundingMode,
  dataFormat: 'NDHWC' = 'NDHWC'): Tensor {
  channelsLast(dataFormat, 'NDHWC', 'avgPool3d');
  return avgPoolNd(x, 3, filterSize, strides, pad, 'avgPool3d', dimRoundingMode);
}

/**
 * tfjs's pool: a 2-D max or avg pool with dilations (strides default to 1). A dilated pool runs as tfjs's does: the
 * input moved into the batch with spaceToBatchND (for 'same', zero-padded, so the zeros take part in the max or
 * average, as in tfjs and TensorFlow's tf.nn.pool), pooled 'valid', and moved back. tfjs ignores a numeric or
 * explicit pad when dilated; here that is an error.
 */
function poolOp(input: TensorLike, windowShape: number | [number, number], poolingType: 'avg' | 'max', pad: PadSpec,
  dilations: number | [number, number] = [1, 1], strides: number | [number, number] = [1, 1], dimRoundingMode?: RoundingMode): Tensor {
  if (poolingType !== 'avg' && poolingType !== 'max') throw new Error(`pool: poolingType must be 'avg' or 'max', got ${shownArg(poolingType)}`);
  const f = poolingType === 'max' ? maxPoolNd : avgPoolNd;
  const d = perDim(dilations, 2, 'dilations', 'pool');
  if (pad === 0) pad = 'valid'; // tfjs's reading of a 0 pad
  if (d[0] === 1 && d[1] === 1) return f(input, 2, windowShape, strides, pad, 'pool', dimRoundingMode);
  const { t, unbatch } = poolingType === 'max' ? batchedAnyDtype(input, 2, 'pool') : batched(input, 2, 'pool');
  const st = perDim(strides, 2, 'strides', 'pool'), k = perDim(windowShape, 2, 'windowShape', 'pool');
  if (st.some((v) => v !== 1)) throw new Error(`pool: either strides or dilations must be 1, got strides [${st.join(', ')}] and dilations [${d.join(', ')}]`);
  if (pad !== 'same' && pad !== 'valid') throw new Error(`pool: with dilations the pad must be 'same' or 'valid', got ${shownArg(pad)}`);
  if (dimRoundingMode !== undefined) throw new Error("pool: dimRoundingMode is only used with a numeric or explicit pad");
  const base = k.map((kk, i) => {
    const extra = (kk - 1) * d[i];
    return pad === 'same' ? [Math.floor(extra / 2), extra - Math.floor(extra / 2)] : [0, 0];
  });
  const endExtra = t.shape.slice(1, 3).map((s, i) => (d[i] - (s % d[i])) % d[i]);
  const paddings = base.map(([a, b], i) => [a, b + endExtra[i]]), crops = endExtra.map((e) => [0, e]);
  const y = f(spaceToBatchND(t, d, paddings), 2, k, 1, 'valid', 'pool');
  return unbatch(batchToSpaceND(y, d, crops));
}

/**
 * maxPool with the flat index of each maximum: (y * width + x) * channels + c, plus the batch's offset with
 * includeBatchInIndex. No gradient (tfjs registers none).
 */
function maxPoolWithArgmaxOp(x: TensorLike, filterSize: number | [number, number], strides: number | [number, number], pad: PadSpec,
  includeBatchInIndex = false): { result: Tensor; indexes: Tensor } {
  const t = asTensor(x, 'x', 'maxPoolWithArgmax');
  if (t.rank !== 4) throw new Error(`Error in maxPoolWithArgmax: input must be rank 4, but got rank ${t.rank}.`);
  const w = windows(t, 2, filterSize, strides, 1, pad, 'maxPoolWithArgmax');
  const { arg } = argmaxOf(t, w), perBatch = w.positions * w.c;
  return {
    result: resultFrom([w.b, ...w.plan.out, w.c], t.dtype, (i) => (arg[i] < 0 ? emptyMax(t.dtype) : t.values[arg[i]])),
    indexes: resultFrom([w.b, ...w.plan.out, w.c], 'int32', (i) => (includeBatchInIndex ? arg[i] : arg[i] % perBatch)),
  };
}

/**
 * Grayscale dilation: max over each window of x + filter ([fh, fw, channels]); gradients to the first maximum. The
 * result has x's dtype whatever the filter's, as tfjs's (an int32 x with a fractional filter truncates the sums).
 */
function dilation2dOp(x: TensorLike, filter: TensorLike, strides: number | [number, number], pad: 'valid' | 'same',
  dilations: number | [number, number] = [1, 1], dataFormat: 'NHWC' = 'NHWC'): Tensor {
  const op = 'dilation2d';
  channelsLast(dataFormat, 'NHWC', op);
  const { t, unbatch } = batchedAnyDtype(x, 2, op);
  const f = asTensor(filter, 'filter', op);
  if (f.rank !== 3 || f.shape[2] !== t.shape[3]) throw new Error(`Error in ${op}: filter must be [height, width, ${t.shape[3]}], got [${f.shape.join(', ')}]`);
  if (pad !== 'valid' && pad !== 'same') throw new Error(`${op}: pad must be 'valid' or 'same', got ${shownArg(pad)}`);
  const w = windows(t, 2, [f.shape[0], f.shape[1]], strides, dilations, pad, op);
  const c = w.c, fv = f.values;
  const { arg, win } = argmaxOf(t, w, (j, ch) => fv[j * c + ch]);
  const y = resultFrom([w.b, ...w.plan.out, c], t.dtype, (i) => (arg[i] < 0 ? emptyMax(t.dtype) : t.values[arg[i]] + fv[win[i] * c + (i % c)]));
  return unbatch(grads(y, [t, f], (g) => {
    const dx = new Float64Array(t.size), df = new Float64Array(f.size);
    arg.forEach((a, i) => { if (a >= 0) { dx[a] += g.values[i]; df[win[i] * c + (i % c)] += g.values[i]; } });
    return [resultFrom([...t.shape], 'float32', (i) => dx[i]), resultFrom([...f.shape], 'float32', (i) => df[i])];
  }));
}

export const maxPool = scoped(maxPoolOp);
export const avgPool = scoped(avgPoolOp);
export const maxPool3d = scoped(maxPool3dOp);
export const avgPool3d = scoped(avgPool3dOp);
export const pool = scoped(poolOp);
// tfjs registers no gradient for MaxPoolWithArgmax: one reaching it throws, naming it (maxPool differentiates).
export const maxPoolWithArgmax = noGradient('MaxPoolWithArgmax', 'maxPoolWithArgmax', scoped(maxPoolWithArgmaxOp));
export const dilation2d = scoped(dilation2dOp);
