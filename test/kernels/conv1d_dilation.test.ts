/**
 * conv1d with dilation (Conv1D's dilationRate, and 'causal' padding's left-only pad): the reference against an
 * undilated convolution whose kernel has d - 1 zero taps between the real ones; native against the reference on
 * every instruction set (forward, dx, dw, db, both threading strategies); the reference backward against finite
 * differences; a bad dilation is the same RangeError on both backends; callers that pass no dilation get 1.
 */
import { describe, expect, it } from 'vitest';
import { Act, type ActCode } from '../../src/backend/index.js';
import { windowGeometry, type ConvPadding } from '../../src/layers/padding.js';
import { Rng, describeNative, describeNativeEachIsa, dot, expectClose, f64, numericGrad, randF32, randF64, referenceKernels as ref, relErr } from './util.js';

interface Dilated { B: number; T: number; Cin: number; Cout: number; K: number; d: number; padLeft: number; To: number }

function dilated(B: number, T: number, Cin: number, Cout: number, K: number, d: number, padding: ConvPadding): Dilated {
  return { B, T, Cin, Cout, K, d, ...windowGeometry(T, (K - 1) * d + 1, 1, padding), To: windowGeometry(T, (K - 1) * d + 1, 1, padding).outSteps };
}

const CASES: [Dilated, ActCode, boolean][] = [
  [dilated(2, 9, 3, 4, 2, 2, 'valid'), Act.linear, true],
  [dilated(2, 9, 3, 4, 3, 2, 'same'), Act.relu, true],
  [dilated(3, 10, 2, 5, 3, 2, 'causal'), Act.tanh, false],
  [dilated(2, 6, 3, 2, 3, 4, 'same'), Act.linear, true],  // span 9 > T: every window reaches past an end
  [dilated(1, 17, 4, 3, 4, 3, 'causal'), Act.sigmoid, true],
  [dilated(16, 64, 24, 32, 3, 2, 'causal'), Act.relu, true],  // samples split over threads
  [dilated(3, 120, 16, 40, 5, 4, 'same'), Act.hardSigmoid, true],  // few samples: threaded GEMMs
  [dilated(2, 7, 3, 4, 3, 1, 'causal'), Act.linear, true],  // causal without dilation keeps the contiguous path
];

const label = (c: Dilated): string => `B${c.B} T${c.T} Cin${c.Cin} Cout${c.Cout} K${c.K} d${c.d} pl${c.padLeft} To${c.To}`;

/** w [K, Cin, Cout] spread to [(K-1)d+1, Cin, Cout] with zero taps between: the undilated kernel that computes the same. */
function spreadKernel(w: Float64Array, c: Dilated): Float64Array {
  const span = (c.K - 1) * c.d + 1, tap = c.Cin * c.Cout;
  const out = new Float64Array(span * tap);
  for (let j = 0; j < c.K; j++) out.set(w.subarray(j * tap, (j + 1) * tap), j * c.d * tap);
  return out;
}

describe('conv1d dilation: the reference is an undilated convolution with zero taps', () => {
  for (const [c, act, withBias] of CASES) {
    it(label(c), () => {
      const rng = new Rng(c.T + c.d);
      const x = randF64(rng, c.B * c.T * c.Cin), w = randF64(rng, c.K * c.Cin * c.Cout), bias = withBias ? randF64(rng, c.Cout) : null;
      const y = new Float64Array(c.B * c.To * c.Cout), want = new Float64Array(y.length);
      ref.conv1d(c.B, c.T, c.Cin, c.Cout, c.K, 1, c.padLeft, c.To, x, w, bias, y, act, c.d);
      ref.conv1d(c.B, c.T, c.Cin, c.Cout, (c.K - 1) * c.d + 1, 1, c.padLeft, c.To, x, spreadKernel(w, c), bias, want, act);
      expect(relErr(y, want)).toBeLessThan(1e-12);
    });
  }
});

describeNativeEachIsa('conv1d dilation: native vs reference', (nat) => {
  it('forward', () => {
    const rng = new Rng(11);
    for (const [c, act, withBias] of CASES) {
      const x = randF32(rng, c.B * c.T * c.Cin), w = randF32(rng, c.K * c.Cin * c.Cout, -0.5, 0.5);
      const bias = withBias ? randF32(rng, c.Cout) : null;
      const y = new Float32Array(c.B * c.To * c.Cout).fill(NaN);
      nat.conv1d(c.B, c.T, c.Cin, c.Cout, c.K, 1, c.padLeft, c.To, x, w, bias, y, act, c.d);
      const yr = new Float64Array(y.length);
      ref.conv1d(c.B, c.T, c.Cin, c.Cout, c.K, 1, c.padLeft, c.To, f64(x), f64(w), bias && f64(bias), yr, act, c.d);
      expectClose(y, yr, 1e-5, `${label(c)} act${act}`);
    }
  });

  it('backward (dx, dw, db; and with dx and db null)', () => {
    const rng = new Rng(12);
    for (const [c] of CASES) {
      const x = randF32(rng, c.B * c.T * c.Cin), w = randF32(rng, c.K * c.Cin * c.Cout, -0.5, 0.5);
      const dy = randF32(rng, c.B * c.To * c.Cout);
      const dx = new Float32Array(x.length).fill(NaN), dw = new Float32Array(w.length).fill(NaN), db = new Float32Array(c.Cout).fill(NaN);
      nat.conv1dBackward(c.B, c.T, c.Cin, c.Cout, c.K, 1, c.padLeft, c.To, x, w, dy, dx, dw, db, c.d);
      const dxr = new Float64Array(x.length), dwr = new Float64Array(w.length), dbr = new Float64Array(c.Cout);
      ref.conv1dBackward(c.B, c.T, c.Cin, c.Cout, c.K, 1, c.padLeft, c.To, f64(x), f64(w), f64(dy), dxr, dwr, dbr, c.d);
      expectClose(dx, dxr, 1e-5, `dx ${label(c)}`);
      expectClose(dw, dwr, 1e-5, `dw ${label(c)}`);
      expectClose(db, dbr, 1e-5, `db ${label(c)}`);
      const dw2 = new Float32Array(w.length).fill(NaN);
      nat.conv1dBackward(c.B, c.T, c.Cin, c.Cout, c.K, 1, c.padLeft, c.To, x, w, dy, null, dw2, null, c.d);
      expectClose(dw2, dwr, 1e-5, `dw (no dx) ${label(c)}`);
    }
  });
});

describe('conv1d dilation: reference backward against finite differences (float64)', () => {
  for (const [c] of CASES.filter(([k]) => k.B * k.T * k.Cin < 200)) {
    it(label(c), () => {
      const rng = new Rng(c.T * 7 + c.d);
      const x = randF64(rng, c.B * c.T * c.Cin), w = randF64(rng, c.K * c.Cin * c.Cout), b = randF64(rng, c.Cout);
      const G = randF64(rng, c.B * c.To * c.Cout);
      const y = new Float64Array(G.length);
      const loss = (): number => {
        ref.conv1d(c.B, c.T, c.Cin, c.Cout, c.K, 1, c.padLeft, c.To, x, w, b, y, Act.linear, c.d);
        return dot(G, y);
      };
      const dx = new Float64Array(x.length), dw = new Float64Array(w.length), db = new Float64Array(c.Cout);
      ref.conv1dBackward(c.B, c.T, c.Cin, c.Cout, c.K, 1, c.padLeft, c.To, x, w, G, dx, dw, db, c.d);
      expect(relErr(dx, numericGrad(loss, x)), 'dx').toBeLessThan(1e-7);
      expect(relErr(dw, numericGrad(loss, w)), 'dw').toBeLessThan(1e-7);
      expect(relErr(db, numericGrad(loss, b)), 'db').toBeLessThan(1e-7);
    });
  }
});

describeNative('conv1d dilation: argument checking on both backends', (nat) => {
  const c = dilated(2, 8, 3, 4, 3, 2, 'same');
  const x = new Float32Array(c.B * c.T * c.Cin), w = new Float32Array(c.K * c.Cin * c.Cout);
  const y = new Float32Array(c.B * c.To * c.Cout), dx = new Float32Array(x.length), dw = new Float32Array(w.length);
  for (const [name, k] of [['native', nat], ['reference', ref]] as const) {
    for (const bad of [0, -1, 1.5, '2']) {
      it(`${name}: dilation ${JSON.stringify(bad)} is refused naming it`, () => {
        expect(() => k.conv1d(c.B, c.T, c.Cin, c.Cout, c.K, 1, c.padLeft, c.To, x, w, null, y, Act.linear, bad as number))
          .toThrow(/conv1d: argument 'dilation' must be (an integer >= 1|a number)/);
        expect(() => k.conv1dBackward(c.B, c.T, c.Cin, c.Cout, c.K, 1, c.padLeft, c.To, x, w, y, dx, dw, null, bad as number))
          .toThrow(/conv1dBackward: argument 'dilation' must be (an integer >= 1|a number)/);
      });
    }
    it(`${name}: no dilation argument means 1`, () => {
      const rng = new Rng(5);
      const xs = randF32(rng, x.length), ws = randF32(rng, w.length);
      const a = new Float32Array(y.length), b = new Float32Array(y.length);
      k.conv1d(c.B, c.T, c.Cin, c.Cout, c.K, 1, 1, c.To, xs, ws, null, a, Act.linear);
      k.conv1d(c.B, c.T, c.Cin, c.Cout, c.K, 1, 1, c.To, xs, ws, null, b, Act.linear, 1);
      expect(Array.from(a)).toEqual(Array.from(b));
    });
  }
});
