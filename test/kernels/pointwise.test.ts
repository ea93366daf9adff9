/**
 * Pointwise kernels: native against the reference (float64 oracle) at awkward sizes, including sizes that
 * split over the thread pool; the reference's backward kernels against finite differences in float64;
 * argument checking of every native binding.
 */
import { describe, expect, it } from 'vitest';
import { Act, type ActCode } from '../../src/backend/index.js';
import {
  AWKWARD_SIZES, Rng, describeNative, describeNativeEachIsa, dot, expectClose, f32, f64, maxRelErr, numericGrad, randF32, randF64,
  referenceKernels as ref, relErr, scalarRelErr,
} from './util.js';

const ACTS: [string, ActCode][] = [
  ['linear', Act.linear], ['relu', Act.relu], ['sigmoid', Act.sigmoid], ['tanh', Act.tanh], ['hardSigmoid', Act.hardSigmoid],
];

/** Inputs spread over [-12, 12] plus values that stress the approximations. */
function activationInputs(rng: Rng, n: number): Float32Array {
  const x = randF32(rng, n, -12, 12);
  const special = [0, -0, 1e-30, -1e-30, 1e-4, -1e-4, 0.6249, 0.6251, -0.625, 2.5, -2.5, 9, -9, 40, -40, 87, -87, 100, -100];
  for (let i = 0; i < Math.min(n, special.length); i++) x[(i * 7919) % n] = special[i];
  // A band of small magnitudes, where tanh's polynomial branch and relative accuracy matter.
  for (let i = 0; i < n; i += 3) x[i] *= 0.05;
  return x;
}

describeNativeEachIsa('pointwise: native vs reference', (nat) => {
  for (const [name, act] of ACTS) {
    it(`activation ${name}`, () => {
      const rng = new Rng(11 + act);
      for (const n of AWKWARD_SIZES) {
        const x = activationInputs(rng, n);
        const y = new Float32Array(n).fill(NaN);
        nat.activation(act, x, y);
        const yr = new Float64Array(n);
        ref.activation(act, f64(x), yr);
        // Elementwise relative error; outputs below 1e-30 (sigmoid deep in its tail) only need to be tiny.
        // hard_sigmoid's 0.2 x + 0.5 cancels near its lower corner in float32 whatever the code, so its error
        // is taken relative to max(|y|, 0.01).
        expect(maxRelErr(y, yr, act === Act.hardSigmoid ? 1e-2 : 1e-30), `${name} n=${n}`).toBeLessThan(1e-5);
      }
    });

    it(`activationBackward ${name}`, () => {
      const rng = new Rng(21 + act);
      for (const n of AWKWARD_SIZES) {
        const yr64 = new Float64Array(n);
        ref.activation(act, f64(activationInputs(rng, n)), yr64);
        const y = f32(yr64);
        const dy = randF32(rng, n, -2, 2);
        const dx = new Float32Array(n).fill(NaN);
        nat.activationBackward(act, y, dy, dx);
        const dxr = new Float64Array(n);
        ref.activationBackward(act, f64(y), f64(dy), dxr);
        expect(maxRelErr(dx, dxr, 1e-30), `${name} n=${n}`).toBeLessThan(1e-5);
      }
    });
  }

  it('activation works in place and leaves NaN as NaN', () => {
    const x = new Float32Array([NaN, 1, -1, NaN]);
    for (const [, act] of ACTS) {
      const y = Float32Array.from(x);
      nat.activation(act, y, y);
      expect(Number.isNaN(y[0]) && Number.isNaN(y[3])).toBe(true);
    }
  });

  it('softmax and softmaxBackward', () => {
    const rng = new Rng(31);
    const shapes: [number, number][] = [[1, 1], [1, 2], [3, 7], [5, 16], [4, 17], [64, 1000], [2000, 33], [7, 40_009]];
    for (const [rows, cols] of shapes) {
      const x = randF32(rng, rows * cols, -20, 20);
      const y = new Float32Array(rows * cols).fill(NaN);
      nat.softmax(rows, cols, x, y);
      const yr = new Float64Array(rows * cols);
      ref.softmax(rows, cols, f64(x), yr);
      expect(maxRelErr(y, yr, 1e-30), `softmax ${rows}x${cols}`).toBeLessThan(1e-5);

      // Backward on a softer softmax: with one probability near 1 the whole gradient cancels to ~1e-17 in
      // float64, which no float32 computation resolves.
      const ys = new Float32Array(rows * cols);
      nat.softmax(rows, cols, randF32(rng, rows * cols, -3, 3), ys);
      const dy = randF32(rng, rows * cols);
      const dx = new Float32Array(rows * cols).fill(NaN);
      nat.softmaxBackward(rows, cols, ys, dy, dx);
      const dxr = new Float64Array(rows * cols);
      ref.softmaxBackward(rows, cols, f64(ys), f64(dy), dxr);
      expectClose(dx, dxr, 1e-5, `softmaxBackward ${rows}x${cols}`);
    }
  });

  it('softmax of rows with huge logits stays finite', () => {
    const x = new Float32Array([1000, 0, -1000, 3e38, 3e38, 0]);
    const y = new Float32Array(6);
    nat.softmax(2, 3, x, y);
    expect(Array.from(y).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, 0, 0, 0.5, 0.5, 0]);
  });

  it('colSum, narrow and wide, accumulating or not', () => {
    const rng = new Rng(41);
    const shapes: [number, number][] = [[1, 1], [7, 13], [64_000, 3], [3001, 200], [100, 1000], [1, 40_009]];
    for (const [rows, cols] of shapes) {
      const x = randF32(rng, rows * cols);
      for (const accumulate of [false, true]) {
        const init = randF32(rng, cols);
        const out = Float32Array.from(init);
        nat.colSum(rows, cols, x, out, accumulate);
        const outr = f64(init);
        ref.colSum(rows, cols, f64(x), outr, accumulate);
        expectClose(out, outr, 1e-6, `colSum ${rows}x${cols} acc=${accumulate}`);
      }
    }
  });

  it('add, mul, axpy, dropoutApply, sumSquares', () => {
    const rng = new Rng(51);
    for (const n of AWKWARD_SIZES) {
      const a = randF32(rng, n), b = randF32(rng, n);
      const y = new Float32Array(n);
      nat.add(a, b, y);
      expect(maxRelErr(y, a.map((v, i) => Math.fround(v + b[i])))).toBe(0);
      nat.mul(a, b, y);
      expect(maxRelErr(y, a.map((v, i) => Math.fround(v * b[i])))).toBe(0);

      const yy = randF32(rng, n);
      const yr = f64(yy);
      nat.axpy(0.37, a, yy);
      ref.axpy(Math.fround(0.37), f64(a), yr);
      expectClose(yy, yr, 1e-6, `axpy n=${n}`);

      const mask = new Uint8Array(n);
      for (let i = 0; i < n; i++) mask[i] = rng.next() < 0.3 ? 0 : 1;
      const d = new Float32Array(n).fill(NaN);
      nat.dropoutApply(a, mask, 1 / 0.7, d);
      const dr = new Float64Array(n);
      ref.dropoutApply(f64(a), mask, Math.fround(1 / 0.7), dr);
      expectClose(d, dr, 1e-6, `dropoutApply n=${n}`);

      expect(scalarRelErr(nat.sumSquares(a), ref.sumSquares(f64(a))), `sumSquares n=${n}`).toBeLessThan(1e-10);
    }
    expect(nat.sumSquares(new Float32Array(0))).toBe(0);
  });

  it('binary ops may write in place', () => {
    const a = new Float32Array([1, 2, 3]), b = new Float32Array([4, 5, 6]);
    nat.add(a, b, a);
    expect(Array.from(a)).toEqual([5, 7, 9]);
  });
});

describeNative('pointwise: argument checking', (nat) => {
  const x = new Float32Array(8), y = new Float32Array(8), short = new Float32Array(3);
  const cases: [string, () => unknown][] = [
    ['activation: act out of range', () => nat.activation(5 as ActCode, x, y)],
    ['activation: act not an integer', () => nat.activation(1.5 as ActCode, x, y)],
    ['activation: y too short', () => nat.activation(Act.relu, x, short)],
    ['activation: Float64Array', () => nat.activation(Act.relu, new Float64Array(8), y)],
    ['activation: missing y', () => (nat.activation as unknown as (...a: unknown[]) => void)(Act.relu, x)],
    ['activationBackward: dy too short', () => nat.activationBackward(Act.tanh, x, short, y)],
    ['activationBackward: dx not typed', () => nat.activationBackward(Act.tanh, x, y, [1, 2] as unknown as Float32Array)],
    ['softmax: x too short', () => nat.softmax(3, 3, x, new Float32Array(9))],
    ['softmax: negative rows', () => nat.softmax(-1, 3, x, y)],
    ['softmax: huge shape', () => nat.softmax(2 ** 40, 2 ** 40, x, y)],
    ['softmaxBackward: dx too short', () => nat.softmaxBackward(2, 4, x, y, short)],
    ['colSum: out too short', () => nat.colSum(2, 4, x, short, false)],
    ['colSum: accumulate missing', () => (nat.colSum as unknown as (...a: unknown[]) => void)(2, 4, x, y)],
    ['add: b too short', () => nat.add(x, short, y)],
    ['mul: a too short', () => nat.mul(short, x, y)],
    ['axpy: alpha not a number', () => nat.axpy('2' as unknown as number, x, y)],
    ['axpy: x too short', () => nat.axpy(2, short, y)],
    ['dropoutApply: mask too short', () => nat.dropoutApply(x, new Uint8Array(3), 2, y)],
    ['dropoutApply: mask not Uint8Array', () => nat.dropoutApply(x, new Int32Array(8) as unknown as Uint8Array, 2, y)],
    ['sumSquares: not a Float32Array', () => nat.sumSquares(new Float64Array(4))],
  ];
  for (const [name, call] of cases) it(name, () => expect(call).toThrow(RangeError));
});

describe('pointwise: reference gradients against finite differences (float64)', () => {
  it('activationBackward for every activation', () => {
    const rng = new Rng(61);
    for (const [name, act] of ACTS) {
      const n = 40;
      // Keep clear of the kinks (relu at 0, hard_sigmoid at +-2.5).
      const x = randF64(rng, n, -4, 4).map((v) => (Math.abs(v) < 0.05 || Math.abs(Math.abs(v) - 2.5) < 0.05 ? v + 0.2 : v));
      const w = randF64(rng, n);
      const y = new Float64Array(n);
      const loss = (): number => { ref.activation(act, x, y); return dot(w, y); };
      const num = numericGrad(loss, x);
      ref.activation(act, x, y);
      const dx = new Float64Array(n);
      ref.activationBackward(act, y, w, dx);
      expect(relErr(dx, num), name).toBeLessThan(1e-7);
    }
  });

  it('softmaxBackward', () => {
    const rng = new Rng(62);
    const rows = 4, cols = 7;
    const x = randF64(rng, rows * cols, -3, 3), w = randF64(rng, rows * cols);
    const y = new Float64Array(rows * cols);
    const loss = (): number => { ref.softmax(rows, cols, x, y); return dot(w, y); };
    const num = numericGrad(loss, x);
    ref.softmax(rows, cols, x, y);
    const dx = new Float64Array(rows * cols);
    ref.softmaxBackward(rows, cols, y, w, dx);
    expect(relErr(dx, num)).toBeLessThan(1e-7);
  });

  it('the reference matches the Keras definitions', () => {
    const y = new Float64Array(5);
    ref.activation(Act.hardSigmoid, f64([-3, -2.5, 0, 1, 3]), y);
    expect(Array.from(y)).toEqual([0, 0, 0.5, 0.7, 1]);
    ref.activation(Act.relu, f64([-1, 0, 2, -0.5, 0.5]), y);
    expect(Array.from(y)).toEqual([0, 0, 2, 0, 0.5]);
  });
});
