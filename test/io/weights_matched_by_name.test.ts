// Weights are paired with the model's by name only, as TensorFlow.js 4.22 pairs them. A Keras 2 functional model
// holds two same-shaped kernels, and rnnlab's weight order (tfjs's container order) is not the file's: pairing by
// position would swap them without a word.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from './helpers.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

seedMathRandomPerTest();

const root = tempDir('rnnlab-by-name-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const input = (name: string) => ({ class_name: 'InputLayer', name, inbound_nodes: [],
  config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name } });
const dense = (name: string, from: string) => ({ class_name: 'Dense', name, inbound_nodes: [[[from, 0, 0, {}]]],
  config: { name, trainable: true, dtype: 'float32', units: 3, activation: 'linear', use_bias: false,
    kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
    kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null } });

/** Keras 2's converter layout: inputs in_a and in_b, dense_a(in_a) and dense_b(in_b), output concat(dense_b, dense_a). */
const topology = { keras_version: '2.15.0', backend: 'tensorflow', model_config: { class_name: 'Functional', config: {
  name: 'model', input_layers: [['in_a', 0, 0], ['in_b', 0, 0]], output_layers: [['cat', 0, 0]],
  layers: [input('in_a'), input('in_b'), dense('dense_a', 'in_a'), dense('dense_b', 'in_b'),
    { class_name: 'Concatenate', name: 'cat', inbound_nodes: [[['dense_b', 0, 0, {}], ['dense_a', 0, 0, {}]]], config: { name: 'cat', trainable: true, dtype: 'float32', axis: -1 } }],
} } };

/** dense_a's kernel all 1s, dense_b's all 2s, in Keras's order (dense_a first), under the given names. */
function artifacts(names: [string, string]) {
  const weightSpecs = names.map((name) => ({ name, shape: [3, 3], dtype: 'float32' as const }));
  const weightData = new Float32Array([...Array(9).fill(1), ...Array(9).fill(2)]).buffer;
  return { modelTopology: topology, weightSpecs, weightData };
}

function folder(name: string, names: [string, string]): string {
  const a = artifacts(names);
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData));
  return dir;
}

/** The file holds a functional model, so what loads is one (loadLayersModel's type also allows a Sequential). */
const load = async (dir: string, opts?: { strict: boolean }) => (await rl.loadLayersModel(`file://${dir}`, opts)) as rl.LayersModel;
const kernelOf = (m: rl.LayersModel, layer: string) => Array.from(m.getLayer(layer).getWeights()[0].dataSync());
const ones = () => [rl.ones([1, 3]), rl.ones([1, 3])];

describe('weights are matched by name, never by position', () => {
  it('named as the layers are, each kernel loads into its own layer (as tfjs loads them)', async () => {
    const m = await load(folder('named', ['dense_a/kernel', 'dense_b/kernel']));
    expect(kernelOf(m, 'dense_a')).toEqual(Array(9).fill(1));
    expect(kernelOf(m, 'dense_b')).toEqual(Array(9).fill(2));
    // concat(dense_b, dense_a) of ones: 2·3 then 1·3.
    expect(Array.from((m.predict(ones()) as rl.Tensor).dataSync())).toEqual([6, 6, 6, 3, 3, 3]);
    const tm = await tf.loadLayersModel(tf.io.fromMemory(artifacts(['dense_a/kernel', 'dense_b/kernel'])));
    expect(Array.from((tm.predict([tf.ones([1, 3]), tf.ones([1, 3])]) as tf.Tensor).dataSync())).toEqual([6, 6, 6, 3, 3, 3]);
  });

  it('names under an unknown prefix are refused naming both lists, not paired by order (tfjs refuses them too)', async () => {
    const dir = folder('prefixed', ['model/dense_a/kernel', 'model/dense_b/kernel']);
    await expect(load(dir)).rejects.toThrow(
      /prefixed\/model\.json: no weight name in the weights manifest matches a weight of the model.*the manifest has 'model\/dense_a\/kernel', 'model\/dense_b\/kernel'; the model's weights are '(dense_a|dense_b)\/kernel', '(dense_a|dense_b)\/kernel'/);
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts(['model/dense_a/kernel', 'model/dense_b/kernel']))))
      .rejects.toThrow(/Provided weight data has no target variable: model\/dense_a\/kernel/);
  });

  it('strict false skips the names that match nothing, as tfjs does, and warns when none matched', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const none = await load(folder('lenient-none', ['model/dense_a/kernel', 'model/dense_b/kernel']), { strict: false });
      // Glorot-uniform initial values for a 3x3 kernel lie in (-1, 1): neither file value (1, 2) was assigned.
      for (const layer of ['dense_a', 'dense_b']) expect(kernelOf(none, layer).every((v) => Math.abs(v) < 1)).toBe(true);
      expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/lenient-none\/model\.json: no weight name in the weights manifest matches a weight of the model, so every weight keeps its initial value \(strict: false\)/);
      warn.mockClear();
      const some = await load(folder('lenient-some', ['model/dense_a/kernel', 'dense_b/kernel']), { strict: false });
      expect(kernelOf(some, 'dense_b')).toEqual(Array(9).fill(2));
      expect(kernelOf(some, 'dense_a').every((v) => Math.abs(v) < 1)).toBe(true);
      expect(warn).not.toHaveBeenCalled();
      const tm = await tf.loadLayersModel(tf.io.fromMemory(artifacts(['model/dense_a/kernel', 'dense_b/kernel'])), { strict: false });
      expect(Array.from(tm.getLayer('dense_b').getWeights()[0].dataSync())).toEqual(Array(9).fill(2));
    } finally { warn.mockRestore(); }
  });
});
