/**
 * Learning-rate decay (the rate at 0-based step t is learningRate / (1 + decay * t)) in the forms that still refused
 * it. Adamax's options (new rl.Adamax({decay}), rl.optimizers.adamax({decay})) now take it as rl.train.adamax's
 * positional decay does, as that InverseTimeDecay schedule. tf.keras 2's optimizers (OptimizerV2: SGD, RMSprop, Adam,
 * Adagrad, Adadelta, as Adamax already) save the decay in their configs, and a model.json carrying one loaded
 * uncompiled with a warning: it now loads compiled with the schedule; decay 0 is no schedule. tf.keras 2's Nadam's
 * decay is its momentum schedule's (schedule_decay), no rate decay: still refused, now saying what it is.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from '../io/helpers.js';

const root = tempDir('rnnlab-keras2-decay-r56-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const XS = [[1, 2], [0.5, -1], [2, 0], [-1, 1]], YS = [[1], [0], [2], [-1]];
const LR = 0.05, DECAY = 0.3;
const inverseTime = (lr: number, decay: number, steps = 4) => Array.from({ length: steps }, (_, t) => lr / (1 + decay * t));

type Trainable = { optimizer?: rl.Optimizer | null; fit: rl.Sequential['fit']; getWeights: rl.Sequential['getWeights'] };

/** Trains 2 epochs of 2 batches (4 steps); the rate each step ran with, and the weights after. */
async function stepRates(m: Trainable): Promise<{ rates: number[]; weights: number[] }> {
  const rates: number[] = [];
  await m.fit(rl.tensor(XS), rl.tensor(YS), { epochs: 2, batchSize: 2, shuffle: false, verbose: 0, callbacks: { onBatchBegin: () => { rates.push(m.optimizer!.learningRate); } } });
  return { rates, weights: m.getWeights().flatMap((w) => Array.from(w.dataSync())) };
}

function compiled(optimizer: rl.Optimizer): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
  m.compile({ optimizer, loss: 'meanSquaredError' });
  return m;
}

const expectRates = (got: number[], want: number[]) => {
  expect(got).toHaveLength(want.length);
  got.forEach((r, t) => expect(r, `step ${t}`).toBeCloseTo(want[t], 12));
};

describe("Adamax's decay in options is rl.train.adamax's positional decay", () => {
  it.each([
    ['new rl.Adamax({learningRate, decay})', () => new rl.Adamax({ learningRate: LR, decay: DECAY })],
    ['rl.optimizers.adamax({learningRate, decay})', () => rl.optimizers.adamax({ learningRate: LR, decay: DECAY })],
    ["Keras 2's spelling {learning_rate, decay}", () => new rl.Adamax({ learning_rate: LR, decay: DECAY } as never)],
    ["Keras 2's {lr, decay}", () => rl.optimizers.adamax({ lr: LR, decay: DECAY })],
    ['AdamaxOptimizer({learningRate, decay}), the options form', () => new rl.AdamaxOptimizer({ learningRate: LR, decay: DECAY } as never)],
  ])('%s: the same rates step by step and the same weights as rl.train.adamax(lr, beta1, beta2, epsilon, decay)', async (_form, make) => {
    const opt = make();
    expect(opt.learningRateSchedule?.getConfig()).toMatchObject({ initialLearningRate: LR, decaySteps: 1, decayRate: DECAY, staircase: false });
    const ours = await stepRates(compiled(opt));
    const positional = await stepRates(compiled(rl.train.adamax(LR, 0.9, 0.999, 1e-7, DECAY)));
    expectRates(ours.rates, inverseTime(LR, DECAY));
    expect(ours.rates).toEqual(positional.rates);
    expect(ours.weights).toEqual(positional.weights);
  });

  it("without a learning rate the decay applies to Keras's default 0.001; decay 0 or null is a fixed rate; getConfig round-trips", async () => {
    expectRates((await stepRates(compiled(new rl.Adamax({ decay: 0.5 })))).rates, inverseTime(0.001, 0.5));
    for (const decay of [0, null]) {
      const opt = rl.optimizers.adamax({ learningRate: LR, decay });
      expect(opt.learningRateSchedule).toBeUndefined();
      expect(opt.learningRate).toBe(LR);
    }
    const opt = new rl.Adamax({ learningRate: LR, decay: DECAY, beta1: 0.8 });
    const back = rl.Adamax.fromConfig(opt.getConfig());
    expect(back.learningRateSchedule!.getConfig()).toEqual(opt.learningRateSchedule!.getConfig());
    expect((back as rl.Adamax).beta1).toBe(0.8);
  });

  it('a decay that is no rate decay, or beside a schedule as the learning rate, is an error naming decay', () => {
    expect(() => new rl.Adamax({ decay: -0.1 })).toThrow(
      "Adamax: decay must be a finite number >= 0 (Adamax's learning-rate decay: the rate at step t is learningRate / (1 + decay * t)), got number -0.1");
    expect(() => rl.optimizers.adamax({ decay: '0.3' } as never)).toThrow(/^Adamax: decay must be a finite number >= 0 .*, got the string "0\.3"$/);
    const schedule = new rl.optimizers.schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expect(() => new rl.Adamax({ learningRate: schedule, decay: 0.3 }))
      .toThrow("Adamax: decay 0.3 (Adamax's learning-rate decay) and the ExponentialDecay schedule given as the learning rate would each set the rate; give one of them");
    // The other optimizers' options still refuse it (Keras 3 dropped it), naming the schedule to use.
    expect(() => rl.optimizers.adam({ decay: 0.3 } as never)).toThrow(/rl\.optimizers\.adam: option 'decay' = 0\.3 is not supported by rnnlab: .*InverseTimeDecay/);
  });
});

/** A tensorflowjs_converter file from tf.keras 2.10 (the Keras model config and training_config in modelTopology). */
async function keras2File(name: string, className: string, optimizerConfig: Record<string, unknown>): Promise<string> {
  const tm = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
  let artifacts: tf.io.ModelArtifacts | undefined;
  await tm.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const topology = artifacts!.modelTopology as { class_name: string; config: unknown };
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', generatedBy: 'keras v2.10.0', convertedBy: 'TensorFlow.js Converter v3.21.0',
    modelTopology: { keras_version: '2.10.0', backend: 'tensorflow', model_config: { class_name: topology.class_name, config: topology.config },
      training_config: { loss: 'mean_squared_error', metrics: null, weighted_metrics: null, loss_weights: null, optimizer_config: { class_name: className, config: optimizerConfig } } },
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts!.weightSpecs }] }));
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(artifacts!.weightData as ArrayBuffer));
  return dir;
}

/** What tf.keras 2.10's get_config() writes for each OptimizerV2 (learning_rate and decay set here). */
const KERAS2_CONFIGS: [string, Record<string, unknown>][] = [
  ['SGD', { name: 'SGD', momentum: 0, nesterov: false }],
  ['RMSprop', { name: 'RMSprop', rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false }],
  ['Adam', { name: 'Adam', beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false }],
  ['Adagrad', { name: 'Adagrad', initial_accumulator_value: 0.1, epsilon: 1e-7 }],
  ['Adadelta', { name: 'Adadelta', rho: 0.95, epsilon: 1e-7 }],
];

async function loadQuietly(dir: string): Promise<{ m: Awaited<ReturnType<typeof rl.loadModel>>; warned: string }> {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    const m = await rl.loadModel(`file://${dir}`);
    return { m, warned: warn.mock.calls.map((c) => String(c[0])).join('\n') };
  } finally { warn.mockRestore(); }
}

describe("a tf.keras 2 model.json whose optimizer has OptimizerV2's decay", () => {
  it.each(KERAS2_CONFIGS)('%s loads compiled with InverseTimeDecay, steps 0..3 run at lr / (1 + decay t); decay 0 (Keras 2\'s default) is a fixed rate', async (className, config) => {
    const { m, warned } = await loadQuietly(await keras2File(`keras2-${className}`, className, { ...config, learning_rate: LR, decay: DECAY }));
    expect(warned).toBe('');
    expect(m.optimizer!.className).toBe(className);
    expect(m.optimizer!.learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: LR, decaySteps: 1, decayRate: DECAY, staircase: false });
    expectRates((await stepRates(m)).rates, inverseTime(LR, DECAY));
    const undecayed = await loadQuietly(await keras2File(`keras2-${className}-0`, className, { ...config, learning_rate: LR, decay: 0 }));
    expect(undecayed.warned).toBe('');
    expect(undecayed.m.optimizer!.learningRateSchedule).toBeUndefined();
    expectRates((await stepRates(undecayed.m)).rates, inverseTime(LR, 0));
  });

  it("Keras 2's older lr spelling, and compile's {className, config}, read the decay the same way", async () => {
    const { m } = await loadQuietly(await keras2File('keras2-sgd-lr', 'SGD', { name: 'SGD', lr: LR, decay: DECAY, momentum: 0.5, nesterov: true }));
    expect((m.optimizer as rl.SGD).momentum).toBe(0.5);
    expectRates((await stepRates(m)).rates, inverseTime(LR, DECAY));
    const c = compiled(rl.optimizers.sgd());
    c.compile({ optimizer: { className: 'RMSprop', config: { learning_rate: LR, decay: DECAY, rho: 0.8 } }, loss: 'meanSquaredError' });
    expect((c.optimizer as rl.RMSprop).rho).toBe(0.8);
    expectRates((await stepRates(c)).rates, inverseTime(LR, DECAY));
  });

  it("tf.keras 2's Nadam's decay (its momentum schedule's, 0.004 by default) is still refused, saying what it is; AdamW never had one", async () => {
    const { m, warned } = await loadQuietly(await keras2File('keras2-nadam', 'Nadam', { name: 'Nadam', learning_rate: LR, decay: 0.004, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 }));
    expect(m.optimizer).toBeFalsy();
    expect(warned).toMatch(/not read, so the model loads uncompiled.*option 'decay' = 0\.004 is not supported by rnnlab: tf\.keras 2's Nadam saves its momentum schedule's decay \(Keras 1's schedule_decay/);
    expect(rl.Nadam.fromConfig({ learning_rate: LR, decay: 0 }).learningRate).toBe(LR);
    expect(() => rl.AdamW.fromConfig({ learning_rate: LR, decay: DECAY })).toThrow(/option 'decay' = 0\.3 is not supported by rnnlab/);
  });
});
