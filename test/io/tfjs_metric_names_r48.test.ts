/**
 * A training config tfjs wrote holds snake_case metric names ('categorical_accuracy'); tfjs's loadTrainingConfig
 * camel-cases them, so the model tfjs loads logs 'categoricalAccuracy'. rnnlab loads such a file to the same names;
 * a file rnnlab (or Keras) wrote keeps the names it holds.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from '../layers/tfjs_twin.js';

async function tfjsArtifacts(m: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let a: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (x) => { a = x; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), { includeOptimizer: true });
  return a!;
}

const x = Array.from({ length: 6 * 4 }, (_, i) => Math.cos(i));
const y1 = Array.from({ length: 6 * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
const y2 = Array.from({ length: 6 }, (_, i) => i % 2);

describe('metric names from a file tfjs wrote', () => {
  beforeAll(tfjsReady);

  it('one output: the file says categorical_accuracy, rnnlab and tfjs both load categoricalAccuracy', async () => {
    const a = tf.input({ shape: [4] });
    const o = tf.layers.dense({ units: 3, activation: 'softmax', name: 'o' }).apply(a) as tf.SymbolicTensor;
    const m = tf.model({ inputs: a, outputs: o });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['categoricalAccuracy', 'mse'] });
    const art = await tfjsArtifacts(m);
    expect(art.trainingConfig!.metrics).toEqual(['categorical_accuracy', 'mse']);
    const t = await tf.loadLayersModel(tf.io.fromMemory(art));
    const r = await rl.loadLayersModel(rl.io.fromMemory(art as rl.io.ModelArtifacts));
    expect(r.metricsNames).toEqual(t.metricsNames);
    expect(r.metricsNames).toEqual(['loss', 'categoricalAccuracy', 'mse']);
    const h = await r.fit(rl.tensor(x, [6, 4]), rl.tensor(y1, [6, 3]), { epochs: 1, batchSize: 3, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['categoricalAccuracy', 'loss', 'mse']);
  });

  it('two outputs with per-output metrics: History keys as tfjs\'s (o1_categoricalAccuracy)', async () => {
    const a = tf.input({ shape: [4] });
    const h = tf.layers.dense({ units: 3, name: 'h' }).apply(a) as tf.SymbolicTensor;
    const o1 = tf.layers.dense({ units: 3, activation: 'softmax', name: 'o1' }).apply(h) as tf.SymbolicTensor;
    const o2 = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'o2' }).apply(h) as tf.SymbolicTensor;
    const m = tf.model({ inputs: a, outputs: [o1, o2] });
    m.compile({ optimizer: 'sgd', loss: { o1: 'categoricalCrossentropy', o2: 'binaryCrossentropy' }, metrics: { o1: 'categoricalAccuracy', o2: 'binaryAccuracy' } });
    const art = await tfjsArtifacts(m);
    const t = await tf.loadLayersModel(tf.io.fromMemory(art));
    const r = await rl.loadLayersModel(rl.io.fromMemory(art as rl.io.ModelArtifacts));
    expect(r.metricsNames).toEqual(t.metricsNames);
    const ht = await t.fit(tf.tensor(x, [6, 4]), [tf.tensor(y1, [6, 3]), tf.tensor(y2, [6, 1])], { epochs: 1, batchSize: 3, verbose: 0 });
    const hr = await (r as rl.Functional).fit(rl.tensor(x, [6, 4]), [rl.tensor(y1, [6, 3]), rl.tensor(y2, [6, 1])], { epochs: 1, batchSize: 3, verbose: 0 });
    expect(Object.keys(hr.history).sort()).toEqual(Object.keys(ht.history).sort());
    expect(Object.keys(hr.history)).toContain('o1_categoricalAccuracy');
  });

  it('a file rnnlab wrote keeps the metric names it holds', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [4], activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['categorical_accuracy'] });
    let a: rl.io.ModelArtifacts | undefined;
    await m.save(rl.io.withSaveHandler(async (s) => { a = s; return {}; }));
    expect((await rl.loadLayersModel(rl.io.fromMemory(a!))).metricsNames).toEqual(['loss', 'categorical_accuracy']);
  });
});
