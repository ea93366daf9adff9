/**
 * With two threads, a native kernel's numbers depend on its inputs and the thread count only, never on which
 * thread ran which share or when (the pool lets the calling thread run a share a late worker has not started).
 * Each kernel below takes a threaded path that merges per-thread partials, splits k, scatters by thread or meets at
 * barriers; it runs REPEATS times on the same inputs and every run must give the first one's bits.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backendInfo, setThreads } from '../../src/backend/index.js';
import { makeInputs, runCase, withEnv, type CaseCfg } from '../kernels/recurrent_helpers.js';
import { describeNative, randF32, randInt32, Rng, type FArray, type Kernels } from '../kernels/util.js';

const REPEATS = 12;

/** Every byte of the arrays a call wrote, and its return value. */
function snapshot(ret: unknown, arrays: (FArray | null | undefined)[]): string {
  return [String(ret), ...arrays.map((a) => (a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex') : '-'))].join('|');
}

/** Runs once() REPEATS times; each must give the first run's snapshot. */
function expectRepeatable(name: string, once: () => string): void {
  const first = once();
  for (let i = 1; i < REPEATS; i++) expect(once(), `${name}, run ${i + 1}`).toBe(first);
}

describeNative('threaded kernels give the same bits on every run (2 threads)', (nat: Kernels) => {
  const before = backendInfo().threads;
  beforeAll(() => setThreads(2));
  afterAll(() => setThreads(before));
  const rng = new Rng(11);

  it('GEMM: k split over the threads (partials summed) and a grid of C blocks', () => {
    for (const [m, n, k] of [[16, 16, 4096], [96, 80, 128]]) {
      const a = randF32(rng, m * k), b = randF32(rng, k * n), bias = randF32(rng, n);
      expectRepeatable(`gemm ${m}x${n}x${k}`, () => {
        const c = new Float32Array(m * n).fill(0.5);
        nat.gemm(true, false, m, n, k, 1, a, b, 1, c, bias, 0);
        return snapshot(undefined, [c]);
      });
    }
  });

  it('reductions merged in thread order: colSum (row bands), sumSquares, losses, batchNormStats', () => {
    const x = randF32(rng, 4096 * 16), t = randF32(rng, 4096 * 16, 0, 1);
    expectRepeatable('colSum', () => { const out = randF32(new Rng(1), 16); nat.colSum(4096, 16, x, out, true); return snapshot(undefined, [out]); });
    expectRepeatable('sumSquares', () => snapshot(nat.sumSquares(x), []));
    expectRepeatable('sigmoidCrossEntropyWithLogits', () => { const g = new Float32Array(x.length); return snapshot(nat.sigmoidCrossEntropyWithLogits(x.length, x, t, g), [g]); });
    expectRepeatable('softmaxCrossEntropyWithLogits', () => { const g = new Float32Array(x.length); return snapshot(nat.softmaxCrossEntropyWithLogits(4096, 16, x, t, g), [g]); });
    expectRepeatable('batchNormStats', () => {
      const mean = new Float32Array(16), variance = new Float32Array(16);
      nat.batchNormStats(4096, 16, 1, x, mean, variance);
      return snapshot(undefined, [mean, variance]);
    });
  });

  it('embeddingBackward (ids split by thread, and column bands) and conv1dBackward (per-thread dw partials)', () => {
    for (const dim of [8, 128]) {
      const n = dim === 8 ? 10_000 : 1000, ids = randInt32(rng, n, 0, 50), dOut = randF32(rng, n * dim);
      expectRepeatable(`embeddingBackward dim=${dim}`, () => { const d = new Float32Array(50 * dim); nat.embeddingBackward(n, dim, ids, dOut, d); return snapshot(undefined, [d]); });
    }
    const [B, T, Cin, Cout, K] = [8, 128, 32, 32, 3], To = T - K + 1;
    const x = randF32(rng, B * T * Cin), w = randF32(rng, K * Cin * Cout), dy = randF32(rng, B * To * Cout);
    expectRepeatable('conv1dBackward', () => {
      const dx = new Float32Array(x.length), dw = new Float32Array(w.length), db = new Float32Array(Cout);
      nat.conv1dBackward(B, T, Cin, Cout, K, 1, 0, To, x, w, dy, dx, dw, db);
      return snapshot(undefined, [dx, dw, db]);
    });
  });

  it('recurrent forward and backward, rows split (batch) and units split (a barrier per step), masked', () => {
    const cases: [CaseCfg, string][] = [
      [{ kind: 'lstm', B: 8, T: 40, U: 64, mask: 'lead', h0: true }, 'batch'],
      [{ kind: 'lstm', B: 2, T: 40, U: 64, mask: 'random' }, 'unit'],
      [{ kind: 'gru', B: 8, T: 40, U: 48, mask: 'lead' }, 'batch'],
      [{ kind: 'gru', B: 2, T: 40, U: 64, mask: 'random' }, 'unit'],
    ];
    for (const [c, split] of cases) {
      const inp = makeInputs(c, 5);
      expectRepeatable(`${c.kind} B=${c.B} ${split}`, () => withEnv({ RNNLAB_RNN_SPLIT: split }, () => {
        const o = runCase(nat, c, inp);
        return snapshot(undefined, [o.hs, o.cs, o.gates, o.hh, o.dxp, o.dr, o.drb, o.dh0, o.dc0]);
      }));
    }
  });
});
