/** Tensor creation with tfjs's signatures, defaults and dtype inference. */
import { Tensor, isTypedArray, nestedShape, sizeOf, tensor as makeTensor, type DType, type Rank, type Shape, type TensorLike } from '../tensor.js';
import { track } from './memory.js';
import { alloc, asTensor, assertFillValue, assertShape, checkDtype, finiteArgs, result, resultFrom, shownArg, storedBool, strides } from './convert.js';

/** tf.tensor: nested arrays or a flat/typed array with a shape. */
export function tensor(values: TensorLike, shape?: Shape | null, dtype?: DType | null): Tensor {
  if (values instanceof Tensor) throw new Error('tensor: values must be numbers, booleans, nested arrays or a TypedArray, not a Tensor (use clone())');
  // tfjs takes null for an omitted shape or dtype (tf.tensor(values, null, 'int32')).
  if (shape === null) shape = undefined;
  if (dtype === null) dtype = undefined;
  if (dtype !== undefined) checkDtype(dtype, 'tensor');
  if (shape !== undefined) assertShape(shape, 'tensor');
  if (typeof values === 'number' || typeof values === 'boolean') return track(makeTensor([values], shape ?? [], dtype));
  // As tfjs: a shape given with nested values must be the one they have, except that their innermost level is flat
  // values and may fill the shape's remaining dimensions ([[1, 2, 3, 4]] with shape [1, 2, 2]).
  if (shape !== undefined && Array.isArray(values) && rankOf(values) > 1) {
    const inferred = nestedShape(values);
    const fits = inferred.every((d, i) => d === shape[i] || (i === inferred.length - 1 && d === sizeOf(shape.slice(i))));
    if (!fits) throw new Error(`Error creating a new Tensor. Inferred shape (${inferred.join(',')}) does not match the provided shape (${shape.join(',')}).`);
  }
  // The base constructor may keep the caller's typed array as storage (no copy), as tfjs does. Numeric strings are
  // read only under an explicit dtype, as tfjs (without one it would make a string tensor).
  return track(makeTensor(values, shape, dtype, dtype !== undefined));
}

/** Rows given as typed arrays count as a level: [Float32Array, Float32Array] is rank 2. */
function rankOf(values: unknown): number {
  return nestedShape(values).length;
}

function isFlat(values: unknown): boolean {
  return isTypedArray(values) || (Array.isArray(values) && rankOf(values) === 1);
}

/** tensor1d..tensor6d: the rank is checked on nested values or on the shape given with flat values. */
function ranked(rank: number) {
  const name = `tensor${rank}d`;
  return (values: TensorLike, shape?: Shape | null, dtype?: DType | null): Tensor => {
    if (shape === null) shape = undefined;
    if (shape !== undefined && !Array.isArray(shape)) throw new Error(`${name}() requires shape to be an array of ${rank} numbers, got ${shownArg(shape)}`);
    if (typeof values === 'number' || typeof values === 'boolean' || values instanceof Tensor) throw new Error(`${name}() requires values to be an array or TypedArray`);
    if (shape !== undefined && shape.length !== rank) throw new Error(`${name}() requires shape to have ${rank} numbers, got [${shape.join(', ')}]`);
    if (isFlat(values)) {
      if (shape === undefined) throw new Error(`${name}() requires shape to be provided when \`values\` are a flat/TypedArray`);
    } else if (rankOf(values) !== rank) {
      throw new Error(`${name}() requires values to be a rank-${rank} nested array or a flat/TypedArray with a shape`);
    }
    return tensor(values, shape, dtype);
  };
}

export function tensor1d(values: TensorLike, dtype?: DType): Tensor {
  if (!isFlat(values)) throw new Error('tensor1d() requires values to be a flat/TypedArray');
  return tensor(values, undefined, dtype);
}
export const tensor2d = ranked(2);
export const tensor3d = ranked(3);
export const tensor4d = ranked(4);
export const tensor5d = ranked(5);
export const tensor6d = ranked(6);

export function scalar(value: number | boolean, dtype?: DType): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new Error('Error creating a new Scalar: value must be a primitive (number|boolean)');
  return tensor(value, [], dtype);
}

export function fill(shape: Shape, value: number | boolean, dtype?: DType | null): Tensor {
  assertShape(shape, 'fill');
  assertFillValue(value, 'fill', 'value');
  const dt = dtype == null ? (typeof value === 'boolean' ? 'bool' : 'float32') : checkDtype(dtype, 'fill');
  const v = typeof value === 'number' && dt === 'bool' ? storedBool(value) : Number(value);
  return resultFrom(shape, dt, () => v);
}

export function zeros(shape: Shape, dtype: DType | null = 'float32'): Tensor { return fill(shape, 0, dtype); }
export function ones(shape: Shape, dtype: DType | null = 'float32'): Tensor { return fill(shape, 1, dtype); }
export function zerosLike(x: TensorLike): Tensor { const t = asTensor(x, 'x', 'zerosLike'); return fill(t.shape, 0, t.dtype); }
export function onesLike(x: TensorLike): Tensor { const t = asTensor(x, 'x', 'onesLike'); return fill(t.shape, 1, t.dtype); }

/** One row of depth values per index; indices outside [0, depth) give a row of offValue. */
export function oneHot(indices: TensorLike, depth: number, onValue = 1, offValue = 0, dtype: DType = 'int32'): Tensor {
  const idx = asTensor(indices, 'indices', 'oneHot', 'int32');
  if (!Number.isInteger(depth)) throw new Error(`oneHot: depth must be an integer, got ${shownArg(depth)}`);
  if (depth < 2) throw new Error(`Error in oneHot: depth must be >=2, but it is ${depth}`);
  assertFillValue(onValue, 'oneHot', 'onValue');
  assertFillValue(offValue, 'oneHot', 'offValue');
  checkDtype(dtype, 'oneHot');
  const [on, off] = dtype === 'bool' ? [storedBool(onValue), storedBool(offValue)] : [onValue, offValue];
  const out = resultFrom([...idx.shape, depth], dtype, () => off);
  for (let i = 0; i < idx.size; i++) {
    const k = idx.values[i];
    if (k >= 0 && k < depth) out.values[i * depth + k] = on;
  }
  return out;
}

/**
 * Values start, start+step, ... before stop. As in tfjs, a decreasing range with the default step counts
 * down by 1; any other step pointing away from stop gives an empty tensor.
 */
export function range(start: number, stop: number, step = 1, dtype: 'float32' | 'int32' = 'float32'): Tensor {
  // tfjs gives an empty tensor for a NaN and concatenates a string ('2' as step: 0, 2, 22); a bigint throws a TypeError.
  finiteArgs('range', { start, stop, step });
  if (step === 0) throw new Error('Cannot have a step of zero');
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`range: dtype must be 'float32' or 'int32', got ${shownArg(dtype)}`);
  if (stop < start && step === 1) step = -1;
  const n = (stop - start) / step > 0 ? Math.ceil((stop - start) / step) : 0;
  // Both dtypes accumulate in their own storage, as tfjs and TensorFlow do (numpy's arange multiplies instead): a
  // fractional float32 step drifts by float32 roundings (float64 ones under rl.setPrecision(64)), and
  // range(0, 5, 1.5, 'int32') is [0, 1, 2, 3].
  const out = alloc(n, dtype);
  for (let i = 0; i < n; i++) out[i] = i === 0 ? start : out[i - 1] + step;
  return result(out, [n], dtype);
}

export function linspace(start: number, stop: number, num: number): Tensor {
  finiteArgs('linspace', { start, stop });
  if (!Number.isInteger(num)) throw new Error(`linspace: num must be an integer, got ${shownArg(num)}`);
  if (num <= 0) throw new Error('The number of values should be positive.');
  const step = num === 1 ? 0 : (stop - start) / (num - 1);
  return resultFrom([num], 'float32', (i) => (i === num - 1 && num > 1 ? stop : start + i * step));
}

/** Identity matrices [numRows, numColumns], repeated over batchShape. */
export function eye(numRows: number, numColumns?: number | null, batchShape?: Shape | null, dtype: DType | null = 'float32'): Tensor {
  for (const [arg, n] of [['numRows', numRows], ['numColumns', numColumns ?? numRows]] as const) {
    if (!Number.isInteger(n) || n < 0) throw new Error(`eye: ${arg} must be a non-negative integer, got ${shownArg(n)}`);
  }
  const cols = numColumns ?? numRows;
  const batch = batchShape == null ? [] : assertShape(batchShape, 'eye', 'batchShape');
  const dt = checkDtype(dtype ?? 'float32', 'eye');
  const per = numRows * cols;
  return resultFrom([...batch, numRows, cols], dt, (i) => {
    const j = i % per;
    return Math.floor(j / cols) === j % cols ? 1 : 0;
  });
}

/**
 * A mutable, shaped array of values; toTensor() makes a tensor sharing its storage, as tfjs's does. R and D are
 * tfjs's type parameters (rank, dtype), there for TypeScript written for tfjs; the shape and dtype given decide.
 */
export class TensorBuffer<R extends Rank = Rank, D extends DType = DType> {
  readonly size: number;
  readonly strides: number[];
  readonly values: Float32Array | Float64Array | Int32Array;

  constructor(readonly shape: Shape, readonly dtype: D, values?: ArrayLike<number>) {
    this.size = sizeOf(shape);
    this.strides = strides(shape).slice(0, -1);
    const storage = alloc(this.size, dtype);
    if (values !== undefined) {
      if (values.length !== this.size) throw new Error(`Length of values '${values.length}' does not match the size inferred by the shape '${this.size}'.`);
      for (let i = 0; i < this.size; i++) storage[i] = dtype === 'bool' ? (values[i] !== 0 ? 1 : 0) : values[i];
    }
    this.values = storage;
  }

  locToIndex(locs: number[]): number {
    if (locs.length !== this.shape.length) throw new Error(`The number of provided coordinates (${locs.length}) must match the rank (${this.shape.length})`);
    let index = 0;
    for (let i = 0; i < locs.length; i++) {
      const v = locs[i];
      if (!Number.isInteger(v) || v < 0 || v >= this.shape[i]) throw new Error(`Requested out of range element at ${locs.join(',')}. Buffer shape=${this.shape.join(',')}`);
      index = index * this.shape[i] + v;
    }
    return index;
  }

  indexToLoc(index: number): number[] {
    const locs = new Array<number>(this.shape.length);
    for (let i = this.shape.length - 1; i >= 0; i--) { locs[i] = index % this.shape[i]; index = Math.floor(index / this.shape[i]); }
    return locs;
  }

  set(value: number | boolean, ...locs: number[]): void {
    this.values[this.locToIndex(this.shape.length === 0 && locs.length === 0 ? [] : locs)] = Number(value);
  }

  get(...locs: number[]): number {
    return this.values[this.locToIndex(locs)];
  }

  toTensor(): Tensor<R> {
    return result(this.values, [...this.shape], this.dtype);
  }
}

export function buffer<R extends Rank = Rank, D extends DType = 'float32'>(shape: Shape, dtype?: D, values?: ArrayLike<number>): TensorBuffer<R, D> {
  return new TensorBuffer<R, D>(assertShape(shape, 'buffer'), checkDtype(dtype ?? 'float32', 'buffer') as D, values);
}
