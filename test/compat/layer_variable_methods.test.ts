/** tfjs code reads and writes layer weights through LayerVariable's read()/write()/originalName. */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

describe('layer weights as tfjs LayerVariables', () => {
  it('read() returns the current value, as in tfjs', () => {
    const ours = rl.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones' });
    const theirs = tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones' });
    ours.build([null, 3]);
    theirs.build([null, 3]);
    expect(Array.from(ours.weights[0]!.read().dataSync())).toEqual(Array.from(theirs.weights[0]!.read().dataSync()));
    expect(ours.weights[0]!.originalName).toBe(ours.weights[0]!.name);
  });

  it('write() assigns and then applies the constraint, as in tfjs', () => {
    const value = [[3, 0], [4, 0], [0, 0.5]];
    const ours = rl.layers.dense({ units: 2, kernelConstraint: rl.constraints.maxNorm({ maxValue: 1 }) });
    const theirs = tf.layers.dense({ units: 2, kernelConstraint: tf.constraints.maxNorm({ maxValue: 1 }) });
    ours.build([null, 3]);
    theirs.build([null, 3]);
    ours.weights[0]!.write(rl.tensor(value));
    theirs.weights[0]!.write(tf.tensor(value));
    const got = Array.from(ours.getWeights()[0]!.dataSync());
    const want = Array.from(theirs.getWeights()[0]!.dataSync());
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 5));
    expect(got[0]).toBeCloseTo(0.6, 5);
  });

  it('write() refuses a wrong shape or a non-tensor, naming the weight', () => {
    const ours = rl.layers.dense({ units: 2, name: 'w_check' });
    ours.build([null, 3]);
    expect(() => ours.weights[0]!.write(rl.tensor([[1, 2]]))).toThrow(/w_check.*shape/);
    expect(() => ours.weights[0]!.write([1, 2, 3, 4, 5, 6] as never)).toThrow(/write expects a Tensor/);
  });
});
