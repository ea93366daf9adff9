/**
 * Native SGEMM against the TypeScript reference: awkward sizes (1, primes, edges of every micro-tile and cache
 * block, k in the thousands), all four transpose combinations, alpha/beta/bias and every activation, on each
 * instruction set this CPU runs (setIsa forces each), plus argument checking and the RNNLAB_ISA variable.
 * The native addon must have loaded unless RNNLAB_ALLOW_NO_NATIVE=1.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Act, type ActCode, nativeKernels, referenceKernels } from '../../src/backend/index.js';
import { describeNativeEachIsa, recordDifference } from './util.js';
import { envFlag } from '../../src/env.js';

type GemmFn = typeof referenceKernels.gemm;
interface GemmAddon {
  gemm: GemmFn;
  setIsa(name: string): string;
  setThreads(n: number): void;
  info(): { isa: string; isas: string[]; threads: number; features: string };
}

const native = nativeKernels() as unknown as GemmAddon | null;
const allowNoNative = envFlag('RNNLAB_ALLOW_NO_NATIVE');
const addonPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/Release/rnnlab.node');

/** Deterministic uniform numbers in [-1, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

function randomF32(n: number, next: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = next();
  return a;
}

interface Case {
  ta: boolean; tb: boolean; m: number; n: number; k: number;
  alpha?: number; beta?: number; bias?: boolean; act?: ActCode;
}

let seed = 1;

/**
 * Runs one case natively and in the reference (on float64 copies of the same inputs) and returns the
 * norm-relative error ||native - ref|| / ||ref|| and the largest element error relative to max |ref|.
 */
function compare(c: Case): { rel: number; maxRel: number } {
  const { ta, tb, m, n, k } = c;
  const alpha = c.alpha ?? 1, beta = c.beta ?? 0, act = c.act ?? Act.linear;
  const next = rng(seed++);
  const a = randomF32(m * k, next);
  const b = randomF32(k * n, next);
  const bias = c.bias ? randomF32(n, next) : null;
  const c0 = randomF32(m * n, next);
  // With beta = 0 the old C must be ignored: fill it with NaN to prove it.
  if (beta === 0) c0.fill(NaN);
  const out = Float32Array.from(c0);
  native!.gemm(ta, tb, m, n, k, alpha, a, b, beta, out, bias, act);
  const ref = Float64Array.from(c0);
  referenceKernels.gemm(ta, tb, m, n, k, Math.fround(alpha), Float64Array.from(a), Float64Array.from(b),
    Math.fround(beta), ref, bias ? Float64Array.from(bias) : null, act);
  // Elementwise errors are judged against the larger of the output's and the pre-activation's scale: a
  // squashing activation passes on the rounding of its (possibly large) float32 input, however small its output.
  let scale = 0;
  if (act !== Act.linear) {
    const pre = Float64Array.from(c0);
    referenceKernels.gemm(ta, tb, m, n, k, Math.fround(alpha), Float64Array.from(a), Float64Array.from(b),
      Math.fround(beta), pre, bias ? Float64Array.from(bias) : null, Act.linear);
    for (const v of pre) scale = Math.max(scale, Math.abs(v));
  }
  let num = 0, den = 0, maxErr = 0, maxRef = 0;
  for (let i = 0; i < m * n; i++) {
    const d = out[i] - ref[i];
    num += d * d;
    den += ref[i] * ref[i];
    maxErr = Math.max(maxErr, Math.abs(d));
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
    if (Number.isNaN(out[i]) !== Number.isNaN(ref[i])) return { rel: Infinity, maxRel: Infinity };
  }
  const result = den === 0 ? { rel: Math.sqrt(num), maxRel: maxErr }
    : { rel: Math.sqrt(num / den), maxRel: maxErr / Math.max(maxRef, scale) };
  recordDifference(result.maxRel);
  return result;
}

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

/**
 * [m, n, k] chosen to hit every edge: micro-tiles of 8x48 / 6x16 / 6x8 and their remainders, k slices of
 * 256 / 512, column blocks of 480 / 512, B read in place and packed, A read in place and packed (a transposed A
 * of 8200 columns), thread grids and the k split, and a B packed whole for panels of C's rows that run every k
 * slice (several panels, the last one short: 500x40x1000 on every path, 300x100x520 on the 256-deep ones), and a
 * small B packed because C is over AVX2's 4 MB (10500x100x40).
 */
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 17, 3], [13, 1, 5], [2, 3, 1], [7, 5, 11], [6, 16, 8], [8, 48, 16], [9, 49, 17], [17, 31, 29],
  [5, 47, 257], [31, 97, 64], [64, 100, 100], [16, 100, 100], [47, 130, 200], [101, 67, 513], [100, 113, 37],
  [3, 1000, 41], [67, 1001, 300], [509, 9, 70], [129, 257, 131], [170, 500, 200], [8200, 3, 300],
  [3, 5, 2048], [7, 33, 2500], [40, 45, 3001], [100, 23, 2100], [500, 40, 1000], [300, 100, 520],
  [10500, 100, 40],
];

function checkAll(isaLabel: string): void {
  for (const [m, n, k] of SHAPES) {
    for (const [ta, tb] of TRANS) {
      const { rel, maxRel } = compare({ ta, tb, m, n, k });
      expect(rel, `${isaLabel} ${m}x${n}x${k} ta=${ta} tb=${tb}`).toBeLessThan(1e-5);
      expect(maxRel, `${isaLabel} ${m}x${n}x${k} ta=${ta} tb=${tb} (max element)`).toBeLessThan(1e-5);
    }
  }
}

function checkEpilogues(isaLabel: string): void {
  const acts: ActCode[] = [Act.linear, Act.relu, Act.sigmoid, Act.tanh, Act.hardSigmoid];
  const shapes: [number, number, number][] = [[9, 53, 19], [23, 100, 300], [70, 40, 33], [64, 210, 130]];
  let i = 0;
  for (const [m, n, k] of shapes) {
    for (const act of acts) {
      for (const [alpha, beta, bias] of [[1, 0, true], [0.5, 1, false], [-2, 0.3, true], [3, -1, true]] as const) {
        const [ta, tb] = TRANS[i++ % 4];
        const { rel, maxRel } = compare({ ta, tb, m, n, k, alpha, beta, bias, act });
        const label = `${isaLabel} ${m}x${n}x${k} act=${act} alpha=${alpha} beta=${beta} bias=${bias}`;
        expect(rel, label).toBeLessThan(1e-5);
        expect(maxRel, label).toBeLessThan(1e-5);
      }
    }
  }
}

/** Activations far into saturation and around zero (tanh's small-argument branch), elementwise. */
function checkActivationRange(isaLabel: string): void {
  const n = 211;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = i < 20 ? (i - 10) * 1e-3 : (i - n / 2) * 0.9; // -95 .. 95 and near 0
  const one = new Float32Array([1]);
  for (const act of [Act.sigmoid, Act.tanh, Act.hardSigmoid, Act.relu] as ActCode[]) {
    // C[1, n] = act(1 * x): A = [1] (1 x 1), B = x (1 x n).
    const out = new Float32Array(n);
    native!.gemm(false, false, 1, n, 1, 1, one, x, 0, out, null, act);
    const ref = new Float64Array(n);
    referenceKernels.gemm(false, false, 1, n, 1, 1, new Float64Array([1]), Float64Array.from(x), 0, ref, null, act);
    for (let i = 0; i < n; i++) {
      // Relative accuracy, except for values that underflow float32 anyway (sigmoid far below zero).
      const tol = 2e-6 * Math.abs(ref[i]) + 1e-9;
      expect(Math.abs(out[i] - ref[i]), `${isaLabel} act=${act} x=${x[i]}`).toBeLessThanOrEqual(tol);
    }
  }
}

describe('native gemm', () => {
  it('the native addon loaded', () => {
    if (!allowNoNative) expect(native, 'build/Release/rnnlab.node did not load (set RNNLAB_ALLOW_NO_NATIVE=1 to allow)').not.toBeNull();
  });
});

describeNativeEachIsa('native gemm vs reference', (_nat, isa) => {
  it('matches the reference on awkward shapes, all transposes', () => checkAll(isa));
  it('applies alpha, beta, bias and each activation', () => checkEpilogues(isa));
  it('keeps activations accurate across their range', () => checkActivationRange(isa));
  it('propagates NaN through every fused activation, as activation() and the reference gemm do', () => {
    const n = 37, m = 3;
    const b = Float32Array.from({ length: n }, (_, j) => (j % 3 === 0 ? NaN : j - 18));
    const a = new Float32Array(m).fill(1);
    for (const act of [Act.linear, Act.relu, Act.sigmoid, Act.tanh, Act.hardSigmoid]) {
      const fused = new Float32Array(m * n), pointwise = new Float32Array(n), ref = new Float64Array(m * n);
      _nat.gemm(false, false, m, n, 1, 1, a, b, 0, fused, null, act);
      _nat.activation(act, b, pointwise);
      referenceKernels.gemm(false, false, m, n, 1, 1, Float64Array.from(a), Float64Array.from(b), 0, ref, null, act);
      for (let j = 0; j < m * n; j++) {
        expect(Number.isNaN(fused[j]), `act ${act} [${j}]`).toBe(Number.isNaN(b[j % n]));
        expect(Number.isNaN(ref[j]), `reference act ${act} [${j}]`).toBe(Number.isNaN(b[j % n]));
        if (!Number.isNaN(b[j % n])) expect(Math.abs(fused[j] - pointwise[j % n])).toBeLessThan(1e-6);
      }
    }
  });
});

describe.skipIf(!native)('native gemm', () => {
  const start = native ? native.info().isa : 'none';
  const best = native ? native.info().isas[0] : 'none';

  it('reports the best instruction set for auto', () => {
    expect(native!.setIsa('auto')).toBe(best);
    expect(['avx512', 'avx2', 'portable']).toContain(best);
    expect(native!.info().isas.at(-1)).toBe('portable');
    native!.setIsa(start);
  });

  it('honours RNNLAB_ISA at startup, and refuses an unknown value naming the variable', () => {
    const load = (value: string) => spawnSync(process.execPath,
      ['-e', `console.log(require(${JSON.stringify(addonPath)}).info().isa)`],
      { env: { ...process.env, RNNLAB_ISA: value }, encoding: 'utf8' });
    for (const isa of native!.info().isas) {
      const r = load(isa);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(isa);
    }
    const auto = load('auto');
    expect(auto.stdout.trim()).toBe(best);
    const bad = load('sse9');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/RNNLAB_ISA: unknown instruction set 'sse9'/);
  });

  it('ignores NaN in C when beta = 0 and in A, B when alpha = 0', () => {
    const m = 20, n = 37, k = 300;
    const a = new Float32Array(m * k).fill(NaN), b = new Float32Array(k * n).fill(1);
    const bias = new Float32Array(n).fill(0.25);
    const c = new Float32Array(m * n).fill(NaN);
    native!.gemm(false, false, m, n, k, 0, a, b, 0, c, bias, Act.linear);
    expect(Array.from(c).every((v) => v === 0.25)).toBe(true);
    c.fill(2);
    native!.gemm(true, true, m, n, 0, 1, a, b, 0.5, c, null, Act.relu);
    expect(Array.from(c).every((v) => v === 1)).toBe(true);
    // Zero-sized outputs are a no-op.
    native!.gemm(false, false, 0, n, k, 1, a, b, 0, c, null, Act.linear);
    native!.gemm(false, false, m, 0, k, 1, a, b, 0, c, null, Act.linear);
  });

  it('matches the reference on other thread counts (2-D grids, k split)', () => {
    const before = native!.info().threads;
    try {
      for (const threads of [1, 3, 4]) {
        native!.setThreads(threads);
        for (const [m, n, k] of [[101, 67, 513], [67, 1001, 300], [300, 45, 130], [40, 45, 3001], [9, 700, 400]]) {
          for (const [ta, tb] of TRANS) {
            const { rel, maxRel } = compare({ ta, tb, m, n, k, beta: 0.5, bias: true, act: Act.tanh });
            const label = `threads=${threads} ${m}x${n}x${k} ta=${ta} tb=${tb}`;
            expect(rel, label).toBeLessThan(1e-5);
            expect(maxRel, label).toBeLessThan(1e-5);
          }
        }
      }
    } finally {
      native!.setThreads(before);
    }
  });

  it('is deterministic across calls', () => {
    const m = 300, n = 200, k = 700;
    const next = rng(99);
    const a = randomF32(m * k, next), b = randomF32(k * n, next);
    const c1 = new Float32Array(m * n), c2 = new Float32Array(m * n);
    native!.gemm(false, true, m, n, k, 1, a, b, 0, c1, null, Act.linear);
    native!.gemm(false, true, m, n, k, 1, a, b, 0, c2, null, Act.linear);
    expect(c2).toEqual(c1);
  });

  it('throws on bad arguments instead of crashing', () => {
    const f = (n: number) => new Float32Array(n);
    const g = native!.gemm.bind(native) as (...args: unknown[]) => void;
    const ok: unknown[] = [false, false, 4, 5, 6, 1, f(24), f(30), 0, f(20), f(5), 0];
    expect(() => g(...ok)).not.toThrow();
    const bad = (i: number, v: unknown) => { const args = ok.slice(); args[i] = v; return args; };
    expect(() => g(...bad(6, f(23)))).toThrow(/'a'/); // short A
    expect(() => g(...bad(7, f(29)))).toThrow(/'b'/); // short B
    expect(() => g(...bad(9, f(19)))).toThrow(/'c'/); // short C
    expect(() => g(...bad(10, f(4)))).toThrow(/'bias'/); // short bias
    expect(() => g(...bad(6, Array.from(f(24))))).toThrow(/Float32Array/); // plain array
    expect(() => g(...bad(7, new Float64Array(30)))).toThrow(/Float32Array/); // wrong element type
    expect(() => g(...bad(9, null))).toThrow(/'c'/);
    expect(() => g(...bad(2, -1))).toThrow(/'m'/);
    expect(() => g(...bad(3, 2.5))).toThrow(/'n'/);
    expect(() => g(...bad(4, '6'))).toThrow(/'k'/);
    expect(() => g(...bad(5, 'x'))).toThrow(/'alpha'/);
    expect(() => g(...bad(11, 9))).toThrow(/'act'/);
    expect(() => g(...bad(2, 2 ** 40))).toThrow(); // products too large for any array
    expect(() => g(...ok.slice(0, 11))).toThrow(/'act'/); // missing argument
    // Transposed shapes need the same element counts.
    expect(() => g(true, true, 4, 5, 6, 1, f(24), f(30), 0, f(20), null, 0)).not.toThrow();
  });

  it('rejects unknown instruction sets and ones this CPU lacks', () => {
    expect(() => native!.setIsa('sse9')).toThrow(/setIsa: unknown instruction set 'sse9'/);
    expect(() => (native!.setIsa as (v: unknown) => string)(3)).toThrow(TypeError);
    for (const isa of ['avx512', 'avx2'].filter((i) => !native!.info().isas.includes(i)))
      expect(() => native!.setIsa(isa)).toThrow(/cannot run/);
    expect(native!.info().isa).toBe(start);
  });
});

describe('reference gemm', () => {
  it('computes a small product by hand', () => {
    // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]
    const c = new Float64Array(4);
    referenceKernels.gemm(false, false, 2, 2, 2, 1, new Float64Array([1, 2, 3, 4]), new Float64Array([5, 6, 7, 8]), 0, c,
      null, Act.linear);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
    // A^T B^T with bias and beta: A stored [[1,3],[2,4]], B stored [[5,7],[6,8]].
    const c2 = new Float64Array([1, 1, 1, 1]);
    referenceKernels.gemm(true, true, 2, 2, 2, 2, new Float64Array([1, 3, 2, 4]), new Float64Array([5, 7, 6, 8]), 10, c2,
      new Float64Array([0.5, -0.5]), Act.linear);
    expect(Array.from(c2)).toEqual([48.5, 53.5, 96.5, 109.5]);
    referenceKernels.gemm(false, false, 1, 3, 1, 1, new Float64Array([1]), new Float64Array([-5, 0, 5]), 0, c2, null,
      Act.hardSigmoid);
    expect(Array.from(c2.subarray(0, 3))).toEqual([0, 0.5, 1]);
  });

  it('rejects short arrays', () => {
    expect(() => referenceKernels.gemm(false, false, 2, 2, 2, 1, new Float32Array(3), new Float32Array(4), 0,
      new Float32Array(4), null, Act.linear)).toThrow(/'a'/);
  });
});
