/**
 * tfjs's tf.fused namespace: matMul, conv2d and depthwiseConv2d followed by + bias and an activation, recorded op by
 * op (tfjs also falls back to the unfused ops under a gradient).
 */
import { scoped } from './scoped.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { add, matMul as plainMatMul, relu, sigmoid } from './public_ops.js';
import { elu, leakyRelu, prelu, relu6 } from './differentiable_ops.js';
import { conv2d as plainConv2d, depthwiseConv2d as plainDepthwise } from './conv_ops.js';
import type { PadSpec, RoundingMode } from '../ops/conv_geometry.js';

export type FusedActivation = 'linear' | 'relu' | 'elu' | 'relu6' | 'prelu' | 'leakyrelu' | 'sigmoid';
export interface FusedMatMulArgs {
  a: TensorLike; b: TensorLike; transposeA?: boolean; transposeB?: boolean; bias?: TensorLike;
  activation?: FusedActivation; preluActivationWeights?: TensorLike; leakyreluAlpha?: number;
}
const KEYS = new Set(['a', 'b', 'transposeA', 'transposeB', 'bias', 'activation', 'preluActivationWeights', 'leakyreluAlpha']);

function activate(x: Tensor, activation: string, weights: TensorLike | undefined, alpha: number): Tensor {
  switch (activation) {
    case 'linear': return x;
    case 'relu': return relu(x);
    case 'elu': return elu(x);
    case 'relu6': return relu6(x);
    case 'sigmoid': return sigmoid(x);
    case 'leakyrelu': return leakyRelu(x, alpha);
    case 'prelu':
      if (weights === undefined) throw new Error("fused.matMul: activation 'prelu' needs preluActivationWeights");
      return prelu(x, weights);
    default: throw new Error(`Unknown fused activation ${String(activation)}.`);
  }
}

/** activation(a @ b + bias), every option checked (an unknown key is an error naming it). */
function matMulOp(args: FusedMatMulArgs): Tensor {
  if (args === null || typeof args !== 'object') throw new Error('fused.matMul: takes one object {a, b, transposeA, transposeB, bias, activation, preluActivationWeights, leakyreluAlpha}');
  for (const k of Object.keys(args)) if (!KEYS.has(k)) throw new Error(`fused.matMul: unknown option '${k}'`);
  const { a, b, transposeA = false, transposeB = false, bias, activation = 'linear', preluActivationWeights, leakyreluAlpha = 0.2 } = args;
  if (args.leakyreluAlpha !== undefined && activation !== 'leakyrelu') throw new Error(`fused.matMul: leakyreluAlpha is only used with activation 'leakyrelu', not '${activation}'`);
  if (preluActivationWeights !== undefined && activation !== 'prelu') throw new Error(`fused.matMul: preluActivationWeights is only used with activation 'prelu', not '${activation}'`);
  const y = plainMatMul(a, b, transposeA, transposeB);
  return activate(bias === undefined || bias === null ? y : add(y, bias), activation, preluActivationWeights, leakyreluAlpha);
}

export interface FusedConv2dArgs {
  x: TensorLike; filter: TensorLike; strides: number | [number, number]; pad: PadSpec; dataFormat?: 'NHWC'; dilations?: number | [number, number];
  dimRoundingMode?: RoundingMode; bias?: TensorLike; activation?: FusedActivation; preluActivationWeights?: TensorLike; leakyreluAlpha?: number;
}
const CONV_KEYS = new Set(['x', 'filter', 'strides', 'pad', 'dataFormat', 'dilations', 'dimRoundingMode', 'bias', 'activation', 'preluActivationWeights', 'leakyreluAlpha']);

function fusedConv(op: string, args: FusedConv2dArgs, conv: typeof plainConv2d): Tensor {
  if (args === null || typeof args !== 'object') throw new Error(`${op}: takes one object {x, filter, strides, pad, dataFormat, dilations, dimRoundingMode, bias, activation, preluActivationWeights, leakyreluAlpha}`);
  for (const k of Object.keys(args)) if (!CONV_KEYS.has(k)) throw new Error(`${op}: unknown option '${k}'`);
  const { x, filter, strides, pad, dataFormat = 'NHWC', dilations = [1, 1], dimRoundingMode, bias, activation = 'linear', preluActivationWeights, leakyreluAlpha = 0.2 } = args;
  if (args.leakyreluAlpha !== undefined && activation !== 'leakyrelu') throw new Error(`${op}: leakyreluAlpha is only used with activation 'leakyrelu', not '${activation}'`);
  if (preluActivationWeights !== undefined && activation !== 'prelu') throw new Error(`${op}: preluActivationWeights is only used with activation 'prelu', not '${activation}'`);
  const y = conv(x, filter, strides, pad, dataFormat, dilations, dimRoundingMode);
  return activate(bias === undefined || bias === null ? y : add(y, bias), activation, preluActivationWeights, leakyreluAlpha);
}
function conv2dOp(args: FusedConv2dArgs): Tensor { return fusedConv('fused.conv2d', args, plainConv2d); }
function depthwiseConv2dOp(args: FusedConv2dArgs): Tensor { return fusedConv('fused.depthwiseConv2d', args, plainDepthwise); }

export const matMul = scoped(matMulOp);
export const conv2d = scoped(conv2dOp);
export const depthwiseConv2d = scoped(depthwiseConv2dOp);

/** tf.fused. */
export const fused = { matMul, conv2d, depthwiseConv2d };
