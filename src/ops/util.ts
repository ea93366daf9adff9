/** rl.util: the tfjs.util helpers data-preparation code uses. */
import { globalRandom } from '../random.js';
import { sizeOf } from '../tensor.js';

/** Throws Error(msg) when expr is falsy; msg may be a string or a function that builds it lazily. */
export function assert(expr: unknown, msg: string | (() => string)): asserts expr {
  if (!expr) throw new Error(typeof msg === 'string' ? msg : msg());
}

/** Fisher–Yates in place with the seeded generator (rl.setSeed makes it reproducible). */
export function shuffle<T>(array: T[] | Float32Array | Int32Array | Uint8Array): void {
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

export const util = { assert, shuffle, shuffleCombo, sizeFromShape, flatten, now };
