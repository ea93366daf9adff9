/** Optimizers rebuilt from tfjs 4.22's getConfig() (Keras's fromConfig(config) and tfjs's fromConfig(cls, config)) train as tfjs's. */
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
const flat = (ws: { dataSync(): ArrayLike<number> }[]): number[] => ws.flatMap((w) => Array.from(w.dataSync()));

async function tfjsAfter(opt: tf.Optimizer, steps: number): Promise<number[]> {
  const t = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  t.setWeights([tf.tensor2d(KERNEL), tf.tensor1d(BIAS)]);
  t.compile({ optimizer: opt, loss: 'meanSquaredError' });
  for (let s = 0; s < steps; s++) await t.trainOnBatch(tf.tensor2d(X), tf.tensor2d(Y));
  return flat(t.getWeights());
}

function oursAfter(opt: rl.Optimizer, steps: number): number[] {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
  m.setWeights([rl.tensor(KERNEL), BIAS]);
  m.compile({ optimizer: opt, loss: 'meanSquaredError' });
  for (let s = 0; s < steps; s++) m.trainOnBatch(X, Y);
  return flat(m.getWeights());
}

type Rebuild = { fromConfig(...args: unknown[]): rl.Optimizer };
const CASES: [string, Rebuild, () => tf.Optimizer][] = [
  ['Adam', rl.Adam as unknown as Rebuild, () => tf.train.adam(0.05, 0.8, 0.9)],
  // tfjs's config spells rho 'decay'; without a 'rho' it is read as rho.
  ['RMSProp', rl.RMSprop as unknown as Rebuild, () => tf.train.rmsprop(0.05, 0.8, 0.3, 1e-6)],
  ['SGD', rl.SGD as unknown as Rebuild, () => tf.train.sgd(0.1)],
  ['Momentum', rl.SGD as unknown as Rebuild, () => tf.train.momentum(0.05, 0.9, true)],
  ['Adagrad', rl.Adagrad as unknown as Rebuild, () => tf.train.adagrad(0.1, 0.2)],
  ['Adamax', rl.Adamax as unknown as Rebuild, () => tf.train.adamax(0.05, 0.8, 0.9, 1e-6, 0)],
];

describe('fromConfig of tfjs\'s getConfig()', () => {
  for (const [name, cls, make] of CASES) {
    it(`${name}: both call forms train 5 steps as tfjs`, async () => {
      const want = await tfjsAfter(make(), 5);
      const config = (make() as unknown as { getConfig(): Record<string, unknown> }).getConfig();
      for (const opt of [cls.fromConfig(config), cls.fromConfig(cls, config)]) {
        oursAfter(opt, 5).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
      }
    });
  }

  it('Keras 2\'s RMSprop config keeps decay as a learning-rate decay beside rho: non-zero is the InverseTimeDecay schedule', () => {
    expect(rl.RMSprop.fromConfig({ learningRate: 0.1, rho: 0.8, decay: 0 }).getConfig()).toMatchObject({ rho: 0.8, learningRate: 0.1 });
    const decayed = rl.RMSprop.fromConfig({ learningRate: 0.1, rho: 0.8, decay: 0.01 });
    expect(decayed.rho).toBe(0.8);
    expect(decayed.learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.01 });
  });

  it('RMSProp at momentum 0: tfjs\'s state (with its unused momentum slot) sets in, the next step agrees', async () => {
    const v = tf.variable(tf.tensor1d([1, -2]), true, 'cfg_w');
    const cost = () => tf.sum(tf.square(tf.sub(tf.mul(v, tf.tensor1d([2, 0.5])), tf.tensor1d([1, 1]))));
    const to = tf.train.rmsprop(0.05, 0.8);
    to.minimize(cost as () => tf.Scalar); to.minimize(cost as () => tf.Scalar);
    const state = await to.getWeights();
    const r = rl.variable(rl.tensor(Array.from(v.dataSync())), true, 'cfg_w');
    const rcost = () => rl.sum(rl.square(rl.sub(rl.mul(r, rl.tensor([2, 0.5])), rl.tensor([1, 1]))));
    const ro = rl.train.rmsprop(0.05, 0.8);
    await ro.setWeights(state.map((w) => ({ name: w.name, tensor: rl.tensor(Array.from(w.tensor.dataSync()), w.tensor.shape) })));
    expect((await ro.getWeights()).map((w) => w.name)).toEqual(state.map((w) => w.name));
    to.minimize(cost as () => tf.Scalar); ro.minimize(rcost);
    Array.from(r.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(v.dataSync()[i], 6));
  });
});
