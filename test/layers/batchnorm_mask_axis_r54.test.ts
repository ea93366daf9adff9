/**
 * BatchNormalization with a padding mask on an axis other than the last: the mask is read as Keras 3 (3.2+) reads it,
 * expanded on the last axis (its shape is the input's without the last axis) whatever the axis normalized, and the
 * batch moments of each channel weight every value by the mask of its position: the sums over a channel's real values
 * divided by their count (+ 1e-7, Keras's backend epsilon). The moments here are computed by hand.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;
const EPS = 1e-3, KERAS_EPS = 1e-7;
const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((t as rl.Tensor).dataSync());

/** x [2, 4, 3]; step 3 is padded in both rows, so channel 3 of axis 1 has no real value. */
const X = [
  [[1, -2, 0.5], [3, 0.5, 2], [9, 9, 9], [7, 7, 7]],
  [[-1, 4, 1], [8, 8, 8], [0.5, -3, 2.5], [6, 6, 6]],
];
const MASK = [[1, 1, 1, 0], [1, 0, 1, 0]];

/** The moments of each step t (axis 1 as the channel axis), over its real rows b and all features c. */
function stepMoments(): { mean: number[]; variance: number[] } {
  const mean: number[] = [], variance: number[] = [];
  for (let t = 0; t < 4; t++) {
    const real = [0, 1].filter((b) => MASK[b][t] === 1).flatMap((b) => X[b][t]);
    const n = real.length + KERAS_EPS;
    mean.push(real.reduce((s, v) => s + v, 0) / n);
    variance.push(real.reduce((s, v) => s + (v - mean[t]) ** 2, 0) / n);
  }
  return { mean, variance };
}

describe('BatchNormalization(axis 1) under a padding mask, in training', () => {
  it('each step\'s moments count its real values only; every value, padded ones too, is normalized with them', () => {
    const { mean, variance } = stepMoments();
    // Step 0: rows 0 and 1 real, six values; step 1: row 0 only, three; step 3: none (mean 0, variance 0).
    expect(mean[0]).toBeCloseTo((1 - 2 + 0.5 - 1 + 4 + 1) / 6, 6);
    expect(mean[1]).toBeCloseTo(5.5 / 3, 6);
    expect([mean[3], variance[3]]).toEqual([0, 0]);
    const bn = L.batchNormalization({ axis: 1, momentum: 0, epsilon: EPS });
    const y = values(bn.apply(rl.tensor(X), { training: true, mask: rl.tensor(MASK, [2, 4], 'bool') }));
    X.forEach((row, b) => row.forEach((step, t) => step.forEach((v, c) => {
      expect(y[(b * 4 + t) * 3 + c]).toBeCloseTo((v - mean[t]) / Math.sqrt(variance[t] + EPS), 4);
    })));
    const [, , mm, mv] = bn.getWeightValues();
    mean.forEach((m, t) => expect(mm[t]).toBeCloseTo(m, 5));
    variance.forEach((v, t) => expect(mv[t]).toBeCloseTo(v, 5));
  });

  it('the same moments through a model: masking (0 steps) then BatchNormalization(axis 1), fit one batch', async () => {
    const padded = X.map((row, b) => row.map((step, t) => (MASK[b][t] ? step : [0, 0, 0])));
    const bn = L.batchNormalization({ axis: 1, momentum: 0, epsilon: EPS });
    const m = rl.sequential({ layers: [L.masking({ maskValue: 0, inputShape: [4, 3] }), bn, L.globalAveragePooling1d(), L.dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await m.fit(rl.tensor(padded), rl.tensor([[1], [0]]), { epochs: 1, batchSize: 2, shuffle: false, verbose: 0 });
    const { mean, variance } = stepMoments();
    const [, , mm, mv] = bn.getWeightValues();
    mean.forEach((v, t) => expect(mm[t]).toBeCloseTo(v, 5));
    variance.forEach((v, t) => expect(mv[t]).toBeCloseTo(v, 5));
  });

  it('axis -1 and axis 2 of a rank-3 input are the same channel axis and give the same output', () => {
    const mask = rl.tensor(MASK, [2, 4], 'bool');
    const a = values(L.batchNormalization({ axis: -1, momentum: 0 }).apply(rl.tensor(X), { training: true, mask }));
    expect(values(L.batchNormalization({ axis: 2, momentum: 0 }).apply(rl.tensor(X), { training: true, mask }))).toEqual(a);
  });

  it('a mask that is not the input\'s shape without its last axis is refused naming both shapes, for any axis', () => {
    for (const axis of [1, -1]) {
      const bn = L.batchNormalization({ axis, name: 'bnx' });
      expect(() => bn.apply(rl.ones([2, 3]), { training: true, mask: rl.tensor([[1, 0, 1], [1, 1, 1]], [2, 3], 'bool') }))
        .toThrow("bnx (BatchNormalization): a padding mask of 6 values does not fit input [2, 3]; as Keras's, it must have one axis less than the input, the input's shape without its last axis ([2], 2 values, one per step), whatever the axis normalized");
    }
  });
});
