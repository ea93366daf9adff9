/** Optimizers step by step against tfjs (same model, same gradients), Nadam against Keras's formula, and checkpoint round trips. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

const X = [[0.5, -1.2, 0.3], [2.0, 0.3, -0.4], [-0.7, 0.9, 1.1], [1.1, 1.4, -2]];
const Y = [[0.3, -1], [1.2, 0.4], [-0.5, 0.8], [2, -0.3]];
const KERNEL = [[0.4, -0.6], [0.3, 0.8], [-0.2, 0.5]];
const BIAS = [0.1, -0.2];

function ours(opt: rl.Optimizer | string): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
  m.setWeights([rl.tensor(KERNEL), BIAS]);
  m.compile({ optimizer: opt, loss: 'meanSquaredError' });
  return m;
}

function flat(ws: { dataSync(): ArrayLike<number> }[]): number[] { return ws.flatMap((w) => Array.from(w.dataSync())); }

describe('optimizers against tfjs, three steps on the same gradients', () => {
  const cases: [string, () => rl.Optimizer, () => tf.Optimizer][] = [
    ['sgd', () => rl.train.sgd(0.1), () => tf.train.sgd(0.1)],
    // With Keras's tiny default epsilon, tfjs's bias-corrected epsilon and Keras's agree.
    ['adam', () => rl.train.adam(0.05, 0.8, 0.9), () => tf.train.adam(0.05, 0.8, 0.9)],
    ['adagrad', () => rl.train.adagrad(0.1), () => tf.train.adagrad(0.1)],
    ['adagrad (initial accumulator 0.3)', () => rl.train.adagrad(0.1, 0.3), () => tf.train.adagrad(0.1, 0.3)],
    ['adamax', () => rl.train.adamax(0.05), () => tf.train.adamax(0.05)],
    ['adamax (epsilon 0.1)', () => rl.train.adamax(0.05, 0.8, 0.9, 0.1), () => tf.train.adamax(0.05, 0.8, 0.9, 0.1)],
    ['momentum', () => rl.train.momentum(0.05, 0.9), () => tf.train.momentum(0.05, 0.9)],
    ['momentum (nesterov)', () => rl.train.momentum(0.05, 0.9, true), () => tf.train.momentum(0.05, 0.9, true)],
    // tfjs's argument order; a large epsilon shows that it sits inside the square root (Keras 3 and tfjs alike).
    ['rmsprop (decay 0.8, epsilon 0.1)', () => rl.train.rmsprop(0.05, 0.8, 0, 0.1), () => tf.train.rmsprop(0.05, 0.8, 0, 0.1)],
    ['rmsprop (defaults)', () => rl.train.rmsprop(0.01), () => tf.train.rmsprop(0.01)],
    ['rmsprop (momentum 0.7)', () => rl.train.rmsprop(0.05, 0.8, 0.7, 0.1), () => tf.train.rmsprop(0.05, 0.8, 0.7, 0.1)],
    // tfjs subtracts epsilon under the centered root where Keras adds it (rnnlab follows Keras): equal at epsilon 0.
    ['rmsprop (centered, momentum 0.5, epsilon 0)', () => rl.train.rmsprop(0.05, 0.8, 0.5, 0, true), () => tf.train.rmsprop(0.05, 0.8, 0.5, 0, true)],
  ];
  for (const [name, mine, theirs] of cases) {
    it(name, async () => {
      const m = ours(mine());
      const t = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
      t.setWeights([tf.tensor2d(KERNEL), tf.tensor1d(BIAS)]);
      t.compile({ optimizer: theirs(), loss: 'meanSquaredError' });
      for (let step = 0; step < 3; step++) {
        m.trainOnBatch(X, Y);
        await t.trainOnBatch(tf.tensor2d(X), tf.tensor2d(Y));
        const want = flat(t.getWeights());
        flat(m.getWeights()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
      }
    });
  }

  it('defaults: Keras for names and constructors, tfjs for rl.train.adamax', () => {
    expect(ours('adagrad').optimizer!.getConfig()).toMatchObject({ learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 });
    expect(ours('adadelta').optimizer!.getConfig()).toMatchObject({ learningRate: 0.001, rho: 0.95, epsilon: 1e-7 });
    expect(ours('adamax').optimizer!.learningRate).toBe(0.001);
    expect(rl.train.adamax().learningRate).toBe(0.002);
    expect(ours('nadam').optimizer!.getConfig()).toMatchObject({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(rl.train.adamax(0.1, 0.9, 0.999, 1e-7, 0.1).learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.1 });
    expect(rl.train.rmsprop(0.01, 0.8, 0, null).getConfig()).toMatchObject({ rho: 0.8, epsilon: 1e-7 });
    expect(rl.train.rmsprop(0.01, 0.9, 0.9).getConfig()).toMatchObject({ rho: 0.9, momentum: 0.9, centered: false });
    expect(rl.train.rmsprop(0.01, 0.9, 0, 1e-7, true).getConfig()).toMatchObject({ momentum: 0, centered: true });
    expect(() => new rl.Adadelta({ rho: 1 })).toThrow(/Adadelta: rho must be a finite number in \[0, 1\)/);
  });
});

describe('nadam and adadelta follow Keras 3 (tfjs has no nadam; its adadelta scales by the previous step\'s accumulator)', () => {
  it('adadelta matches the update written out for one weight', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], useBias: false })] });
    m.setWeights([[0.5]]);
    m.compile({ optimizer: rl.train.adadelta(1, 0.9), loss: 'meanSquaredError' });
    let w = 0.5, ag = 0, ad = 0;
    for (let t = 1; t <= 4; t++) {
      const g = 2 * (w * 2 - 3) * 2;
      m.trainOnBatch([[2]], [[3]]);
      ag = 0.9 * ag + 0.1 * g * g;
      const delta = (Math.sqrt(ad + 1e-7) / Math.sqrt(ag + 1e-7)) * g;
      ad = 0.9 * ad + 0.1 * delta * delta;
      w -= delta;
      expect(m.getWeights()[0].dataSync()[0]).toBeCloseTo(w, 5);
    }
  });

  it("nadam matches Keras 3's update written out for one weight (u_t = 0.9 (1 - 0.5 * 0.96^t))", () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], useBias: false })] });
    m.setWeights([[0.5]]);
    m.compile({ optimizer: rl.optimizers.nadam({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    let w = 0.5, mo = 0, v = 0, prod = 1;
    const mu = (t: number) => 0.9 * (1 - 0.5 * 0.96 ** t);
    for (let t = 1; t <= 4; t++) {
      const g = 2 * (w * 2 - 3) * 2; // d/dw (2w - 3)^2 at x = 2, y = 3
      m.trainOnBatch([[2]], [[3]]);
      prod *= mu(t);
      mo = 0.9 * mo + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      const mHat = (mu(t + 1) * mo) / (1 - prod * mu(t + 1)) + ((1 - mu(t)) * g) / (1 - prod);
      w -= (0.1 * mHat) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-7);
      expect(m.getWeights()[0].dataSync()[0]).toBeCloseTo(w, 5);
    }
  });
});

describe('optimizer slots survive a checkpoint', () => {
  for (const name of ['adagrad', 'adadelta', 'adamax', 'nadam']) {
    it(`${name}: 2 steps, checkpoint, 2 steps equals a restored model's 2 steps`, () => {
      const dir = mkdtempSync(join(tmpdir(), `rl-opt-${name}-`));
      try {
        const a = ours(name);
        a.trainOnBatch(X, Y); a.trainOnBatch(X, Y);
        rl.writeCheckpoint(dir, a, { nextEpoch: 1, progress: null, history: { epoch: [], history: {} }, rng: [1, 2, 3, 4, NaN], samples: 4, batchSize: 4 });
        a.trainOnBatch(X, Y); a.trainOnBatch(X, Y);
        const b = ours(name);
        rl.restoreCheckpoint(dir, b);
        expect(b.optimizer!.className.toLowerCase()).toBe(name);
        b.trainOnBatch(X, Y); b.trainOnBatch(X, Y);
        expect(flat(b.getWeights())).toEqual(flat(a.getWeights()));
      } finally { rmSync(dir, { recursive: true, force: true }); }
    });
  }
});
