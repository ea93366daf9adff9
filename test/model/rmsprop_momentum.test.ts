/** RMSprop's momentum and centered options: against tfjs 4.22 and Keras 3's rule, saved configs, checkpoints, bad options. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

const X = [[0.5, -1.2, 0.3], [2.0, 0.3, -0.4], [-0.7, 0.9, 1.1], [1.1, 1.4, -2]];
const Y = [[0.3, -1], [1.2, 0.4], [-0.5, 0.8], [2, -0.3]];
const KERNEL = [[0.4, -0.6], [0.3, 0.8], [-0.2, 0.5]];
const BIAS = [0.1, -0.2];
const flat = (ws: { dataSync(): ArrayLike<number> }[]): number[] => ws.flatMap((w) => Array.from(w.dataSync()));
const root = mkdtempSync(join(tmpdir(), 'rl-rmsprop-'));
let dirs = 0;
const fresh = (): string => join(root, `d${dirs++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function ours(opt: rl.Optimizer): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
  m.setWeights([rl.tensor(KERNEL), BIAS]);
  m.compile({ optimizer: opt, loss: 'meanSquaredError' });
  return m;
}

async function tfjsSteps(opt: tf.Optimizer, steps: number): Promise<number[][]> {
  const t = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  t.setWeights([tf.tensor2d(KERNEL), tf.tensor1d(BIAS)]);
  t.compile({ optimizer: opt, loss: 'meanSquaredError' });
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    await t.trainOnBatch(tf.tensor2d(X), tf.tensor2d(Y));
    out.push(flat(t.getWeights()));
  }
  return out;
}

function ourSteps(opt: rl.Optimizer, steps: number): number[][] {
  const m = ours(opt);
  return Array.from({ length: steps }, () => { m.trainOnBatch(X, Y); return flat(m.getWeights()); });
}

describe('RMSprop momentum and centered against tfjs 4.22, six steps', () => {
  const cases: [string, () => rl.Optimizer, () => tf.Optimizer][] = [
    ['momentum 0.9, tfjs positional form', () => rl.train.rmsprop(0.02, 0.85, 0.9, 0.01), () => tf.train.rmsprop(0.02, 0.85, 0.9, 0.01)],
    ['momentum 0.6, option object', () => rl.optimizers.rmsprop({ learningRate: 0.03, rho: 0.7, momentum: 0.6, epsilon: 0.05 }), () => tf.train.rmsprop(0.03, 0.7, 0.6, 0.05)],
    // tfjs puts epsilon under the centered root with the other sign; at epsilon 0 the two rules are the same.
    ['centered, no momentum, epsilon 0', () => new rl.RMSprop({ learningRate: 0.02, rho: 0.8, epsilon: 0, centered: true }), () => tf.train.rmsprop(0.02, 0.8, 0, 0, true)],
    ['centered with momentum 0.8, epsilon 0', () => rl.train.rmsprop(0.01, 0.9, 0.8, 0, true), () => tf.train.rmsprop(0.01, 0.9, 0.8, 0, true)],
  ];
  for (const [name, mine, theirs] of cases) {
    it(name, async () => {
      const want = await tfjsSteps(theirs(), 6);
      ourSteps(mine(), 6).forEach((ws, s) => ws.forEach((v, i) => expect(v, `step ${s + 1} weight ${i}`).toBeCloseTo(want[s][i], 5)));
    });
  }

  it("centered follows Keras 3's sqrt(a - m^2 + epsilon); tfjs's sqrt(a - m^2 - epsilon) differs at a large epsilon", async () => {
    const lr = 0.1, rho = 0.9, mom = 0.5, eps = 0.5;
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], useBias: false })] });
    m.setWeights([[0.5]]);
    m.compile({ optimizer: rl.train.rmsprop(lr, rho, mom, eps, true), loss: 'meanSquaredError' });
    let w = 0.5, a = 0, mean = 0, v = 0;
    for (let t = 1; t <= 5; t++) {
      const g = 2 * (w * 2 - 3) * 2; // d/dw (2w - 3)^2
      m.trainOnBatch([[2]], [[3]]);
      a = rho * a + (1 - rho) * g * g;
      mean = rho * mean + (1 - rho) * g;
      v = mom * v + (lr * g) / Math.sqrt(a - mean * mean + eps);
      w -= v;
      expect(m.getWeights()[0].dataSync()[0]).toBeCloseTo(w, 5);
    }
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], useBias: false })] });
    t.setWeights([tf.tensor2d([[0.5]])]);
    t.compile({ optimizer: tf.train.rmsprop(lr, rho, mom, eps, true), loss: 'meanSquaredError' });
    for (let s = 0; s < 5; s++) await t.trainOnBatch(tf.tensor2d([[2]]), tf.tensor2d([[3]]));
    expect(Math.abs(t.getWeights()[0].dataSync()[0] - w)).toBeGreaterThan(1e-3);
  });

  it('keeps the slots Keras keeps: the momentum only when momentum > 0, the mean gradient only when centered', () => {
    expect(new rl.RMSprop().slotNames).toEqual(['accumulator']);
    expect(new rl.RMSprop({ momentum: 0.9 }).slotNames).toEqual(['accumulator', 'momentum']);
    expect(new rl.RMSprop({ centered: true }).slotNames).toEqual(['accumulator', 'meanGradient']);
    expect(new rl.RMSprop({ momentum: 0.5, centered: true }).slotCount).toBe(3);
  });
});

describe('RMSprop momentum and centered: config, save and load, checkpoints', () => {
  it('getConfig and fromConfig round-trip; a saved model loads the same optimizer, and tfjs\'s config (decay) reads too', async () => {
    const opt = rl.optimizers.rmsprop({ learningRate: 0.02, rho: 0.8, momentum: 0.7, epsilon: 1e-5, centered: true });
    expect(opt.getConfig()).toEqual({ learningRate: 0.02, rho: 0.8, momentum: 0.7, epsilon: 1e-5, centered: true });
    expect(rl.RMSprop.fromConfig(opt.getConfig()).getConfig()).toEqual(opt.getConfig());
    expect(rl.RMSprop.fromConfig({ learningRate: 0.1, decay: 0.7, momentum: 0.3, epsilon: 1e-7, centered: true }, 'RMSProp').getConfig())
      .toEqual({ learningRate: 0.1, rho: 0.7, momentum: 0.3, epsilon: 1e-7, centered: true });
    const m = ours(opt);
    const dir = fresh();
    await m.save(`file://${dir}`);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).trainingConfig.optimizer_config;
    expect(saved).toEqual({ class_name: 'RMSProp', config: { learning_rate: 0.02, rho: 0.8, momentum: 0.7, epsilon: 1e-5, centered: true } });
    const back = await rl.loadModel(`file://${dir}`);
    expect(back.optimizer).toBeInstanceOf(rl.RMSprop);
    expect(back.optimizer!.getConfig()).toEqual(opt.getConfig());
  });

  it('2 steps, save model and checkpoint, load both, 3 steps equals 5 uninterrupted steps', async () => {
    const make = (): rl.Optimizer => rl.train.rmsprop(0.02, 0.85, 0.8, 1e-4, true);
    const a = ours(make());
    for (let s = 0; s < 2; s++) a.trainOnBatch(X, Y);
    const dir = fresh(), ck = fresh();
    await a.save(`file://${dir}`);
    rl.writeCheckpoint(ck, a, { nextEpoch: 1, progress: null, history: { epoch: [], history: {} }, rng: [1, 2, 3, 4, NaN], samples: 4, batchSize: 4 });
    const b = await rl.loadModel(`file://${dir}`);
    rl.restoreCheckpoint(ck, b);
    expect(b.optimizer!.iterations).toBe(2);
    for (let s = 0; s < 3; s++) { a.trainOnBatch(X, Y); b.trainOnBatch(X, Y); }
    const u = ours(make());
    for (let s = 0; s < 5; s++) u.trainOnBatch(X, Y);
    expect(flat(b.getWeights())).toEqual(flat(u.getWeights()));
    expect(flat(a.getWeights())).toEqual(flat(u.getWeights()));
  });

  it('a checkpoint of a plain RMSprop does not restore into one with momentum (the slot counts differ)', () => {
    const ck = fresh();
    const a = ours(rl.train.rmsprop(0.01));
    a.trainOnBatch(X, Y);
    rl.writeCheckpoint(ck, a, { nextEpoch: 1, progress: null, history: { epoch: [], history: {} }, rng: [1, 2, 3, 4, NaN], samples: 4, batchSize: 4 });
    expect(() => rl.restoreCheckpoint(ck, ours(rl.train.rmsprop(0.01, 0.9, 0.9)))).toThrow(/has 1 slots; RMSProp keeps 2/);
  });
});

describe('RMSprop momentum and centered: bad values are named', () => {
  it('refuses a non-boolean centered, a negative momentum, and the same in a loaded config', () => {
    expect(() => new rl.RMSprop({ centered: 'yes' as never })).toThrow('RMSprop: centered must be true or false, got "yes"');
    expect(() => rl.optimizers.rmsprop({ momentum: -0.5 })).toThrow(/RMSprop: momentum must be a finite number >= 0, got -0.5/);
    expect(() => rl.train.rmsprop(0.01, 0.9, Number.NaN)).toThrow(/momentum must be a finite number >= 0, got NaN/);
    expect(() => rl.RMSprop.fromConfig({ learningRate: 0.1, centered: 1 })).toThrow(/centered must be true or false, got 1/);
    expect(() => rl.RMSprop.fromConfig({ learningRate: 0.1, momentum: '0.9' })).toThrow(/momentum must be a number, got "0.9"/);
    expect(() => rl.optimizers.rmsprop({ nesterov: true } as never)).toThrow(/rl\.optimizers\.rmsprop: unknown option 'nesterov'/);
  });
});
