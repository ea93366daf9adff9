/**
 * tfjs's convolutions on channels-last tensors: conv1d, conv2d, conv3d, depthwiseConv2d, separableConv2d,
 * conv2dTranspose, conv3dTranspose. Each gathers the input's windows (im2col) and multiplies by the filter, with
 * the recording ops, so x and the filters get gradients as tfjs's. channels-first formats are refused by name.
 */
import type { Tensor, TensorLike } from '../tensor.js';
import * as T from '../ops/index.js';
import { scoped } from './scoped.js';
import { asTensor, shownArg } from '../ops/convert.js';
import { perDim, windowIndices, windowPlan, type PadSpec, type RoundingMode, type WindowPlan } from '../ops/conv_geometry.js';
import { concat, matMul, mul, reshape, sum } from './public_ops.js';
import { gather, unsortedSegmentSum } from './differentiable_ops.js';

/** x as [batch, ...spatial, channels] (an unbatched input gains a batch of 1), with a function to undo that. */
export function batched(x: TensorLike, spatial: number, op: string): { t: Tensor; unbatch: (y: Tensor) => Tensor } {
  const t = asTensor(x, 'x', op, 'float32');
  if (t.rank === spatial + 1) return { t: reshape(t, [1, ...t.shape]), unbatch: (y) => reshape(y, y.shape.slice(1)) };
  if (t.rank !== spatial + 2) throw new Error(`Error in ${op}: input must be rank ${spatial + 2} (or ${spatial + 1} unbatched), but got rank ${t.rank}.`);
  return { t, unbatch: (y) => y };
}

export function channelsLast(dataFormat: string | undefined, expected: string, op: string): void {
  if (dataFormat !== undefined && dataFormat !== expected) {
    throw new Error(`${op}: dataFormat '${String(dataFormat)}' is not supported by rnnlab; only '${expected}' (channels last)`);
  }
}

/** The windows of x [B, ...S, C] as [B, outCount * windowCount, C]; padding reads a zero. */
export function patches(x: Tensor, plan: WindowPlan): Tensor {
  const [b, c] = [x.shape[0], x.shape[x.rank - 1]];
  const positions = plan.inSizes.reduce((p, s) => p * s, 1);
  const idx = windowIndices(plan).map((i) => (i < 0 ? positions : i));
  const flat = concat([reshape(x, [b, positions, c]), T.zeros([b, 1, c])], 1);
  return gather(flat, T.tensor(idx, [idx.length], 'int32'), 1);
}

function convNd(x: TensorLike, filter: TensorLike, n: number, strides: number | number[], pad: PadSpec, dilations: number | number[],
  op: string, dimRoundingMode?: RoundingMode): Tensor {
  const { t, unbatch } = batched(x, n, op);
  const f = asTensor(filter, 'filter', op, 'float32');
  if (f.rank !== n + 2) throw new Error(`Error in ${op}: filter must be rank ${n + 2}, but got rank ${f.rank}.`);
  const cin = t.shape[n + 1], cout = f.shape[n + 1];
  if (f.shape[n] !== cin) throw new Error(`Error in ${op}: depth of input (${cin}) must match input depth for filter ${f.shape[n]}.`);
  const window = f.shape.slice(0, n);
  const plan = windowPlan(t.shape.slice(1, n + 1), window, perDim(strides, n, 'strides', op), perDim(dilations, n, 'dilations', op), pad, op, dimRoundingMode);
  const outCount = plan.out.reduce((a, b) => a * b, 1), winCount = window.reduce((a, b) => a * b, 1);
  const cols = reshape(patches(t, plan), [t.shape[0] * outCount, winCount * cin]);
  const y = matMul(cols, reshape(f, [winCount * cin, cout]));
  return unbatch(reshape(y, [t.shape[0], ...plan.out, cout]));
}

function conv1dOp(x: TensorLike, filter: TensorLike, stride: number, pad: PadSpec, dataFormat: 'NWC' = 'NWC', dilation = 1, dimRoundingMode?: RoundingMode): Tensor {
  channelsLast(dataFormat, 'NWC', 'conv1d');
  return convNd(x, filter, 1, stride, pad, dilation, 'conv1d', dimRoundingMode);
}
function conv2dOp(x: TensorLike, filter: TensorLike, strides: number | [number, number], pad: PadSpec, dataFormat: 'NHWC' = 'NHWC',
  dilations: number | [number, number] = [1, 1], dimRoundingMode?: RoundingMode): Tensor {
  channelsLast(dataFormat, 'NHWC', 'conv2d');
  return convNd(x, filter, 2, strides, pad, dilations, 'conv2d', dimRoundingMode);
}
function conv3dOp(x: TensorLike, filter: TensorLike, strides: number | [number, number, number], pad: 'valid' | 'same', dataFormat: 'NDHWC' = 'NDHWC',
  dilations: number | [number, number, number] = [1, 1, 1]): Tensor {
  channelsLast(dataFormat, 'NDHWC', 'conv3d');
  if (pad !== 'valid' && pad !== 'same') throw new Error(`conv3d: pad must be 'valid' or 'same', got ${shownArg(pad)}`);
  return convNd(x, filter, 3, strides, pad, dilations, 'conv3d');
}

/** Each input channel convolved with its own channelMultiplier filters: filter [fh, fw, inChannels, multiplier]. */
function depthwiseConv2dOp(x: TensorLike, filter: TensorLike, strides: number | [number, number], pad: PadSpec, dataFormat: 'NHWC' = 'NHWC',
  dilations: number | [number, number] = [1, 1], dimRoundingMode?: RoundingMode): Tensor {
  const op = 'depthwiseConv2d';
  channelsLast(dataFormat, 'NHWC', op);
  const { t, unbatch } = batched(x, 2, op);
  const f = asTensor(filter, 'filter', op, 'float32');
  if (f.rank !== 4) throw new Error(`Error in ${op}: filter must be rank 4, but got rank ${f.rank}.`);
  const [fh, fw, fc, mult] = f.shape, cin = t.shape[3];
  if (fc !== cin) throw new Error(`Error in ${op}: number of input channels (${cin}) must match the inChannels dimension in filter ${fc}.`);
  const plan = windowPlan(t.shape.slice(1, 3), [fh, fw], perDim(strides, 2, 'strides', op), perDim(dilations, 2, 'dilations', op), pad, op, dimRoundingMode);
  const outCount = plan.out[0] * plan.out[1];
  const cols = reshape(patches(t, plan), [t.shape[0] * outCount, fh * fw, cin, 1]);
  const y = sum(mul(cols, reshape(f, [fh * fw, cin, mult])), 1);
  return unbatch(reshape(y, [t.shape[0], ...plan.out, cin * mult]));
}

/** depthwiseConv2d, then a 1x1 conv2d with pointwiseFilter [1, 1, inChannels * multiplier, outChannels]. */
function separableConv2dOp(x: TensorLike, depthwiseFilter: TensorLike, pointwiseFilter: TensorLike, strides: number | [number, number], pad: 'valid' | 'same',
  dilation: number | [number, number] = [1, 1], dataFormat: 'NHWC' = 'NHWC'): Tensor {
  const p = asTensor(pointwiseFilter, 'pointwiseFilter', 'separableConv2d', 'float32');
  if (p.rank !== 4 || p.shape[0] !== 1 || p.shape[1] !== 1) throw new Error(`Error in separableConv2d: the pointwise filter must be [1, 1, inChannels * channelMultiplier, outChannels], got [${p.shape.join(', ')}]`);
  const d = depthwiseConv2dOp(x, depthwiseFilter, strides, pad, dataFormat, dilation);
  if (d.shape[d.rank - 1] !== p.shape[2]) throw new Error(`Error in separableConv2d: the pointwise filter's inChannels (${p.shape[2]}) must be the depthwise output's channels (${d.shape[d.rank - 1]})`);
  return conv2dOp(d, p, 1, 'valid', 'NHWC');
}

/** The transpose (input gradient) of convNd: x [B, ...in, inDepth] spread over outputShape through filter [...k, outDepth, inDepth]. */
function convTransposeNd(x: TensorLike, filter: TensorLike, outputShape: number[], n: number, strides: number | number[], pad: PadSpec, op: string,
  dimRoundingMode?: RoundingMode): Tensor {
  const { t, unbatch } = batched(x, n, op);
  const f = asTensor(filter, 'filter', op, 'float32');
  if (f.rank !== n + 2) throw new Error(`Error in ${op}: filter must be rank ${n + 2}, but got rank ${f.rank}.`);
  const outFull = Array.isArray(outputShape) && outputShape.length === n + 1 ? [1, ...outputShape] : outputShape;
  if (!Array.isArray(outputShape) || outFull.length !== n + 2 || outFull.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${op}: outputShape must be [batch, ...${n} sizes, depth] (or without the batch), got ${shownArg(outputShape)}`);
  }
  const inDepth = t.shape[n + 1], outDepth = f.shape[n];
  if (f.shape[n + 1] !== inDepth) throw new Error(`Error in ${op}: depth of input (${inDepth}) must match input depth for filter ${f.shape[n + 1]}.`);
  if (outFull[n + 1] !== outDepth) throw new Error(`Error in ${op}: depth of output (${outFull[n + 1]}) must match output depth for filter ${outDepth}.`);
  if (outFull[0] !== t.shape[0]) throw new Error(`Error in ${op}: outputShape's batch (${outFull[0]}) must be the input's (${t.shape[0]})`);
  const window = f.shape.slice(0, n);
  const plan = windowPlan(outFull.slice(1, n + 1), window, perDim(strides, n, 'strides', op), new Array<number>(n).fill(1), pad, op, dimRoundingMode);
  if (plan.out.some((o, i) => o !== t.shape[i + 1])) {
    throw new Error(`${op}: outputShape ${JSON.stringify(outputShape)} with these strides and pad convolves to [${plan.out.join(', ')}], not the input's [${t.shape.slice(1, n + 1).join(', ')}]`);
  }
  const b = t.shape[0], outCount = plan.out.reduce((a, c) => a * c, 1), winCount = window.reduce((a, c) => a * c, 1);
  const positions = plan.inSizes.reduce((a, c) => a * c, 1);
  // cols[b, o, w, :] = x[b, o, :] @ filter[w]^T, added into output position idx[o, w] (padding positions dropped).
  const cols = matMul(reshape(t, [b * outCount, inDepth]), reshape(f, [winCount * outDepth, inDepth]), false, true);
  const idx = windowIndices(plan);
  const ids = new Int32Array(b * idx.length);
  for (let k = 0; k < b; k++) for (let j = 0; j < idx.length; j++) ids[k * idx.length + j] = idx[j] < 0 ? -1 : k * positions + idx[j];
  const y = unsortedSegmentSum(reshape(cols, [b * outCount * winCount, outDepth]), T.tensor(ids, [ids.length], 'int32'), b * positions);
  return unbatch(reshape(y, outFull));
}

function conv2dTransposeOp(x: TensorLike, filter: TensorLike, outputShape: number[], strides: number | [number, number], pad: PadSpec,
  dimRoundingMode?: RoundingMode): Tensor {
  return convTransposeNd(x, filter, outputShape, 2, strides, pad, 'conv2dTranspose', dimRoundingMode);
}
function conv3dTransposeOp(x: TensorLike, filter: TensorLike, outputShape: number[], strides: number | [number, number, number], pad: 'valid' | 'same'): Tensor {
  return convTransposeNd(x, filter, outputShape, 3, strides, pad, 'conv3dTranspose');
}

export const conv1d = scoped(conv1dOp);
export const conv2d = scoped(conv2dOp);
export const conv3d = scoped(conv3dOp);
export const depthwiseConv2d = scoped(depthwiseConv2dOp);
export const separableConv2d = scoped(separableConv2dOp);
export const conv2dTranspose = scoped(conv2dTransposeOp);
export const conv3dTranspose = scoped(conv3dTransposeOp);
