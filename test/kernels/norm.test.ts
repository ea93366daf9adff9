/**
 * Batch and layer normalization kernels: native against the reference on every instruction set (channels-last and
 * inner-axis layouts, with and without gamma/beta, training and inference backward, threaded sizes), the statistics
 * by hand, the reference's backward against finite differences in float64, and bad calls failing alike on both.
 */
import { describe, expect, it } from 'vitest';
import { Rng, describeNative, describeNativeEachIsa, dot, f64, numericGrad, randF32, randF64, referenceKernels as ref, relErr, type Kernels } from './util.js';

interface Geo { outer: number; C: number; inner: number }
const BN_CASES: Geo[] = [
  { outer: 2, C: 1, inner: 1 }, { outer: 4, C: 3, inner: 1 }, { outer: 7, C: 17, inner: 1 }, { outer: 2, C: 5, inner: 9 },
  { outer: 3, C: 33, inner: 4 }, { outer: 4096, C: 24, inner: 1 },  // threaded
  { outer: 16, C: 12, inner: 300 },  // threaded, strided channels
];
const LN_CASES: [number, number][] = [[1, 2], [3, 2], [5, 17], [9, 33], [4000, 16], [64, 1000]];
const sized = (g: Geo) => g.outer * g.C * g.inner;
const bnLabel = (g: Geo) => `outer${g.outer} C${g.C} inner${g.inner}`;

describeNativeEachIsa('batch normalization: native vs reference', (nat) => {
  it('statistics, forward and backward (training and inference; gamma/beta given or not)', () => {
    const rng = new Rng(3);
    for (const g of BN_CASES) {
      const n = sized(g);
      // An offset larger than the spread: the two-pass variance must not cancel.
      const x = randF32(rng, n, 4, 6);
      const mean = new Float32Array(g.C), variance = new Float32Array(g.C);
      nat.batchNormStats(g.outer, g.C, g.inner, x, mean, variance);
      const mr = new Float64Array(g.C), vr = new Float64Array(g.C);
      ref.batchNormStats(g.outer, g.C, g.inner, f64(x), mr, vr);
      expect(relErr(mean, mr), bnLabel(g)).toBeLessThan(1e-6);
      expect(relErr(variance, vr), bnLabel(g)).toBeLessThan(1e-5);
      for (const affine of [true, false]) {
        const gamma = affine ? randF32(rng, g.C, 0.5, 2) : null, beta = affine ? randF32(rng, g.C) : null;
        const y = new Float32Array(n).fill(NaN), yr = new Float64Array(n);
        nat.batchNormForward(g.outer, g.C, g.inner, x, mean, variance, gamma, beta, 1e-3, y);
        ref.batchNormForward(g.outer, g.C, g.inner, f64(x), f64(mean), f64(variance), gamma && f64(gamma), beta && f64(beta), 1e-3, yr);
        expect(relErr(y, yr), `forward ${bnLabel(g)}`).toBeLessThan(2e-6);
        for (const batchStats of [true, false]) {
          const dy = randF32(rng, n);
          const dx = new Float32Array(n).fill(NaN), dg = new Float32Array(g.C).fill(NaN), db = new Float32Array(g.C).fill(NaN);
          nat.batchNormBackward(g.outer, g.C, g.inner, x, mean, variance, gamma, 1e-3, batchStats, dy, dx, dg, db);
          const dxr = new Float64Array(n), dgr = new Float64Array(g.C), dbr = new Float64Array(g.C);
          ref.batchNormBackward(g.outer, g.C, g.inner, f64(x), f64(mean), f64(variance), gamma && f64(gamma), 1e-3, batchStats, f64(dy), dxr, dgr, dbr);
          const what = `backward ${bnLabel(g)} batchStats ${batchStats}`;
          expect(relErr(dx, dxr), what).toBeLessThan(1e-4);
          expect(relErr(dg, dgr), what).toBeLessThan(1e-5);
          expect(relErr(db, dbr), what).toBeLessThan(1e-5);
        }
      }
    }
  });

  it('backward with dx, dgamma or dbeta left out writes only the others', () => {
    const g = BN_CASES[3], n = sized(g);
    const rng = new Rng(4);
    const x = randF32(rng, n), dy = randF32(rng, n), mean = new Float32Array(g.C), variance = new Float32Array(g.C);
    nat.batchNormStats(g.outer, g.C, g.inner, x, mean, variance);
    const dg = new Float32Array(g.C), full = new Float32Array(g.C);
    nat.batchNormBackward(g.outer, g.C, g.inner, x, mean, variance, null, 1e-3, true, dy, null, dg, null);
    nat.batchNormBackward(g.outer, g.C, g.inner, x, mean, variance, null, 1e-3, true, dy, new Float32Array(n), full, new Float32Array(g.C));
    expect(Array.from(dg)).toEqual(Array.from(full));
  });

  it('the statistics by hand: per channel, biased variance', () => {
    // x [3, 2] channels-last: channel 0 = {1, 2, 6}, channel 1 = {-1, -1, -1}.
    const mean = new Float32Array(2), variance = new Float32Array(2);
    nat.batchNormStats(3, 2, 1, new Float32Array([1, -1, 2, -1, 6, -1]), mean, variance);
    expect(Array.from(mean)).toEqual([3, -1]);
    expect(variance[0]).toBeCloseTo(14 / 3, 6);
    expect(variance[1]).toBe(0);
  });
});

describeNativeEachIsa('layer normalization: native vs reference', (nat) => {
  it('forward and backward, with and without gamma/beta', () => {
    const rng = new Rng(5);
    for (const [rows, cols] of LN_CASES) {
      const n = rows * cols;
      const x = randF32(rng, n, -2, 3);
      for (const affine of [true, false]) {
        const gamma = affine ? randF32(rng, cols, 0.5, 2) : null, beta = affine ? randF32(rng, cols) : null;
        const y = new Float32Array(n).fill(NaN), mean = new Float32Array(rows), rstd = new Float32Array(rows);
        nat.layerNormForward(rows, cols, x, gamma, beta, 1e-3, y, mean, rstd);
        const yr = new Float64Array(n), mr = new Float64Array(rows), sr = new Float64Array(rows);
        ref.layerNormForward(rows, cols, f64(x), gamma && f64(gamma), beta && f64(beta), 1e-3, yr, mr, sr);
        const what = `rows${rows} cols${cols} affine ${affine}`;
        expect(relErr(y, yr), what).toBeLessThan(2e-6);
        expect(relErr(rstd, sr), what).toBeLessThan(1e-6);
        const dy = randF32(rng, n);
        const dx = new Float32Array(n).fill(NaN), dg = new Float32Array(cols).fill(NaN), db = new Float32Array(cols).fill(NaN);
        nat.layerNormBackward(rows, cols, x, gamma, mean, rstd, dy, dx, dg, db);
        const dxr = new Float64Array(n), dgr = new Float64Array(cols), dbr = new Float64Array(cols);
        ref.layerNormBackward(rows, cols, f64(x), gamma && f64(gamma), f64(mean), f64(rstd), f64(dy), dxr, dgr, dbr);
        expect(relErr(dx, dxr), `backward ${what}`).toBeLessThan(1e-4);
        expect(relErr(dg, dgr), `backward ${what}`).toBeLessThan(1e-5);
        expect(relErr(db, dbr), `backward ${what}`).toBeLessThan(1e-5);
      }
    }
  });
});

type BadCall = [string, keyof Kernels, unknown[]];
const f = (n: number) => new Float32Array(n);
// Valid shapes: batch norm outer 2, C 3, inner 2 (12 values); layer norm rows 2, cols 3.
const BAD: BadCall[] = [
  ['stats: x too short', 'batchNormStats', [2, 3, 2, f(11), f(3), f(3)]],
  ['stats: variance too short', 'batchNormStats', [2, 3, 2, f(12), f(3), f(2)]],
  ['stats: C not an integer', 'batchNormStats', [2, 1.5, 2, f(12), f(3), f(3)]],
  ['forward: gamma too short', 'batchNormForward', [2, 3, 2, f(12), f(3), f(3), f(2), null, 1e-3, f(12)]],
  ['forward: eps not a number', 'batchNormForward', [2, 3, 2, f(12), f(3), f(3), null, null, '1e-3', f(12)]],
  ['forward: y too short', 'batchNormForward', [2, 3, 2, f(12), f(3), f(3), null, null, 1e-3, f(11)]],
  ['backward: dy too short', 'batchNormBackward', [2, 3, 2, f(12), f(3), f(3), null, 1e-3, true, f(11), null, null, null]],
  ['backward: dbeta too short', 'batchNormBackward', [2, 3, 2, f(12), f(3), f(3), null, 1e-3, true, f(12), null, null, f(2)]],
  ['backward: mean an Int32Array', 'batchNormBackward', [2, 3, 2, f(12), new Int32Array(3), f(3), null, 1e-3, true, f(12), null, null, null]],
  ['layer forward: rstd too short', 'layerNormForward', [2, 3, f(6), null, null, 1e-3, f(6), f(2), f(1)]],
  ['layer forward: beta too short', 'layerNormForward', [2, 3, f(6), null, f(2), 1e-3, f(6), f(2), f(2)]],
  ['layer forward: rows negative', 'layerNormForward', [-2, 3, f(6), null, null, 1e-3, f(6), f(2), f(2)]],
  ['layer backward: dx too short', 'layerNormBackward', [2, 3, f(6), null, f(2), f(2), f(6), f(5), null, null]],
  ['layer backward: dgamma too short', 'layerNormBackward', [2, 3, f(6), null, f(2), f(2), f(6), null, f(2), null]],
];

describeNative('normalization kernels: a bad call fails alike on both backends', (nat) => {
  const failure = (k: Kernels, name: keyof Kernels, args: unknown[]): string => {
    try { (k[name] as (...a: unknown[]) => unknown)(...args); return 'no error'; } catch (e) { return `${(e as Error).constructor.name}: ${(e as Error).message}`; }
  };
  it.each(BAD)('%s', (_label, kernel, args) => {
    const native = failure(nat, kernel, args);
    expect(native).toMatch(/^RangeError: /);
    expect(failure(ref, kernel, args)).toBe(native);
  });
});

describe('normalization: reference backward against finite differences (float64)', () => {
  for (const g of [{ outer: 5, C: 3, inner: 1 }, { outer: 2, C: 3, inner: 4 }]) {
    for (const batchStats of [true, false]) {
      it(`batch norm ${bnLabel(g)} batchStats ${batchStats}`, () => {
        const rng = new Rng(g.outer * 7 + g.inner);
        const n = sized(g);
        const x = randF64(rng, n, -2, 2), gamma = randF64(rng, g.C, 0.5, 2), beta = randF64(rng, g.C), G = randF64(rng, n);
        const fixedMean = randF64(rng, g.C), fixedVar = randF64(rng, g.C, 0.5, 2);
        const mean = new Float64Array(g.C), variance = new Float64Array(g.C), y = new Float64Array(n);
        const stats = () => {
          if (batchStats) ref.batchNormStats(g.outer, g.C, g.inner, x, mean, variance);
          else { mean.set(fixedMean); variance.set(fixedVar); }
        };
        const loss = (): number => { stats(); ref.batchNormForward(g.outer, g.C, g.inner, x, mean, variance, gamma, beta, 1e-3, y); return dot(G, y); };
        const numX = numericGrad(loss, x), numG = numericGrad(loss, gamma), numB = numericGrad(loss, beta);
        stats();
        const dx = new Float64Array(n), dg = new Float64Array(g.C), db = new Float64Array(g.C);
        ref.batchNormBackward(g.outer, g.C, g.inner, x, mean, variance, gamma, 1e-3, batchStats, G, dx, dg, db);
        expect(relErr(dx, numX)).toBeLessThan(1e-6);
        expect(relErr(dg, numG)).toBeLessThan(1e-6);
        expect(relErr(db, numB)).toBeLessThan(1e-6);
      });
    }
  }

  it('layer norm rows 4 cols 5', () => {
    const rng = new Rng(11);
    const rows = 4, cols = 5, n = rows * cols;
    const x = randF64(rng, n, -2, 2), gamma = randF64(rng, cols, 0.5, 2), beta = randF64(rng, cols), G = randF64(rng, n);
    const y = new Float64Array(n), mean = new Float64Array(rows), rstd = new Float64Array(rows);
    const loss = (): number => { ref.layerNormForward(rows, cols, x, gamma, beta, 1e-3, y, mean, rstd); return dot(G, y); };
    const numX = numericGrad(loss, x), numG = numericGrad(loss, gamma), numB = numericGrad(loss, beta);
    loss();
    const dx = new Float64Array(n), dg = new Float64Array(cols), db = new Float64Array(cols);
    ref.layerNormBackward(rows, cols, x, gamma, mean, rstd, G, dx, dg, db);
    expect(relErr(dx, numX)).toBeLessThan(1e-6);
    expect(relErr(dg, numG)).toBeLessThan(1e-6);
    expect(relErr(db, numB)).toBeLessThan(1e-6);
  });
});
