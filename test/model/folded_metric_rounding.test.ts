// Where the loss folds a sigmoid in, binary accuracy must threshold the float32 probability, as tfjs 4.22 and Keras 3
// do, not the logit: a logit of 1e-8 is sigmoid 0.5 exactly in float32, which `> 0.5` does not count as 1.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[1, 2], [3, 4], [-1, 0.5]];
const Y = [[0], [0], [1]];

function evaluateBoth(bias: number, metrics: string[]): { rl: number[]; tf: number[]; predicted: number[] } {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2], kernelInitializer: 'zeros', biasInitializer: 'zeros' })] });
  m.setWeights([rl.zeros([2, 1]), rl.tensor1d([bias])]);
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics });
  const t = tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] });
  t.setWeights([tf.zeros([2, 1]), tf.tensor1d([bias])]);
  t.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics });
  const r = m.evaluate(rl.tensor2d(X), rl.tensor2d(Y)) as rl.Tensor[];
  const s = t.evaluate(tf.tensor2d(X), tf.tensor2d(Y)) as tf.Scalar[];
  return { rl: r.map((v) => v.dataSync()[0]), tf: s.map((v) => v.dataSync()[0]), predicted: Array.from(m.predict(rl.tensor2d(X)) .dataSync()) };
}

describe('compiled metrics over a folded sigmoid', () => {
  it('a tiny positive logit whose float32 probability is 0.5 counts as class 0, as predict() and tfjs say', () => {
    const { rl: r, tf: t, predicted } = evaluateBoth(1e-8, ['accuracy']);
    expect(predicted).toEqual([0.5, 0.5, 0.5]);
    expect(r[1]).toBeCloseTo(2 / 3, 6);
    expect(r[1]).toBeCloseTo(t[1], 6);
  });

  it('a logit large enough to round above 0.5 counts as class 1', () => {
    const { rl: r, tf: t, predicted } = evaluateBoth(1e-6, ['accuracy']);
    expect(predicted.every((p) => p > 0.5)).toBe(true);
    expect(r[1]).toBeCloseTo(1 / 3, 6);
    expect(r[1]).toBeCloseTo(t[1], 6);
  });

  it('logits near the float32 edge of 0.5 count as tfjs counts them', () => {
    for (const bias of [3e-8, 6e-8, 9e-8, 1.2e-7, 2e-7, -3e-8]) {
      const { rl: r, tf: t } = evaluateBoth(bias, ['accuracy']);
      expect(r[1], `bias ${bias}`).toBeCloseTo(t[1], 6);
    }
  });

  it('precision reads the same float32 probabilities', () => {
    const { rl: r, tf: t } = evaluateBoth(1e-8, ['precision']);
    expect(r[1]).toBe(0);
    expect(r[1]).toBeCloseTo(t[1], 6);
  });
});
