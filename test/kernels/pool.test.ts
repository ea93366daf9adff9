/**
 * maxPool1d: native against the reference, bit for bit on 1 and 2 threads ('valid', 'same', global, overlapping
 * windows, windows with gaps between them, ties, negative zeros, threaded sizes), Keras's rule that padding never
 * wins, the reference's backward against finite differences in float64, and argument checking (an argmax outside
 * its window is a RangeError, never a write outside dx).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendInfo, setThreads } from '../../src/backend/index.js';
import { Rng, describeNative, describeNativeEachIsa, dot, f64, numericGrad, randF32, randF64, referenceKernels as ref, relErr } from './util.js';
import { poolCase, poolLabel as label, type Pool } from './pool_cases.js';

const CASES: Pool[] = [
  poolCase(1, 1, 1, 1, 1, 'valid'),
  poolCase(2, 10, 3, 2, 2, 'valid'),
  poolCase(3, 11, 5, 3, 2, 'same'),
  poolCase(2, 7, 4, 7, 1, 'valid'),  // global max pooling
  poolCase(2, 9, 17, 3, 1, 'same'),  // overlapping windows
  poolCase(4, 13, 33, 4, 3, 'same'),
  poolCase(3, 13, 7, 3, 3, 'same'),  // stride = pool, padded
  poolCase(2, 14, 9, 2, 3, 'valid'),  // gaps between the windows: those steps get 0
  poolCase(2, 15, 5, 1, 4, 'same'),
  poolCase(8, 500, 64, 2, 2, 'valid'),  // threaded, the lab's pooling
  poolCase(5, 501, 33, 2, 2, 'same'),  // threaded, odd sizes
  poolCase(3, 257, 100, 5, 2, 'same'),  // threaded, overlapping
  { B: 2, T: 4, C: 3, pool: 2, stride: 2, padLeft: 5, To: 5 },  // windows beyond the input: argmax -1
  { B: 2, T: 5, C: 3, pool: 2, stride: 3, padLeft: 4, To: 4 },  // a window before the input and gaps
];

/** Exact equality, the sign of zero included (toEqual on arrays treats -0 and 0 alike). */
function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

describeNativeEachIsa('maxPool1d: native vs reference', (nat) => {
  const threadsBefore = backendInfo().threads;
  afterAll(() => setThreads(threadsBefore));
  for (const threads of [1, 2]) {
    it(`forward and backward bit for bit, random values, ties and negative zeros, ${threads} thread(s)`, () => {
      setThreads(threads);
      const rng = new Rng(1);
      for (const c of CASES) {
        for (const ties of [false, true]) {
          const x = randF32(rng, c.B * c.T * c.C, -3, 3);
          if (ties) for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i]);
          const n = c.B * c.To * c.C;
          const y = new Float32Array(n).fill(NaN), am = new Int32Array(n).fill(-7);
          nat.maxPool1d(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, x, y, am);
          const yr = new Float32Array(n), amr = new Int32Array(n);
          ref.maxPool1d(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, x, yr, amr);
          expect(bitsEqual(y, yr), label(c)).toBe(true);
          expect(Array.from(am), label(c)).toEqual(Array.from(amr));

          // A float32 reference adds in float32's order: the same bits as the native scatter, overlaps included.
          const dy = randF32(rng, n);
          for (let i = 0; i < n; i += 3) dy[i] = ties ? -0 : 0;
          const dx = new Float32Array(x.length).fill(NaN);
          nat.maxPool1dBackward(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, dy, am, dx);
          const dxr = new Float32Array(x.length).fill(NaN);
          ref.maxPool1dBackward(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, dy, amr, dxr);
          expect(bitsEqual(dx, dxr), `backward ${label(c)}`).toBe(true);
        }
      }
    });
  }

  it('backward of a -0 gradient is +0 everywhere, as 0 + dy gives', () => {
    for (const c of [poolCase(2, 8, 3, 2, 2, 'valid'), poolCase(2, 8, 3, 3, 1, 'same')]) {
      const n = c.B * c.To * c.C;
      const x = randF32(new Rng(3), c.B * c.T * c.C), y = new Float32Array(n), am = new Int32Array(n);
      nat.maxPool1d(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, x, y, am);
      const dx = new Float32Array(x.length).fill(NaN);
      nat.maxPool1dBackward(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, new Float32Array(n).fill(-0), am, dx);
      expect(dx.every((v) => Object.is(v, 0)), label(c)).toBe(true);
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
  const bwd = (o: Partial<Pool> & { dy?: Float32Array; am?: Int32Array; dx?: Float32Array }) => () =>
    nat.maxPool1dBackward(c.B, o.T ?? c.T, c.C, o.pool ?? c.pool, o.stride ?? c.stride, o.padLeft ?? c.padLeft, c.To,
      o.dy ?? y, o.am ?? am, o.dx ?? dx);
  it('accepts a valid call', () => {
    expect(fwd({})).not.toThrow();
    expect(bwd({})).not.toThrow();
  });
  const badArgmax = new Int32Array(n);
  badArgmax[n - 1] = c.T;
  const negArgmax = new Int32Array(n);
  negArgmax[3] = -2;
  const otherWindow = new Int32Array(n);  // output step 1 of sample 0 pools steps 2 and 3
  otherWindow[c.C] = 1;
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
    ['backward: argmax in another window', bwd({ am: otherWindow })],
    ['backward: argmax in another window (overlapping geometry)', bwd({ am: otherWindow, pool: 2, stride: 1 })],
    ['backward: pool 0', bwd({ pool: 0 })],
    ['backward: stride 0', bwd({ stride: 0 })],
    ['backward: dx too short', bwd({ dx: new Float32Array(x.length - 1) })],
    ['backward: T larger than dx', bwd({ T: c.T + 1 })],
    ['backward: dy too short', bwd({ dy: new Float32Array(n - 1) })],
  ];
  for (const [name, call] of cases) it(name, () => expect(call).toThrow(RangeError));
  it('backward: a window with no step takes only -1', () => {
    const bwd = (am: number[]) => () =>
      nat.maxPool1dBackward(1, 4, 1, 2, 2, 5, 5, new Float32Array(5), Int32Array.from(am), new Float32Array(4));
    expect(bwd([-1, -1, 0, 1, 3])).not.toThrow();
    expect(bwd([-1, 0, 0, 1, 3])).toThrow(/holds 0 at 1, outside its window \[0, -1\)/);
  });
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
      ref.maxPool1dBackward(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, G, am, dx);
      expect(relErr(dx, num)).toBeLessThan(1e-7);
    });
  }

  it('reference rejects an argmax outside its window', () => {
    const bwd = (t: number) => () => ref.maxPool1dBackward(1, 4, 1, 2, 2, 0, 2, f64([1, 1]), new Int32Array([0, t]), new Float64Array(4));
    expect(bwd(3)).not.toThrow();
    expect(bwd(4)).toThrow(RangeError);
    expect(bwd(1)).toThrow(/argmax' holds 1 at 1, outside its window \[2, 4\)/);
  });
});
