/** rl.losses called directly: values against tfjs, and bad targets are errors naming the value instead of a silent number. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const PROBS = [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]];
const ONEHOT = [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]];

describe('rl.losses against tfjs', () => {
  it('binary, categorical and sparse crossentropy and the mean errors', () => {
    const soft = [[0, 1, 1], [1, 0, 0.5], [0, 0, 1], [0.2, 1, 0]];
    const pairs: [string, number[][]][] = [['binaryCrossentropy', soft], ['categoricalCrossentropy', ONEHOT], ['meanSquaredError', ONEHOT],
      ['meanAbsoluteError', ONEHOT], ['meanAbsolutePercentageError', soft], ['cosineProximity', ONEHOT]];
    for (const [name, yt] of pairs) {
      const want = tf.mean((tf.metrics as unknown as Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor>)[name](tf.tensor2d(yt), tf.tensor2d(PROBS))).dataSync()[0];
      const got = (rl.losses as unknown as Record<string, (a: number[][], b: number[][]) => rl.Tensor>)[name](yt, PROBS).dataSync()[0];
      expect(got / want, name).toBeCloseTo(1, 6);
    }
    const sparse = rl.losses.sparseCategoricalCrossentropy([1, 0, 2, 1], PROBS).dataSync()[0];
    expect(sparse).toBeCloseTo(tf.metrics.categoricalCrossentropy(tf.tensor2d(ONEHOT), tf.tensor2d(PROBS)).mean().dataSync()[0], 6);
  });
});

describe('targets a loss cannot use', () => {
  it('sparse class ids out of range, negative or fractional are errors naming the id', () => {
    expect(() => rl.losses.sparseCategoricalCrossentropy([5, 0, 2, 1], PROBS))
      .toThrow('losses.sparseCategoricalCrossentropy: yTrue: sparseCategoricalCrossentropy needs integer class ids in [0, 3), found 5 at index 0');
    expect(() => rl.losses.sparseCategoricalCrossentropy([1, -1, 2, 1], PROBS)).toThrow(/found -1 at index 1/);
    expect(() => rl.losses.sparseCategoricalCrossentropy([1, 0, 1.5, 1], PROBS)).toThrow(/found 1.5 at index 2/);
  });

  it('sparse labels must hold one id per row of yPred', () => {
    expect(() => rl.losses.sparseCategoricalCrossentropy([1, 0], PROBS)).toThrow('losses.sparseCategoricalCrossentropy: yTrue has shape [2] but yPred has [4, 3]');
  });

  it('binary targets outside [0, 1] and non-finite targets are errors', () => {
    expect(() => rl.losses.binaryCrossentropy([[2, 0, 0]], [[0.5, 0.5, 0.5]])).toThrow('losses.binaryCrossentropy: yTrue: binaryCrossentropy needs targets in [0, 1], found 2 at index 0');
    expect(() => rl.losses.categoricalCrossentropy([[NaN, 1, 0]], [[0.2, 0.7, 0.1]])).toThrow('losses.categoricalCrossentropy: yTrue: value NaN at index 0 is not finite');
  });
});

describe('arguments the layers losses do not read', () => {
  it('a third argument (weights) is an error instead of being dropped as tfjs drops it', () => {
    expect(() => (rl.losses.binaryCrossentropy as (...a: unknown[]) => rl.Tensor)([[1, 0]], [[0.6, 0.3]], [2]))
      .toThrow('losses.binaryCrossentropy takes (yTrue, yPred) only, got 3 arguments');
    // meanSquaredError is tfjs-core's weighted loss when given weights: 2 x the mean of (0.4^2, 0.3^2).
    expect(rl.losses.meanSquaredError([[1, 0]], [[0.6, 0.3]], [[2, 2]]).dataSync()[0]).toBeCloseTo(0.25, 6);
  });
});
