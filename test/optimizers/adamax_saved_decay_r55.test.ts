/**
 * A saved Adamax config with a learning-rate decay. tfjs's Adamax writes its decay in its config (getConfig():
 * learningRate, beta1, beta2, epsilon, decay) and steps at learningRate / (1 + decay * t), t its 0-based iteration;
 * tf.keras 2's Adamax (OptimizerV2) saves decay, its optimizer-wide learning-rate decay, and applies the same formula
 * at its 0-based iterations. rnnlab took tfjs's decay in rl.train.adamax and AdamaxOptimizer (round 54) but refused it
 * when read from a file ("option 'decay' = 0.3 is not supported"): a tfjs model.json failed to load, a Keras 2 one
 * loaded uncompiled. Both now read it as InverseTimeDecay({initialLearningRate, decaySteps: 1, decayRate: decay}), and
 * the tfjs file trains as tfjs 4.22 trains it from the same file.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { maxAbsDiff, removeDir, tempDir } from '../io/helpers.js';

const root = tempDir('rnnlab-adamax-decay-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const XS = [[1, 2], [0.5, -1], [2, 0], [-1, 1]], YS = [[1], [0], [2], [-1]];
const LR = 0.05, DECAY = 0.3;
const fitOpts = { epochs: 5, batchSize: 2, shuffle: false, verbose: 0 } as const;
const flat = (ws: { dataSync(): ArrayLike<number> }[]) => ws.flatMap((w) => Array.from(w.dataSync()));

/**
 * A tfjs Dense(1) compiled with tfjs's Adamax and its decay, written as tfjs writes a model.json. tfjs 4.22 cannot
 * save Adamax's state (its getWeights throws), so includeOptimizer is off and the trainingConfig added is the one
 * includeOptimizer writes, tfjs's own getTrainingConfig().
 */
async function tfjsAdamaxFile(name: string, decay = DECAY): Promise<{ dir: string; artifacts: tf.io.ModelArtifacts }> {
  const tm = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
  tm.compile({ optimizer: tf.train.adamax(LR, 0.9, 0.999, 1e-7, decay), loss: 'meanSquaredError' });
  let artifacts: tf.io.ModelArtifacts | undefined;
  await tm.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  artifacts!.trainingConfig = (tm as unknown as { getTrainingConfig(): tf.io.TrainingConfig }).getTrainingConfig();
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const a = artifacts!;
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, modelTopology: a.modelTopology,
    trainingConfig: a.trainingConfig, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
  return { dir, artifacts: a };
}

/** Fits m as fitOpts says, returning the learning rate each step ran with. */
async function ratesOfFit(m: Awaited<ReturnType<typeof rl.loadModel>>): Promise<number[]> {
  const rates: number[] = [];
  await m.fit(rl.tensor(XS), rl.tensor(YS), { ...fitOpts, callbacks: { onBatchBegin: () => { rates.push(m.optimizer!.learningRate); } } });
  return rates;
}

const inverseTime = (lr: number, decay: number, from = 0, steps = 10) => Array.from({ length: steps }, (_, i) => lr / (1 + decay * (from + i)));
const expectRates = (got: number[], want: number[]) => { expect(got).toHaveLength(want.length); got.forEach((r, t) => expect(r, `step ${t}`).toBeCloseTo(want[t], 12)); };

describe("a tfjs model.json whose Adamax has tfjs's decay", () => {
  it('loads compiled with the InverseTimeDecay schedule, steps at lr / (1 + decay t) and trains as tfjs 4.22 trains the same file', async () => {
    const { dir, artifacts } = await tfjsAdamaxFile('tfjs');
    expect((artifacts.trainingConfig as { optimizer_config: unknown }).optimizer_config)
      .toEqual({ class_name: 'Adamax', config: { learningRate: LR, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, decay: DECAY } });
    const m = await rl.loadModel(`file://${dir}`);
    expect(m.optimizer!.className).toBe('Adamax');
    expect(m.optimizer!.learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: LR, decaySteps: 1, decayRate: DECAY, staircase: false });
    expectRates(await ratesOfFit(m), inverseTime(LR, DECAY));
    expect(m.optimizer!.iterations).toBe(10);

    const tm = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(tm.optimizer.getConfig()).toMatchObject({ decay: DECAY });
    await tm.fit(tf.tensor2d(XS), tf.tensor2d(YS), fitOpts);
    expect(maxAbsDiff(flat(m.getWeights()), flat(tm.getWeights()))).toBeLessThan(1e-6);
    // The decay matters at this size: an undecayed Adamax ends elsewhere.
    const undecayed = await rl.loadModel(`file://${(await tfjsAdamaxFile('tfjs-undecayed', 0)).dir}`);
    expect(undecayed.optimizer!.learningRateSchedule).toBeUndefined();
    expectRates(await ratesOfFit(undecayed), inverseTime(LR, 0));
    expect(maxAbsDiff(flat(undecayed.getWeights()), flat(tm.getWeights()))).toBeGreaterThan(1e-2);
  });

  it('saved again by rnnlab with its state, it reloads with the schedule and goes on at the saved step', async () => {
    const m = await rl.loadModel(`file://${(await tfjsAdamaxFile('resaved')).dir}`);
    await m.fit(rl.tensor(XS.slice(0, 2)), rl.tensor(YS.slice(0, 2)), { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    const again = join(root, 'resaved-by-rnnlab');
    await m.save(`file://${again}`, { includeOptimizer: true });
    const back = await rl.loadModel(`file://${again}`);
    expect(back.optimizer!.iterations).toBe(3);
    expect(back.optimizer!.learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: LR, decaySteps: 1, decayRate: DECAY });
    expectRates(await ratesOfFit(back), inverseTime(LR, DECAY, 3));
  });

  it('a decay that is no rate decay, or beside a schedule as the learning rate, is an error naming the file, the optimizer and decay', async () => {
    const { dir } = await tfjsAdamaxFile('bad');
    const file = join(dir, 'model.json');
    const saved = readFileSync(file, 'utf8');
    const edited = (edit: (c: Record<string, unknown>) => void) => {
      const j = JSON.parse(saved) as { trainingConfig: { optimizer_config: { config: Record<string, unknown> } } };
      edit(j.trainingConfig.optimizer_config.config);
      writeFileSync(file, JSON.stringify(j));
      return rl.loadModel(`file://${dir}`);
    };
    await expect(edited((c) => { c.decay = -0.1; })).rejects.toThrow(
      "model.json: trainingConfig: optimizer Adamax: config: decay must be a finite number >= 0 (a saved Adamax's learning-rate decay: the rate at step t is learningRate / (1 + decay * t)), got number -0.1");
    await expect(edited((c) => { c.decay = '0.3'; })).rejects.toThrow(/optimizer Adamax: config: decay must be a finite number >= 0 .*, got the string "0\.3"$/);
    await expect(edited((c) => { c.learningRate = { class_name: 'ExponentialDecay', config: { initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.5 } }; }))
      .rejects.toThrow("optimizer Adamax: config: decay 0.3 (a saved Adamax's learning-rate decay) and the ExponentialDecay schedule given as the learning rate would each set the rate; give one of them");
    // tfjs's constructor takes a null decay as none (lr / (1 + null * t) is lr).
    const nulled = await edited((c) => { c.decay = null; });
    expect(nulled.optimizer!.learningRateSchedule).toBeUndefined();
    expect(nulled.optimizer!.learningRate).toBe(LR);
  });
});

describe("a tf.keras 2 model.json whose Adamax has Keras 2's decay", () => {
  /** A tensorflowjs_converter file from tf.keras 2.10: the Keras model config and training_config in modelTopology. */
  async function keras2File(name: string, optimizerConfig: Record<string, unknown>, className = 'Adamax'): Promise<string> {
    const { artifacts } = await tfjsAdamaxFile(`${name}-weights`);
    const topology = artifacts.modelTopology as { class_name: string; config: unknown };
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', generatedBy: 'keras v2.10.0', convertedBy: 'TensorFlow.js Converter v3.21.0',
      modelTopology: { keras_version: '2.10.0', backend: 'tensorflow', model_config: { class_name: topology.class_name, config: topology.config },
        training_config: { loss: 'mean_squared_error', metrics: null, weighted_metrics: null, loss_weights: null, optimizer_config: { class_name: className, config: optimizerConfig } } },
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }));
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
    return dir;
  }

  it.each([
    ['learning_rate', { name: 'Adamax', learning_rate: LR, decay: DECAY, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 }],
    ["Keras 2's older lr", { name: 'Adamax', lr: LR, decay: DECAY, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 }],
  ])('(%s) loads compiled, not uncompiled with a warning, and steps at lr / (1 + decay t)', async (label, config) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const m = await rl.loadModel(`file://${await keras2File(`keras2-${label.replace(/\W+/g, '-')}`, config)}`);
      expect(warn).not.toHaveBeenCalled();
      expect(m.optimizer!.className).toBe('Adamax');
      expect(m.optimizer!.learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: LR, decaySteps: 1, decayRate: DECAY });
      expectRates(await ratesOfFit(m), inverseTime(LR, DECAY));
    } finally { warn.mockRestore(); }
  });

  it("Keras 2's Adam with a decay loads compiled with the schedule too (round 56: every OptimizerV2's saved decay, decay_keras2_r56)", async () => {
    const dir = await keras2File('keras2-adam', { name: 'Adam', learning_rate: LR, decay: DECAY, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false }, 'Adam');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const m = await rl.loadModel(`file://${dir}`);
      expect(warn).not.toHaveBeenCalled();
      expect(m.optimizer!.className).toBe('Adam');
      expectRates(await ratesOfFit(m), inverseTime(LR, DECAY));
    } finally { warn.mockRestore(); }
  });
});

describe("Adamax.fromConfig and compile's {className, config} read the decay the same way", () => {
  it("tfjs's (cls, config) form, Keras's config and compile each give the schedule; getConfig round-trips it", () => {
    const tfjsConfig = { learningRate: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-7, decay: 1.5 };
    for (const opt of [rl.Adamax.fromConfig(rl.Adamax, tfjsConfig), rl.Adamax.fromConfig({ learning_rate: 0.1, beta_1: 0.8, beta_2: 0.99, decay: 1.5 }),
      (() => { const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] }); m.compile({ optimizer: { className: 'Adamax', config: tfjsConfig }, loss: 'meanSquaredError' }); return m.optimizer!; })()]) {
      expect(opt.className).toBe('Adamax');
      expect(opt.learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 1.5 });
      expect((opt as rl.Adamax).beta1).toBe(0.8);
      const back = rl.Adamax.fromConfig(opt.getConfig());
      expect(back.learningRateSchedule!.getConfig()).toEqual(opt.learningRateSchedule!.getConfig());
    }
    // Without a learning rate the decay applies to Keras's default, as the constructor's.
    expect(rl.Adamax.fromConfig({ decay: 0.5 }).learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: 0.001, decayRate: 0.5 });
    expect(rl.Adamax.fromConfig({ learning_rate: 0.1, decay: 0 }).learningRate).toBe(0.1);
  });
});
