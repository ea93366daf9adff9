/**
 * activation: 'logSoftmax' (tfjs) / 'log_softmax' (Keras) on Dense, Conv1D and Activation, against @tensorflow/tfjs
 * 4.22: along the last axis (not elementwise), one training step, float64 gradients, and files both ways.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from '../io/helpers.js';
import { checkLayerGradients, fromTfjs, maxDiff, roundTrip } from './helpers.js';
import { oneStep, randomF32, tfjsReady, tfjsTwin, toTf, weightDiff } from './tfjs_twin.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

beforeAll(() => tfjsReady());
const root = tempDir('rnnlab-log-softmax-');
afterAll(() => removeDir(root));

describe('logSoftmax activation', () => {
  it('Dense on rank-2 and rank-3 input: tfjs\'s numbers, each row\'s exp sums to 1', async () => {
    for (const shape of [[5, 4], [2, 3, 4]]) {
      rl.setSeed(1);
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 6, activation: 'logSoftmax', inputShape: shape.slice(1) })] });
      const x = randomF32(shape, 2, 3);
      const tm = await tfjsTwin(m, root, `dense_${shape.length}`);
      const ours = m.predict(x) as rl.Tensor;
      const theirs = tm.predict(toTf(x)) as tf.Tensor;
      expect(ours.shape).toEqual(theirs.shape);
      expect(maxDiff(ours.dataSync(), theirs.dataSync())).toBeLessThan(2e-6);
      const d = ours.dataSync();
      for (let r = 0; r < d.length; r += 6) expect(Math.abs(Array.from(d.slice(r, r + 6)).reduce((s, v) => s + Math.exp(v), 0) - 1)).toBeLessThan(1e-5);
    }
  });

  it('Activation layer and Conv1D as tfjs; large logits stay finite', async () => {
    rl.setSeed(3);
    const m = rl.sequential({ layers: [
      rl.layers.conv1d({ filters: 3, kernelSize: 2, activation: 'logSoftmax', inputShape: [5, 2] }),
      rl.layers.dense({ units: 4 }),
      rl.layers.activation({ activation: 'logSoftmax' }),
    ] });
    const x = randomF32([3, 5, 2], 4, 2);
    const tm = await tfjsTwin(m, root, 'conv_act');
    expect(maxDiff((m.predict(x) as rl.Tensor).dataSync(), (tm.predict(toTf(x)) as tf.Tensor).dataSync())).toBeLessThan(2e-6);
    const big = rl.layers.activation({ activation: 'log_softmax' }).apply(rl.tensor([1000, 0, -1000], [1, 3]), {}) as rl.Tensor;
    expect(Array.from(big.dataSync())).toEqual([0, -1000, -2000]);
  });

  it('trains: one SGD step gives tfjs\'s loss and weights', async () => {
    rl.setSeed(5);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 5, activation: 'tanh', inputShape: [3] }), rl.layers.dense({ units: 4, activation: 'logSoftmax' })] });
    const tm = await tfjsTwin(m, root, 'train');
    const x = randomF32([6, 3], 6), y = randomF32([6, 4], 7);
    const [ours, theirs] = await oneStep(m, tm, x, y, 0.5);
    expect(Math.abs(ours - theirs)).toBeLessThan(1e-5);
    expect(weightDiff(m, tm)).toBeLessThan(1e-6);
  });

  it('float64 gradients match central differences', () => {
    rl.setPrecision(64);
    try {
      rl.setSeed(8);
      expect(checkLayerGradients(rl.layers.dense({ units: 4, activation: 'logSoftmax' }), [3, 2, 5])).toBeLessThan(1e-6);
      expect(checkLayerGradients(rl.layers.activation({ activation: 'logSoftmax' }), [4, 6])).toBeLessThan(1e-6);
    } finally {
      rl.setPrecision(32);
    }
  });

  it('saves as Keras\'s log_softmax, loads in rnnlab and tfjs, and loads tfjs\'s own file', async () => {
    rl.setSeed(9);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, activation: 'logSoftmax', inputShape: [4] })] });
    const layers = await roundTrip(m, randomF32([2, 4], 10), root, 'round');
    expect((layers[layers.length - 1].config as Record<string, unknown>).activation).toBe('log_softmax');
    expect(m.layers[0].getConfig().activation).toBe('logSoftmax');
    // tfjs 4.22 runs 'logSoftmax' but its ActivationIdentifier type leaves it out.
    const logSoftmax = 'logSoftmax' as 'softmax';
    const tm = tf.sequential({ layers: [tf.layers.dense({ units: 3, activation: logSoftmax, inputShape: [4] }), tf.layers.activation({ activation: logSoftmax })] });
    await fromTfjs(tm, randomF32([2, 4], 11), root, 'from_tfjs');
  });

  it('a recurrent cell refuses it by name', () => {
    expect(() => rl.layers.lstm({ units: 2, activation: 'logSoftmax' as never })).toThrow(/activation 'log_softmax' is not supported in a recurrent cell/);
  });
});
