/**
 * Optimizers: native against the reference over several steps at awkward and threaded sizes, the Keras
 * formulas on hand-computed values, and argument checking.
 */
import { describe, expect, it } from 'vitest';
import { Rng, describeNative, describeNativeEachIsa, expectClose, f64, randF32, referenceKernels as ref } from './util.js';

const SIZES = [1, 7, 16, 17, 1000, 40_009, 200_003];

describeNativeEachIsa('optimizers: native vs reference', (nat) => {
  it('adam over 5 steps', () => {
    const rng = new Rng(1);
    for (const n of SIZES) {
      const p = randF32(rng, n), m = new Float32Array(n), v = new Float32Array(n);
      const pr = f64(p), mr = new Float64Array(n), vr = new Float64Array(n);
      for (let step = 1; step <= 5; step++) {
        const g = randF32(rng, n, -2, 2);
        nat.adam(p, g, m, v, 0.01, 0.9, 0.999, 1e-7, step);
        ref.adam(pr, f64(g), mr, vr, 0.01, 0.9, 0.999, 1e-7, step);
      }
      expectClose(p, pr, 1e-5, `adam p n=${n}`);
      expectClose(m, mr, 1e-5, `adam m n=${n}`);
      expectClose(v, vr, 1e-5, `adam v n=${n}`);
    }
  });

  it('rmsprop over 5 steps', () => {
    const rng = new Rng(2);
    for (const n of SIZES) {
      const p = randF32(rng, n), acc = new Float32Array(n);
      const pr = f64(p), accr = new Float64Array(n);
      for (let step = 1; step <= 5; step++) {
        const g = randF32(rng, n, -2, 2);
        nat.rmsprop(p, g, acc, 0.001, 0.9, 1e-7);
        ref.rmsprop(pr, f64(g), accr, 0.001, 0.9, 1e-7);
      }
      expectClose(p, pr, 1e-5, `rmsprop p n=${n}`);
      expectClose(acc, accr, 1e-5, `rmsprop acc n=${n}`);
    }
  });

  for (const [momentum, nesterov] of [[0, false], [0.9, false], [0.9, true]] as const) {
    it(`sgd momentum=${momentum} nesterov=${nesterov}`, () => {
      const rng = new Rng(3);
      for (const n of SIZES) {
        const p = randF32(rng, n), vel = new Float32Array(n);
        const pr = f64(p), velr = new Float64Array(n);
        for (let step = 1; step <= 5; step++) {
          const g = randF32(rng, n, -2, 2);
          nat.sgd(p, g, vel, 0.05, momentum, nesterov);
          ref.sgd(pr, f64(g), velr, 0.05, momentum, nesterov);
        }
        expectClose(p, pr, 1e-5, `sgd p n=${n}`);
        expectClose(vel, velr, 1e-5, `sgd vel n=${n}`);
      }
    });
  }

  it('plain sgd needs no velocity array', () => {
    const p = new Float32Array([1, 2]);
    nat.sgd(p, new Float32Array([2, -2]), null as unknown as Float32Array, 0.5, 0, false);
    expect(Array.from(p)).toEqual([0, 3]);
  });
});

describeNative('optimizers: argument checking', (nat) => {
  const p = new Float32Array(8), g = new Float32Array(8), s = new Float32Array(8), short = new Float32Array(7);
  const cases: [string, () => unknown][] = [
    ['adam: g too short', () => nat.adam(p, short, s, s, 0.1, 0.9, 0.999, 1e-7, 1)],
    ['adam: m too short', () => nat.adam(p, g, short, s, 0.1, 0.9, 0.999, 1e-7, 1)],
    ['adam: v too short', () => nat.adam(p, g, s, short, 0.1, 0.9, 0.999, 1e-7, 1)],
    ['adam: step 0', () => nat.adam(p, g, s, s, 0.1, 0.9, 0.999, 1e-7, 0)],
    ['adam: step fractional', () => nat.adam(p, g, s, s, 0.1, 0.9, 0.999, 1e-7, 1.5)],
    ['adam: lr missing', () => (nat.adam as unknown as (...a: unknown[]) => void)(p, g, s, s)],
    ['adam: p Float64Array', () => nat.adam(new Float64Array(8), g, s, s, 0.1, 0.9, 0.999, 1e-7, 1)],
    ['rmsprop: acc too short', () => nat.rmsprop(p, g, short, 0.1, 0.9, 1e-7)],
    ['rmsprop: rho not a number', () => nat.rmsprop(p, g, s, 0.1, null as unknown as number, 1e-7)],
    ['sgd: vel too short with momentum', () => nat.sgd(p, g, short, 0.1, 0.9, false)],
    ['sgd: vel null with momentum', () => nat.sgd(p, g, null as unknown as Float32Array, 0.1, 0.9, false)],
    ['sgd: g too short', () => nat.sgd(p, short, s, 0.1, 0, false)],
    ['sgd: nesterov missing', () => (nat.sgd as unknown as (...a: unknown[]) => void)(p, g, s, 0.1, 0.9)],
  ];
  for (const [name, call] of cases) it(name, () => expect(call).toThrow(RangeError));
});

describe('optimizers: reference follows the Keras formulas', () => {
  it('adam: the bias corrections fold into the step size', () => {
    const p = f64([1]), m = f64([0]), v = f64([0]);
    ref.adam(p, f64([0.5]), m, v, 0.1, 0.9, 0.999, 1e-7, 1);
    const mm = 0.1 * 0.5, vv = 0.001 * 0.25;
    expect(m[0]).toBeCloseTo(mm, 15);
    expect(v[0]).toBeCloseTo(vv, 15);
    expect(p[0]).toBeCloseTo(1 - (0.1 * Math.sqrt(1 - 0.999)) / (1 - 0.9) * mm / (Math.sqrt(vv) + 1e-7), 12);
  });

  it('rmsprop and sgd', () => {
    const p = f64([1]), a = f64([0.5]);
    ref.rmsprop(p, f64([2]), a, 0.01, 0.9, 1e-7);
    expect(a[0]).toBeCloseTo(0.9 * 0.5 + 0.1 * 4, 15);
    expect(p[0]).toBeCloseTo(1 - (0.01 * 2) / Math.sqrt(0.85 + 1e-7), 12);
    const q = f64([1]), vel = f64([0.5]);
    ref.sgd(q, f64([2]), vel, 0.1, 0.9, false);
    expect(vel[0]).toBeCloseTo(0.45 - 0.2, 15);
    expect(q[0]).toBeCloseTo(1.25, 15);
    const r = f64([1]), vel2 = f64([0.5]);
    ref.sgd(r, f64([2]), vel2, 0.1, 0.9, true);
    expect(r[0]).toBeCloseTo(1 + 0.9 * 0.25 - 0.2, 15);
  });

  it('reference adam rejects step 0', () => {
    expect(() => ref.adam(f64([1]), f64([1]), f64([0]), f64([0]), 0.1, 0.9, 0.999, 1e-7, 0)).toThrow(RangeError);
  });
});
