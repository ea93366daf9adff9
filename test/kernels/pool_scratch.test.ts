/**
 * The max pooling op's memory: its argmax lives in the step's scratch pool beside y (a fresh array there was the lab
 * cnn step's ~6,000 page faults), and pooled memory left dirty by earlier scopes changes no bit of y or dx.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { allocFloat, allocIndex, releaseScratch, scratchStats, withScratch } from '../../src/backend/index.js';
import { valueAndGrad } from '../../src/autograd/gradients_api.js';
import { maxPool1d } from '../../src/autograd/ops.js';
import { windowGeometry } from '../../src/layers/padding.js';
import { Tensor } from '../../src/tensor.js';
import { Rng, randF32 } from './util.js';

afterEach(() => releaseScratch());

const bitsEqual = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

describe('maxPool1d op: scratch memory', () => {
  it('takes argmax from the scratch pool, beside y', () => {
    const x = new Tensor(randF32(new Rng(1), 3 * 10 * 4), [3, 10, 4], 'float32');
    const g = windowGeometry(10, 2, 2, 'valid');
    releaseScratch();
    withScratch(() => { maxPool1d(x, 2, { stride: 2, padLeft: g.padLeft, outSteps: g.outSteps }); });
    expect(scratchStats().buffers).toBe(2);
  });

  for (const [pool, stride, padding] of [[2, 2, 'valid'], [3, 3, 'same'], [2, 3, 'valid'], [3, 1, 'same']] as const) {
    it(`gives the same bits in a scope over dirty pooled memory as outside any scope (pool ${pool}, stride ${stride}, ${padding})`, () => {
      const B = 3, T = 11, C = 5;
      const g = windowGeometry(T, pool, stride, padding);
      const rng = new Rng(pool * 10 + stride);
      const x = randF32(rng, B * T * C, -2, 2).map(Math.round);  // ties
      const dy = randF32(rng, B * g.outSteps * C);
      for (let i = 0; i < dy.length; i += 4) dy[i] = -0;
      const f = valueAndGrad((t) => maxPool1d(t, pool, { stride, padLeft: g.padLeft, outSteps: g.outSteps }));
      const args = [new Tensor(x, [B, T, C], 'float32'), new Tensor(dy, [B, g.outSteps, C], 'float32')] as const;
      const fresh = f(...args);
      for (let round = 0; round < 2; round++) {
        // Leave garbage in buffers of every size class the op takes (y, argmax, dx).
        withScratch(() => {
          for (let i = 0; i < 4; i++) allocFloat(x.length, false).fill(-3);
          for (let i = 0; i < 4; i++) allocIndex(dy.length).fill(5);
        });
        const pooled = withScratch(() => f(...args));
        expect(bitsEqual(pooled.value.values, fresh.value.values)).toBe(true);
        expect(bitsEqual(pooled.grad.values, fresh.grad.values)).toBe(true);
      }
    });
  }
});
