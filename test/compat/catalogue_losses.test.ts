/** The loss catalogue: hand-computed values, and loss plus one SGD step against tfjs-layers on the same model. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

const X = [[0.5, -1.2], [2.0, 0.3], [-0.7, 0.9], [1.1, 1.4]];
const KERNEL = [[0.4, -0.6, 0.2], [0.3, 0.8, -0.5]];
const BIAS = [0.1, -0.2, 0.05];
const PROBS = [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]];
const SIGNS = [[1, -1, 1], [-1, -1, 1], [1, 1, -1], [-1, 1, 1]];

function pair(loss: string): { ours: rl.Sequential; theirs: tf.LayersModel } {
  const ours = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2], activation: 'sigmoid' })] });
  ours.setWeights([rl.tensor(KERNEL), BIAS]);
  ours.compile({ optimizer: rl.train.sgd(0.5), loss });
  const theirs = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: 'sigmoid' })] });
  theirs.setWeights([tf.tensor2d(KERNEL), tf.tensor1d(BIAS)]);
  theirs.compile({ optimizer: tf.train.sgd(0.5), loss });
  return { ours, theirs };
}

describe('losses against tfjs-layers (value and one gradient step)', () => {
  const cases: [string, number[][]][] = [
    ['meanAbsoluteError', PROBS], ['meanAbsolutePercentageError', PROBS], ['meanSquaredLogarithmicError', PROBS],
    ['logcosh', PROBS], ['hinge', SIGNS], ['squaredHinge', SIGNS], ['categoricalHinge', [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]],
    ['kullbackLeiblerDivergence', PROBS], ['poisson', PROBS], ['cosineProximity', SIGNS],
  ];
  for (const [name, y] of cases) {
    it(name, async () => {
      const { ours, theirs } = pair(name);
      const l = (ours.evaluate(rl.tensor(X), rl.tensor(y)) as rl.Tensor).dataSync()[0];
      expect(l).toBeCloseTo((theirs.evaluate(tf.tensor2d(X), tf.tensor2d(y)) as tf.Scalar).dataSync()[0], 5);
      ours.trainOnBatch(rl.tensor(X), rl.tensor(y));
      await theirs.trainOnBatch(tf.tensor2d(X), tf.tensor2d(y));
      const tw = theirs.getWeights().map((w) => Array.from(w.dataSync()));
      ours.getWeights().forEach((w, i) => Array.from(w.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(tw[i][j], 5)));
    });
  }
});

describe('losses by hand', () => {
  const yt = [[0, 2], [1, -1]], yp = [[0.5, 0], [3, -1]];
  it('meanAbsoluteError and its aliases', () => {
    // mean(|.5|, |2|, |2|, |0|) = 1.125
    for (const f of [rl.losses.meanAbsoluteError, rl.losses.mae, rl.losses.MAE]) expect(f(yt, yp).dataSync()[0]).toBeCloseTo(1.125, 6);
  });
  it('huber (delta 1, Keras) is quadratic inside the delta and linear outside', () => {
    // errors .5, 2, 2, 0 -> .125, 1.5, 1.5, 0 -> mean .78125
    expect(rl.losses.huber(yt, yp).dataSync()[0]).toBeCloseTo(0.78125, 6);
  });
  it('logCosh and poisson and cosineProximity', () => {
    const lc = (x: number) => Math.log(Math.cosh(x));
    expect(rl.losses.logCosh(yt, yp).dataSync()[0]).toBeCloseTo((lc(0.5) + lc(2) + lc(2) + lc(0)) / 4, 6);
    expect(rl.losses.poisson([[1, 2]], [[0.5, 3]]).dataSync()[0]).toBeCloseTo((0.5 - Math.log(0.5 + 1e-7) + 3 - 2 * Math.log(3 + 1e-7)) / 2, 6);
    // parallel vectors: -1; orthogonal: 0
    expect(rl.losses.cosineProximity([[1, 2], [1, 0]], [[2, 4], [0, 3]]).dataSync()[0]).toBeCloseTo(-0.5, 6);
  });
  it('kld sums over the last axis, then averages rows', () => {
    expect(rl.losses.kld([[0.5, 0.5]], [[0.25, 0.75]]).dataSync()[0]).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(0.5 / 0.75), 6);
  });
  it('names unknown losses and mismatched shapes', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1] })] });
    expect(() => m.compile({ optimizer: 'sgd', loss: 'hubber' })).toThrow(/unknown loss 'hubber'/);
    expect(() => rl.losses.hinge([[1, 2]], [[1, 2, 3]])).toThrow(/hinge: yTrue has shape \[1, 2\] but yPred has \[1, 3\]/);
  });
  it('a model compiled with huber saves and reloads its training config', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1] })] });
    m.compile({ optimizer: 'sgd', loss: 'huber' });
    const dir = mkdtempSync(join(tmpdir(), 'rl-loss-'));
    try {
      await m.save(`file://${dir}`);
      expect((await rl.loadModel(`file://${dir}/model.json`)).loss).toBe('huber');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
