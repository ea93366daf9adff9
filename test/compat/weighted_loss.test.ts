/** tf.losses' reductions with weights against tfjs 4.22 live: negative weights, weights broadcasting the losses up, zero divisors. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const LOSSES = [[1, 2, 3], [4, 5, 6]];
const WEIGHTS: number[][] | number[][][] = [[[2], [0.5]], [[1, 0, -2], [0, 0, 3]], [[1], [-0.5]]] as never;
const REDUCTIONS = [rl.Reduction.NONE, rl.Reduction.MEAN, rl.Reduction.SUM, rl.Reduction.SUM_BY_NONZERO_WEIGHTS];
const values = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());

describe('computeWeightedLoss as tfjs', () => {
  for (const w of [...(WEIGHTS as number[][][]), [1, 2, 3]]) {
    for (const r of REDUCTIONS) {
      it(`weights ${JSON.stringify(w)}, reduction ${rl.Reduction[r]}`, () => {
        const want = values(tf.losses.computeWeightedLoss(tf.tensor(LOSSES), tf.tensor(w), r as number));
        const got = rl.losses.computeWeightedLoss(rl.tensor(LOSSES), rl.tensor(w as never), r);
        values(got).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
      });
    }
  }

  it('weights [batch, 1] on per-sample losses [batch] broadcast up, as tfjs (softmaxCrossEntropy)', () => {
    const labels = [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0.2, 0.3, 0.5]];
    const logits = [[0.1, 0.8, 0.1], [0, 0, 0], [0.9, 0.05, 0.05], [0.6, -0.2, 0.6]];
    const w = [[1], [0], [2], [0.5]];
    for (const r of REDUCTIONS) {
      const want = values(tf.losses.softmaxCrossEntropy(tf.tensor(labels), tf.tensor(logits), tf.tensor(w), 0.1, r as number));
      const got = values(rl.losses.softmaxCrossEntropy(rl.tensor(labels), rl.tensor(logits), rl.tensor(w), 0.1, r));
      expect(got.length).toBe(want.length);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    }
  });

  it('a zero divisor gives 0 (deliberate: Keras\'s divide_no_nan; tfjs 4.22 gives NaN or -Infinity)', () => {
    expect(values(tf.losses.computeWeightedLoss(tf.tensor(LOSSES), tf.tensor([[0], [0]]), tf.Reduction.SUM_BY_NONZERO_WEIGHTS))[0]).toBeNaN();
    expect(values(rl.losses.computeWeightedLoss(rl.tensor(LOSSES), rl.tensor([[0], [0]]), rl.Reduction.SUM_BY_NONZERO_WEIGHTS))).toEqual([0]);
    expect(values(tf.losses.computeWeightedLoss(tf.tensor(LOSSES), tf.tensor([[1], [-1]]), tf.Reduction.MEAN))[0]).toBe(-Infinity);
    expect(values(rl.losses.computeWeightedLoss(rl.tensor(LOSSES), rl.tensor([[1], [-1]]), rl.Reduction.MEAN))).toEqual([0]);
  });

  it('an unknown reduction is an error naming the valid ones', () => {
    expect(() => rl.losses.computeWeightedLoss(rl.tensor(LOSSES), null, 7 as never)).toThrow(/Unknown reduction: 7 \(computeWeightedLoss takes rl.Reduction.NONE, MEAN, SUM or SUM_BY_NONZERO_WEIGHTS\)/);
    expect(() => rl.losses.meanSquaredError(rl.tensor(LOSSES), rl.tensor(LOSSES), undefined, 'mean' as never)).toThrow(/Unknown reduction: mean/);
  });
});
