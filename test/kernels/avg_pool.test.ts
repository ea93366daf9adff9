/**
 * avgPool1d: native against the reference on every instruction set ('valid', 'same' with its edge windows that
 * average only real steps, overlapping windows, threaded sizes), Keras's values by hand, the reference's backward
 * against finite differences in float64, and bad calls failing alike on both backends.
 */
import { describe, expect, it } from 'vitest';
import { Rng, describeNative, describeNativeEachIsa, dot, f64, numericGrad, randF32, randF64, referenceKernels as ref, relErr } from './util.js';
import { poolCase, poolLabel as label, type Pool } from './pool_cases.js';

const CASES: Pool[] = [
  poolCase(1, 1, 1, 1, 1, 'valid'),
  poolCase(2, 10, 3, 2, 2, 'valid'),
  poolCase(3, 11, 5, 3, 2, 'same'),
  poolCase(2, 7, 4, 7, 1, 'valid'),
  poolCase(2, 9, 17, 3, 1, 'same'),
  poolCase(4, 13, 33, 4, 3, 'same'),
  poolCase(8, 500, 64, 2, 2, 'valid'),  // threaded
  poolCase(3, 257, 100, 5, 2, 'same'),
  { B: 2, T: 4, C: 3, pool: 2, stride: 2, padLeft: 5, To: 5 },  // windows beyond the input give 0
];


describeNativeEachIsa('avgPool1d: native vs reference', (nat) => {
  it('forward and backward', () => {
    const rng = new Rng(2);
    for (const c of CASES) {
      const x = randF32(rng, c.B * c.T * c.C, -3, 3);
      const n = c.B * c.To * c.C;
      const y = new Float32Array(n).fill(NaN);
      nat.avgPool1d(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, x, y);
      const yr = new Float64Array(n);
      ref.avgPool1d(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, f64(x), yr);
      expect(relErr(y, yr), label(c)).toBeLessThan(1e-6);
      const dy = randF32(rng, n);
      const dx = new Float32Array(x.length).fill(NaN);
      nat.avgPool1dBackward(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, dy, dx);
      const dxr = new Float64Array(x.length);
      ref.avgPool1dBackward(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, f64(dy), dxr);
      expect(relErr(dx, dxr), `backward ${label(c)}`).toBeLessThan(1e-6);
    }
  });

  it("'same' edge windows average their real steps only (Keras), by hand", () => {
    // T = 5, pool 3, stride 1, 'same': padLeft 1; the first window is steps {0, 1}, the last {3, 4}.
    const c = poolCase(1, 5, 1, 3, 1, 'same');
    const x = new Float32Array([1, 2, 3, 4, 10]);
    const y = new Float32Array(c.To);
    nat.avgPool1d(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, x, y);
    [1.5, 2, 3, 17 / 3, 7].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
    const dx = new Float32Array(5);
    nat.avgPool1dBackward(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, new Float32Array([1, 0, 0, 0, 1]), dx);
    expect(Array.from(dx)).toEqual([0.5, 0.5, 0, 0.5, 0.5]);
  });
});

describeNative('avgPool1d: a bad call fails alike on both backends', (nat) => {
  const c = poolCase(2, 6, 3, 2, 2, 'valid');
  const nx = c.B * c.T * c.C, ny = c.B * c.To * c.C;
  const f = (n: number) => new Float32Array(n);
  const fwd = (o: Partial<Pool> & { x?: unknown; y?: unknown }) => [c.B, o.T ?? c.T, c.C, o.pool ?? c.pool, o.stride ?? c.stride, o.padLeft ?? c.padLeft, o.To ?? c.To, o.x ?? f(nx), o.y ?? f(ny)];
  const bwd = (o: { dy?: unknown; dx?: unknown; T?: number }) => [c.B, o.T ?? c.T, c.C, c.pool, c.stride, c.padLeft, c.To, o.dy ?? f(ny), o.dx ?? f(nx)];
  it('accepts a valid call', () => {
    expect(() => nat.avgPool1d(...(fwd({}) as Parameters<typeof nat.avgPool1d>))).not.toThrow();
    expect(() => nat.avgPool1dBackward(...(bwd({}) as Parameters<typeof nat.avgPool1dBackward>))).not.toThrow();
  });
  const cases: [string, 'avgPool1d' | 'avgPool1dBackward', unknown[]][] = [
    ['x too short', 'avgPool1d', fwd({ x: f(nx - 1) })],
    ['y too short', 'avgPool1d', fwd({ y: f(ny - 1) })],
    ['x not a Float32Array', 'avgPool1d', fwd({ x: new Int32Array(nx) })],
    ['pool 0', 'avgPool1d', fwd({ pool: 0 })],
    ['stride 0', 'avgPool1d', fwd({ stride: 0 })],
    ['To larger than y', 'avgPool1d', fwd({ To: c.To + 1 })],
    ['padLeft negative', 'avgPool1d', fwd({ padLeft: -1 })],
    ['backward: dx too short', 'avgPool1dBackward', bwd({ dx: f(nx - 1) })],
    ['backward: T larger than dx', 'avgPool1dBackward', bwd({ T: c.T + 1 })],
    ['backward: dy too short', 'avgPool1dBackward', bwd({ dy: f(ny - 1) })],
  ];
  for (const [name, kernel, args] of cases) {
    it(name, () => {
      const failure = (k: typeof nat) => { try { (k[kernel] as (...a: unknown[]) => unknown)(...args); return 'no error'; } catch (e) { return `${(e as Error).constructor.name}: ${(e as Error).message}`; } };
      const native = failure(nat);
      expect(native).toMatch(/^RangeError: /);
      expect(failure(ref)).toBe(native);
    });
  }
});

describe('avgPool1d: reference backward against finite differences (float64)', () => {
  for (const c of [poolCase(2, 9, 3, 2, 2, 'valid'), poolCase(2, 8, 2, 3, 1, 'same'), poolCase(1, 7, 2, 4, 3, 'same')]) {
    it(label(c), () => {
      const rng = new Rng(c.T + c.pool);
      const x = randF64(rng, c.B * c.T * c.C, -3, 3);
      const n = c.B * c.To * c.C;
      const G = randF64(rng, n), y = new Float64Array(n);
      const loss = (): number => { ref.avgPool1d(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, x, y); return dot(G, y); };
      const num = numericGrad(loss, x);
      const dx = new Float64Array(x.length);
      ref.avgPool1dBackward(c.B, c.T, c.C, c.pool, c.stride, c.padLeft, c.To, G, dx);
      expect(relErr(dx, num)).toBeLessThan(1e-7);
    });
  }
});
