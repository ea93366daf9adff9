// Weights are paired with the model's by name only, as TensorFlow.js 4.22 pairs them. A Keras 2 functional model
// holds two same-shaped kernels, and rnnlab's weight order (tfjs's container order) is not the file's: pairing by
// position would swap them without a word. Names under the model's own name (Keras 3's converter) pair by name too.
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

/** A 3x3 kernel under each given name, the first all 1s, the second all 2s, and so on. */
function artifacts(names: string[]) {
  const weightSpecs = names.map((name) => ({ name, shape: [3, 3], dtype: 'float32' as const }));
  const weightData = new Float32Array(names.flatMap((_, i) => Array(9).fill(i + 1))).buffer;
  return { modelTopology: topology, weightSpecs, weightData };
}

function folder(name: string, names: string[]): string {
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

  it("names under the model's own name ('model/dense_a/kernel') load into their own layers, whatever their order", async () => {
    // The file lists dense_b's kernel (1s) first: by position it would land in dense_a.
    const m = await load(folder('own-prefix', ['model/dense_b/kernel', 'model/dense_a/kernel']));
    expect(kernelOf(m, 'dense_b')).toEqual(Array(9).fill(1));
    expect(kernelOf(m, 'dense_a')).toEqual(Array(9).fill(2));
    // concat(dense_b, dense_a) of ones: 1·3 then 2·3.
    expect(Array.from((m.predict(ones()) as rl.Tensor).dataSync())).toEqual([3, 3, 3, 6, 6, 6]);
    // tfjs 4.22 refuses such names; rnnlab reads them, as the names alone say which weight is which.
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts(['model/dense_b/kernel', 'model/dense_a/kernel']))))
      .rejects.toThrow(/Provided weight data has no target variable: model\/dense_b\/kernel/);
  });

  it('names under a prefix that is not the model\'s name are refused naming both lists, not paired by order (as tfjs refuses them)', async () => {
    const dir = folder('prefixed', ['other/dense_a/kernel', 'other/dense_b/kernel']);
    await expect(load(dir)).rejects.toThrow(
      /prefixed\/model\.json: no weight name in the weights manifest matches a weight of the model.*the manifest has 'other\/dense_a\/kernel', 'other\/dense_b\/kernel'; the model's weights are '(dense_a|dense_b)\/kernel', '(dense_a|dense_b)\/kernel'/);
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts(['other/dense_a/kernel', 'other/dense_b/kernel']))))
      .rejects.toThrow(/Provided weight data has no target variable: other\/dense_a\/kernel/);
  });

  it("a weight named both with and without the model's name is not guessed: the prefixed one is refused as unused", async () => {
    const dir = folder('both', ['dense_a/kernel', 'dense_b/kernel', 'model/dense_a/kernel']);
    await expect(load(dir)).rejects.toThrow(/both\/model\.json: the weights manifest has 1 weight\(s\) no layer uses: 'model\/dense_a\/kernel'/);
  });

  it('strict false skips the names that match nothing, as tfjs does, and warns when none matched', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const none = await load(folder('lenient-none', ['other/dense_a/kernel', 'other/dense_b/kernel']), { strict: false });
      // Glorot-uniform initial values for a 3x3 kernel lie in (-1, 1): neither file value (1, 2) was assigned.
      for (const layer of ['dense_a', 'dense_b']) expect(kernelOf(none, layer).every((v) => Math.abs(v) < 1)).toBe(true);
      expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/lenient-none\/model\.json: no weight name in the weights manifest matches a weight of the model, so every weight keeps its initial value \(strict: false\)/);
      warn.mockClear();
      const some = await load(folder('lenient-some', ['other/dense_a/kernel', 'dense_b/kernel']), { strict: false });
      expect(kernelOf(some, 'dense_b')).toEqual(Array(9).fill(2));
      expect(kernelOf(some, 'dense_a').every((v) => Math.abs(v) < 1)).toBe(true);
      expect(warn).not.toHaveBeenCalled();
      const tm = await tf.loadLayersModel(tf.io.fromMemory(artifacts(['other/dense_a/kernel', 'dense_b/kernel'])), { strict: false });
      expect(Array.from(tm.getLayer('dense_b').getWeights()[0].dataSync())).toEqual(Array(9).fill(2));
    } finally { warn.mockRestore(); }
  });
});

type Spec = { name: string; shape: number[]; dtype: string };
type Renamed = rl.io.ModelArtifacts & { weightSpecs: Spec[] };

/** A model's save as artifacts, each weight renamed by rename. */
async function renamedSave(m: rl.Sequential, rename: (name: string) => string): Promise<Renamed> {
  let got: rl.io.ModelArtifacts | undefined;
  await m.save(rl.io.withSaveHandler((a) => { got = a; return {}; }));
  return { ...got!, weightSpecs: (got!.weightSpecs as Spec[]).map((w) => ({ ...w, name: rename(w.name) })) };
}
const predicted = (a: Renamed, x: rl.Tensor) => Array.from((rl.layersModelFromArtifacts(a).predict(x) as rl.Tensor).dataSync());

describe("a Sequential saved with the model's name before every weight name (Keras 3's converter)", () => {
  const model = () => rl.sequential({ name: 'sequential', layers: [
    rl.layers.lstm({ units: 3, inputShape: [4, 2], name: 'lstm' }), rl.layers.dense({ units: 3, name: 'dense' }), rl.layers.dense({ units: 2, name: 'dense_1' })] });
  const x = () => rl.tensor(Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)), [2, 4, 2]);

  it("loads by name ('sequential/lstm/kernel', also under Keras's cell scope) and predicts as the model saved", async () => {
    const m = model();
    const want = Array.from((m.predict(x()) as rl.Tensor).dataSync());
    const prefixed = await renamedSave(m, (n) => `sequential/${n}`);
    expect(prefixed.weightSpecs.map((w) => w.name)).toContain('sequential/dense_1/kernel');
    expect(predicted(prefixed, x())).toEqual(want);
    const scoped = await renamedSave(m, (n) => `sequential/${n.replace(/^lstm\//, 'lstm/lstm_cell/')}`);
    expect(scoped.weightSpecs.map((w) => w.name)).toContain('sequential/lstm/lstm_cell/recurrent_kernel');
    expect(predicted(scoped, x())).toEqual(want);
  });

  it('is refused when the leading segment is another name than the model\'s', async () => {
    const foreign = await renamedSave(model(), (n) => `other/${n}`);
    expect(() => rl.layersModelFromArtifacts(foreign)).toThrow(/no weight name in the weights manifest matches a weight of the model.*the manifest has 'other\/lstm\/kernel'/);
  });
});

describe('a manifest name that could stand for two weights is not guessed', () => {
  // Keras 3 writes 'lstm/dense/kernel' for Sequential 'lstm' holding Dense 'dense': read with the model's name
  // dropped it is 'dense/kernel', read with the LSTM's cell scope dropped it is 'lstm/kernel'.
  const model = () => rl.sequential({ name: 'lstm', layers: [
    rl.layers.lstm({ units: 3, inputShape: [4, 2], name: 'lstm' }), rl.layers.dense({ units: 2, name: 'dense' })] });
  const keras3 = (n: string) => `lstm/${n.replace(/^lstm\//, 'lstm/lstm_cell/')}`;
  const ambiguity = "ambiguous weights manifest names were paired with no weight (rnnlab does not guess which one they mean): " +
    "'lstm/dense/kernel' could be 'dense/kernel' or 'lstm/kernel'; 'lstm/dense/bias' could be 'dense/bias' or 'lstm/bias'";

  it('strict: the missing-weight error names the ambiguous names and what each could be', async () => {
    const a = await renamedSave(model(), keras3);
    expect(a.weightSpecs.map((w) => w.name)).toEqual(expect.arrayContaining(['lstm/lstm/lstm_cell/kernel', 'lstm/dense/kernel']));
    expect(() => rl.layersModelFromArtifacts(a)).toThrow(`missing weight 'dense/kernel' (shape [3, 2]) for layer 'dense' (Dense) and 1 more; ` +
      `the weights manifest has: lstm/lstm/lstm_cell/kernel, lstm/lstm/lstm_cell/recurrent_kernel, lstm/lstm/lstm_cell/bias, lstm/dense/kernel, lstm/dense/bias; ${ambiguity}`);
  });

  it('strict false: warns naming them and the weights left at their initial values; the unambiguous ones load', async () => {
    const m = model();
    const dense = m.getLayer('dense');
    dense.setWeights([dense.getWeights()[0], rl.tensor1d([5, 7])]);
    const a = await renamedSave(m, keras3);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const loaded = rl.layersModelFromArtifacts(a, { strict: false }) as rl.Sequential;
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringContaining(`${ambiguity}; so 'dense/bias', 'dense/kernel' keep their initial values (strict: false)`)]);
      const saved = m.getLayer('lstm').getWeights().map((w) => Array.from(w.dataSync()));
      expect(loaded.getLayer('lstm').getWeights().map((w) => Array.from(w.dataSync()))).toEqual(saved);
      // The Dense's bias starts at zeros; the saved one (5, 7) was not written over it.
      expect(Array.from(loaded.getLayer('dense').getWeights()[1].dataSync())).toEqual([0, 0]);
    } finally { warn.mockRestore(); }
  });

  it('two names that could each be the same weight are named too, neither taken', () => {
    // 'sequential/td/kernel' (the model's name dropped) and 'td/dense/kernel' (the inner scope dropped) both read as 'td/kernel'.
    const td = { class_name: 'TimeDistributed', config: { name: 'td', batch_input_shape: [null, 3, 2], trainable: true, dtype: 'float32',
      layer: { class_name: 'Dense', config: { name: 'dense', units: 2, activation: 'linear', use_bias: true } } } };
    const weightSpecs = ['sequential/td/kernel', 'td/dense/kernel', 'sequential/td/bias', 'td/dense/bias']
      .map((name) => ({ name, shape: name.endsWith('kernel') ? [2, 2] : [2], dtype: 'float32' }));
    const a = { modelTopology: { class_name: 'Sequential', config: { name: 'sequential', layers: [td] } }, weightSpecs,
      weightData: new Float32Array(12).buffer };
    expect(() => rl.layersModelFromArtifacts(a as never)).toThrow("ambiguous weights manifest names were paired with no weight (rnnlab does not guess which one they mean): " +
      "'sequential/td/kernel' and 'td/dense/kernel' could each be 'td/kernel'; 'sequential/td/bias' and 'td/dense/bias' could each be 'td/bias'");
  });
});

describe("tfjs's scope drop: a wrapped layer's scope above the leaf", () => {
  /** tfjs's TimeDistributed(Dense) then a Dense, saved by tfjs with the inner weights renamed as Keras 3 scopes them. */
  async function tfjsTimeDistributed(rename: (name: string) => string) {
    const tm = tf.sequential({ layers: [
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, name: 'dense' }), inputShape: [3, 4], name: 'time_distributed' }),
      tf.layers.dense({ units: 1, name: 'dense_1' })] });
    let a: tf.io.ModelArtifacts | undefined;
    await tm.save(tf.io.withSaveHandler(async (z) => { a = z; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    return { tm, a: { ...a!, weightSpecs: a!.weightSpecs!.map((w) => ({ ...w, name: rename(w.name) })) } };
  }
  const xs = Array.from({ length: 12 }, (_, i) => Math.cos(i));

  it("'time_distributed/dense/kernel' loads as 'time_distributed/kernel', as tfjs 4.22 loads it", async () => {
    const { tm, a } = await tfjsTimeDistributed((n) => n.replace(/^time_distributed\//, 'time_distributed/dense/'));
    expect(a.weightSpecs!.map((w) => w.name)).toEqual(['time_distributed/dense/kernel', 'time_distributed/dense/bias', 'dense_1/kernel', 'dense_1/bias']);
    const want = Array.from((tm.predict(tf.tensor3d(xs, [1, 3, 4])) as tf.Tensor).dataSync());
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(a));
    expect(Array.from((theirs.predict(tf.tensor3d(xs, [1, 3, 4])) as tf.Tensor).dataSync())).toEqual(want);
    const ours = rl.layersModelFromArtifacts(a as never);
    const got = Array.from((ours.predict(rl.tensor(xs, [1, 3, 4])) as rl.Tensor).dataSync());
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
  });

  it('a name with and without the scope is not guessed, and a Dense takes no scoped name (tfjs would take it)', async () => {
    const both = await tfjsTimeDistributed((n) => n);
    const extra = { ...both.a, weightSpecs: [...both.a.weightSpecs!, { name: 'time_distributed/dense/bias', shape: [2], dtype: 'float32' as const }],
      weightData: new Uint8Array([...new Uint8Array(both.a.weightData as ArrayBuffer), ...new Uint8Array(8)]).buffer };
    expect(() => rl.layersModelFromArtifacts(extra as never)).toThrow(/the weights manifest has 1 weight\(s\) no layer uses: 'time_distributed\/dense\/bias'/);
    const dense = await tfjsTimeDistributed((n) => n.replace(/^dense_1\//, 'dense_1/inner/'));
    expect(() => rl.layersModelFromArtifacts(dense.a as never)).toThrow(/missing weight 'dense_1\/kernel' \(shape \[2, 1\]\) for layer 'dense_1' \(Dense\)/);
    await expect(tf.loadLayersModel(tf.io.fromMemory(dense.a))).resolves.toBeDefined();
  });
});
