/**
 * Tensors: a flat typed array plus a shape. Float tensors hold Float32Array (Float64Array under float64
 * precision, used by gradient checks); integer tensors hold Int32Array (token ids, class labels).
 * Autograd state (grad, the op that produced it) lives here too, so ops stay small.
 * 'bool' tensors (comparison results, as in tfjs) hold 0/1 in an Int32Array, so every tensor's data stays a
 * float or int32 array and kernels see no third storage type.
 */
import { allocFloat, allocPersistent, getPrecision, type FArray } from './backend/index.js';

export type DType = 'float32' | 'int32' | 'bool';
export type Shape = number[];
export type NestedArray = number | boolean | NestedArray[];
export type TypedArrayLike = Float32Array | Float64Array | Int32Array | Uint8Array | Uint8ClampedArray | Int8Array | Int16Array
  | Uint16Array | Uint32Array;
/** What tensor() reads: nested arrays whose innermost level may be a typed array (rows of Float32Arrays), as tfjs's. */
export type NestedInput = number | boolean | TypedArrayLike | NestedInput[];
export type TensorLike = Tensor | NestedInput | number[];

/** tfjs's Rank: tfjs's TypeScript names tensor types by it (tf.Tensor<tf.Rank.R2>, tf.buffer<tf.Rank.R3>), and reads it as a value. */
export enum Rank { R0 = 'R0', R1 = 'R1', R2 = 'R2', R3 = 'R3', R4 = 'R4', R5 = 'R5', R6 = 'R6' }
interface ArrayMap { R0: number; R1: number[]; R2: number[][]; R3: number[][][]; R4: number[][][][]; R5: number[][][][][]; R6: number[][][][][][] }
/**
 * What array()/arraySync() give a tensor of rank R, as tfjs's ArrayMap. A tensor of unknown rank (a plain Tensor,
 * which every op returns) gives any, so it stays assignable to the ranked types (tf.Tensor2D) without a cast.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ArrayOf<R extends Rank> = Rank extends R ? any : ArrayMap[R];

let nextTensorId = 0;
const tensorIds = new WeakMap<Tensor, number>();

/** R, tfjs's rank parameter, only types array() and arraySync(); rnnlab checks ranks when ops run. */
export class Tensor<R extends Rank = Rank> {
  /** Gradient w.r.t. this tensor, accumulated during backward; null until something flows in. */
  grad: FArray | null = null;
  /** True for parameters and everything computed from them. */
  requiresGrad = false;
  /** Set by ops: the callback that pushes this tensor's grad into its inputs. */
  backwardFn: (() => void) | null = null;
  name?: string;

  constructor(public values: FArray | Int32Array, public readonly shape: Shape, public readonly dtype: DType) {
    const n = sizeOf(shape);
    if (values.length !== n) throw new Error(`tensor: data has ${values.length} values but shape [${shape.join(', ')}] needs ${n}`);
  }

  /** The element count (dispose() pins it on the instance, so a disposed tensor still answers, as tfjs's). */
  get size(): number { return this.values.length; }

  /**
   * tfjs's unique tensor id. Given on first read and kept outside the instance, so tensors with equal contents stay
   * deep-equal and creating one costs nothing; ids therefore increase in the order they are first read.
   */
  get id(): number {
    let id = tensorIds.get(this);
    if (id === undefined) { id = nextTensorId++; tensorIds.set(this, id); }
    return id;
  }

  get rank(): number { return this.shape.length; }

  /** The backing typed array (no copy). */
  dataSync(): FArray | Int32Array { return this.values; }

  /**
   * tfjs's async read: dataSync() taken when called (a variable's is a copy, so a later assign or optimizer step
   * leaves it be), resolved later.
   */
  data(): Promise<FArray | Int32Array> { return readAtCall(() => this.dataSync()); }

  /** The values as nested plain arrays, shaped like the tensor. */
  arraySync<T extends Rank = R>(this: Tensor<T>): ArrayOf<T> {
    const { values: data, shape } = this;
    if (shape.length === 0) return data[0] as ArrayOf<T>;
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = shape[dim];
      const stride = sizeOf(shape.slice(dim + 1));
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = dim === shape.length - 1 ? data[offset + i] : build(dim + 1, offset + i * stride);
      return out;
    };
    return build(0, 0) as ArrayOf<T>;
  }

  /** Float view of the data (int32 tensors are converted, e.g. raw token ids fed to a Dense layer). */
  floatData(): FArray {
    if (this.dtype === 'float32' && (this.values instanceof Float32Array || this.values instanceof Float64Array)) return this.values;
    const out = allocFloat(this.size);
    for (let i = 0; i < out.length; i++) out[i] = this.values[i];
    return out;
  }

  /** A tensor sharing this one's data with another shape of the same size. */
  reshape(shape: Shape): Tensor {
    return new Tensor(this.viewValues(), shape, this.dtype);
  }

  /**
   * The array a view of this tensor (reshape, squeeze, expandDims, ...) holds: this one's own. A Variable, whose
   * values optimizers and assign overwrite in place, gives a copy, so a view keeps the value it was made from (as
   * in tfjs, where assign gives the variable new data).
   */
  viewValues(): FArray | Int32Array { return this.values; }

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}])`;
  }
}

/** tfjs's rank-named tensor types. */
export type Scalar = Tensor<Rank.R0>;
export type Tensor1D = Tensor<Rank.R1>;
export type Tensor2D = Tensor<Rank.R2>;
export type Tensor3D = Tensor<Rank.R3>;
export type Tensor4D = Tensor<Rank.R4>;
export type Tensor5D = Tensor<Rank.R5>;
export type Tensor6D = Tensor<Rank.R6>;

/**
 * How every async reader (data, array, buffer, bytes) reads: now, as tfjs's do, so a read started before a dispose(),
 * an assign() or an optimizer step gives the values it was started on; a failure (a disposed tensor) rejects rather
 * than throws, as from tfjs's async methods.
 */
export function readAtCall<T>(read: () => T): Promise<T> {
  try { return Promise.resolve(read()); } catch (err) { return Promise.reject(err); }
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeStr(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : d)).join(', ')}]`;
}

/** A typed array (DataView is a view too, but holds bytes, not values). */
export function isTypedArray(x: unknown): x is TypedArrayLike {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** The shape nested values have, read along their first elements; a typed array is one level (a row). */
export function nestedShape(x: unknown): Shape {
  const shape: Shape = [];
  let cur = x;
  while (Array.isArray(cur) || isTypedArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0 || isTypedArray(cur)) break;
    cur = cur[0];
  }
  return shape;
}

function flatten(x: unknown, shape: Shape, out: number[], numericStrings: boolean, dim = 0): void {
  if (dim === shape.length) {
    if (Array.isArray(x) || isTypedArray(x)) throw new Error('tensor: ragged nested array (deeper than its first element)');
    if (typeof x === 'string') {
      // Only with an explicit numeric dtype, as tfjs (Number's reading: '' is 0, 'abc' NaN); without one tfjs makes a
      // string tensor, which rnnlab has no storage for.
      if (!numericStrings) throw new Error(`tensor: expected numbers, found string '${x}' (string tensors are not supported; rl.tensor reads numeric strings when given a dtype)`);
      out.push(Number(x));
      return;
    }
    const v = typeof x === 'boolean' ? Number(x) : x;
    if (typeof v !== 'number') throw new Error(`tensor: expected numbers, found ${typeof x}`);
    out.push(v);
    return;
  }
  if (!(Array.isArray(x) || isTypedArray(x)) || x.length !== shape[dim]) {
    throw new Error(`tensor: ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(x) || isTypedArray(x) ? x.length : 'a scalar'}`);
  }
  if (isTypedArray(x)) {
    if (dim !== shape.length - 1) throw new Error(`tensor: ragged nested array: a typed array at depth ${dim}, where arrays nest ${shape.length - dim} deeper`);
    for (let i = 0; i < x.length; i++) out.push(x[i]);
    return;
  }
  for (const item of x) flatten(item, shape, out, numericStrings, dim + 1);
}

/**
 * Builds a tensor from nested arrays or a typed array (with a shape), like tf.tensor. numericStrings lets string
 * values be read as numbers (rl.tensor with an explicit dtype); model inputs and op arguments keep refusing them.
 */
export function tensor(values: TensorLike, shape?: Shape, dtype?: DType, numericStrings = false): Tensor {
  if (values instanceof Tensor) {
    if (shape && sizeOf(shape) !== values.size) throw new Error(`tensor: cannot view ${shapeStr(values.shape)} as ${shapeStr(shape)}`);
    return shape ? values.reshape(shape) : values;
  }
  if (shape) for (const d of shape) if (!Number.isInteger(d) || d < 0) throw new Error(`tensor: invalid shape ${shapeStr(shape)}`);
  let flat: ArrayLike<number>;
  let inferred: Shape;
  if (isTypedArray(values)) {
    flat = values;
    inferred = [flat.length];
  } else {
    inferred = nestedShape(values);
    const out: number[] = [];
    flatten(values, inferred, out, numericStrings);
    flat = out;
  }
  const finalShape = shape ?? inferred;
  if (sizeOf(finalShape) !== flat.length) {
    throw new Error(`tensor: ${flat.length} values do not fit shape ${shapeStr(finalShape)}`);
  }
  const dt: DType = dtype ?? inferDtype(values);
  if (dt !== 'float32' && dt !== 'int32' && dt !== 'bool') throw new Error(`tensor: unsupported dtype '${String(dt)}' (use 'float32', 'int32' or 'bool')`);
  let data: FArray | Int32Array;
  if (dt === 'int32') {
    data = values instanceof Int32Array ? values : Int32Array.from(flat, (v) => Math.trunc(v));
  } else if (dt === 'bool') {
    // tfjs rounds numbers given as bool values (0.3 is false, 0.5 and NaN are true); cast() compares with 0 instead.
    data = Int32Array.from(flat, (v) => (Math.round(v) !== 0 ? 1 : 0));
  } else if (values instanceof Float32Array && getPrecision() === 32) {
    data = values;
  } else {
    data = allocPersistent(flat.length);
    for (let i = 0; i < flat.length; i++) data[i] = flat[i];
  }
  return new Tensor(data, finalShape, dt);
}

/**
 * tfjs's inference, read from the first leaf: Int32Array, Uint8Array and Uint8ClampedArray give int32, booleans
 * bool, everything else (other typed arrays included: tfjs reads them as float32) float32.
 */
function inferDtype(values: TensorLike): DType {
  let first: unknown = values;
  while (Array.isArray(first) && first.length > 0) first = first[0];
  if (first instanceof Int32Array || first instanceof Uint8Array || first instanceof Uint8ClampedArray) return 'int32';
  return typeof first === 'boolean' ? 'bool' : 'float32';
}

export function zeros(shape: Shape): Tensor {
  return new Tensor(allocPersistent(sizeOf(shape)), shape, 'float32');
}

/** A tensor object from another library (tfjs's): shape, dtype and dataSync, but not an rnnlab Tensor. */
export function isForeignTensor(x: unknown): boolean {
  return typeof x === 'object' && x !== null && !(x instanceof Tensor) && Array.isArray((x as { shape?: unknown }).shape)
    && typeof (x as { dtype?: unknown }).dtype === 'string' && typeof (x as { dataSync?: unknown }).dataSync === 'function';
}

/** Accepts anything tensor-like; nested arrays of integers stay float32 unless dtype says otherwise. */
export function toTensor(x: TensorLike, what = 'input'): Tensor {
  // Outside the try: its catch would prefix `what` a second time.
  if (x instanceof Tensor && x.isDisposed) throw new Error(`${what} is disposed`);
  try {
    // Model inputs keep the pre-tfjs-dtype rule (only Int32Array is int32), so labels and data fed to fit do not change meaning.
    if (isForeignTensor(x)) {
      throw new Error('a Tensor of another library (tfjs?); convert it with rl.tensor(t.dataSync(), t.shape, t.dtype)');
    }
    return x instanceof Tensor ? x : tensor(x, undefined, x instanceof Int32Array ? 'int32' : 'float32');
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}
