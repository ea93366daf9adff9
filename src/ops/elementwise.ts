/**
 * Elementwise ops with broadcasting and tfjs's dtype rules: arithmetic upcasts bool < int32 < float32,
 * int32 / int32 floors, comparisons give bool. Float same-shape add/mul and the activations run on the
 * native kernels.
 */
import { Act, kernels, type ActCode } from '../backend/index.js';
import { sigmoid as sigmoidValue } from '../backend/reference/pointwise.js';
import { Tensor, type DType, type TensorLike } from '../tensor.js';
import { alloc, asTensor, kernelFloats, result, resultFrom, shownArg, upcast, type ParseAs } from './convert.js';
import { broadcastIndex, broadcastShape } from './broadcast.js';
import { tidy } from './memory.js';

type Binary = (x: number, y: number) => number;

function binary(a: TensorLike, b: TensorLike, op: string, fn: Binary, dtypeOf: (d: DType) => DType, parseAs: ParseAs = 'numeric', kernel?: 'add' | 'mul'): Tensor {
  const x = asTensor(a, 'a', op, parseAs), y = asTensor(b, 'b', op, parseAs);
  const shape = broadcastShape(x.shape, y.shape, op);
  const dtype = dtypeOf(upcast(x.dtype, y.dtype));
  if (dtype === 'bool' && dtypeOf !== toBool) { const f = fn; fn = (x, y) => f(x, y) | 0; }
  const xi = broadcastIndex(x.shape, shape), yi = broadcastIndex(y.shape, shape);
  if (kernel && dtype === 'float32' && !xi && !yi && x.dtype === 'float32' && y.dtype === 'float32') {
    const out = alloc(x.size, 'float32');
    kernels()[kernel](kernelFloats(x), kernelFloats(y), out as Float32Array);
    return result(out, shape, dtype);
  }
  const xd = x.values, yd = y.values;
  if (!xi && !yi) return resultFrom(shape, dtype, (i) => fn(xd[i], yd[i]));
  return resultFrom(shape, dtype, (i) => fn(xd[xi ? xi[i] : i], yd[yi ? yi[i] : i]));
}

/*
 * Arithmetic on bools gives a bool result that is what tfjs's Uint8Array storage keeps: the value truncated
 * (`| 0` in binary and unary), so true / false (Infinity), 0 % 0 (NaN) and log1p(true) (0.69) are false.
 * Comparisons and logic ops (dtype toBool) give 0/1 already and skip the wrapper.
 */

export const same = (d: DType): DType => d;
const boolToInt = (d: DType): DType => (d === 'bool' ? 'int32' : d);
const toBool = (): DType => 'bool';

export const add = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'add', (x, y) => x + y, same, 'numeric', 'add');
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'sub', (x, y) => x - y, same);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'mul', (x, y) => x * y, same, 'numeric', 'mul');
export const atan2 = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'atan2', Math.atan2, same);
export const pow = (base: TensorLike, exp: TensorLike): Tensor => binary(base, exp, 'pow', Math.pow, same);
// Math.max/min: NaN wins and -0 < 0, as tfjs's kernels.
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'maximum', Math.max, boolToInt);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'minimum', Math.min, boolToInt);
/** Python-style remainder: the result takes the divisor's sign. */
export const mod = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'mod', (x, y) => {
  const r = x % y;
  return (x < 0 && y < 0) || (x >= 0 && y >= 0) ? r : (r + y) % y;
}, same);

/**
 * Real division; without a float32 operand the result keeps the upcast integer dtype and floors, as tfjs's div
 * (int32 / int32 is its floorDiv; int32 / bool is int32 and x / 0 stores 0).
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const x = asTensor(a, 'a', 'div'), y = asTensor(b, 'b', 'div');
  if (upcast(x.dtype, y.dtype) !== 'float32') return binary(x, y, 'div', (p, q) => Math.floor(p / q), same);
  return binary(x, y, 'div', (p, q) => p / q, () => 'float32');
}
/** Always int32, as tfjs's FloorDiv kernel (floorDiv(7.5, 2) is 3). */
/** a / b, with 0 where b is 0 (tfjs's divNoNan; int32 / int32 floors as div does). */
export function divNoNan(a: TensorLike, b: TensorLike): Tensor {
  const x = asTensor(a, 'a', 'divNoNan'), y = asTensor(b, 'b', 'divNoNan');
  broadcastShape(x.shape, y.shape, 'divNoNan'); // a mismatch names divNoNan, not the div inside
  // Scoped as tfjs's op(): the quotient, mask and zeros it makes are not left counted by memory().
  return tidy(() => {
    const q = div(x, y);
    return where(equal(y, 0), resultFrom(q.shape, q.dtype, () => 0), q);
  });
}
export const floorDiv = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'floorDiv', (x, y) => Math.floor(x / y), () => 'int32');
export const squaredDifference = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'squaredDifference', (x, y) => (x - y) * (x - y), same);

export const equal = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'equal', (x, y) => +(x === y), toBool);
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'notEqual', (x, y) => +(x !== y), toBool);
export const greater = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'greater', (x, y) => +(x > y), toBool);
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'greaterEqual', (x, y) => +(x >= y), toBool);
export const less = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'less', (x, y) => +(x < y), toBool);
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'lessEqual', (x, y) => +(x <= y), toBool);
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'logicalAnd', (x, y) => +(x !== 0 && y !== 0), toBool, 'bool');
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'logicalOr', (x, y) => +(x !== 0 || y !== 0), toBool, 'bool');
export const logicalXor = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, 'logicalXor', (x, y) => +((x !== 0) !== (y !== 0)), toBool, 'bool');

export function unary(a: TensorLike, op: string, fn: (v: number) => number, dtypeOf: (d: DType) => DType, parseAs: ParseAs = 'numeric', act?: ActCode): Tensor {
  const x = asTensor(a, 'x', op, parseAs);
  const dtype = dtypeOf(x.dtype);
  if (dtype === 'bool' && dtypeOf !== toBool) { const f = fn; fn = (v) => f(v) | 0; }
  if (act !== undefined && x.dtype === 'float32') {
    const out = alloc(x.size, 'float32');
    kernels().activation(act, kernelFloats(x), out as Float32Array);
    return result(out, x.shape, dtype);
  }
  const d = x.values;
  return resultFrom(x.shape, dtype, (i) => fn(d[i]));
}

const toFloat = (): DType => 'float32';
export const neg = (x: TensorLike): Tensor => unary(x, 'neg', (v) => -v, same);
export const abs = (x: TensorLike): Tensor => unary(x, 'abs', Math.abs, same);
export const square = (x: TensorLike): Tensor => unary(x, 'square', (v) => v * v, same);
export const exp = (x: TensorLike): Tensor => unary(x, 'exp', Math.exp, toFloat);
export const log = (x: TensorLike): Tensor => unary(x, 'log', Math.log, toFloat, 'float32');
export const sqrt = (x: TensorLike): Tensor => unary(x, 'sqrt', Math.sqrt, toFloat, 'float32');
export const sigmoid = (x: TensorLike): Tensor => unary(x, 'sigmoid', sigmoidValue, toFloat, 'float32', Act.sigmoid);
export const tanh = (x: TensorLike): Tensor => unary(x, 'tanh', Math.tanh, toFloat, 'float32', Act.tanh);
export const relu = (x: TensorLike): Tensor => unary(x, 'relu', (v) => (v < 0 ? 0 : v), same, 'numeric', Act.relu);
export const isNaN = (x: TensorLike): Tensor => unary(x, 'isNaN', (v) => +Number.isNaN(v), toBool);
export const isFinite = (x: TensorLike): Tensor => unary(x, 'isFinite', (v) => +Number.isFinite(v), toBool);
export const isInf = (x: TensorLike): Tensor => unary(x, 'isInf', (v) => +(v === Infinity || v === -Infinity), toBool);
export const logicalNot = (x: TensorLike): Tensor => unary(x, 'logicalNot', (v) => +(v === 0), toBool, 'bool');

export function clipByValue(x: TensorLike, clipValueMin: number, clipValueMax: number): Tensor {
  // A string bound would be silently read as a number; a bigint one fails with a TypeError as the output is written.
  for (const [arg, v] of Object.entries({ clipValueMin, clipValueMax })) if (typeof v !== 'number') throw new Error(`clipByValue: ${arg} must be a number, got ${shownArg(v)}`);
  if (!(clipValueMin <= clipValueMax)) throw new Error(`Error in clip: min (${clipValueMin}) must be less than or equal to max (${clipValueMax}).`);
  return unary(x, 'clipByValue', (v) => (v < clipValueMin ? clipValueMin : v > clipValueMax ? clipValueMax : v), same);
}

/** Copies the values into a new tensor of another dtype: to int32 truncates (NaN gives 0), to bool tests !== 0. */
export function cast(x: TensorLike, dtype: DType): Tensor {
  const t = asTensor(x, 'x', 'cast');
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') throw new Error(`cast: unsupported dtype '${String(dtype)}' (use 'float32', 'int32' or 'bool')`);
  const d = t.values;
  return resultFrom(t.shape, dtype, (i) => d[i]);
}

export function clone(x: TensorLike): Tensor {
  const t = asTensor(x, 'x', 'clone');
  return cast(t, t.dtype);
}

/** Picks a where condition is true, b elsewhere; all three broadcast together, a and b upcast to one dtype (tfjs 4.22). */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = asTensor(condition, 'condition', 'where', 'bool');
  const x = asTensor(a, 'a', 'where'), y = asTensor(b, 'b', 'where');
  const dtype = upcast(x.dtype, y.dtype);
  const shape = broadcastShape(broadcastShape(c.shape, x.shape, 'where'), y.shape, 'where');
  const ci = broadcastIndex(c.shape, shape), xi = broadcastIndex(x.shape, shape), yi = broadcastIndex(y.shape, shape);
  const cd = c.values, xd = x.values, yd = y.values;
  return resultFrom(shape, dtype, (i) => (cd[ci ? ci[i] : i] !== 0 ? xd[xi ? xi[i] : i] : yd[yi ? yi[i] : i]));
}
