/**
 * The chainable forms of the ops (x.add(y), x.sum(1), ...) attached to Tensor.prototype, as tfjs's Tensor
 * has them. Imported once, for its side effect, by src/index.ts (and by src/ops/index.ts).
 */
import { Tensor, readAtCall, type ArrayOf, type DType, type Rank, type Shape, type TensorLike } from '../tensor.js';
import * as e from './elementwise.js';
import * as r from './reduction.js';
import * as s from './shape.js';
import * as sl from './slicing.js';
import * as la from './linalg.js';
import * as m from './math.js';
import { dispose, isDisposed } from './memory.js';
import * as c from './creation.js';
import { TensorBuffer } from './creation.js';
import { strides } from './convert.js';
import { formatTensor } from './format.js';
import { stridedSlice } from './strided_slice.js';
import * as ix from './indexing.js';
import * as sel from './selection.js';
import { unsupportedMethods } from './unsupported.js';

type Axis = number | number[] | null;

declare module '../tensor.js' {
  interface Tensor<R extends Rank = Rank> {
    readonly isDisposed: boolean;
    readonly strides: number[];
    array<T extends Rank = R>(this: Tensor<T>): Promise<ArrayOf<T>>;
    print(verbose?: boolean): void;
    toString(verbose?: boolean): string;
    dispose(): void;
    bufferSync(): TensorBuffer<R>;
    buffer(): Promise<TensorBuffer<R>>;
    clone(): Tensor;
    cast(dtype: DType): Tensor;
    asType(dtype: DType): Tensor;
    asScalar(): Tensor;
    as1D(): Tensor;
    as2D(rows: number, columns: number): Tensor;
    as3D(rows: number, columns: number, depth: number): Tensor;
    as4D(rows: number, columns: number, depth: number, depth2: number): Tensor;
    as5D(rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor;
    stridedSlice(begin: number[], end: number[], strides?: number[], beginMask?: number, endMask?: number, ellipsisMask?: number,
      newAxisMask?: number, shrinkAxisMask?: number): Tensor;
    cumprod(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor;
    euclideanNorm(axis?: Axis, keepDims?: boolean): Tensor;
    atan2(b: TensorLike): Tensor;
    tan(): Tensor;
    cosh(): Tensor;
    sinh(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    asinh(): Tensor;
    acosh(): Tensor;
    atanh(): Tensor;
    erf(): Tensor;
    /** tfjs's throwIfDisposed(): an error if the tensor was disposed. */
    throwIfDisposed(): void;
    reshapeAs(x: Tensor): Tensor;
    flatten(): Tensor;
    squeeze(axis?: number | number[]): Tensor;
    expandDims(axis?: number): Tensor;
    slice(begin: number | number[], size?: number | number[]): Tensor;
    gather(indices: TensorLike, axis?: number, batchDims?: number): Tensor;
    concat(x: TensorLike | TensorLike[], axis?: number): Tensor;
    stack(x: TensorLike | TensorLike[], axis?: number): Tensor;
    unstack(axis?: number): Tensor[];
    split(numOrSizeSplits: number | number[], axis?: number): Tensor[];
    tile(reps: number[]): Tensor;
    reverse(axis?: number | number[]): Tensor;
    pad(paddings: Array<[number, number]>, constantValue?: number): Tensor;
    argMax(axis?: number): Tensor;
    argMin(axis?: number): Tensor;
    max(axis?: Axis, keepDims?: boolean): Tensor;
    min(axis?: Axis, keepDims?: boolean): Tensor;
    sum(axis?: Axis, keepDims?: boolean): Tensor;
    mean(axis?: Axis, keepDims?: boolean): Tensor;
    prod(axis?: Axis, keepDims?: boolean): Tensor;
    any(axis?: Axis, keepDims?: boolean): Tensor;
    all(axis?: Axis, keepDims?: boolean): Tensor;
    add(b: TensorLike): Tensor;
    sub(b: TensorLike): Tensor;
    mul(b: TensorLike): Tensor;
    div(b: TensorLike): Tensor;
    floorDiv(b: TensorLike): Tensor;
    pow(exp: TensorLike): Tensor;
    maximum(b: TensorLike): Tensor;
    minimum(b: TensorLike): Tensor;
    mod(b: TensorLike): Tensor;
    squaredDifference(b: TensorLike): Tensor;
    greater(b: TensorLike): Tensor;
    greaterEqual(b: TensorLike): Tensor;
    less(b: TensorLike): Tensor;
    lessEqual(b: TensorLike): Tensor;
    equal(b: TensorLike): Tensor;
    notEqual(b: TensorLike): Tensor;
    logicalAnd(b: TensorLike): Tensor;
    logicalOr(b: TensorLike): Tensor;
    logicalXor(b: TensorLike): Tensor;
    logicalNot(): Tensor;
    where(condition: TensorLike, b: TensorLike): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    square(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    relu(): Tensor;
    isNaN(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    sign(): Tensor;
    reciprocal(): Tensor;
    rsqrt(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    expm1(): Tensor;
    log1p(): Tensor;
    softplus(): Tensor;
    logSigmoid(): Tensor;
    elu(): Tensor;
    selu(): Tensor;
    relu6(): Tensor;
    leakyRelu(alpha?: number): Tensor;
    step(alpha?: number): Tensor;
    cumsum(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor;
    dot(b: TensorLike): Tensor;
    broadcastTo(shape: Shape): Tensor;
    clipByValue(min: number, max: number): Tensor;
    matMul(b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor;
    transpose(perm?: number[]): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    topk(k?: number, sorted?: boolean): { values: Tensor; indices: Tensor };
    norm(ord?: r.NormOrd, axis?: Axis, keepDims?: boolean): Tensor;
    prelu(alpha: TensorLike): Tensor;
    unique(axis?: number): { values: Tensor; indices: Tensor };
    mirrorPad(paddings: Array<[number, number]>, mode: 'reflect' | 'symmetric'): Tensor;
    unsortedSegmentSum(segmentIds: TensorLike, numSegments: number): Tensor;
    logSumExp(axis?: Axis, keepDims?: boolean): Tensor;
    divNoNan(b: TensorLike): Tensor;
    isFinite(): Tensor;
    isInf(): Tensor;
    oneHot(depth: number, onValue?: number, offValue?: number): Tensor;
    zerosLike(): Tensor;
    onesLike(): Tensor;
    /** tfjs's deprecated casts, still on its Tensor: cast(x, 'float32' | 'int32' | 'bool'). */
    toFloat(): Tensor;
    toInt(): Tensor;
    toBool(): Tensor;
    batchNorm(mean: TensorLike, variance: TensorLike, offset?: TensorLike, scale?: TensorLike, varianceEpsilon?: number): Tensor;
    /** tfjs's bytes(): the raw storage as bytes (float32 as 4-byte floats, int32 as 4-byte ints, bool one byte each). */
    bytes(): Promise<Uint8Array>;
  }
}

const P = Tensor.prototype;
/** As tfjs's x.concat(y): a Tensor is one more tensor, an array is a list of them. */
const list = (x: TensorLike | TensorLike[]): TensorLike[] => (x instanceof Tensor || !Array.isArray(x) ? [x as TensorLike] : x as TensorLike[]);

Object.defineProperty(P, 'isDisposed', { configurable: true, get(this: Tensor) { return isDisposed(this); } });
Object.defineProperty(P, 'strides', { configurable: true, get(this: Tensor) { return strides(this.shape).slice(0, -1); } });

Object.assign(P, {
  array(this: Tensor) { return readAtCall(() => this.arraySync()); },
  print(this: Tensor, verbose = false) { console.log(formatTensor(this, verbose)); },
  toString(this: Tensor, verbose = false) { return formatTensor(this, verbose); },
  dispose(this: Tensor) { dispose(this); },
  bufferSync(this: Tensor) { return new TensorBuffer([...this.shape], this.dtype, this.values); },
  buffer(this: Tensor) { return readAtCall(() => this.bufferSync()); },
  clone(this: Tensor) { return e.clone(this); },
  cast(this: Tensor, dtype: DType) { return e.cast(this, dtype); },
  asType(this: Tensor, dtype: DType) { return e.cast(this, dtype); },
  asScalar(this: Tensor) { return s.asScalar(this); },
  as1D(this: Tensor) { return s.as1D(this); },
  as2D(this: Tensor, a: number, b: number) { return s.as2D(this, a, b); },
  as3D(this: Tensor, a: number, b: number, c: number) { return s.as3D(this, a, b, c); },
  as4D(this: Tensor, a: number, b: number, c: number, d: number) { return s.as4D(this, a, b, c, d); },
  as5D(this: Tensor, a: number, b: number, c: number, d: number, e5: number) { return s.as5D(this, a, b, c, d, e5); },
  stridedSlice(this: Tensor, begin: number[], end: number[], st?: number[], bm?: number, em?: number, elm?: number, nam?: number, sam?: number) {
    return stridedSlice(this, begin, end, st, bm, em, elm, nam, sam);
  },
  cumprod(this: Tensor, axis?: number, exclusive?: boolean, reverse?: boolean) { return m.cumprod(this, axis, exclusive, reverse); },
  euclideanNorm(this: Tensor, axis?: Axis, keepDims?: boolean) { return r.euclideanNorm(this, axis, keepDims); },
  throwIfDisposed(this: Tensor) { if (isDisposed(this)) throw new Error('Tensor is disposed.'); },
  reshape(this: Tensor, shape: Shape) { return s.reshape(this, shape); },
  reshapeAs(this: Tensor, x: Tensor) {
    if (!(x instanceof Tensor)) throw new Error(`reshapeAs: x must be a Tensor (its shape is used), got ${x === null ? 'null' : typeof x}`);
    return s.reshape(this, x.shape);
  },
  flatten(this: Tensor) { return s.flatten(this); },
  squeeze(this: Tensor, axis?: number | number[]) { return s.squeeze(this, axis); },
  expandDims(this: Tensor, axis?: number) { return s.expandDims(this, axis); },
  slice(this: Tensor, begin: number | number[], size?: number | number[]) { return sl.slice(this, begin, size); },
  gather(this: Tensor, indices: TensorLike, axis?: number, batchDims?: number) { return sl.gather(this, indices, axis, batchDims); },
  concat(this: Tensor, x: TensorLike | TensorLike[], axis?: number) { return sl.concat([this, ...list(x)], axis); },
  stack(this: Tensor, x: TensorLike | TensorLike[], axis?: number) { return sl.stack([this, ...list(x)], axis); },
  unstack(this: Tensor, axis?: number) { return sl.unstack(this, axis); },
  split(this: Tensor, n: number | number[], axis?: number) { return sl.split(this, n, axis); },
  tile(this: Tensor, reps: number[]) { return sl.tile(this, reps); },
  reverse(this: Tensor, axis?: number | number[]) { return sl.reverse(this, axis); },
  pad(this: Tensor, paddings: Array<[number, number]>, c?: number) { return sl.pad(this, paddings, c); },
  argMax(this: Tensor, axis?: number) { return r.argMax(this, axis); },
  argMin(this: Tensor, axis?: number) { return r.argMin(this, axis); },
  max(this: Tensor, axis?: Axis, keepDims?: boolean) { return r.max(this, axis, keepDims); },
  min(this: Tensor, axis?: Axis, keepDims?: boolean) { return r.min(this, axis, keepDims); },
  sum(this: Tensor, axis?: Axis, keepDims?: boolean) { return r.sum(this, axis, keepDims); },
  mean(this: Tensor, axis?: Axis, keepDims?: boolean) { return r.mean(this, axis, keepDims); },
  prod(this: Tensor, axis?: Axis, keepDims?: boolean) { return r.prod(this, axis, keepDims); },
  any(this: Tensor, axis?: Axis, keepDims?: boolean) { return r.any(this, axis, keepDims); },
  all(this: Tensor, axis?: Axis, keepDims?: boolean) { return r.all(this, axis, keepDims); },
  where(this: Tensor, condition: TensorLike, b: TensorLike) { return e.where(condition, this, b); },
  matMul(this: Tensor, b: TensorLike, ta?: boolean, tb?: boolean) { return la.matMul(this, b, ta, tb); },
  transpose(this: Tensor, perm?: number[]) { return la.transpose(this, perm); },
  softmax(this: Tensor, dim?: number) { return r.softmax(this, dim); },
  logSoftmax(this: Tensor, axis?: number) { return r.logSoftmax(this, axis); },
  topk(this: Tensor, k?: number, sorted?: boolean) { return r.topk(this, k, sorted); },
  norm(this: Tensor, ord?: r.NormOrd, axis?: Axis, keepDims?: boolean) { return r.norm(this, ord, axis, keepDims); },
  prelu(this: Tensor, alpha: TensorLike) { return m.prelu(this, alpha); },
  unique(this: Tensor, axis?: number) { return sel.unique(this, axis); },
  mirrorPad(this: Tensor, paddings: Array<[number, number]>, mode: 'reflect' | 'symmetric') { return ix.mirrorPad(this, paddings, mode); },
  unsortedSegmentSum(this: Tensor, segmentIds: TensorLike, numSegments: number) { return ix.unsortedSegmentSum(this, segmentIds, numSegments); },
  clipByValue(this: Tensor, lo: number, hi: number) { return e.clipByValue(this, lo, hi); },
  leakyRelu(this: Tensor, alpha?: number) { return m.leakyRelu(this, alpha); },
  step(this: Tensor, alpha?: number) { return m.step(this, alpha); },
  cumsum(this: Tensor, axis?: number, exclusive?: boolean, reverse?: boolean) { return m.cumsum(this, axis, exclusive, reverse); },
  dot(this: Tensor, b: TensorLike) { return m.dot(this, b); },
  broadcastTo(this: Tensor, shape: Shape) { return m.broadcastTo(this, shape); },
  logSumExp(this: Tensor, axis?: Axis, keepDims?: boolean) { return r.logSumExp(this, axis, keepDims); },
  oneHot(this: Tensor, depth: number, onValue?: number, offValue?: number) { return c.oneHot(this, depth, onValue, offValue); },
  zerosLike(this: Tensor) { return c.zerosLike(this); },
  onesLike(this: Tensor) { return c.onesLike(this); },
  toFloat(this: Tensor) { return e.cast(this, 'float32'); },
  toInt(this: Tensor) { return e.cast(this, 'int32'); },
  toBool(this: Tensor) { return e.cast(this, 'bool'); },
  batchNorm(this: Tensor, mean: TensorLike, variance: TensorLike, offset?: TensorLike, scale?: TensorLike, eps?: number) {
    return m.batchNorm(this, mean, variance, offset, scale, eps);
  },
  bytes(this: Tensor) {
    return readAtCall(() => {
      // The values themselves (a disposed tensor's throw): a variable's dataSync() is a copy, and the bytes are another.
      const v = this.values;
      // tfjs stores bool as one byte per value and float32 as 4-byte floats (also under rl.setPrecision(64)).
      if (this.dtype === 'bool') return Uint8Array.from(v);
      const typed = this.dtype === 'float32' ? Float32Array.from(v) : Int32Array.from(v);
      return new Uint8Array(typed.buffer);
    });
  },
});
// tfjs's methods for ops rnnlab does not implement (conv2d, fft, resizeBilinear, dataToGPU, ...) throw, naming why.
for (const [name, fn] of Object.entries(unsupportedMethods)) Object.defineProperty(P, name, { configurable: true, writable: true, value: fn });

// One-argument and binary ops take the same shape of method: this first.
const binaryOps = ['add', 'sub', 'mul', 'div', 'divNoNan', 'floorDiv', 'pow', 'maximum', 'minimum', 'mod', 'squaredDifference', 'greater', 'greaterEqual',
  'less', 'lessEqual', 'equal', 'notEqual', 'logicalAnd', 'logicalOr', 'logicalXor', 'atan2'] as const;
for (const name of binaryOps) {
  const fn = e[name] as (a: TensorLike, b: TensorLike) => Tensor;
  Object.defineProperty(P, name, { configurable: true, writable: true, value(this: Tensor, b: TensorLike) { return fn(this, b); } });
}
const unaryOps: Record<string, (a: TensorLike) => Tensor> = {
  neg: e.neg, abs: e.abs, exp: e.exp, log: e.log, sqrt: e.sqrt, square: e.square, sigmoid: e.sigmoid, tanh: e.tanh, relu: e.relu,
  isNaN: e.isNaN, isFinite: e.isFinite, isInf: e.isInf, logicalNot: e.logicalNot, floor: m.floor, ceil: m.ceil, round: m.round, sign: m.sign, reciprocal: m.reciprocal,
  rsqrt: m.rsqrt, sin: m.sin, cos: m.cos, expm1: m.expm1, log1p: m.log1p, softplus: m.softplus, logSigmoid: m.logSigmoid,
  elu: m.elu, selu: m.selu, relu6: m.relu6, tan: m.tan, cosh: m.cosh, sinh: m.sinh, asin: m.asin, acos: m.acos, atan: m.atan,
  asinh: m.asinh, acosh: m.acosh, atanh: m.atanh, erf: m.erf,
};
for (const [name, fn] of Object.entries(unaryOps)) {
  Object.defineProperty(P, name, { configurable: true, writable: true, value(this: Tensor) { return fn(this); } });
}
