/**
 * tfjs's Adamax takes a learning-rate decay (tf.train.adamax(lr, beta1, beta2, epsilon, decay), new
 * tf.AdamaxOptimizer(...)): the rate at its 0-based step t is lr / (1 + decay * t). rnnlab refused it (round 53),
 * so tfjs code did not run; it now becomes the InverseTimeDecay schedule with decaySteps 1, whose rates are those,
 * and the weights follow tfjs 4.22's step for step.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const START = [1, -2, 3, 0.5];
/** The variable after `steps` minimize steps of sum((v - 0.3 i)^2 * (i + 1)), tfjs's and rnnlab's alike. */
function minimized<T>(lib: typeof tf | typeof rl, opt: { minimize(f: () => T): unknown }, steps: number): number[] {
  const L = lib as typeof tf;
  const v = L.variable(L.tensor1d(START));
  const target = L.tensor1d(START.map((_, i) => 0.3 * i)), w = L.tensor1d(START.map((_, i) => i + 1));
  for (let s = 0; s < steps; s++) opt.minimize(() => L.sum(L.mul(L.square(L.sub(v, target)), w)) as unknown as T);
  return Array.from(v.dataSync());
}
const close = (a: number[], b: number[], tol: number) => a.forEach((x, i) => expect(Math.abs(x - b[i]), `at ${i}: ${x} vs ${b[i]}`).toBeLessThan(tol));

describe("tfjs's Adamax decay runs as tfjs's", () => {
  it('rl.train.adamax(lr, b1, b2, eps, decay): the same weights as tf.train.adamax over 6 steps', () => {
    const theirs = minimized(tf, tf.train.adamax(0.05, 0.9, 0.999, 1e-7, 0.3), 6);
    const ours = minimized(rl, rl.train.adamax(0.05, 0.9, 0.999, 1e-7, 0.3), 6);
    close(ours, theirs, 1e-6);
    // The decay matters at this size: without it the weights are elsewhere.
    const undecayed = minimized(rl, rl.train.adamax(0.05, 0.9, 0.999, 1e-7), 6);
    expect(Math.max(...undecayed.map((x, i) => Math.abs(x - theirs[i])))).toBeGreaterThan(1e-2);
  });

  it('new rl.AdamaxOptimizer(lr, b1, b2, null, decay): the same weights as tfjs\'s class, the rate lr / (1 + decay t) at each step', () => {
    const theirs = minimized(tf, new tf.AdamaxOptimizer(0.1, 0.8, 0.99, null as never, 1.5), 5);
    const opt = new rl.AdamaxOptimizer(0.1, 0.8, 0.99, null, 1.5);
    expect(opt.learningRateSchedule).toBeInstanceOf(rl.optimizers.schedules.InverseTimeDecay);
    expect(opt.learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 1.5, staircase: false });
    const rates: number[] = [];
    const counted = { minimize: (f: () => rl.Tensor) => { rates.push(opt.learningRate); return opt.minimize(f); } };
    close(minimized(rl, counted, 5), theirs, 1e-6);
    rates.forEach((r, t) => expect(r).toBeCloseTo(0.1 / (1 + 1.5 * t), 12));
    expect(opt.iterations).toBe(5);
  });

  it('fit with rl.train.adamax(..., decay) trains a Dense as tfjs fits it', async () => {
    const XS = [[1, 2], [0.5, -1], [2, 0], [-1, 1]], YS = [[1], [0], [2], [-1]];
    const tm = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    tm.compile({ optimizer: tf.train.adamax(0.05, 0.9, 0.999, 1e-7, 0.3), loss: 'meanSquaredError' });
    await tm.fit(tf.tensor2d(XS), tf.tensor2d(YS), { epochs: 5, batchSize: 2, shuffle: false, verbose: 0 });
    const rm = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    rm.compile({ optimizer: rl.train.adamax(0.05, 0.9, 0.999, 1e-7, 0.3), loss: 'meanSquaredError' });
    await rm.fit(rl.tensor(XS), rl.tensor(YS), { epochs: 5, batchSize: 2, shuffle: false, verbose: 0 });
    close(rm.getWeights().flatMap((w) => Array.from(w.dataSync())), tm.getWeights().flatMap((w) => Array.from(w.dataSync())), 1e-6);
  });

  it('decay 0 or absent keeps the numeric rate; tfjs\'s default rate 0.002 for rl.train.adamax', () => {
    expect(rl.train.adamax(0.05, 0.9, 0.999, 1e-7, 0).learningRate).toBe(0.05);
    expect(rl.train.adamax(0.05, 0.9, 0.999, 1e-7, 0).learningRateSchedule).toBeUndefined();
    expect(rl.train.adamax(undefined, undefined, undefined, undefined, 0.5).learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: 0.002, decayRate: 0.5 });
  });

  it('a decay that is no rate decay, or beside a schedule or an options object, is refused naming it', () => {
    expect(() => rl.train.adamax(0.05, 0.9, 0.999, 1e-7, -0.1)).toThrow(/^train\.adamax: decay must be a finite number >= 0 \(tfjs's Adamax's learning-rate decay: the rate at step t is learningRate \/ \(1 \+ decay \* t\)\), got number -0\.1$/);
    expect(() => new rl.AdamaxOptimizer(0.05, 0.9, 0.999, null, Number.NaN)).toThrow(/^AdamaxOptimizer: decay must be a finite number >= 0 .*, got number NaN$/);
    expect(() => rl.train.adamax(0.05, 0.9, 0.999, 1e-7, '0.1' as never)).toThrow(/^train\.adamax: decay must be a finite number >= 0 .*, got the string "0\.1"$/);
    const schedule = new rl.optimizers.schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expect(() => rl.train.adamax(schedule, 0.9, 0.999, 1e-7, 0.1)).toThrow("train.adamax: decay 0.1 (tfjs's Adamax's learning-rate decay) and the ExponentialDecay schedule given as the learning rate would each set the rate; give one of them");
    expect(() => new rl.AdamaxOptimizer({ learningRate: 0.1 } as never, undefined, undefined, undefined, 0.1)).toThrow(/AdamaxOptimizer: give tfjs's positional arguments or one options object, not both \(an options object was followed by decay\)/);
  });
});
