/**
 * BatchNormalization under a padding mask, as Keras 3.2+ (BatchNormalization._moments(inputs, mask)): in training the
 * batch statistics count the real steps only, each sum divided by (count + 1e-7), every step is normalized with them
 * and the moving statistics follow them; an all-padded batch gives mean 0 and variance 0; the gradient through the
 * masked moments matches central differences; inference ignores the mask; a mask of the wrong rank is an error.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { gradCheck } from '../compat/functional_helpers.js';

const L = rl.layers;
const EPS = 1e-3, KERAS_EPS = 1e-7;
const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((t as rl.Tensor).dataSync());

/** x [2, 4, 2] and a mask with steps padded at the end of each row. */
const X = [[[1, -2], [3, 0.5], [9, 9], [9, 9]], [[-1, 4], [2, 2], [0.5, -3], [9, 9]]];
const MASK = [[1, 1, 0, 0], [1, 1, 1, 0]];

/** Keras's masked moments per channel of the last axis, by hand. */
function maskedMoments(x: number[][][], mask: number[][]): { mean: number[]; variance: number[] } {
  const real = x.flatMap((row, b) => row.filter((_, t) => mask[b][t] === 1));
  const n = real.length + KERAS_EPS;
  const mean = [0, 1].map((c) => real.reduce((s, v) => s + v[c], 0) / n);
  const variance = [0, 1].map((c) => real.reduce((s, v) => s + (v[c] - mean[c]) ** 2, 0) / n);
  return { mean, variance };
}

describe('BatchNormalization with a padding mask, in training', () => {
  it('the probe\'s model: embedding(maskZero) -> batchNormalization(momentum 0) -> lstm, one batch: Keras 3.15.1\'s 1.8 and 0.56', async () => {
    rl.setSeed(1);
    const emb = L.embedding({ inputDim: 4, outputDim: 1, maskZero: true, inputLength: 4 });
    const bn = L.batchNormalization({ momentum: 0 });
    const m = rl.sequential({ layers: [emb, bn, L.lstm({ units: 1 })] });
    emb.setWeights([rl.tensor([[10], [1], [2], [3]])]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await m.fit(rl.tensor([[1, 2, 0, 0], [3, 1, 2, 0]]), rl.tensor([[0], [1]]), { epochs: 1, batchSize: 2, verbose: 0 });
    const [, , movingMean, movingVariance] = bn.getWeightValues();
    // Real steps 1, 2, 3, 1, 2; counting the three padded 10s too gave 4.875 and 16.11.
    expect(movingMean[0]).toBeCloseTo(9 / (5 + KERAS_EPS), 6);
    expect(movingVariance[0]).toBeCloseTo(2.8 / (5 + KERAS_EPS), 6);
  });

  it('every step, padded ones too, is normalized with the real steps\' moments; the moving statistics follow them', () => {
    const bn = L.batchNormalization({ momentum: 0.9, epsilon: EPS });
    const y = values(bn.apply(rl.tensor(X), { training: true, mask: rl.tensor(MASK, [2, 4], 'bool') }));
    const { mean, variance } = maskedMoments(X, MASK);
    X.flat().forEach((v, i) => [0, 1].forEach((c) => expect(y[2 * i + c]).toBeCloseTo((v[c] - mean[c]) / Math.sqrt(variance[c] + EPS), 5)));
    const [, , mm, mv] = bn.getWeightValues();
    [0, 1].forEach((c) => {
      expect(mm[c]).toBeCloseTo(0.1 * mean[c], 6);
      expect(mv[c]).toBeCloseTo(0.9 + 0.1 * variance[c], 6);
    });
  });

  it('an all-padded batch: mean 0 and variance 0, as Keras\'s (0 + 1e-7) divisor gives, so the output is x / sqrt(epsilon)', () => {
    const bn = L.batchNormalization({ momentum: 0, epsilon: EPS });
    const y = values(bn.apply(rl.tensor(X), { training: true, mask: rl.zeros([2, 4], 'bool') }));
    X.flat(2).forEach((v, i) => expect(y[i]).toBeCloseTo(v / Math.sqrt(EPS), 3));
    const [, , mm, mv] = bn.getWeightValues();
    expect(Array.from(mm)).toEqual([0, 0]);
    expect(Array.from(mv)).toEqual([0, 0]);
  });

  it('inference normalizes with the moving statistics, mask or not', () => {
    const bn = L.batchNormalization({ inputShape: [4, 2] });
    rl.sequential({ layers: [bn] });
    bn.setWeights([[2, 0.5], [1, -1], [3, 0], [4, 0.25]]);
    const plain = values(bn.apply(rl.tensor(X)));
    expect(values(bn.apply(rl.tensor(X), { mask: rl.tensor(MASK, [2, 4], 'bool') }))).toEqual(plain);
    expect(plain[0]).toBeCloseTo(2 * (1 - 3) / Math.sqrt(4 + EPS) + 1, 5);
  });

  it('a mask that does not have one axis less than the input is an error naming the layer, as in Keras', () => {
    const bn = L.batchNormalization({ name: 'bn' });
    expect(() => bn.apply(rl.ones([2, 3]), { training: true, mask: rl.tensor([[1, 0, 1], [1, 1, 1]], [2, 3], 'bool') }))
      .toThrow('bn (BatchNormalization): a padding mask of 6 values does not fit input [2, 3]; as Keras\'s, it must have one axis less than the input, the input\'s shape without its last axis ([2], 2 values, one per step), whatever the axis normalized');
  });
});

describe('the gradient through the masked moments (float64, central differences)', () => {
  it('axis -1 and axis 1 (a step channel with no real value included), partly and wholly padded', () => {
    rl.setPrecision(64);
    try {
      const x = rl.tensor(Float64Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7) * 2 + (i % 3)), [2, 4, 3]);
      const masks = [[[1, 1, 0, 0], [1, 0, 1, 0]], [[1, 0, 0, 0], [0, 0, 0, 0]], [[0, 0, 0, 0], [0, 0, 0, 0]]];
      for (const axis of [-1, 1]) {
        for (const m of masks) {
          const mask = rl.tensor(m, [2, 4], 'bool');
          const bn = L.batchNormalization({ axis, gammaInitializer: 'randomNormal', betaInitializer: 'randomNormal' });
          bn.apply(x, { training: true, mask });
          gradCheck(([t]) => bn.apply(t, { training: true, mask }) as rl.Tensor, [x], bn.trainableWeights);
        }
      }
    } finally {
      rl.setPrecision(32);
    }
  });

  it('the padded values get no gradient through the moments: only gamma / std times their own output gradient', () => {
    rl.setPrecision(64);
    try {
      const bn = L.batchNormalization({ epsilon: EPS });
      const x = rl.tensor(X);
      const mask = rl.tensor(MASK, [2, 4], 'bool');
      const w = rl.tensor(Float64Array.from({ length: 16 }, (_, i) => Math.cos(i)), [2, 4, 2]);
      const dx = values(rl.grad((t: rl.Tensor) => rl.sum(rl.mul(bn.apply(t, { training: true, mask }) as rl.Tensor, w)))(x));
      const { variance } = maskedMoments(X, MASK);
      const dw = Array.from(w.dataSync());
      for (const [b, t] of [[0, 2], [0, 3], [1, 3]]) {
        for (const c of [0, 1]) {
          const i = (b * 4 + t) * 2 + c;
          expect(dx[i]).toBeCloseTo(dw[i] / Math.sqrt(variance[c] + EPS), 10);
        }
      }
    } finally {
      rl.setPrecision(32);
    }
  });
});
