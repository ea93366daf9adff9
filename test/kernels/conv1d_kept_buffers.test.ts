/**
 * The native fp32 Conv1D keeps its per-call temporaries (the edge rows' im2col, relu's masked dy, the dx column
 * block, the other threads' dw sums) from one call to the next (native/kernel_util.h's kept buffers): allocated per
 * call, glibc handed those few hundred KB back to the system and every training step faulted them in again (~490
 * page faults a step of the lab's CNN on two threads). Repeated calls at the lab's CNN shape (fewer samples) now
 * fault in almost nothing, and a smaller call after a larger one still gives the bits of a fresh call.
 */
import { afterAll, expect, it } from 'vitest';
import { Act, backendInfo, setThreads } from '../../src/backend/index.js';
import { Rng, describeNative, randF32 } from './util.js';

const faults = () => process.resourceUsage().minorPageFault;

describeNative('conv1d keeps its temporaries between calls', (nat) => {
  const threads = backendInfo().threads;
  afterAll(() => setThreads(threads));

  // [B, T, Cin, Cout, K, stride, padLeft, To]: the lab's CNN (3 x 100 -> 200 over 500 steps, same padding), 8 samples.
  const lab = [8, 500, 100, 200, 3, 1, 1, 500] as const;
  function operands(s: readonly number[], seed: number) {
    const [B, T, Cin, Cout, K, , , To] = s;
    const rng = new Rng(seed);
    return {
      x: randF32(rng, B * T * Cin), w: randF32(rng, K * Cin * Cout), bias: randF32(rng, Cout),
      dy: randF32(rng, B * To * Cout), reluY: randF32(rng, B * To * Cout).map((v) => Math.max(v, 0)),
      y: new Float32Array(B * To * Cout), dx: new Float32Array(B * T * Cin), dw: new Float32Array(K * Cin * Cout),
      db: new Float32Array(Cout),
    };
  }
  function step(s: readonly number[], o: ReturnType<typeof operands>) {
    const [B, T, Cin, Cout, K, stride, padLeft, To] = s;
    nat.conv1d(B, T, Cin, Cout, K, stride, padLeft, To, o.x, o.w, o.bias, o.y, Act.relu);
    nat.conv1dBackward(B, T, Cin, Cout, K, stride, padLeft, To, o.x, o.w, o.dy, o.dx, o.dw, o.db, 1, o.reluY);
  }

  for (const n of [1, 2]) {
    it(`repeated forward and backward calls fault in almost no memory (${n} thread${n > 1 ? 's' : ''})`, () => {
      setThreads(n);
      const o = operands(lab, 1);
      step(lab, o);  // the first call grows the kept buffers and touches the operands
      const before = faults();
      for (let i = 0; i < 3; i++) step(lab, o);
      // Per call before: ~128 pages of dx columns and ~100 of masked dy per thread, ~60 of dw sums.
      expect(faults() - before).toBeLessThan(60);
    });
  }

  it('a call gives the same bits after a larger call has left other values in the kept buffers', () => {
    setThreads(2);
    const small = [4, 37, 6, 9, 5, 2, 2, 19] as const;
    const fresh = operands(small, 2);
    step(small, fresh);
    const big = operands(lab, 3);
    step(lab, big);
    const again = operands(small, 2);
    step(small, again);
    for (const k of ['y', 'dx', 'dw', 'db'] as const) expect(Array.from(again[k])).toEqual(Array.from(fresh[k]));
  });
});
