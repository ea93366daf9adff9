/**
 * maxPool1d: native against the reference ('valid', 'same', global, overlapping windows, ties, threaded
 * sizes), Keras's rule that padding never wins, the reference's backward against finite differences in
 * float64, and argument checking (a bad argmax is a RangeError, never a write outside dx).
 */
import { describe, expect, it } from 'vitest';
import { Rng, describeNative, describeNativeEachIsa, dot, f64, numericGrad, randF32, randF64, referenceKernels as ref, relErr } from './util.js';
import { poolCase, poolLabel as label, type Pool } from './pool_cases.js';

const CASES: Pool[] = [
  poolCase(1, 1, 1, 1, 1, 'valid'),
  poolCase(2, 10, 3, 2, 2, 'valid'),
  poolCase(3, 11, 5, 3, 2, 'same'),
  poolCase(2, 7, 4, 7, 1, 'valid'),  // global max pooling
  poolCase(2, 9, 17, 3, 1, 'same'),  // overlapping windows
  poolCase(4, 13, 33, 4, 3, 'same'),
  poolCase(8, 500, 64, 2, 2, 'valid'),  // threaded
  poolCase(3, 257, 100, 5, 2, 'same'),
  { B: 2, T: 4, C: 3, pool: 2, stride: 2, padLeft: 5, To: 5 },  // windows beyond the input: argmax -1
];


describeNativeEachIsa('maxPool1d: native vs reference', (nat) => {
  it('forward and backward, random values and ties', () => {
    const rng = new Rng(1);
    for (const c of CASES) {
      for (const ties of [false, true]) {
        const x = randF32(rng, c.B * c.T * c.C, -3, 3);
        if (ties) for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i]);
        const n = c.B * c.To * c.C;
        const y = new Float32Array(n).fill(NaN), am = new Int32Array(n).fill(-7);
        nat.maxPool1d(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, x, y, am);
        const yr = new Float64Array(n), amr = new Int32Array(n);
        ref.maxPool1d(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, f64(x), yr, amr);
        expect(relErr(y, yr), label(c)).toBe(0);
        expect(Array.from(am), label(c)).toEqual(Array.from(amr));

        const dy = randF32(rng, n);
        const dx = new Float32Array(x.length).fill(NaN);
        nat.maxPool1dBackward(c.B, c.T, c.C, c.To, dy, am, dx);
        const dxr = new Float64Array(x.length);
        ref.maxPool1dBackward(c.B, c.T, c.C, c.To, f64(dy), amr, dxr);
        expect(relErr(dx, dxr), `backward ${label(c)}`).toBeLessThan(1e-6);
      }
    }
  });

  it('padding never wins, ties go to the first step', () => {
    const c = poolCase(1, 5, 2, 3, 1, 'same');
    const x = new Float32Array([-5, 2, -4, 2, -3, 1, -2, 0, -1, 0]);
    const y = new Float32Array(c.To * 2), am = new Int32Array(c.To * 2);
    nat.maxPool1d(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, x, y, am);
    expect(Array.from(y)).toEqual([-4, 2, -3, 2, -2, 2, -1, 1, -1, 0]);
    expect(Array.from(am)).toEqual([1, 0, 2, 0, 3, 1, 4, 2, 4, 3]);
  });
});

describeNative('maxPool1d: argument checking', (nat) => {
  const c = poolCase(2, 6, 3, 2, 2, 'valid');
  const x = new Float32Array(c.B * c.T * c.C), n = c.B * c.To * c.C;
  const y = new Float32Array(n), am = new Int32Array(n), dx = new Float32Array(x.length);
  const fwd = (o: Partial<Pool> & { x?: Float32Array; y?: Float32Array; am?: Int32Array }) => () =>
    nat.maxPool1d(c.B, o.T ?? c.T, c.C, o.pool ?? c.pool, o.stride ?? c.stride, o.padLeft ?? c.padLeft, o.To ?? c.To,
      o.x ?? x, o.y ?? y, o.am ?? am);
  const bwd = (o: { dy?: Float32Array; am?: Int32Array; dx?: Float32Array; T?: number }) => () =>
    nat.maxPool1dBackward(c.B, o.T ?? c.T, c.C, c.To, o.dy ?? y, o.am ?? am, o.dx ?? dx);
  it('accepts a valid call', () => {
    expect(fwd({})).not.toThrow();
    expect(bwd({})).not.toThrow();
  });
  const badArgmax = new Int32Array(n);
  badArgmax[n - 1] = c.T;
  const negArgmax = new Int32Array(n);
  negArgmax[3] = -2;
  const cases: [string, () => unknown][] = [
    ['x too short', fwd({ x: new Float32Array(x.length - 1) })],
    ['y too short', fwd({ y: new Float32Array(n - 1) })],
    ['argmax too short', fwd({ am: new Int32Array(n - 1) })],
    ['argmax not Int32Array', fwd({ am: new Float32Array(n) as unknown as Int32Array })],
    ['pool 0', fwd({ pool: 0 })],
    ['stride 0', fwd({ stride: 0 })],
    ['To larger than y', fwd({ To: c.To + 1 })],
    ['backward: argmax = T', bwd({ am: badArgmax })],
    ['backward: argmax = -2', bwd({ am: negArgmax })],
    ['backward: dx too short', bwd({ dx: new Float32Array(x.length - 1) })],
    ['backward: T larger than dx', bwd({ T: c.T + 1 })],
    ['backward: dy too short', bwd({ dy: new Float32Array(n - 1) })],
  ];
  for (const [name, call] of cases) it(name, () => expect(call).toThrow(RangeError));
});

describe('maxPool1d: reference backward against finite differences (float64)', () => {
  for (const c of [poolCase(2, 9, 3, 2, 2, 'valid'), poolCase(2, 8, 2, 3, 1, 'same'), poolCase(1, 6, 2, 6, 1, 'valid')]) {
    it(label(c), () => {
      const rng = new Rng(c.T + c.pool);
      const x = randF64(rng, c.B * c.T * c.C, -3, 3);  // distinct values: no ties, so the max is differentiable
      const n = c.B * c.To * c.C;
      const G = randF64(rng, n), y = new Float64Array(n), am = new Int32Array(n);
      const loss = (): number => { ref.maxPool1d(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, x, y, am); return dot(G, y); };
      const num = numericGrad(loss, x);
      loss();
      const dx = new Float64Array(x.length);
      ref.maxPool1dBackward(c.B, c.T, c.C, c.To, G, am, dx);
      expect(relErr(dx, num)).toBeLessThan(1e-7);
    });
  }

  it('reference rejects a bad argmax', () => {
    expect(() => ref.maxPool1dBackward(1, 2, 1, 1, f64([1]), new Int32Array([2]), new Float64Array(2))).toThrow(RangeError);
  });
});
