/** rl.util: the tfjs.util helpers data-preparation code uses. */
import { globalRandom } from '../random.js';
import { sizeOf } from '../tensor.js';
import { shownArg } from './convert.js';

/** Throws Error(msg) when expr is falsy; msg may be a string or a function that builds it lazily. */
export function assert(expr: unknown, msg: string | (() => string)): asserts expr {
  if (!expr) throw new Error(typeof msg === 'string' ? msg : msg());
}

/** Fisher–Yates in place with the seeded generator (rl.setSeed makes it reproducible). */
export function shuffle<T>(array: T[] | Float32Array | Int32Array | Uint8Array | Uint32Array): void {
  globalRandom.shuffle(array as T[]);
}

/** Shuffles two arrays of equal length with the same permutation. */
export function shuffleCombo<T, U>(array: T[] | Float32Array | Int32Array | Uint8Array, array2: U[] | Float32Array | Int32Array | Uint8Array): void {
  if (array.length !== array2.length) throw new Error(`Array sizes must match to be shuffled together First array length was ${array.length}Second array length was ${array2.length}`);
  const a = array as unknown as number[], b = array2 as unknown as number[];
  for (let i = a.length - 1; i > 0; i--) {
    const j = globalRandom.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
    [b[i], b[j]] = [b[j], b[i]];
  }
}

/** tfjs's createShuffledIndices: 0..n-1 in a Uint32Array, shuffled with the seeded generator (as shuffle). */
export function createShuffledIndices(n: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0) throw new Error(`createShuffledIndices: n must be a non-negative integer, got ${shownArg(n)}`);
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  shuffle(indices);
  return indices;
}

/** tfjs's arraysEqual: same length and the same elements (===); both null/undefined-free. */
export function arraysEqual(a: ArrayLike<unknown> | null | undefined, b: ArrayLike<unknown> | null | undefined): boolean {
  if (a === b) return true;
  if (a == null || b == null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** tfjs's assertShapesMatch: throws `${prefix} Shapes a and b must match` unless the shapes are equal. */
export function assertShapesMatch(shapeA: number[], shapeB: number[], errorMessagePrefix = ''): void {
  assert(arraysEqual(shapeA, shapeB), () => `${errorMessagePrefix} Shapes ${String(shapeA)} and ${String(shapeB)} must match`);
}

/** tfjs's isTypedArray: the typed arrays tensors are built from. */
export function isTypedArray(a: unknown): a is Float32Array | Int32Array | Uint8Array | Uint8ClampedArray {
  return a instanceof Float32Array || a instanceof Int32Array || a instanceof Uint8Array || a instanceof Uint8ClampedArray;
}

/** tfjs's clamp(min, x, max). */
export function clamp(min: number, x: number, max: number): number {
  return Math.max(min, Math.min(x, max));
}

export function sizeFromShape(shape: number[]): number {
  return sizeOf(shape);
}

type Nested<T> = T | Nested<T>[] | ArrayLike<T>;

/** Flattens nested arrays (and typed arrays inside them, unless skipTypedArray) into result. */
export function flatten<T>(arr: Nested<T>, result: T[] = [], skipTypedArray = false): T[] {
  if (Array.isArray(arr) || (ArrayBuffer.isView(arr) && !skipTypedArray)) {
    for (let i = 0; i < (arr as ArrayLike<T>).length; i++) flatten((arr as ArrayLike<Nested<T>>)[i], result, skipTypedArray);
  } else {
    result.push(arr as T);
  }
  return result;
}

/** tfjs's util.now: milliseconds with sub-millisecond precision (performance.now). */
function now(): number {
  return performance.now();
}

export const util = { assert, shuffle, shuffleCombo, createShuffledIndices, arraysEqual, assertShapesMatch, isTypedArray, clamp, sizeFromShape, flatten, now };
