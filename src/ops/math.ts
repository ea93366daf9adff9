/**
 * More elementwise math and the small composite ops (addN, cumsum, moments, broadcastTo, dot, outerProduct).
 * As in tfjs, most unary ops keep an int32 input's dtype (computing in float, then truncating); floor, ceil,
 * rsqrt, sin, cos and elu require float32.
 */
import { Tensor, sizeOf, type Shape, type TensorLike } from '../tensor.js';
import { alloc, assertShape, asTensor, normAxis, result, resultFrom, shownArg } from './convert.js';
import { broadcastIndex, broadcastShape } from './broadcast.js';
import { add, cast, mul, same, sub, square, unary } from './elementwise.js';
import { mean, parseAxes } from './reduction.js';
import { reshape } from './shape.js';
import { matMul } from './linalg.js';
import { tidy } from './memory.js';

const float = (): 'float32' => 'float32';
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;

/** log(1 + e^x) without overflow. */
function softplusOf(v: number): number { return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))); }

/** Half-way cases go to the even neighbour (banker's rounding), as tfjs's round. */
function roundHalfEven(v: number): number {
  const r = Math.floor(v), d = v - r;
  if (d < 0.5) return r;
  if (d > 0.5) return r + 1;
  return r % 2 === 0 ? r : r + 1;
}

/**
 * Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32's resolution near 1), the formula tfjs uses. The
 * formula is 1e-9 at 0, so the sign factor is Math.sign's (0 at ±0, keeping its sign) to give erf(0) = 0 and
 * erf(-0) = -0 exactly, as tfjs.
 */
function erfOf(v: number): number {
  const sgn = Math.sign(v), a = Math.abs(v);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sgn * (1 - poly * Math.exp(-a * a));
}

export const floor = (x: TensorLike): Tensor => unary(x, 'floor', Math.floor, float, 'float32');
export const ceil = (x: TensorLike): Tensor => unary(x, 'ceil', Math.ceil, float, 'float32');
export const rsqrt = (x: TensorLike): Tensor => unary(x, 'rsqrt', (v) => 1 / Math.sqrt(v), float, 'float32');
export const sin = (x: TensorLike): Tensor => unary(x, 'sin', Math.sin, float, 'float32');
export const cos = (x: TensorLike): Tensor => unary(x, 'cos', Math.cos, float, 'float32');
export const elu = (x: TensorLike): Tensor => unary(x, 'elu', (v) => (v > 0 ? v : Math.expm1(v)), float, 'float32');
export const round = (x: TensorLike): Tensor => unary(x, 'round', roundHalfEven, same);
// The trigonometric family with tfjs's dtype rules: tan and cosh require float32, erf gives float32, the others
// keep an int32 input's dtype (computed in float, then truncated).
export const tan = (x: TensorLike): Tensor => unary(x, 'tan', Math.tan, float, 'float32');
export const cosh = (x: TensorLike): Tensor => unary(x, 'cosh', Math.cosh, float, 'float32');
export const sinh = (x: TensorLike): Tensor => unary(x, 'sinh', Math.sinh, same);
export const asin = (x: TensorLike): Tensor => unary(x, 'asin', Math.asin, same);
export const acos = (x: TensorLike): Tensor => unary(x, 'acos', Math.acos, same);
export const atan = (x: TensorLike): Tensor => unary(x, 'atan', Math.atan, same);
export const asinh = (x: TensorLike): Tensor => unary(x, 'asinh', Math.asinh, same);
export const acosh = (x: TensorLike): Tensor => unary(x, 'acosh', Math.acosh, same);
export const atanh = (x: TensorLike): Tensor => unary(x, 'atanh', Math.atanh, same);
// tfjs's erf alone of the unary ops refuses bool (the others read it as 0/1).
export const erf = (x: TensorLike): Tensor => {
  const t = asTensor(x, 'x', 'erf');
  if (t.dtype !== 'int32' && t.dtype !== 'float32') throw new Error(`erf: Input dtype must be \`int32\` or \`float32\`, got ${t.dtype}`);
  return unary(t, 'erf', erfOf, float);
};
export const sign = (x: TensorLike): Tensor => unary(x, 'sign', (v) => (v > 0 ? 1 : v < 0 ? -1 : 0), same);
export const reciprocal = (x: TensorLike): Tensor => unary(x, 'reciprocal', (v) => 1 / v, same);
export const expm1 = (x: TensorLike): Tensor => unary(x, 'expm1', Math.expm1, same);
export const log1p = (x: TensorLike): Tensor => unary(x, 'log1p', Math.log1p, same);
export const softplus = (x: TensorLike): Tensor => unary(x, 'softplus', softplusOf, same);
export const logSigmoid = (x: TensorLike): Tensor => unary(x, 'logSigmoid', (v) => -softplusOf(-v), same);
export const relu6 = (x: TensorLike): Tensor => unary(x, 'relu6', (v) => (v < 0 ? 0 : v > 6 ? 6 : v), same);
export const selu = (x: TensorLike): Tensor => unary(x, 'selu', (v) => (v > 0 ? SELU_SCALE * v : SELU_SCALE * SELU_ALPHA * Math.expm1(v)), same);
export const leakyRelu = (x: TensorLike, alpha = 0.2): Tensor => { numeric(alpha, 'leakyRelu', 'alpha'); return unary(x, 'leakyRelu', (v) => (v < 0 ? alpha * v : v), float); };
/** 1 where x > 0, alpha elsewhere (NaN stays NaN). */
export const step = (x: TensorLike, alpha = 0): Tensor => { numeric(alpha, 'step', 'alpha'); return unary(x, 'step', (v) => (Number.isNaN(v) ? NaN : v > 0 ? 1 : alpha), same); };

/** A scalar option given as a number; anything else (an array, a tensor) is an error naming it, not NaN values. */
function numeric(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number') throw new Error(`${op}: ${what} must be a number, got ${shownArg(v)}`);
  return v;
}

/** Elementwise sum of tensors of one shape and dtype. */
export function addN(tensors: TensorLike[]): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error('Must pass at least one tensor to tf.addN()');
  const ts = tensors.map((t, i) => asTensor(t, `tensors${i}`, 'addN'));
  for (const t of ts) {
    if (t.dtype !== ts[0].dtype) throw new Error('All tensors passed to tf.addN() must have the same dtype');
    if (t.shape.length !== ts[0].shape.length || t.shape.some((d, k) => d !== ts[0].shape[k])) {
      throw new Error(`All tensors passed to tf.addN() must have the same shape (got [${ts.map((u) => u.shape.join(',')).join('] and [')}])`);
    }
  }
  return resultFrom(ts[0].shape, ts[0].dtype, (i) => ts.reduce((acc, t) => acc + t.values[i], 0));
}

/** Running sum along axis; exclusive leaves out the current element, reverse runs from the end. */
export function cumsum(x: TensorLike, axis = 0, exclusive = false, reverse = false): Tensor {
  return running(x, axis, exclusive, reverse, 'cumsum', 0, (acc, v) => acc + v);
}

function running(x: TensorLike, axis: number, exclusive: boolean, reverse: boolean, op: string, start: number, fold: (acc: number, v: number) => number): Tensor {
  const t = asTensor(x, 'x', op);
  const ax = normAxis(axis, t.rank, op);
  const dim = t.shape[ax], inner = sizeOf(t.shape.slice(ax + 1)), outer = sizeOf(t.shape.slice(0, ax));
  const dtype = t.dtype === 'bool' ? 'int32' : t.dtype;
  const out = alloc(t.size, dtype);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    let acc = start;
    for (let s = 0; s < dim; s++) {
      const k = reverse ? dim - 1 - s : s;
      const at = (o * dim + k) * inner + i;
      if (exclusive) { out[at] = acc; acc = fold(acc, t.values[at]); } else { acc = fold(acc, t.values[at]); out[at] = acc; }
    }
  }
  return result(out, [...t.shape], dtype);
}

/** Running product along axis (tfjs's cumprod): exclusive leaves out the current element (starting at 1), reverse runs from the end. */
export function cumprod(x: TensorLike, axis = 0, exclusive = false, reverse = false): Tensor {
  return running(x, axis, exclusive, reverse, 'cumprod', 1, (acc, v) => acc * v);
}

/** Mean and (population) variance over axis. */
export function moments(x: TensorLike, axis: number | number[] | null = null, keepDims = false): { mean: Tensor; variance: Tensor } {
  const t = asTensor(x, 'x', 'moments');
  parseAxes(axis, t.rank, 'moments'); // a bad axis names moments, not the mean inside
  return tidy(() => {
    const m = mean(t, axis, true);
    const variance = mean(square(sub(t, m)), axis, keepDims);
    return { mean: keepDims ? m : mean(t, axis, false), variance };
  });
}

/** x repeated along new leading axes and size-1 axes to fill shape. */
export function broadcastTo(x: TensorLike, shape: Shape): Tensor {
  const t = asTensor(x, 'x', 'broadcastTo');
  assertShape(shape, 'broadcastTo()');
  const bad = (): Error => new Error(`broadcastTo(): [${t.shape.join(',')}] cannot be broadcast to [${shape.join(',')}].`);
  if (shape.length < t.rank) throw bad();
  let out: Shape;
  try { out = broadcastShape(t.shape, shape); } catch { throw bad(); }
  if (out.some((d, i) => d !== shape[i])) throw bad();
  const idx = broadcastIndex(t.shape, out);
  return resultFrom(out, t.dtype, (i) => t.values[idx ? idx[i] : i]);
}

/** Vector·vector, matrix·vector, vector·matrix or matrix·matrix. */
export function dot(t1: TensorLike, t2: TensorLike): Tensor {
  const a = asTensor(t1, 't1', 'dot'), b = asTensor(t2, 't2', 'dot');
  if ((a.rank !== 1 && a.rank !== 2) || (b.rank !== 1 && b.rank !== 2)) throw new Error(`Error in dot: inputs must all be rank 1 or 2, but got ranks ${a.rank} and ${b.rank}.`);
  const inA = a.shape[a.rank - 1], inB = b.shape[0];
  if (inA !== inB) throw new Error(`Error in dot: inner dimensions of inputs must match, but got ${inA} and ${inB}.`);
  return tidy(() => {
    const product = matMul(a.rank === 1 ? reshape(a, [1, -1]) : a, b.rank === 1 ? reshape(b, [-1, 1]) : b);
    const shape = [...(a.rank === 2 ? [a.shape[0]] : []), ...(b.rank === 2 ? [b.shape[1]] : [])];
    return reshape(product, shape);
  });
}

export function outerProduct(v1: TensorLike, v2: TensorLike): Tensor {
  const a = asTensor(v1, 'v1', 'outerProduct'), b = asTensor(v2, 'v2', 'outerProduct');
  if (a.rank !== 1 || b.rank !== 1) throw new Error(`Error in outerProduct: inputs must be rank 1, but got ranks ${a.rank} and ${b.rank}.`);
  return tidy(() => matMul(reshape(a, [-1, 1]), reshape(b, [1, -1])));
}

/**
 * tfjs's prelu: alpha * x where x < 0, else x (alpha broadcasts against x). Testing x < 0, not x > 0, keeps ±0 as
 * they are whatever alpha is (NaN or Infinity included), as tfjs's kernel.
 */
export function prelu(x: TensorLike, alpha: TensorLike): Tensor {
  const t = asTensor(x, 'x', 'prelu'), a = asTensor(alpha, 'alpha', 'prelu');
  const shape = broadcastShape(t.shape, a.shape, 'prelu');
  const ti = broadcastIndex(t.shape, shape), ai = broadcastIndex(a.shape, shape);
  return resultFrom(shape, 'float32', (i) => {
    const v = t.values[ti ? ti[i] : i];
    return v < 0 ? a.values[ai ? ai[i] : i] * v : v;
  });
}

/** tfjs's batchNorm: (x - mean) / sqrt(variance + varianceEpsilon) * scale + offset, the statistics broadcasting against x. */
export function batchNorm(x: TensorLike, mean: TensorLike, variance: TensorLike, offset?: TensorLike, scale?: TensorLike, varianceEpsilon = 0.001): Tensor {
  const t = asTensor(x, 'x', 'batchNorm'), m = asTensor(mean, 'mean', 'batchNorm'), v = asTensor(variance, 'variance', 'batchNorm');
  if (m.rank !== v.rank) throw new Error('Batch normalization gradient requires mean and variance to have equal ranks.');
  for (const [name, s] of [['mean', m], ['variance', v], ['offset', offset], ['scale', scale]] as const) {
    if (s !== undefined && s !== null) broadcastShape(t.shape, asTensor(s, name, 'batchNorm').shape, 'batchNorm');
  }
  return tidy(() => {
    let y = mul(sub(t, m), rsqrt(add(cast(v, 'float32'), varianceEpsilon)));
    if (scale !== undefined && scale !== null) y = mul(y, scale);
    return offset !== undefined && offset !== null ? add(y, offset) : y;
  });
}

function rankedBatchNorm(rank: number) {
  return (x: TensorLike, mean: TensorLike, variance: TensorLike, offset?: TensorLike, scale?: TensorLike, varianceEpsilon?: number): Tensor => {
    const t = asTensor(x, 'x', 'batchNorm');
    if (t.rank !== rank) throw new Error(`batchNorm${rank}d: x must be rank ${rank}, got rank ${t.rank}`);
    return batchNorm(t, mean, variance, offset, scale, varianceEpsilon);
  };
}
export const batchNorm2d = rankedBatchNorm(2);
export const batchNorm3d = rankedBatchNorm(3);
export const batchNorm4d = rankedBatchNorm(4);
