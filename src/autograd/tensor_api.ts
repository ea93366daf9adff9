/**
 * The public tensor API, as tfjs-core names it: the plain ops of src/ops, with the differentiable ones replaced by
 * their recording forms (outside a tape they are exactly the plain ops), so rl.abs, rl.gather, ... carry gradients
 * in custom layers, losses and rl.grad as tfjs's do. It lives here, above src/ops, so that ops never import autograd.
 */
export * from '../ops/index.js';
export { add, sub, mul, div, neg, square, matMul, sigmoid, tanh, relu, exp, log, sum, mean, reshape, transpose, softmax, concat, slice }
  from './public_ops.js';
export { abs, sqrt, rsqrt, reciprocal, log1p, expm1, sin, cos, softplus, logSigmoid, elu, selu, relu6, leakyRelu, floor, ceil, round, sign, step,
  clipByValue, pow, maximum, minimum, squaredDifference, where, cast, clone, broadcastTo, addN, expandDims, squeeze, flatten, logSoftmax,
  max, min, logSumExp, divNoNan, stack, unstack, split, gather, tile, pad, reverse, cumsum, dot, outerProduct, moments } from './differentiable_ops.js';
