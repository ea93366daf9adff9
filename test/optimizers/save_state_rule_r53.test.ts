/**
 * save({includeOptimizer: true})'s one rule: every optimizer state rnnlab continues from exactly is written, unless
 * tfjs 4.22 would load the file without an error and continue wrongly. Nadam, AdamW and Adamax files tfjs refuses
 * outright (checked against the tfjs oracle), so they are written with any settings (AdamW's default weight decay,
 * a schedule); the optimizers tfjs loads are refused with a weight decay, which tfjs reads past silently.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { TFJS_CANNOT_LOAD } from '../../src/io/optimizer_save.js';

beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const x = rl.tensor(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.3)), [8, 3]);
const y = rl.tensor(Float32Array.from({ length: 8 }, (_, i) => Math.cos(i)), [8, 1]);
const fitOpts = { batchSize: 4, shuffle: false, verbose: 0 } as const;
const schedule = () => new rl.optimizers.schedules.ExponentialDecay({ initialLearningRate: 0.05, decaySteps: 3, decayRate: 0.5 });

function dense(optimizer: rl.Optimizer): rl.Sequential {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 4, activation: 'tanh', inputShape: [3] }), rl.layers.dense({ units: 1 })] });
  m.compile({ optimizer, loss: 'meanSquaredError' });
  return m;
}
const weights = (m: rl.Sequential) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));

describe('optimizers tfjs 4.22 refuses outright are written, whatever their settings', () => {
  it.each([
    ['Nadam', () => rl.optimizers.nadam({ learningRate: 0.05 })],
    ['Nadam', () => rl.optimizers.nadam({ learningRate: schedule(), weightDecay: 0.01 })],
    ['AdamW', () => rl.optimizers.adamw({ learningRate: 0.05 })],
    ['AdamW', () => rl.optimizers.adamw({ learningRate: schedule() })],
    ['Adamax', () => rl.optimizers.adamax({ learningRate: 0.05, weightDecay: 0.02 })],
  ] as const)('%s (%#): rnnlab continues bit for bit; tfjs refuses the file with the error the rule names', async (cls, make) => {
    const m = dense(make());
    await m.fit(x, y, { ...fitOpts, epochs: 2 });
    const artifacts = rl.io.modelArtifactsOf(m, { includeOptimizer: true });
    const back = await rl.loadModel(rl.io.fromMemory(artifacts));
    expect(back.optimizer!.className).toBe(cls);
    expect(back.optimizer!.weightDecay).toBe(m.optimizer!.weightDecay);
    await m.fit(x, y, { ...fitOpts, epochs: 2 });
    await back.fit(x, y, { ...fitOpts, epochs: 2 });
    expect(weights(back)).toEqual(weights(m));
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts))).rejects.toThrow(TFJS_CANNOT_LOAD[cls]);
  });
});

describe('optimizers tfjs 4.22 loads are refused with a weight decay it would drop', () => {
  it.each([
    ['Adam', () => rl.optimizers.adam({ weightDecay: 0.01 })],
    ['SGD', () => rl.optimizers.sgd({ momentum: 0.9, weightDecay: 0.01 })],
    ['RMSprop', () => rl.optimizers.rmsprop({ weightDecay: 0.01 })],
    ['Adagrad', () => rl.optimizers.adagrad({ weightDecay: 0.01 })],
    ['Adadelta', () => rl.optimizers.adadelta({ weightDecay: 0.01 })],
  ] as const)('%s: refused by name; tfjs loads its training config without an error and without the decay', async (cls, make) => {
    const m = dense(make());
    await m.fit(x, y, { ...fitOpts, epochs: 1 });
    expect(() => rl.io.modelArtifactsOf(m, { includeOptimizer: true }))
      .toThrow(`save: includeOptimizer: the ${cls} optimizer has weightDecay 0.01, and tfjs 4.22's optimizers have no weight decay: tfjs would load this file without an error and continue training without it`);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(rl.io.modelArtifactsOf(m) as tf.io.ModelArtifacts));
    expect(JSON.stringify(loaded.optimizer.getConfig())).not.toMatch(/decay"?:\s*0\.01/i);
  });
});
