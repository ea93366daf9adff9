/**
 * The public tensor API, as tfjs-core names it: the plain ops of src/ops, with the differentiable ones replaced by
 * their recording forms (outside a tape they are exactly the plain ops), so rl.abs, rl.gather, ... carry gradients
 * in custom layers, losses and rl.grad as tfjs's do. It lives here, above src/ops, so that ops never import autograd.
 */
export * from '../ops/index.js';
// tf.losses' ops become the recording ones (custom training loops take gradients through them).
import './recording_losses.js';
export { add, sub, mul, div, neg, square, matMul, sigmoid, tanh, relu, exp, log, sum, mean, reshape, transpose, softmax, concat, slice, mirrorPad,
  zerosLike, onesLike } from './public_ops.js';
export { abs, sqrt, rsqrt, reciprocal, log1p, expm1, sin, cos, softplus, logSigmoid, elu, selu, relu6, leakyRelu, floor, ceil, round, sign, step,
  clipByValue, pow, maximum, minimum, squaredDifference, where, cast, clone, broadcastTo, addN, expandDims, squeeze, flatten, logSoftmax,
  max, min, logSumExp, divNoNan, stack, unstack, split, gather, tile, pad, reverse, cumsum, dot, outerProduct, moments,
  tan, sinh, cosh, asin, acos, atan, asinh, acosh, atanh, erf, atan2, cumprod, stridedSlice, prod, mod, floorDiv, norm, euclideanNorm,
  gatherND, unsortedSegmentSum, prelu, batchNorm, batchNorm2d, batchNorm3d, batchNorm4d, dropout }
  from './differentiable_ops.js';
// The ops tfjs gives no gradient (a gradient reaching one throws, naming it) or a zero one, and meshgrid, recording.
export { topk, einsum, diag, scatterND, tensorScatterUpdate, sparseToDense, sparse, bincount, denseBincount, unique, searchSorted, lowerBound,
  upperBound, multinomial, greater, less, lessEqual, equal, notEqual, logicalAnd, logicalOr, logicalXor, logicalNot, any, all, bitwiseAnd,
  raggedRange, broadcastArgs, argMax, argMin, greaterEqual, isNaN, isFinite, isInf, oneHot, math, meshgrid } from './nondifferentiable_ops.js';
// tfjs-core's customGrad and disposeVariables (src/index.ts re-exports this module whole).
export { customGrad } from './gradients_api.js';
export { disposeVariables } from './variables.js';
export { slice1d, slice2d, slice3d, slice4d, concat1d, concat2d, concat3d, concat4d, reverse1d, reverse2d, reverse3d, reverse4d,
  pad1d, pad2d, pad3d, pad4d } from './ranked_ops.js';
// tfjs's composite ops, recording: tf.linalg, tf.signal, tf.fused, the op-level LSTM cells and movingAverage.
export { linalg } from './linalg_ops.js';
export { signal } from './signal_ops.js';
export { fused } from './fused_ops.js';
export { basicLSTMCell, multiRNNCell, movingAverage } from './cell_ops.js';
// Convolutions, pools and block rearrangements (channels last), recording.
export { conv1d, conv2d, conv3d, depthwiseConv2d, separableConv2d, conv2dTranspose, conv3dTranspose } from './conv_ops.js';
export { maxPool, avgPool, maxPool3d, avgPool3d, pool, maxPoolWithArgmax, dilation2d } from './pool_ops.js';
export { depthToSpace, spaceToBatchND, batchToSpaceND, localResponseNormalization } from './layout_ops.js';
import './conv_methods.js';

import { recordingMethod } from './public_ops.js';
import { cast as recordingCast } from './differentiable_ops.js';
// tfjs's deprecated x.toFloat() differentiates as cast(x, 'float32') does.
recordingMethod('toFloat', (x) => recordingCast(x, 'float32'));
