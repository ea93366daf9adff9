/** Argument conversion and dtype rules shared by every public op (tfjs's convertToTensor and upcastType). */
import { allocPersistent, getPrecision, type FArray } from '../backend/index.js';
import { Tensor, isForeignTensor, sizeOf, tensor as makeTensor, type DType, type Shape, type TensorLike } from '../tensor.js';
import { track } from './memory.js';
import { describe } from '../describe.js';

export type ParseAs = DType | 'numeric';

const DTYPE_ORDER: Record<DType, number> = { bool: 0, int32: 1, float32: 2 };

export function upcast(a: DType, b: DType): DType {
  return DTYPE_ORDER[a] >= DTYPE_ORDER[b] ? a : b;
}

/** tfjs's upcastType(a, b): the wider of two dtypes (bool < int32 < float32). */
export function upcastType(a: DType, b: DType): DType {
  return upcast(checkDtype(a, 'upcastType'), checkDtype(b, 'upcastType'));
}

export function checkDtype(dtype: unknown, op: string): DType {
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') throw new Error(`${op}: unsupported dtype '${String(dtype)}' (use 'float32', 'int32' or 'bool')`);
  return dtype;
}

/**
 * A tensor argument: Tensors pass through (checked against parseAs), plain values become tensors of their
 * inferred dtype, or of parseAs when it names one (indices given as [1, 2] become int32).
 */
export function asTensor(x: unknown, arg: string, op: string, parseAs: ParseAs = 'numeric'): Tensor {
  if (x instanceof Tensor) {
    if (parseAs !== 'numeric' && x.dtype !== parseAs) throw new Error(`Argument '${arg}' passed to '${op}' must be ${parseAs} tensor, but got ${x.dtype} tensor`);
    return x;
  }
  if (typeof x === 'string' || (Array.isArray(x) && containsString(x))) {
    throw new Error(`Argument '${arg}' passed to '${op}' must be numeric tensor, but got string tensor`);
  }
  const plain = typeof x === 'number' || typeof x === 'boolean' || Array.isArray(x) || ArrayBuffer.isView(x);
  if (!plain) {
    if (isForeignTensor(x)) throw new Error(`Argument '${arg}' passed to '${op}' is a Tensor of another library (tfjs?); convert it with rl.tensor(t.dataSync(), t.shape, t.dtype)`);
    const kind = x === null ? 'null' : x === undefined ? 'undefined' : (x as object).constructor?.name ?? typeof x;
    throw new Error(`Argument '${arg}' passed to '${op}' must be a Tensor or TensorLike, but got '${kind}'`);
  }
  try {
    return makeTensor(x as TensorLike, undefined, parseAs === 'numeric' ? undefined : parseAs);
  } catch (e) {
    throw new Error(`Argument '${arg}' passed to '${op}': ${(e as Error).message}`);
  }
}


function containsString(x: unknown[]): boolean {
  let cur: unknown = x;
  while (Array.isArray(cur) && cur.length > 0) cur = cur[0];
  return typeof cur === 'string';
}

/** Fresh storage for a result of this dtype (float storage follows the precision setting). */
export function alloc(n: number, dtype: DType): FArray | Int32Array {
  return dtype === 'float32' ? allocPersistent(n) : new Int32Array(n);
}

/** A registered result tensor. */
export function result(data: FArray | Int32Array, shape: Shape, dtype: DType): Tensor {
  return track(new Tensor(data, shape, dtype));
}

/** A registered result tensor filled by fn(i) at each flat index (int32/bool storage truncates as tfjs's). */
export function resultFrom(shape: Shape, dtype: DType, fn: (i: number) => number): Tensor {
  const n = sizeOf(shape);
  const data = alloc(n, dtype);
  if (dtype === 'bool') for (let i = 0; i < n; i++) data[i] = fn(i) !== 0 ? 1 : 0;
  else for (let i = 0; i < n; i++) data[i] = fn(i);
  return result(data, shape, dtype);
}

/**
 * A number written into a bool tensor's storage by fill, pad or oneHot: tfjs writes it into a Uint8Array, which
 * truncates modulo 256, so 0.7, 256 and NaN are false and 1.5 true (tensor() rounds instead; cast tests !== 0).
 */
export function storedBool(v: number | boolean): number {
  const n = Number(v);
  return Number.isFinite(n) && ((Math.trunc(n) % 256) + 256) % 256 !== 0 ? 1 : 0;
}

/** The data as a float array of the current precision, for kernels (copies only when it must). */
export function kernelFloats(t: Tensor): FArray {
  const d = t.values;
  if (getPrecision() === 32 ? d instanceof Float32Array : d instanceof Float64Array) return d as FArray;
  const out = allocPersistent(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i];
  return out;
}

export function strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

/** The refusal of an axis that is not an integer; describe() keeps a string, bigint or object printable. */
export function axisNotInteger(axis: unknown, op?: string): Error {
  return new Error(`${op ? `${op}: ` : ''}axis must be an integer, got ${typeof axis === 'number' ? axis : describe(axis)}`);
}

/** A single axis in [-rank, rank) made non-negative; rank+1 values allowed with `inclusive` (expandDims). */
export function normAxis(axis: number | null, rank: number, op: string, inclusive = false): number {
  // tfjs reads an explicit null as its default axis, 0 for every op that takes a single axis here.
  if (axis === null) axis = 0;
  const hi = inclusive ? rank + 1 : rank;
  // A fractional axis is a different mistake from an out-of-range one; saying "out of range [-1, 1)" for 0.5 misleads.
  if (!Number.isInteger(axis)) throw axisNotInteger(axis, op);
  // ${-hi}, not -${hi}: a rank-0 tensor's range reads [0, 0), not [-0, 0).
  if (axis < -hi || axis >= hi) throw new Error(`${op}: axis ${axis} is out of range [${-hi}, ${hi}) for a rank-${rank} tensor`);
  return axis < 0 ? axis + hi : axis;
}

/**
 * A user's argument as an op's error shows it: its JSON, or describe()'s words where JSON cannot write it (a bigint,
 * an object that refers to itself) or writes nothing (a function, undefined); a number as JavaScript writes it (NaN);
 * a tensor by dtype and shape, never its values. A list entry by entry: JSON writes NaN as null and gives up on a
 * whole list for one bigint in it. Cut short as describe() and shownList() cut theirs: a message never holds a file.
 */
export function shownArg(v: unknown, seen = new Set<unknown>()): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v instanceof Tensor || isForeignTensor(v)) {
    const t = v as Tensor;
    return `${v instanceof Tensor ? '' : 'a tfjs '}Tensor(${t.dtype}, [${t.shape.join(', ')}])`;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return `${v.constructor.name} ${shownEntries(v as unknown as ArrayLike<unknown>, seen)}`;
  // A list or object inside itself is described.
  const inside = typeof v === 'object' && v !== null && seen.has(v);
  if (Array.isArray(v) && !inside) {
    seen.add(v);
    const text = shownEntries(v, seen);
    seen.delete(v);
    return text;
  }
  let text: string | undefined;
  if (!inside) {
    seen.add(v);
    try { text = objectText(v, seen); } catch { text = undefined; } finally { seen.delete(v); }
  }
  text ??= describe(v);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * An object's JSON with the tensors, typed arrays and lists in it written as shownArg writes them (a tensor's JSON is
 * all its values: 10.9 MB for a 1000x1000 one): each is written in a mark that the text then replaces.
 */
function objectText(v: unknown, seen: Set<unknown>): string | undefined {
  const shown: string[] = [];
  const text = JSON.stringify(v, function (this: Record<string, unknown>, key, value: unknown) {
    // The value before its toJSON (a tfjs tensor's), as shownArg reads it.
    const given = this[key];
    if (given === v || !(Array.isArray(given) || ArrayBuffer.isView(given) || given instanceof Tensor || isForeignTensor(given))) return value;
    shown.push(shownArg(given, seen));
    return `\uE000${shown.length - 1}\uE000`;
  }) as string | undefined;
  return text?.replace(/"\uE000(\d+)\uE000"/g, (_m, i: string) => shown[Number(i)]);
}

/** `[a,b,…]`, stopping once past 60 characters (a million-entry list is not walked, let alone written). */
function shownEntries(list: ArrayLike<unknown>, seen: Set<unknown>): string {
  let text = '';
  for (let i = 0; i < list.length; i++) {
    if (text.length > 60) return `[${text},…]`;
    text += (i > 0 ? ',' : '') + shownArg(list[i], seen);
  }
  return `[${text}]`;
}

/** A list of sizes; arg is the name the op's signature gives it (eye's batchShape). */
export function assertShape(shape: unknown, op: string, arg = 'shape'): Shape {
  const bad = Array.isArray(shape) ? shape.findIndex((d) => !Number.isInteger(d) || d < 0) : -1;
  if (!Array.isArray(shape) || bad !== -1) {
    const entry = bad === -1 ? '' : ` (${arg}[${bad}] is ${shownArg((shape as unknown[])[bad])})`;
    throw new Error(`${op}: ${arg} must be an array of non-negative integers, got ${shownArg(shape)}${entry}`);
  }
  return shape as Shape;
}

/** Bounds and moments an op computes with: a string would be concatenated, a bigint throws a TypeError mid-op. */
export function finiteArgs(op: string, args: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(args)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${op}: ${name} must be a finite number, got ${shownArg(v)}`);
  }
}

/** A value an op writes into its output (fill, pad, oneHot): a number or boolean, never a string read as a number. */
export function assertFillValue(v: unknown, op: string, arg: string): void {
  if (typeof v !== 'number' && typeof v !== 'boolean') throw new Error(`${op}: ${arg} must be a number or boolean, got ${shownArg(v)}`);
}

/** tfjs's sumOutType: the dtype a sum of this dtype gives (bool and int32 sum to int32). */
export function sumOutType(dtype: DType): DType {
  return upcast(checkDtype(dtype, 'sumOutType'), 'int32');
}
