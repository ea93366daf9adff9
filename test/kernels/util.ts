/**
 * Shared helpers for kernel tests: a seeded PRNG and random arrays, error measures, central finite
 * differences, and describeNative(), which runs a native-vs-reference suite when the addon loaded and
 * otherwise fails (or, with RNNLAB_ALLOW_NO_NATIVE=1, skips); describeNativeEachIsa() runs it once per
 * instruction set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendInfo, nativeKernels, referenceKernels, setIsa, type FArray, type Kernels } from '../../src/backend/index.js';
import { envFlag } from '../../src/env.js';

export { referenceKernels };
export type { FArray, Kernels };

/** The addon's functions (no reference fallback), or null when it did not load. */
export const native: Partial<Kernels> | null = nativeKernels();
export const allowNoNative = envFlag('RNNLAB_ALLOW_NO_NATIVE');

/**
 * describe() for suites that need the native addon. With the addon, fn gets its kernels (a kernel the
 * addon lacks is undefined, so calling it fails the test). Without it the suite is one failing test,
 * unless RNNLAB_ALLOW_NO_NATIVE=1, when it is skipped.
 */
export function describeNative(name: string, fn: (nat: Kernels) => void): void {
  if (native) {
    describe(name, () => fn(native as Kernels));
    return;
  }
  // Without the addon: one test that fails, or is skipped where RNNLAB_ALLOW_NO_NATIVE=1 says the addon cannot build.
  describe(name, () => {
    it.skipIf(allowNoNative)('needs the native addon', () => {
      throw new Error('the native addon did not load: run `npm run build` (or set RNNLAB_ALLOW_NO_NATIVE=1 to skip native tests)');
    });
  });
}

/**
 * The instruction sets the per-ISA suites run: the one RNNLAB_ISA names (so a CI job per ISA covers exactly that
 * one), else every one this CPU runs, best first.
 */
export const isasUnderTest: string[] = (() => {
  const env = process.env.RNNLAB_ISA;
  if (env && env !== 'auto') return [env];
  return native ? backendInfo().isas : [];
})();

let largestDifference: { value: number } | null = null;

/** Records a native-vs-reference difference for the summary line of the per-ISA suite running now. */
export function recordDifference(e: number): void {
  if (largestDifference && !(e <= largestDifference.value)) largestDifference.value = e;
}

/**
 * describeNative() once per instruction set in isasUnderTest, each suite forcing every native kernel onto that set
 * through setIsa(); at the end of each it prints the largest relative difference from the reference it saw.
 */
export function describeNativeEachIsa(name: string, fn: (nat: Kernels, isa: string) => void): void {
  if (!native) return describeNative(name, () => {});
  const start = backendInfo().isa;
  for (const isa of isasUnderTest) {
    describe(`${name} [${isa}]`, () => {
      const seen = { value: 0 };
      beforeAll(() => {
        expect(setIsa(isa)).toBe(isa);
        largestDifference = seen;
      });
      afterAll(() => {
        largestDifference = null;
        setIsa(start);
        console.log(`${name} [${isa}]: largest relative difference from the reference ${seen.value.toExponential(2)}`);
      });
      fn(native as Kernels, isa);
    });
  }
}

// ------------------------------------------------------------------------------------------- random

/** A small seeded PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [lo, hi). */
  uniform(lo = -1, hi = 1): number { return lo + (hi - lo) * this.next(); }
  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number { return lo + Math.floor((hi - lo) * this.next()); }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next(), v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** Float32Array of n values uniform in [lo, hi). */
export function randF32(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(lo, hi);
  return a;
}

/** Float64Array of n values uniform in [lo, hi). */
export function randF64(rng: Rng, n: number, lo = -1, hi = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(lo, hi);
  return a;
}

/** Int32Array of n integers in [lo, hi). */
export function randInt32(rng: Rng, n: number, lo: number, hi: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.int(lo, hi);
  return a;
}

/** A float64 copy (the reference's oracle inputs). */
export const f64 = (a: ArrayLike<number>): Float64Array => Float64Array.from(a);
/** A float32 copy. */
export const f32 = (a: ArrayLike<number>): Float32Array => Float32Array.from(a);

/** Sizes that catch remainder loops, vector widths and the threading threshold. */
export const AWKWARD_SIZES = [1, 2, 3, 7, 13, 15, 16, 17, 31, 33, 64, 97, 1000, 4099, 40_009, 100_003] as const;

// ------------------------------------------------------------------------------------------- errors

/** max |a - b| / max |b| (infinity-norm relative error; 0 when both are all zeros). */
export function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length mismatch: ${actual.length} vs ${expected.length}`);
  let num = 0, den = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (Number.isNaN(d) && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) return Infinity;
    if (d > num) num = d;
    den = Math.max(den, Math.abs(expected[i]));
  }
  const e = num === 0 ? 0 : num / den;
  recordDifference(e);
  return e;
}

/** max over i of |a_i - b_i| / max(|b_i|, floor): elementwise relative error. */
export function maxRelErr(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-30): number {
  if (actual.length !== expected.length) throw new Error(`length mismatch: ${actual.length} vs ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (d === 0 || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) continue;
    const e = d / Math.max(Math.abs(expected[i]), floor);
    if (!(e <= worst)) worst = e;  // NaN propagates as the worst
  }
  recordDifference(worst);
  return worst;
}

/** Scalar relative error |a - b| / max(|b|, floor). */
export function scalarRelErr(actual: number, expected: number, floor = 1e-30): number {
  if (actual === expected) return 0;
  const e = Math.abs(actual - expected) / Math.max(Math.abs(expected), floor);
  recordDifference(e);
  return e;
}

/** expect(relErr(actual, expected)).toBeLessThan(tol), naming the case in the failure. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label = ''): void {
  const e = relErr(actual, expected);
  expect(e, `${label}: relative error ${e}`).toBeLessThan(tol);
}

// ------------------------------------------------------------------------------------------- gradients

/**
 * Central finite differences of the scalar f() with respect to every element of x (perturbed in place,
 * then restored). Use float64 arrays.
 */
export function numericGrad(f: () => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const old = x[i];
    x[i] = old + h;
    const fp = f();
    x[i] = old - h;
    const fm = f();
    x[i] = old;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** sum_i w_i * y_i: turns a vector output into a scalar whose gradient w.r.t. y is w. */
export function dot(w: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * y[i];
  return s;
}
