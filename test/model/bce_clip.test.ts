/**
 * binaryCrossentropy on probabilities clips at float32's 1 - 1e-7 (0.99999988) as tfjs 4.22 and Keras do: with a
 * linear output past 1 the loss, the same-named metric and a training step agree with tfjs (live) to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

const X = [[0.5, -1.2, 0.3], [2.0, 0.3, -0.4], [-0.7, 0.9, 1.1], [1.1, 1.4, -2]];
const K = [[0.4, -0.6, 0.1], [0.3, 0.8, -0.5], [-0.2, 0.5, 0.3]];
const B = [0.1, -0.2, 0.05];
// Soft targets: a prediction past 1 with a target below 1 is charged log(1 - 0.99999988).
const T = [[0.2, 0.7, 0.1], [0, 1, 0], [0.5, 0.5, 0], [0.3, 0.3, 0.4]];

function tfjsModel(): tf.Sequential {
  const t = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [3] })] });
  t.setWeights([tf.tensor2d(K), tf.tensor1d(B)]);
  t.compile({ optimizer: tf.train.sgd(0.01), loss: 'binaryCrossentropy' });
  return t;
}

function ours(): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [3] })] });
  m.setWeights([rl.tensor(K), B]);
  m.compile({ optimizer: rl.train.sgd(0.01), loss: 'binaryCrossentropy', metrics: ['binaryCrossentropy'] });
  return m;
}

describe('binaryCrossentropy with predictions outside [0, 1]', () => {
  it('the loss equals tfjs\'s and the binaryCrossentropy metric', async () => {
    const want = (tfjsModel().evaluate(tf.tensor2d(X), tf.tensor2d(T)) as tf.Scalar).dataSync()[0];
    const [loss, metric] = ours().evaluate(X, T) as rl.Tensor[];
    // Clipping at 1 - 1e-7 in float64 instead gave 7.23784 here (tfjs: 7.20562).
    expect(loss.dataSync()[0]).toBeCloseTo(want, 4);
    expect(metric.dataSync()[0]).toBeCloseTo(loss.dataSync()[0], 4);
    expect(rl.losses.binaryCrossentropy(rl.tensor(T), ours().predict(rl.tensor(X)) as rl.Tensor).dataSync()[0]).toBeCloseTo(want, 4);
  });

  it('a training step moves the weights as tfjs\'s (no gradient through the clipped entries)', async () => {
    const t = tfjsModel(), m = ours();
    for (let s = 0; s < 2; s++) {
      await t.trainOnBatch(tf.tensor2d(X), tf.tensor2d(T));
      m.trainOnBatch(X, T);
      const want = t.getWeights().flatMap((w) => Array.from(w.dataSync()));
      m.getWeights().flatMap((w) => Array.from(w.dataSync())).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    }
  });
});
