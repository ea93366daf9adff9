// Functional models in the TensorFlow.js Layers format: rnnlab round trips, and @tensorflow/tfjs (cpu backend)
// loading rnnlab's files and the reverse, with the same predictions.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { folderArtifacts, folderSaveHandler, maxDiff, removeDir, tempDir } from './functional_helpers.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

const root = tempDir('rnnlab-functional-');
afterAll(() => removeDir(root));
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type Sym = rl.SymbolicTensor;
const one = (v: Sym | Sym[]): Sym => v as Sym;
const many = (v: Sym | Sym[]): Sym[] => v as Sym[];

/** Two inputs (ids and features), a shared dense, an LSTM seeded with states from a GRU-free encoder, two outputs. */
function graphModel(): rl.Functional {
  rl.setSeed(13);
  const tokens = rl.input({ shape: [6], dtype: 'int32', name: 'tokens' });
  const feats = rl.input({ shape: [4, 3], name: 'feats' });
  const emb = one(rl.layers.embedding({ inputDim: 20, outputDim: 3, name: 'emb' }).apply(tokens));
  const [, h, c] = many(rl.layers.lstm({ units: 5, returnState: true, name: 'encoder' }).apply(feats));
  const dec = one(rl.layers.lstm({ units: 5, returnSequences: true, name: 'decoder' }).apply(emb, { initialState: [h, c] }));
  const shared = rl.layers.dense({ units: 5, activation: 'tanh', name: 'shared' });
  const s1 = one(shared.apply(dec));
  const s2 = one(shared.apply(one(rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 5 }), name: 'td' }).apply(dec))));
  const merged = one(rl.layers.concatenate({ axis: -1, name: 'cat' }).apply([one(rl.layers.add({ name: 'sum' }).apply([s1, s2])), dec]));
  const pooled = one(rl.layers.globalAveragePooling1d({ name: 'pool' }).apply(merged));
  const cls = one(rl.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(pooled));
  const score = one(rl.layers.dot({ axes: 1, normalize: true, name: 'cos' }).apply([h, one(rl.layers.dense({ units: 5, name: 'proj' }).apply(pooled))]));
  const m = rl.model({ inputs: [tokens, feats], outputs: [cls, score], name: 'graph' });
  m.compile({ optimizer: rl.train.adam(0.01), loss: ['categoricalCrossentropy', 'meanSquaredError'] });
  return m;
}

function feeds(): rl.Tensor[] {
  const r = new rl.Random(5);
  return [rl.tensor(Int32Array.from({ length: 18 }, () => 1 + r.int(19)), [3, 6], 'int32'), rl.tensor(Float32Array.from({ length: 36 }, () => r.uniform(-1, 1)), [3, 4, 3])];
}

describe('Functional models in the Layers format', () => {
  it('save writes class_name Functional with inbound_nodes, and loadLayersModel restores the graph and predictions', async () => {
    const m = graphModel();
    const dir = join(root, 'graph');
    await m.save(`file://${dir}`);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const cfg = json.modelTopology.config;
    expect(json.modelTopology.class_name).toBe('Functional');
    expect(cfg.input_layers).toEqual([['tokens', 0, 0], ['feats', 0, 0]]);
    expect(cfg.output_layers).toEqual([['cls', 0, 0], ['cos', 0, 0]]);
    const byName = Object.fromEntries(cfg.layers.map((l: { name: string }) => [l.name, l]));
    expect(byName.decoder.inbound_nodes).toEqual([[['emb', 0, 0, {}], ['encoder', 0, 1, {}], ['encoder', 0, 2, {}]]]);
    expect(byName.shared.inbound_nodes).toHaveLength(2);
    expect(byName.sum.inbound_nodes).toEqual([[['shared', 0, 0, {}], ['shared', 1, 0, {}]]]);
    expect(json.trainingConfig.loss).toEqual(['categorical_crossentropy', 'mean_squared_error']);
    const back = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
    expect(back).toBeInstanceOf(rl.Functional);
    expect(back.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    const x = feeds();
    const [p1, p2] = m.predict(x) as rl.Tensor[];
    const [q1, q2] = back.predict(x) as rl.Tensor[];
    expect(maxDiff(p1.dataSync(), q1.dataSync())).toBe(0);
    expect(maxDiff(p2.dataSync(), q2.dataSync())).toBe(0);
    expect(back.lossKinds).toEqual(m.lossKinds);
    await expect(rl.loadModel(`file://${dir}`)).rejects.toThrow(/holds a Functional model; load it with rl.loadLayersModel/);
  });

  it('tfjs loads rnnlab functional models and predicts the same', async () => {
    const m = graphModel();
    const dir = join(root, 'to-tfjs');
    await m.save(`file://${dir}`);
    const tm = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as tf.io.ModelArtifacts));
    const x = feeds();
    const ours = m.predict(x) as rl.Tensor[];
    const theirs = tm.predict([tf.tensor(Array.from(x[0].dataSync()), [3, 6], 'int32'), tf.tensor(Array.from(x[1].dataSync()), [3, 4, 3])]) as tf.Tensor[];
    expect(theirs).toHaveLength(2);
    for (let i = 0; i < 2; i++) expect(maxDiff(ours[i].dataSync(), theirs[i].dataSync() as Float32Array)).toBeLessThan(1e-5);
  });

  it('rnnlab loads tfjs-saved functional models (states, shared layers, merges) and predicts the same', async () => {
    const a = tf.input({ shape: [5, 2], name: 'seq' });
    const b = tf.input({ shape: [3], name: 'side' });
    const [o, h, c] = tf.layers.lstm({ units: 3, returnState: true, returnSequences: true, name: 'enc' }).apply(a) as tf.SymbolicTensor[];
    const dec = tf.layers.lstm({ units: 3, name: 'dec' }).apply(o, { initialState: [h, c] }) as tf.SymbolicTensor;
    const shared = tf.layers.dense({ units: 3, activation: 'relu', name: 'shared' });
    const joined = tf.layers.concatenate({ name: 'joined' }).apply([
      tf.layers.multiply({ name: 'mul' }).apply([shared.apply(dec) as tf.SymbolicTensor, shared.apply(b) as tf.SymbolicTensor]) as tf.SymbolicTensor,
      tf.layers.average({ name: 'avg' }).apply([dec, b]) as tf.SymbolicTensor,
      tf.layers.maximum({ name: 'max' }).apply([h, c]) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(joined) as tf.SymbolicTensor;
    const dotted = tf.layers.dot({ axes: 1, name: 'dotp' }).apply([dec, b]) as tf.SymbolicTensor;
    const tm = tf.model({ inputs: [a, b], outputs: [out, dotted] });
    tm.compile({ optimizer: 'adam', loss: ['categoricalCrossentropy', 'meanSquaredError'] });
    const dir = join(root, 'from-tfjs');
    await tm.save(folderSaveHandler(tf.io as never, dir) as tf.io.IOHandler, { includeOptimizer: true });
    const m = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
    expect(m.outputNames).toEqual(['out', 'dotp']);
    const r = new rl.Random(2);
    const xa = Float32Array.from({ length: 4 * 10 }, () => r.uniform(-1, 1)), xb = Float32Array.from({ length: 12 }, () => r.uniform(-1, 1));
    const theirs = tm.predict([tf.tensor(xa, [4, 5, 2]), tf.tensor(xb, [4, 3])]) as tf.Tensor[];
    const ours = m.predict([rl.tensor(xa, [4, 5, 2]), rl.tensor(xb, [4, 3])]) as rl.Tensor[];
    for (let i = 0; i < 2; i++) expect(maxDiff(ours[i].dataSync(), theirs[i].dataSync() as Float32Array)).toBeLessThan(1e-5);
    expect(m.lossKinds).toEqual(['categoricalCrossentropy', 'meanSquaredError']);
  });

  it('reads Keras 3 functional configs ({args, kwargs} inbound nodes, flat input_layers)', () => {
    const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    const ref = (name: string, shape: (number | null)[]) => ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [name, 0, 0] } });
    const layer = (class_name: string, name: string, config: object, args: unknown[]) => ({ module: 'keras.layers', class_name, name, registered_name: null,
      config: { name, trainable: true, dtype: policy, ...config }, inbound_nodes: [{ args, kwargs: {} }] });
    const topology = { class_name: 'Functional', config: { name: 'functional', trainable: true, layers: [
      { module: 'keras.layers', class_name: 'InputLayer', name: 'input_layer', registered_name: null, inbound_nodes: [],
        config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_layer' } },
      layer('Dense', 'dense', { units: 2, activation: 'tanh', use_bias: true }, [ref('input_layer', [null, 3])]),
      layer('Concatenate', 'concatenate', { axis: -1 }, [[ref('dense', [null, 2]), ref('input_layer', [null, 3])]]),
    ], input_layers: ['input_layer', 0, 0], output_layers: ['concatenate', 0, 0] } };
    const kernel = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6], bias = [0.05, -0.05];
    const m = rl.layersModelFromArtifacts({ modelTopology: topology, weightSpecs: [
      { name: 'dense/kernel', shape: [3, 2], dtype: 'float32' }, { name: 'dense/bias', shape: [2], dtype: 'float32' }],
    weightData: new Float32Array([...kernel, ...bias]).buffer }) as rl.Functional;
    const y = (m.predict(rl.tensor2d([[1, 2, 3]])) as rl.Tensor).dataSync();
    expect(y[0]).toBeCloseTo(Math.tanh(0.1 + 2 * 0.3 + 3 * -0.5 + 0.05), 6);
    expect(Array.from(y.slice(2))).toEqual([1, 2, 3]);
  });

  it('reads class_name Model (older tfjs) and names the problem in bad files', async () => {
    const m = graphModel();
    const dir = join(root, 'old');
    await m.save(`file://${dir}`);
    const file = join(dir, 'model.json');
    const good = readFileSync(file, 'utf8');
    const edit = (f: (j: { modelTopology: { class_name: string; config: { layers: { class_name: string; name: string; inbound_nodes: unknown[] }[]; output_layers: unknown[] } } }) => void) => {
      const j = JSON.parse(good);
      f(j);
      writeFileSync(file, JSON.stringify(j));
    };
    edit((j) => { j.modelTopology.class_name = 'Model'; });
    expect(await rl.loadLayersModel(`file://${dir}`)).toBeInstanceOf(rl.Functional);
    edit((j) => { j.modelTopology.config.layers.find((l) => l.name === 'pool')!.class_name = 'FancyPooling'; });
    await expect(rl.loadLayersModel(`file://${dir}`)).rejects.toThrow(/layer \d+: unknown layer class 'FancyPooling'/);
    edit((j) => { j.modelTopology.config.layers.find((l) => l.name === 'cls')!.inbound_nodes = [[['nowhere', 0, 0, {}]]]; });
    await expect(rl.loadLayersModel(`file://${dir}`)).rejects.toThrow(/\('cls'\), inbound node 0 input 0: refers to layer 'nowhere'/);
    edit((j) => { j.modelTopology.config.layers.find((l) => l.name === 'sum')!.inbound_nodes = [[['shared', 0, 0, {}], ['feats', 0, 0, {}]]]; });
    await expect(rl.loadLayersModel(`file://${dir}`)).rejects.toThrow(/\('sum'\), inbound node 0: sum \(Add\): inputs must have the same shape/);
    edit((j) => { j.modelTopology.config.output_layers = [['cls', 3, 0]]; });
    await expect(rl.loadLayersModel(`file://${dir}`)).rejects.toThrow(/output_layers\[0\] refers to a call of 'cls' that does not exist/);
  });
});
