/**
 * Argument checks of the reference kernels, mirroring native/common.h's Args: each kernel checks its arguments in
 * the native binding's order with the same messages, so a bad call raises the same RangeError on both backends.
 * Where the native kernel wants a Float32Array, the reference also takes a Float64Array (the float64 path).
 */
import type { FArray } from '../kernels.js';

export class Args {
  constructor(private readonly kernel: string) {}

  fail(name: string, what: string): never {
    throw new RangeError(`${this.kernel}: argument '${name}' ${what}`);
  }

  num(name: string, v: unknown): number {
    if (typeof v !== 'number') this.fail(name, 'must be a number');
    return v;
  }

  integer(name: string, v: unknown, lo = 0): number {
    const x = this.num(name, v);
    if (!Number.isInteger(x) || x < lo) this.fail(name, `must be an integer >= ${lo}`);
    return x;
  }

  act(name: string, v: unknown): void {
    if (this.integer(name, v) > 4) this.fail(name, 'must be an activation code 0..4');
  }

  /** A Float32Array (or Float64Array) of at least minLen elements; with optional, null/undefined pass. */
  floats(name: string, a: unknown, minLen: number, optional = false): void {
    this.typed(name, a, minLen, optional, 'Float32Array', (x) => x instanceof Float32Array || x instanceof Float64Array);
  }

  ints(name: string, a: unknown, minLen: number): void {
    this.typed(name, a, minLen, false, 'Int32Array', (x) => x instanceof Int32Array);
  }

  bytes(name: string, a: unknown, minLen: number, optional = false): void {
    this.typed(name, a, minLen, optional, 'Uint8Array', (x) => x instanceof Uint8Array);
  }

  private typed(name: string, a: unknown, minLen: number, optional: boolean, type: string,
    is: (x: unknown) => boolean): void {
    if (a === null || a === undefined) {
      if (optional) return;
      this.fail(name, `must be a ${type}`);
    }
    if (!is(a)) this.fail(name, `must be a ${type}`);
    const n = (a as ArrayLike<number>).length;
    if (n < minLen) this.fail(name, `has ${n} elements, needs ${minLen}`);
  }
}

/** Element count of a when it is a typed array, 0 otherwise (the following check then names the type). */
export function typedLength(a: FArray | Uint8Array | unknown): number {
  return ArrayBuffer.isView(a) ? (a as unknown as ArrayLike<number>).length : 0;
}

/** n (with nName), then arrays of at least n elements: the elementwise kernels' checks. */
export function checkSameLength(kernel: string, n: number, arrays: Record<string, unknown>, nName?: string): void {
  const a = new Args(kernel);
  if (nName) a.integer(nName, n);
  for (const [name, arr] of Object.entries(arrays)) a.floats(name, arr, n);
}

/** rows, cols, then arrays of rows * cols elements ('labels': an Int32Array of rows): the row kernels' checks. */
export function checkRows(kernel: string, rows: number, cols: number, arrays: Record<string, unknown>): void {
  const a = new Args(kernel);
  a.integer('rows', rows);
  a.integer('cols', cols);
  for (const [name, arr] of Object.entries(arrays)) {
    if (name === 'labels') a.ints(name, arr, rows);
    else a.floats(name, arr, rows * cols);
  }
}
