/**
 * The plain tensor ops: creation, ops, memory and util, as tfjs-core names them. They never record on the
 * autograd tape; src/autograd/tensor_api.ts exports the recording forms of the differentiable ones in their place.
 */
import './methods.js';

export { tensor, tensor1d, tensor2d, tensor3d, tensor4d, tensor5d, tensor6d, scalar, fill, zeros, ones, zerosLike, onesLike,
  oneHot, range, linspace, eye, buffer, TensorBuffer } from './creation.js';
export { randomNormal, randomUniform, randomUniformInt, randomStandardNormal, truncatedNormal, multinomial, dropout, rand, randomGamma } from './random.js';
export { add, sub, mul, div, floorDiv, pow, maximum, minimum, mod, squaredDifference, equal, notEqual, greater, greaterEqual,
  less, lessEqual, logicalAnd, logicalOr, logicalXor, logicalNot, neg, abs, square, exp, log, sqrt, sigmoid, tanh, relu, isNaN, isFinite, isInf, divNoNan,
  clipByValue, cast, clone, where, atan2 } from './elementwise.js';
export { sum, prod, max, min, mean, any, all, argMax, argMin, softmax, logSoftmax, logSumExp, topk, norm, euclideanNorm } from './reduction.js';
export type { NormOrd } from './reduction.js';
export { reshape, flatten, squeeze, expandDims } from './shape.js';
export { slice, gather, concat, stack, unstack, split, tile, reverse, pad } from './slicing.js';
export { stridedSlice } from './strided_slice.js';
export { einsum } from './einsum.js';
export { gatherND, scatterND, tensorScatterUpdate, unsortedSegmentSum, mirrorPad, diag, meshgrid, ensureShape, broadcastArgs } from './indexing.js';
export { whereAsync, booleanMaskAsync, setdiff1dAsync, unique, searchSorted, lowerBound, upperBound, bincount, denseBincount, inTopKAsync }
  from './selection.js';
export { upcastType, sumOutType } from './convert.js';
export { matMul, transpose } from './linalg.js';
export { floor, ceil, round, sign, reciprocal, rsqrt, sin, cos, expm1, log1p, softplus, logSigmoid, elu, selu, relu6, leakyRelu, step,
  addN, cumsum, cumprod, moments, broadcastTo, dot, outerProduct, prelu, batchNorm, batchNorm2d, batchNorm3d, batchNorm4d, tan, cosh, sinh, asin, acos, atan, asinh, acosh, atanh, erf } from './math.js';
export { tidy, dispose, keep, memory } from './memory.js';
export { print } from './format.js';
export { ready, nextFrame, browser } from './engine.js';
export type { MemoryInfo, TensorContainer } from './memory.js';
export { util } from './util.js';
export { test_util } from './test_util.js';
export { Reduction } from './losses.js';
export { cosineWindow, enclosingPowerOfTwo } from './signal.js';
export { sparseToDense, sparse } from './sparse.js';
export { bitwiseAnd, raggedRange } from './integer_ops.js';
export { math } from './confusion_matrix.js';
// tfjs ops rnnlab refuses by name (complex numbers, images, strings, ragged gathers).
export { complex, real, imag, fft, ifft, rfft, irfft, raggedGather, raggedTensorToTensor, spectral, image, string } from './unsupported.js';
// tfjs's engine, flags and registries: refused by name, saying what to use instead.
export { enableProdMode, enableDebugMode, disableDeprecationWarnings, env, engine, backend, time, profile, loadGraphModel, loadGraphModelSync,
  registerOp, op, registerKernel, registerGradient, registerBackend } from './engine_refused.js';
