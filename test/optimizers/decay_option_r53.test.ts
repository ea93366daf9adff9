/**
 * `decay` in optimizer options. RMSprop's is tfjs's name for rho (tfjs's RMSPropOptimizer(lr, decay, ...)), taken so
 * code written for tfjs runs unchanged, and refused beside a different rho. Everywhere else it is a learning-rate
 * decay (the rate at step t is learningRate / (1 + decay * t)). Adamax takes it as the InverseTimeDecay schedule with
 * those rates: tfjs's factories (rl.train.adamax, AdamaxOptimizer) since round 54, which the tfjs oracle confirms, its
 * options (new rl.Adamax({decay}), rl.optimizers.adamax({decay})) since round 56. So do saved configs: Adamax's
 * (adamax_saved_decay_r55) and tf.keras 2's SGD, RMSprop (decay beside rho), Adam, Adagrad and Adadelta's
 * (decay_keras2_r56). The other optimizers' options, Keras 3's form, refuse it unless 0, the error giving the schedule.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const XS = [[1, 2], [0.5, -1], [2, 0], [-1, 1]], YS = [[1], [0], [2], [-1]];

/** A Dense(1) from ones and zeros, trained 5 epochs of 2 batches with `optimizer`: its weights. */
async function trained(optimizer: rl.Optimizer): Promise<number[]> {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
  m.compile({ optimizer, loss: 'meanSquaredError' });
  await m.fit(rl.tensor(XS), rl.tensor(YS), { epochs: 5, batchSize: 2, shuffle: false, verbose: 0 });
  return m.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

describe("RMSprop's decay is tfjs's rho", () => {
  it('rl.optimizers.rmsprop({decay}) and new rl.RMSprop({decay}) set rho, and train as rho does', async () => {
    expect(rl.optimizers.rmsprop({ decay: 0.8 }).rho).toBe(0.8);
    expect(new rl.RMSprop({ decay: 0.8 }).getConfig()).toMatchObject({ rho: 0.8 });
    expect(await trained(rl.optimizers.rmsprop({ learningRate: 0.05, decay: 0.5 })))
      .toEqual(await trained(rl.optimizers.rmsprop({ learningRate: 0.05, rho: 0.5 })));
    expect(await trained(rl.optimizers.rmsprop({ learningRate: 0.05, decay: 0.5 })))
      .not.toEqual(await trained(rl.optimizers.rmsprop({ learningRate: 0.05 })));
  });

  it('rho and decay together: the same value is taken, different values are an error naming both', () => {
    expect(rl.optimizers.rmsprop({ rho: 0.7, decay: 0.7 }).rho).toBe(0.7);
    expect(() => rl.optimizers.rmsprop({ rho: 0.9, decay: 0.8 }))
      .toThrow("RMSprop: decay is tfjs's name for rho; give one, not both with different values (got rho 0.9 and decay 0.8)");
    expect(() => new rl.RMSprop({ rho: 0.9, decay: 0 })).toThrow(/got rho 0\.9 and decay 0\)/);
  });

  it("decay's range is rho's, and the error names decay as given", () => {
    expect(() => rl.optimizers.rmsprop({ decay: 1.5 })).toThrow('RMSprop: decay must be a finite number in [0, 1), got 1.5');
  });

  it("a saved Keras 2 config keeps Keras 2's meaning: decay beside rho is a learning-rate decay, read as the schedule", () => {
    expect(rl.RMSprop.fromConfig({ learning_rate: 0.1, rho: 0.8, decay: 0 }).rho).toBe(0.8);
    const decayed = rl.RMSprop.fromConfig({ learning_rate: 0.1, rho: 0.8, decay: 0.01 });
    expect(decayed.rho).toBe(0.8);
    expect(decayed.learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.01 });
  });
});

describe('a learning-rate decay elsewhere points to InverseTimeDecay', () => {
  it.each([
    ['rl.optimizers.adam', () => rl.optimizers.adam({ learningRate: 0.01, decay: 0.1 } as never), 0.01, 0.1],
    ['rl.SGD', () => new rl.SGD({ lr: 0.5, decay: 0.3 } as never), 0.5, 0.3],
    ['rl.optimizers.nadam', () => rl.optimizers.nadam({ learningRate: 0.002, decay: 0.05 } as never), 0.002, 0.05],
  ])('%s', (where, make, lr, decay) => {
    expect(make).toThrow(`${where}: option 'decay' = ${decay} is not supported by rnnlab: it is Keras 2's optimizers' learning-rate decay ` +
      "(the rate at step t is learningRate / (1 + decay * t)), which Keras 3's optimizers and rnnlab's do not take; the same rates come from " +
      `the schedule new rl.optimizers.schedules.InverseTimeDecay({initialLearningRate: ${lr}, decaySteps: 1, decayRate: ${decay}}) as the learning rate`);
  });

  it('decay 0 is still taken as off', () => {
    expect(() => rl.optimizers.adam({ decay: 0 } as never)).not.toThrow();
  });

  it("tfjs's Adamax decay: rl.train.adamax and AdamaxOptimizer take it as the schedule, which trains as tfjs's decay does", async () => {
    for (const opt of [rl.train.adamax(0.05, 0.9, 0.999, 1e-7, 0.3), new rl.AdamaxOptimizer(0.05, 0.9, 0.999, 1e-7, 0.3)]) {
      expect(opt.learningRateSchedule?.className).toBe('InverseTimeDecay');
      expect(opt.learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: 0.05, decaySteps: 1, decayRate: 0.3 });
    }
    const tm = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    tm.compile({ optimizer: tf.train.adamax(0.05, 0.9, 0.999, 1e-7, 0.3), loss: 'meanSquaredError' });
    await tm.fit(tf.tensor2d(XS), tf.tensor2d(YS), { epochs: 5, batchSize: 2, shuffle: false, verbose: 0 });
    const theirs = tm.getWeights().flatMap((w) => Array.from(w.dataSync()));
    const schedule = new rl.optimizers.schedules.InverseTimeDecay({ initialLearningRate: 0.05, decaySteps: 1, decayRate: 0.3 });
    const ours = await trained(rl.train.adamax(schedule, 0.9, 0.999, 1e-7));
    ours.forEach((w, i) => expect(Math.abs(w - theirs[i])).toBeLessThan(1e-6));
    expect(await trained(rl.train.adamax(0.05, 0.9, 0.999, 1e-7, 0.3))).toEqual(ours);
    const undecayed = await trained(rl.train.adamax(0.05, 0.9, 0.999, 1e-7));
    expect(Math.max(...undecayed.map((w, i) => Math.abs(w - theirs[i])))).toBeGreaterThan(1e-2);
  });
});
