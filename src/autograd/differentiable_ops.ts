/**
 * The recording forms of the ops beyond src/autograd/public_ops.ts's core set, so that a custom layer, loss or
 * rl.grad function written with them gets tfjs's gradients instead of silently losing a term (a plain op's
 * output carries no gradient). Rules follow tfjs's gradient registry: maximum/minimum send ties to the first
 * input, max/min to every tied entry, abs's is -1 at 0, clipByValue passes the gradient on [min, max], pow's exponent gets
 * g * y * log(base) where base > 0. floor, ceil, round, sign and step record a zero gradient, as tfjs's.
 */
import { Tensor, sizeOf, type DType, type Shape, type TensorLike } from '../tensor.js';
import { add, grads, keptShape, mul, recordingMethod, reshape, matMul, mean, sub, sum, square as sq } from './public_ops.js';
import { asTensor, normAxis, resultFrom } from '../ops/convert.js';
import * as T from '../ops/index.js';
import { stridedSlicePlan } from '../ops/strided_slice.js';
import { gatherGradient } from '../ops/slicing.js';
import { parseAxes } from '../ops/reduction.js';
import { dropoutMask } from '../ops/random.js';
import { sigmoid as exactSigmoid } from './extra_activations.js';

type Axis = number | number[] | null;

/** A one-input op whose gradient is g * dydx(x, y). */
function unaryOp(plain: (x: TensorLike) => Tensor, dydx: (x: TensorLike, y: Tensor) => TensorLike) {
  return (x: TensorLike): Tensor => {
    const y = plain(x);
    return grads(y, [x], (g) => [T.mul(g, dydx(x, y))]);
  };
}
const float = (t: TensorLike): Tensor => T.cast(t, 'float32');
const zeroGrad = (plain: (x: TensorLike) => Tensor) => (x: TensorLike): Tensor => grads(plain(x), [x], (g) => [T.zerosLike(g)]);

// tfjs's Abs gradient is step(x, -1): -1 at 0, not sign's 0 (a custom loss on |x| moves off 0 as in tfjs).
export const abs = unaryOp(T.abs, (x) => T.step(float(x), -1));
export const sqrt = unaryOp(T.sqrt, (_x, y) => T.div(0.5, y));
export const rsqrt = unaryOp(T.rsqrt, (x, y) => T.div(T.mul(-0.5, y), x));
export const reciprocal = unaryOp(T.reciprocal, (x) => T.neg(T.reciprocal(T.square(x))));
export const log1p = unaryOp(T.log1p, (x) => T.reciprocal(T.add(x, 1)));
export const expm1 = unaryOp(T.expm1, (x) => T.exp(x));
export const sin = unaryOp(T.sin, (x) => T.cos(x));
export const cos = unaryOp(T.cos, (x) => T.neg(T.sin(x)));
/** The logistic of x (negated first if negate), as a float32 tensor without the sigmoid op's zero below -88.72. */
function logistic(x: TensorLike, negate: boolean): Tensor {
  const t = float(x), d = t.values;
  return resultFrom(t.shape, 'float32', (i) => exactSigmoid(negate ? -d[i] : d[i]));
}
// tfjs's gradients, sigmoid(x) and sigmoid(-x): the subnormal tfjs gives (softplus(-100) itself is 3.8e-44), not the
// sigmoid op's 0, which is a rule for the model's outputs.
export const softplus = unaryOp(T.softplus, (x) => logistic(x, false));
export const logSigmoid = unaryOp(T.logSigmoid, (x) => logistic(x, true));
export const elu = unaryOp(T.elu, (x, y) => T.where(T.greater(x, 0), T.onesLike(y), T.add(y, 1)));
export const selu = unaryOp(T.selu, (x) => T.where(T.greater(x, 0), T.fill(asTensor(x, 'x', 'selu').shape, 1.0507009873554805),
  T.mul(1.7580993408473766, T.exp(float(x)))));
// tfjs's Relu6 gradient, (x <= 6) * step(x): passes at 6, stops at 0, and NaN through step gives NaN.
export const relu6 = unaryOp(T.relu6, (x) => T.mul(float(T.lessEqual(x, 6)), T.step(float(x))));
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  return grads(T.leakyRelu(x, alpha), [x], (g) => [T.mul(g, T.where(T.greater(x, 0), T.onesLike(g), T.fill(g.shape, alpha)))]);
}
/**
 * prelu: tfjs's gradients, x's is g where x > 0 and g * alpha elsewhere; alpha's is 0 where x > 0 (even for an
 * infinite g) and g * x elsewhere (summed to alpha's shape).
 */
export function prelu(x: TensorLike, alpha: TensorLike): Tensor {
  return grads(T.prelu(x, alpha), [x, alpha], (g) => {
    const pos = T.greater(x, 0);
    return [T.where(pos, g, T.mul(g, float(alpha))), T.where(pos, T.zerosLike(g), T.mul(g, float(x)))];
  });
}
export const tan = unaryOp(T.tan, (x) => T.reciprocal(T.square(T.cos(float(x)))));
export const sinh = unaryOp(T.sinh, (x) => T.cosh(float(x)));
export const cosh = unaryOp(T.cosh, (x) => T.sinh(x));
export const asin = unaryOp(T.asin, (x) => T.rsqrt(T.sub(1, T.square(float(x)))));
export const acos = unaryOp(T.acos, (x) => T.neg(T.rsqrt(T.sub(1, T.square(float(x))))));
export const atan = unaryOp(T.atan, (x) => T.reciprocal(T.add(1, T.square(float(x)))));
export const asinh = unaryOp(T.asinh, (x) => T.rsqrt(T.add(1, T.square(float(x)))));
export const acosh = unaryOp(T.acosh, (x) => T.rsqrt(T.sub(T.square(float(x)), 1)));
export const atanh = unaryOp(T.atanh, (x) => T.reciprocal(T.sub(1, T.square(float(x)))));
export const erf = unaryOp(T.erf, (x) => T.mul(2 / Math.sqrt(Math.PI), T.exp(T.neg(T.square(float(x))))));
export function atan2(a: TensorLike, b: TensorLike): Tensor {
  return grads(T.atan2(a, b), [a, b], (g) => {
    const r2 = T.add(T.square(float(a)), T.square(float(b)));
    return [T.div(T.mul(g, b), r2), T.neg(T.div(T.mul(g, a), r2))];
  });
}
/** tfjs's gradients: mod passes g to a and -g * floor(a / b) to b; floorDiv takes div's (a smooth stand-in for a step). */
export function mod(a: TensorLike, b: TensorLike): Tensor {
  return grads(T.mod(a, b), [a, b], (g) => [g, T.mul(g, T.neg(T.floor(T.div(float(a), float(b)))))]);
}
export function floorDiv(a: TensorLike, b: TensorLike): Tensor {
  return grads(T.floorDiv(a, b), [a, b], (g) => [T.div(g, float(b)), T.neg(T.div(T.mul(g, a), T.square(float(b))))]);
}
export const floor = zeroGrad(T.floor);
export const ceil = zeroGrad(T.ceil);
export const round = zeroGrad(T.round);
export const sign = zeroGrad(T.sign);
export function step(x: TensorLike, alpha = 0): Tensor { return grads(T.step(x, alpha), [x], (g) => [T.zerosLike(g)]); }

export function clipByValue(x: TensorLike, clipValueMin: number, clipValueMax: number): Tensor {
  return grads(T.clipByValue(x, clipValueMin, clipValueMax), [x], (g) =>
    [T.mul(g, float(T.logicalAnd(T.greaterEqual(x, clipValueMin), T.lessEqual(x, clipValueMax))))]);
}

export function pow(base: TensorLike, exp: TensorLike): Tensor {
  const y = T.pow(base, exp);
  return grads(y, [base, exp], (g) => [
    T.mul(g, T.mul(exp, T.pow(base, T.sub(exp, 1)))),
    T.mul(g, T.mul(y, T.where(T.greater(base, 0), T.log(float(T.maximum(base, 1e-38))), T.zerosLike(y)))),
  ]);
}
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return grads(T.maximum(a, b), [a, b], (g) => [T.mul(g, float(T.greaterEqual(a, b))), T.mul(g, float(T.less(a, b)))]);
}
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return grads(T.minimum(a, b), [a, b], (g) => [T.mul(g, float(T.lessEqual(a, b))), T.mul(g, float(T.greater(a, b)))]);
}
export function squaredDifference(a: TensorLike, b: TensorLike): Tensor {
  return grads(T.squaredDifference(a, b), [a, b], (g) => {
    const d = T.mul(g, T.mul(T.sub(a, b), 2));
    return [d, T.neg(d)];
  });
}
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  return grads(T.where(condition, a, b), [a, b], (g) => {
    // The condition selects (any non-zero number is true, as in the forward pass); it does not scale the gradient.
    const c = float(T.broadcastTo(asTensor(condition, 'condition', 'where', 'bool'), g.shape));
    return [T.mul(g, c), T.mul(g, T.sub(1, c))];
  }, [condition]);
}
/**
 * tfjs's Cast gradient passes dy straight through whatever the dtype, so x * cast(cast(x, 'int32'), 'float32')
 * differentiates as if the rounding were the identity (a straight-through estimator) and grad(x => x.toInt().sum())
 * is ones, not an error.
 */
export function cast(x: TensorLike, dtype: DType): Tensor {
  return grads(T.cast(x, dtype), [x], (g) => [g]);
}
export function clone(x: TensorLike): Tensor { return grads(T.clone(x), [x], (g) => [g]); }
export function broadcastTo(x: TensorLike, shape: Shape): Tensor { return grads(T.broadcastTo(x, shape), [x], (g) => [g]); }
export function addN(tensors: TensorLike[]): Tensor { return grads(T.addN(tensors), tensors, (g) => tensors.map(() => g)); }

/** Ops that only change the shape: the gradient is g viewed as x's shape. */
function viewOp<A extends unknown[]>(plain: (x: TensorLike, ...rest: A) => Tensor) {
  return (x: TensorLike, ...rest: A): Tensor => {
    const shape = asTensor(x, 'x', plain.name).shape;
    return grads(plain(x, ...rest), [x], (g) => [T.reshape(g, shape)]);
  };
}
export const expandDims = viewOp(T.expandDims);
export const squeeze = viewOp(T.squeeze);
export const flatten = viewOp(T.flatten);

export function logSoftmax(logits: TensorLike, axis = -1): Tensor {
  const y = T.logSoftmax(logits, axis);
  return grads(y, [logits], (g) => [T.sub(g, T.mul(T.exp(y), T.sum(g, -1, true)))]);
}

/** max/min: the gradient goes to every entry equal to the extreme (tfjs's gradForMinAndMax). */
function extremeOp(plain: (x: TensorLike, axis?: Axis, keepDims?: boolean) => Tensor) {
  return (x: TensorLike, axis: Axis = null, keepDims = false): Tensor => {
    const t = asTensor(x, 'x', plain.name);
    const y = plain(t, axis, keepDims);
    return grads(y, [x], (g) => {
      const kept = keptShape(t, axis);
      return [T.mul(T.reshape(g, kept), float(T.equal(t, T.reshape(y, kept))))];
    });
  };
}
export const max = extremeOp(T.max);

/** prod: each entry gets g times the product of the other entries of its group (no division, so zeros are exact). */
export function prod(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  const t = asTensor(x, 'x', 'prod');
  const y = T.prod(t, axis, keepDims);
  return grads(y, [x], (g) => {
    const axes = parseAxes(axis, t.rank, 'prod');
    const reduced = t.shape.map((_, i) => axes.includes(i));
    const order = [...t.shape.keys()].sort((i, j) => Number(reduced[i]) - Number(reduced[j]) || i - j);
    const inv = order.map((_, i) => order.indexOf(i));
    const moved = T.transpose(t, order);
    const len = sizeOf(order.filter((i) => reduced[i]).map((i) => t.shape[i])), rows = len === 0 ? 0 : t.size / len;
    const gk = g.values, v = moved.values, out = new Float64Array(t.size);
    for (let r = 0; r < rows; r++) {
      let run = 1;
      for (let k = 0; k < len; k++) { out[r * len + k] = run; run *= v[r * len + k]; }
      run = 1;
      for (let k = len - 1; k >= 0; k--) { out[r * len + k] *= run * gk[r]; run *= v[r * len + k]; }
    }
    return [T.transpose(resultFrom([...moved.shape], 'float32', (k) => out[k]), inv)];
  });
}
export const min = extremeOp(T.min);

export function logSumExp(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  const t = asTensor(x, 'x', 'logSumExp');
  const y = T.logSumExp(t, axis, keepDims);
  return grads(y, [x], (g) => {
    const kept = keptShape(t, axis);
    return [T.mul(T.reshape(g, kept), T.exp(T.sub(t, T.reshape(y, kept))))];
  });
}
/** Where b is 0 the result is a constant 0, so neither input gets a gradient there. */
export function divNoNan(a: TensorLike, b: TensorLike): Tensor {
  return grads(T.divNoNan(a, b), [a, b], (g) => {
    const keep = float(T.notEqual(b, 0)), safe = T.where(T.equal(b, 0), T.onesLike(b), b);
    const ga = T.div(T.mul(g, keep), safe);
    return [ga, T.neg(T.div(T.mul(ga, a), safe))];
  });
}

export function stack(tensors: TensorLike[], axis = 0): Tensor {
  const out = T.stack(tensors, axis);
  return grads(out, tensors, (g) => T.unstack(g, axis));
}

/** One recorded output per piece: piece i's gradient lands in its slice of x. */
function pieces(x: TensorLike, parts: Tensor[], axis: number, squeezed: boolean): Tensor[] {
  const t = asTensor(x, 'x', squeezed ? 'unstack' : 'split');
  const ax = normAxis(axis, t.rank, squeezed ? 'unstack' : 'split');
  let at = 0;
  return parts.map((p) => {
    const before = at, width = squeezed ? 1 : p.shape[ax];
    at += width;
    return grads(p, [x], (g) => {
      const full = squeezed ? T.expandDims(g, ax) : g;
      return [T.pad(full, t.shape.map((d, i) => (i === ax ? [before, d - before - width] : [0, 0]) as [number, number]))];
    });
  });
}
export function unstack(x: TensorLike, axis = 0): Tensor[] { return pieces(x, T.unstack(x, axis), axis, true); }
export function split(x: TensorLike, numOrSizeSplits: number | number[], axis = 0): Tensor[] {
  return pieces(x, T.split(x, numOrSizeSplits, axis), axis, false);
}

/** The gradient of gather: g's rows added back at their indices (repeated indices accumulate), for any batchDims. */
export function gather(x: TensorLike, indices: TensorLike, axis = 0, batchDims = 0): Tensor {
  const t = asTensor(x, 'x', 'gather');
  return grads(T.gather(t, indices, axis, batchDims), [x], (g) => [gatherGradient(t.shape, indices, axis, batchDims, g)], [indices]);
}

/** gatherND's gradient scatters g back to the picked slices (repeats add up); unsortedSegmentSum's reads each row's segment. */
export function gatherND(x: TensorLike, indices: TensorLike): Tensor {
  const t = asTensor(x, 'x', 'gatherND');
  return grads(T.gatherND(t, indices), [x], (g) => [T.scatterND(indices, g, t.shape)], [indices]);
}
export function unsortedSegmentSum(x: TensorLike, segmentIds: TensorLike, numSegments: number): Tensor {
  const t = asTensor(x, 'x', 'unsortedSegmentSum');
  return grads(T.unsortedSegmentSum(t, segmentIds, numSegments), [x], (g) => {
    const ids = asTensor(segmentIds, 'segmentIds', 'unsortedSegmentSum', 'int32').values, row = sizeOf(t.shape.slice(1));
    return [resultFrom([...t.shape], 'float32', (k) => {
      const s = ids[Math.floor(k / row)];
      return s >= 0 && s < numSegments ? g.values[s * row + (k % row)] : 0;
    })];
  }, [segmentIds]);
}

/** tile: each input entry collects the gradient of all its copies. */
export function tile(x: TensorLike, reps: number[]): Tensor {
  const t = asTensor(x, 'x', 'tile');
  return grads(T.tile(t, reps), [x], (g) => {
    const split: number[] = [];
    t.shape.forEach((d, i) => split.push(reps[i], d));
    return [T.reshape(T.sum(T.reshape(g, split), t.shape.map((_, i) => 2 * i)), t.shape)];
  });
}
export function pad(x: TensorLike, paddings: Array<[number, number]>, constantValue = 0): Tensor {
  const t = asTensor(x, 'x', 'pad');
  return grads(T.pad(t, paddings, constantValue), [x], (g) => [T.slice(g, paddings.map((p) => p[0]), t.shape)]);
}
export function reverse(x: TensorLike, axis?: number | number[]): Tensor { return grads(T.reverse(x, axis), [x], (g) => [T.reverse(g, axis)]); }
export function cumsum(x: TensorLike, axis = 0, exclusive = false, reverse = false): Tensor {
  return grads(T.cumsum(x, axis, exclusive, reverse), [x], (g) => [T.cumsum(g, axis, exclusive, !reverse)]);
}

/**
 * d y_q / d x_p is the product of y_q's other factors, summed over the outputs that include x_p; computed per line
 * in O(n²) without dividing by x, so zeros in x get their exact gradient.
 */
export function cumprod(x: TensorLike, axis = 0, exclusive = false, reverse = false): Tensor {
  const t = asTensor(x, 'x', 'cumprod');
  return grads(T.cumprod(t, axis, exclusive, reverse), [x], (g) => {
    const ax = normAxis(axis, t.rank, 'cumprod');
    const dim = t.shape[ax], inner = sizeOf(t.shape.slice(ax + 1)), outer = sizeOf(t.shape.slice(0, ax));
    const out = new Float64Array(t.size);
    const at = (o: number, s: number, i: number): number => (o * dim + (reverse ? dim - 1 - s : s)) * inner + i;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
      let before = 1; // product of the factors ahead of p in running order
      for (let p = 0; p < dim; p++) {
        let acc = 0, run = before;
        for (let q = exclusive ? p + 1 : p; q < dim; q++) {
          if (q > (exclusive ? p + 1 : p)) run *= t.values[at(o, exclusive ? q - 1 : q, i)];
          acc += g.values[at(o, q, i)] * run;
        }
        out[at(o, p, i)] = acc;
        before *= t.values[at(o, p, i)];
      }
    }
    return [resultFrom([...t.shape], 'float32', (k) => out[k])];
  });
}

/** The gradient of stridedSlice: each output element's gradient lands back where it was read from. */
export function stridedSlice(x: TensorLike, begin: number[], end: number[], strides?: number[], beginMask = 0, endMask = 0,
  ellipsisMask = 0, newAxisMask = 0, shrinkAxisMask = 0): Tensor {
  const t = asTensor(x, 'x', 'stridedSlice');
  const out = T.stridedSlice(t, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask);
  return grads(out, [x], (g) => {
    const { from } = stridedSlicePlan(t.shape, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask);
    const acc = new Float64Array(t.size);
    for (let i = 0; i < from.length; i++) acc[from[i]] += g.values[i];
    return [resultFrom([...t.shape], 'float32', (k) => acc[k])];
  });
}

/** Whether a composite must go through recording parts (else the plain op, which tidies its intermediates). */
const needsGrad = (...xs: unknown[]): boolean => xs.some((x) => x instanceof Tensor && x.requiresGrad);

/** Composites of recording ops, so they differentiate through their parts. */
export function dot(t1: TensorLike, t2: TensorLike): Tensor {
  if (!needsGrad(t1, t2)) return T.dot(t1, t2);
  const a = asTensor(t1, 't1', 'dot'), b = asTensor(t2, 't2', 'dot');
  T.dispose(T.dot(a, b)); // its rank and size checks, with tfjs's messages
  const product = matMul(a.rank === 1 ? reshape(t1, [1, -1]) : t1, b.rank === 1 ? reshape(t2, [-1, 1]) : t2);
  return reshape(product, [...(a.rank === 2 ? [a.shape[0]] : []), ...(b.rank === 2 ? [b.shape[1]] : [])]);
}
export function outerProduct(v1: TensorLike, v2: TensorLike): Tensor {
  if (!needsGrad(v1, v2)) return T.outerProduct(v1, v2);
  T.dispose(T.outerProduct(v1, v2));
  return matMul(reshape(v1, [-1, 1]), reshape(v2, [1, -1]));
}
/** dropout: the gradient is g times the same mask (0 or 1 / (1 - rate)) the forward drew. */
export function dropout(x: TensorLike, rate: number, noiseShape?: Array<number | null>, seed?: number): Tensor {
  const t = asTensor(x, 'x', 'dropout');
  const mask = dropoutMask(t, rate, noiseShape, seed);
  if (!mask) return clone(x);
  return grads(T.mul(t, mask), [x], (g) => [T.mul(g, mask)]);
}

/** batchNorm through recording parts, so x, mean, variance, offset and scale all get tfjs's gradients. */
export function batchNorm(x: TensorLike, mean: TensorLike, variance: TensorLike, offset?: TensorLike, scale?: TensorLike, varianceEpsilon = 0.001): Tensor {
  if (!needsGrad(x, mean, variance, offset, scale)) return T.batchNorm(x, mean, variance, offset, scale, varianceEpsilon);
  T.dispose(T.batchNorm(x, mean, variance, offset, scale, varianceEpsilon)); // its checks, with tfjs's messages
  let y = mul(sub(x, mean), rsqrt(add(variance, varianceEpsilon)));
  if (scale !== undefined && scale !== null) y = mul(y, scale);
  return offset !== undefined && offset !== null ? add(y, offset) : y;
}
function rankedBatchNorm(rank: number) {
  return (x: TensorLike, mean: TensorLike, variance: TensorLike, offset?: TensorLike, scale?: TensorLike, varianceEpsilon?: number): Tensor => {
    const r = asTensor(x, 'x', 'batchNorm').rank;
    if (r !== rank) throw new Error(`batchNorm${rank}d: x must be rank ${rank}, got rank ${r}`);
    return batchNorm(x, mean, variance, offset, scale, varianceEpsilon);
  };
}
export const batchNorm2d = rankedBatchNorm(2);
export const batchNorm3d = rankedBatchNorm(3);
export const batchNorm4d = rankedBatchNorm(4);
export function moments(x: TensorLike, axis: Axis = null, keepDims = false): { mean: Tensor; variance: Tensor } {
  if (!needsGrad(x)) return T.moments(x, axis, keepDims);
  parseAxes(axis, (x as Tensor).rank, 'moments');
  const m = mean(x, axis, true);
  return { mean: keepDims ? m : mean(x, axis, false), variance: mean(sq(sub(x, m)), axis, keepDims) };
}

/** norm through recording parts (tfjs's gradients, NaN at a zero euclidean norm as tfjs); the plain op checks the arguments. */
export function norm(x: TensorLike, ord: T.NormOrd = 'euclidean', axis: number | number[] | null = null, keepDims = false): Tensor {
  if (!needsGrad(x)) return T.norm(x, ord, axis, keepDims);
  const shape = T.norm(x, ord, axis, keepDims).shape;
  const t = x as Tensor;
  if (t.rank === 0) return abs(t);
  const axes = axis === null ? [...t.shape.keys()] : parseAxes(axis, t.rank, 'norm');
  const a = abs(t);
  let out: Tensor;
  if (axis === null || axes.length === 1) {
    if (ord === 1) out = sum(a, axes, true);
    else if (ord === Infinity) out = max(a, axes, true);
    else if (ord === -Infinity) out = min(a, axes, true);
    else out = sqrt(sum(sq(t), axes, true));
  } else {
    const [r, c] = (axis as number[]).map((d) => (d < 0 ? d + t.rank : d));
    if (ord === 1) out = max(sum(a, r, true), c, true);
    else if (ord === Infinity) out = max(sum(a, c, true), r, true);
    else if (ord === -Infinity) out = min(sum(a, c, true), r, true);
    else out = sqrt(sum(sq(t), axes, true));
  }
  return reshape(out, shape);
}
export function euclideanNorm(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  return norm(x, 'euclidean', axis, keepDims);
}

// Chained forms. x.where(condition, b) is where(condition, x, b); stack's method takes the others.
const methods: Record<string, (x: Tensor, ...rest: never[]) => unknown> = {
  abs, sqrt, rsqrt, reciprocal, log1p, expm1, sin, cos, softplus, logSigmoid, elu, selu, relu6, leakyRelu, floor, ceil, round, sign, step,
  clipByValue, pow, maximum, minimum, squaredDifference, cast, clone, broadcastTo, expandDims, squeeze, flatten, logSoftmax, max, min,
  unstack, split, gather, tile, pad, reverse, cumsum, dot, logSumExp, divNoNan,
  tan, sinh, cosh, asin, acos, atan, asinh, acosh, atanh, erf, atan2, cumprod, stridedSlice, prod, mod, floorDiv, norm,
  euclideanNorm, prelu, unsortedSegmentSum, batchNorm,
};
for (const [name, fn] of Object.entries(methods)) recordingMethod(name, fn);
recordingMethod('asType', cast);
recordingMethod('toInt', (x: Tensor) => cast(x, 'int32'));
recordingMethod('toBool', (x: Tensor) => cast(x, 'bool'));
recordingMethod('where', (x: Tensor, condition: TensorLike, b: TensorLike) => where(condition, x, b));
recordingMethod('stack', (x: Tensor, more: TensorLike | TensorLike[], axis?: number) =>
  stack([x, ...(more instanceof Tensor || !Array.isArray(more) ? [more as TensorLike] : more as TensorLike[])], axis));
recordingMethod('reshapeAs', (x: Tensor, like: Tensor) => {
  if (!(like instanceof Tensor)) throw new Error(`reshapeAs: expected a Tensor whose shape to take, got ${like === null ? 'null' : typeof like}`);
  return reshape(x, like.shape);
});
/** x viewed as shape, recorded; a size mismatch is asND's own error. */
function viewAs(x: Tensor, shape: Shape, op: string): Tensor {
  if (sizeOf(shape) !== x.size) throw new Error(`${op}: cannot view a tensor of ${x.size} values as [${shape.join(', ')}]`);
  return reshape(x, shape);
}
recordingMethod('asScalar', (x: Tensor) => viewAs(x, [], 'asScalar'));
recordingMethod('as1D', (x: Tensor) => viewAs(x, [x.size], 'as1D'));
recordingMethod('as2D', (x: Tensor, r: number, c: number) => viewAs(x, [r, c], 'as2D'));
recordingMethod('as3D', (x: Tensor, r: number, c: number, d: number) => viewAs(x, [r, c, d], 'as3D'));
recordingMethod('as4D', (x: Tensor, r: number, c: number, d: number, d2: number) => viewAs(x, [r, c, d, d2], 'as4D'));
recordingMethod('as5D', (x: Tensor, r: number, c: number, d: number, d2: number, d3: number) => viewAs(x, [r, c, d, d2, d3], 'as5D'));
