/**
 * conv1d: native against the reference (float64 oracle) over 'valid'/'same' padding, strides, kernels wider
 * than the input, fused bias and activations, both threading strategies (samples split over threads, or
 * each GEMM threaded), null bias/dx/db; the reference's backward against finite differences in float64;
 * argument checking.
 */
import { describe, expect, it } from 'vitest';
import { Act, type ActCode } from '../../src/backend/index.js';
import { Rng, describeNative, describeNativeEachIsa, dot, expectClose, f64, numericGrad, randF32, randF64, referenceKernels as ref, relErr } from './util.js';

interface Conv { B: number; T: number; Cin: number; Cout: number; K: number; stride: number; padLeft: number; To: number }

/** Keras output length and left padding for 'valid' / 'same'. */
function shape(B: number, T: number, Cin: number, Cout: number, K: number, stride: number, padding: 'valid' | 'same'): Conv {
  if (padding === 'valid') return { B, T, Cin, Cout, K, stride, padLeft: 0, To: Math.max(0, Math.floor((T - K) / stride) + 1) };
  const To = Math.ceil(T / stride);
  const total = Math.max((To - 1) * stride + K - T, 0);
  return { B, T, Cin, Cout, K, stride, padLeft: Math.floor(total / 2), To };
}

const CASES: [Conv, ActCode, boolean][] = [
  [shape(1, 1, 1, 1, 1, 1, 'valid'), Act.linear, false],
  [shape(2, 7, 3, 5, 3, 1, 'same'), Act.linear, true],
  [shape(3, 10, 4, 6, 3, 1, 'valid'), Act.relu, true],
  [shape(2, 11, 5, 3, 4, 2, 'same'), Act.tanh, true],
  [shape(2, 12, 3, 4, 3, 3, 'valid'), Act.sigmoid, false],
  [shape(4, 5, 3, 2, 7, 1, 'same'), Act.linear, true],  // kernel wider than the input: every step is an edge
  [shape(9, 37, 13, 17, 3, 1, 'same'), Act.relu, true],
  [shape(5, 29, 7, 31, 5, 2, 'same'), Act.hardSigmoid, true],
  [shape(16, 100, 50, 64, 3, 1, 'same'), Act.relu, true],  // samples split over threads
  [shape(8, 60, 100, 200, 3, 1, 'same'), Act.relu, true],  // the lab's channel counts
  [shape(3, 200, 20, 40, 5, 1, 'same'), Act.tanh, true],  // few samples: threaded GEMMs
  [shape(8, 64, 32, 16, 2, 1, 'valid'), Act.linear, true],
  [{ B: 2, T: 6, Cin: 3, Cout: 2, K: 2, stride: 1, padLeft: 3, To: 9 }, Act.linear, true],  // windows past both ends
  [shape(2, 5, 0, 3, 3, 1, 'same'), Act.sigmoid, true],  // no input channels
];

const label = (c: Conv): string => `B${c.B} T${c.T} Cin${c.Cin} Cout${c.Cout} K${c.K} s${c.stride} pl${c.padLeft} To${c.To}`;

describeNativeEachIsa('conv1d: native vs reference', (nat) => {
  it('forward', () => {
    const rng = new Rng(1);
    for (const [c, act, withBias] of CASES) {
      const x = randF32(rng, c.B * c.T * c.Cin), w = randF32(rng, c.K * c.Cin * c.Cout, -0.5, 0.5);
      const bias = withBias ? randF32(rng, c.Cout) : null;
      const y = new Float32Array(c.B * c.To * c.Cout).fill(NaN);
      nat.conv1d(c.B, c.T, c.Cin, c.Cout, c.K, c.stride, c.padLeft, c.To, x, w, bias, y, act);
      const yr = new Float64Array(y.length);
      ref.conv1d(c.B, c.T, c.Cin, c.Cout, c.K, c.stride, c.padLeft, c.To, f64(x), f64(w), bias && f64(bias), yr, act);
      expectClose(y, yr, 1e-5, `${label(c)} act${act}`);
    }
  });

  it('backward (dx, dw, db; and with dx and db null)', () => {
    const rng = new Rng(2);
    for (const [c] of CASES) {
      const x = randF32(rng, c.B * c.T * c.Cin), w = randF32(rng, c.K * c.Cin * c.Cout, -0.5, 0.5);
      const dy = randF32(rng, c.B * c.To * c.Cout);
      const dx = new Float32Array(x.length).fill(NaN), dw = new Float32Array(w.length).fill(NaN);
      const db = new Float32Array(c.Cout).fill(NaN);
      nat.conv1dBackward(c.B, c.T, c.Cin, c.Cout, c.K, c.stride, c.padLeft, c.To, x, w, dy, dx, dw, db);
      const dxr = new Float64Array(x.length), dwr = new Float64Array(w.length), dbr = new Float64Array(c.Cout);
      ref.conv1dBackward(c.B, c.T, c.Cin, c.Cout, c.K, c.stride, c.padLeft, c.To, f64(x), f64(w), f64(dy), dxr, dwr, dbr);
      expectClose(dx, dxr, 1e-5, `dx ${label(c)}`);
      expectClose(dw, dwr, 1e-5, `dw ${label(c)}`);
      expectClose(db, dbr, 1e-5, `db ${label(c)}`);

      const dw2 = new Float32Array(w.length).fill(NaN);
      nat.conv1dBackward(c.B, c.T, c.Cin, c.Cout, c.K, c.stride, c.padLeft, c.To, x, w, dy, null, dw2, null);
      expectClose(dw2, dwr, 1e-5, `dw (no dx) ${label(c)}`);
    }
  });

  it('is deterministic and independent of stale output contents', () => {
    const rng = new Rng(3);
    const c = shape(16, 50, 12, 24, 3, 1, 'same');
    const x = randF32(rng, c.B * c.T * c.Cin), w = randF32(rng, c.K * c.Cin * c.Cout), dy = randF32(rng, c.B * c.To * c.Cout);
    const run = (fill: number): Float32Array[] => {
      const dx = new Float32Array(x.length).fill(fill), dw = new Float32Array(w.length).fill(fill), db = new Float32Array(c.Cout).fill(fill);
      nat.conv1dBackward(c.B, c.T, c.Cin, c.Cout, c.K, c.stride, c.padLeft, c.To, x, w, dy, dx, dw, db);
      return [dx, dw, db];
    };
    const a = run(0), b = run(7);
    for (let i = 0; i < 3; i++) expect(relErr(a[i], b[i])).toBe(0);
  });
});

describeNative('conv1d: argument checking', (nat) => {
  const c = shape(2, 8, 3, 4, 3, 1, 'same');
  const x = new Float32Array(c.B * c.T * c.Cin), w = new Float32Array(c.K * c.Cin * c.Cout);
  const y = new Float32Array(c.B * c.To * c.Cout), bias = new Float32Array(c.Cout);
  const fwd = (o: Partial<Conv & { x: Float32Array; w: Float32Array; y: Float32Array; bias: Float32Array | null; act: number }>) => () =>
    nat.conv1d(o.B ?? c.B, o.T ?? c.T, o.Cin ?? c.Cin, o.Cout ?? c.Cout, o.K ?? c.K, o.stride ?? c.stride, o.padLeft ?? c.padLeft,
      o.To ?? c.To, o.x ?? x, o.w ?? w, o.bias === undefined ? bias : o.bias, o.y ?? y, (o.act ?? Act.relu) as ActCode);
  const dx = new Float32Array(x.length), dw = new Float32Array(w.length), db = new Float32Array(c.Cout);
  const bwd = (o: { dy?: Float32Array; dx?: Float32Array | null; dw?: Float32Array; db?: Float32Array | null; w?: Float32Array; stride?: number }) => () =>
    nat.conv1dBackward(c.B, c.T, c.Cin, c.Cout, c.K, o.stride ?? c.stride, c.padLeft, c.To, x, o.w ?? w, o.dy ?? y,
      o.dx === undefined ? dx : o.dx, o.dw ?? dw, o.db === undefined ? db : o.db);
  it('accepts a valid call and a null bias', () => {
    expect(fwd({})).not.toThrow();
    expect(fwd({ bias: null })).not.toThrow();
    expect(bwd({ dx: null, db: null })).not.toThrow();
  });
  const cases: [string, () => unknown][] = [
    ['x too short', fwd({ x: new Float32Array(x.length - 1) })],
    ['w too short', fwd({ w: new Float32Array(w.length - 1) })],
    ['y too short', fwd({ y: new Float32Array(y.length - 1) })],
    ['bias too short', fwd({ bias: new Float32Array(c.Cout - 1) })],
    ['T larger than x', fwd({ T: c.T + 1 })],
    ['To larger than y', fwd({ To: c.To + 1 })],
    ['stride 0', fwd({ stride: 0 })],
    ['K 0', fwd({ K: 0 })],
    ['negative padLeft', fwd({ padLeft: -1 })],
    ['fractional B', fwd({ B: 1.5 })],
    ['act out of range', fwd({ act: 9 })],
    ['x as Float64Array', fwd({ x: new Float64Array(x.length) as unknown as Float32Array })],
    ['huge shape', fwd({ B: 2 ** 30, T: 2 ** 30 })],
    ['backward: dy too short', bwd({ dy: new Float32Array(y.length - 1) })],
    ['backward: dx too short', bwd({ dx: new Float32Array(x.length - 1) })],
    ['backward: dw too short', bwd({ dw: new Float32Array(w.length - 1) })],
    ['backward: db too short', bwd({ db: new Float32Array(c.Cout - 1) })],
    ['backward: stride 0', bwd({ stride: 0 })],
  ];
  for (const [name, call] of cases) it(name, () => expect(call).toThrow(RangeError));
});

describe('conv1d: reference backward against finite differences (float64)', () => {
  const cases: Conv[] = [
    shape(2, 7, 3, 4, 3, 1, 'same'),
    shape(2, 9, 2, 3, 4, 2, 'same'),
    shape(1, 8, 3, 2, 3, 2, 'valid'),
    { B: 1, T: 5, Cin: 2, Cout: 2, K: 2, stride: 1, padLeft: 2, To: 7 },
  ];
  for (const c of cases) {
    it(label(c), () => {
      const rng = new Rng(c.T * 31 + c.K);
      const x = randF64(rng, c.B * c.T * c.Cin), w = randF64(rng, c.K * c.Cin * c.Cout), b = randF64(rng, c.Cout);
      const G = randF64(rng, c.B * c.To * c.Cout);
      const y = new Float64Array(G.length);
      const loss = (): number => {
        ref.conv1d(c.B, c.T, c.Cin, c.Cout, c.K, c.stride, c.padLeft, c.To, x, w, b, y, Act.linear);
        return dot(G, y);
      };
      const dx = new Float64Array(x.length), dw = new Float64Array(w.length), db = new Float64Array(c.Cout);
      ref.conv1dBackward(c.B, c.T, c.Cin, c.Cout, c.K, c.stride, c.padLeft, c.To, x, w, G, dx, dw, db);
      expect(relErr(dx, numericGrad(loss, x)), 'dx').toBeLessThan(1e-7);
      expect(relErr(dw, numericGrad(loss, w)), 'dw').toBeLessThan(1e-7);
      expect(relErr(db, numericGrad(loss, b)), 'db').toBeLessThan(1e-7);
    });
  }
});
