// rl.layers.rnn({cell}) in the TensorFlow.js Layers format (rnnlab round trips, tfjs loading rnnlab's files and the
// reverse, with the same predictions) and in ONNX (exported as the equivalent layers, checked with ONNX Runtime).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { folderArtifacts, folderSaveHandler, maxDiff, removeDir, tempDir } from './functional_helpers.js';
import { ortPredict, ortSession, tokenIds } from '../onnx/helpers.js';

const root = tempDir('rnnlab-rnn-cells-');
afterAll(() => removeDir(root));
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type Sym = rl.SymbolicTensor;

function values(n: number, seed: number): Float32Array {
  const r = new rl.Random(seed);
  return Float32Array.from({ length: n }, () => r.uniform(-1, 1));
}

/** One LSTM cell, then a stack of a GRU (resetAfter false, which tfjs requires) and a SimpleRNN read backwards. */
function cellsModel(): rl.Sequential {
  rl.setSeed(21);
  const m = rl.sequential({ name: 'cells' });
  m.add(rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 4 }), returnSequences: true, inputShape: [5, 3], name: 'one' }));
  m.add(rl.layers.rnn({ cell: [rl.layers.gruCell({ units: 3, resetAfter: false }), rl.layers.simpleRNNCell({ units: 2, activation: 'relu' })], goBackwards: true, name: 'stack' }));
  m.add(rl.layers.dense({ units: 1, activation: 'sigmoid' }));
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  return m;
}

describe('rnn layers in the Layers format', () => {
  it('saves class_name RNN with config.cell as tfjs writes it and tfjs\'s weight names, and loads back the same predictions', async () => {
    const m = cellsModel();
    const dir = join(root, 'own');
    await m.save(`file://${dir}`);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const [one, stack] = json.modelTopology.config.layers;
    expect(one.class_name).toBe('RNN');
    expect(one.config.return_sequences).toBe(true);
    expect(one.config.cell.class_name).toBe('LSTMCell');
    expect(one.config.cell.config).toMatchObject({ units: 4, recurrent_activation: 'sigmoid', unit_forget_bias: true, implementation: 2 });
    expect(one.config.cell.config.return_sequences).toBeUndefined();
    expect(stack.config.cell.class_name).toBe('StackedRNNCells');
    expect(stack.config.cell.config.cells.map((c: { class_name: string }) => c.class_name)).toEqual(['GRUCell', 'SimpleRNNCell']);
    expect(stack.config.go_backwards).toBe(true);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
      'one/kernel', 'one/recurrent_kernel', 'one/bias',
      'stack/RNNCell_0/kernel', 'stack/RNNCell_0/recurrent_kernel', 'stack/RNNCell_0/bias',
      'stack/RNNCell_1/kernel', 'stack/RNNCell_1/recurrent_kernel', 'stack/RNNCell_1/bias',
      'dense/kernel', 'dense/bias'].map((n) => (n.startsWith('dense') ? n.replace('dense', m.layers[2].name) : n)));
    const back = await rl.loadModel(`file://${dir}`);
    const x = rl.tensor(values(2 * 15, 1), [2, 5, 3]);
    expect(maxDiff((back.predict(x) as rl.Tensor).dataSync(), (m.predict(x) as rl.Tensor).dataSync())).toBe(0);
    expect(back.layers.map((l) => l.className)).toEqual(['RNN', 'RNN', 'Dense']);
  });

  it('tfjs loads rnnlab\'s rnn layers and predicts the same', async () => {
    const m = cellsModel();
    const dir = join(root, 'to-tfjs');
    await m.save(`file://${dir}`);
    const tm = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as tf.io.ModelArtifacts));
    expect(tm.layers.map((l) => l.getClassName())).toEqual(['RNN', 'RNN', 'Dense']);
    const xs = values(3 * 15, 2);
    const theirs = (tm.predict(tf.tensor(xs, [3, 5, 3])) as tf.Tensor).dataSync() as Float32Array;
    expect(maxDiff((m.predict(rl.tensor(xs, [3, 5, 3])) as rl.Tensor).dataSync(), theirs)).toBeLessThan(1e-5);
  });

  it('tfjs computes what rnnlab computes for a stack over padded sequences (embedding maskZero)', async () => {
    rl.setSeed(24);
    const m = rl.sequential({ name: 'masked_cells' });
    m.add(rl.layers.embedding({ inputDim: 12, outputDim: 3, maskZero: true, inputLength: 6 }));
    m.add(rl.layers.rnn({ cell: [rl.layers.lstmCell({ units: 3 }), rl.layers.gruCell({ units: 2, resetAfter: false })], returnSequences: true }));
    const dir = join(root, 'masked-to-tfjs');
    await m.save(`file://${dir}`);
    const tm = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as tf.io.ModelArtifacts));
    const ids = [[0, 0, 4, 5, 6, 7], [1, 2, 3, 0, 5, 11], [0, 0, 0, 0, 0, 9]];
    const theirs = (tm.predict(tf.tensor2d(ids, [3, 6], 'int32')) as tf.Tensor).dataSync() as Float32Array;
    expect(maxDiff((m.predict(rl.tensor2d(ids, [3, 6], 'int32')) as rl.Tensor).dataSync(), theirs)).toBeLessThan(1e-5);
  });

  it('rnnlab loads tfjs\'s rnn layers (cell config spread into the layer\'s, stacked states in tfjs\'s order) and predicts the same', async () => {
    const x = tf.input({ shape: [6, 2], name: 'x' });
    const seq = tf.layers.rnn({ cell: tf.layers.lstmCell({ units: 3, recurrentActivation: 'sigmoid' }), returnSequences: true, name: 'enc' }).apply(x) as tf.SymbolicTensor;
    const cells = [tf.layers.gruCell({ units: 4, recurrentActivation: 'sigmoid' }), tf.layers.lstmCell({ units: 2, recurrentActivation: 'sigmoid' })];
    const outs = tf.layers.rnn({ cell: cells, returnState: true, returnSequences: true, goBackwards: true, name: 'dec' }).apply(seq) as tf.SymbolicTensor[];
    expect(outs.map((o) => JSON.stringify(o.shape))).toEqual(['[null,6,2]', '[null,2]', '[null,2]', '[null,4]']);
    const tm = tf.model({ inputs: x, outputs: outs });
    const dir = join(root, 'from-tfjs');
    await tm.save(folderSaveHandler(tf.io as never, dir) as tf.io.IOHandler);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const dec = saved.modelTopology.config.layers.find((l: { name: string }) => l.name === 'dec');
    expect(dec.config.cells).toHaveLength(2); // tfjs's spread of the StackedRNNCells config
    const m = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
    const xs = values(2 * 12, 3);
    const theirs = tm.predict(tf.tensor(xs, [2, 6, 2])) as tf.Tensor[];
    const ours = m.predict(rl.tensor(xs, [2, 6, 2])) as rl.Tensor[];
    expect(ours.map((t) => t.shape)).toEqual([[2, 6, 2], [2, 2], [2, 2], [2, 4]]);
    for (let i = 0; i < 4; i++) expect(maxDiff(ours[i].dataSync(), theirs[i].dataSync() as Float32Array)).toBeLessThan(1e-5);

    // A spread key that disagrees with config.cell is an error naming it, in the file's spelling.
    const enc = saved.modelTopology.config.layers.find((l: { name: string }) => l.name === 'enc');
    enc.config.units = 7;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(saved));
    await expect(rl.loadLayersModel(`file://${dir}`)).rejects.toThrow(/'enc'.*units = number 7 disagrees with the cell's units/);
    enc.config.units = 3;
    enc.config.cell.config.return_sequences = true;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(saved));
    await expect(rl.loadLayersModel(`file://${dir}`)).rejects.toThrow(/return_sequences is an option of the rnn layer, not of a cell/);
  });

  it('reads Keras 3\'s RNN config (module and registered_name entries, seed, zero_output_for_mask) and computes its LSTM', () => {
    const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    const init = (class_name: string) => ({ module: 'keras.initializers', class_name, config: { seed: null }, registered_name: null });
    const cell = { module: 'keras.layers', class_name: 'LSTMCell', registered_name: null, config: { name: 'lstm_cell', trainable: true, dtype: policy,
      units: 2, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, kernel_initializer: init('GlorotUniform'),
      recurrent_initializer: init('Orthogonal'), bias_initializer: init('Zeros'), unit_forget_bias: true, kernel_regularizer: null,
      recurrent_regularizer: null, bias_regularizer: null, kernel_constraint: null, recurrent_constraint: null, bias_constraint: null,
      dropout: 0, recurrent_dropout: 0, seed: null } };
    const topology = { class_name: 'Sequential', config: { name: 'seq', layers: [
      { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 3, 1], dtype: 'float32', name: 'inp' } },
      { module: 'keras.layers', class_name: 'RNN', registered_name: null, config: { name: 'rnn', trainable: true, dtype: policy, return_sequences: false,
        return_state: false, go_backwards: false, stateful: false, unroll: false, zero_output_for_mask: false, cell } }] } };
    const w = values(8 + 16 + 8, 6);
    const m = rl.layersModelFromArtifacts({ modelTopology: topology, weightSpecs: [
      { name: 'rnn/kernel', shape: [1, 8], dtype: 'float32' }, { name: 'rnn/recurrent_kernel', shape: [2, 8], dtype: 'float32' }, { name: 'rnn/bias', shape: [8], dtype: 'float32' }],
    weightData: w.buffer as ArrayBuffer }) as rl.Sequential;
    const ref = rl.sequential({ layers: [rl.layers.lstm({ units: 2, inputShape: [3, 1] })] });
    ref.setWeights([w.slice(0, 8), w.slice(8, 24), w.slice(24)]);
    const x = rl.tensor(values(6, 7), [2, 3, 1]);
    expect(maxDiff((m.predict(x) as rl.Tensor).dataSync(), (ref.predict(x) as rl.Tensor).dataSync())).toBe(0);
  });

  it('round trips a functional model whose rnn layer takes initial states', async () => {
    rl.setSeed(22);
    const x = rl.input({ shape: [4, 3] }), h = rl.input({ shape: [5] });
    const y = rl.layers.rnn({ cell: rl.layers.simpleRNNCell({ units: 5 }), name: 'with_state' }).apply(x, { initialState: h }) as Sym;
    const m = rl.model({ inputs: [x, h], outputs: y });
    const dir = join(root, 'functional');
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
    const feeds = [rl.tensor(values(24, 4), [2, 4, 3]), rl.tensor(values(10, 5), [2, 5])];
    expect(maxDiff((back.predict(feeds) as rl.Tensor).dataSync(), (m.predict(feeds) as rl.Tensor).dataSync())).toBe(0);
  });
});

describe('ONNX export of rnn layers', () => {
  it('exports one cell and a masked stack as their layers, equal to predict under ONNX Runtime', async () => {
    rl.setSeed(23);
    const m = rl.sequential({ name: 'onnx_cells' });
    m.add(rl.layers.embedding({ inputDim: 30, outputDim: 4, maskZero: true, inputLength: 7 }));
    m.add(rl.layers.rnn({ cell: rl.layers.gruCell({ units: 3 }), returnSequences: true }));
    m.add(rl.layers.rnn({ cell: [rl.layers.lstmCell({ units: 4 }), rl.layers.simpleRNNCell({ units: 2 })], goBackwards: true }));
    m.add(rl.layers.dense({ units: 1, activation: 'sigmoid' }));
    const ids = tokenIds(5, 7, 30, 3, { pad: true });
    const session = await ortSession(toOnnx(m));
    const got = await ortPredict(session, ids);
    expect(maxDiff(got, (m.predict(ids) as rl.Tensor).dataSync())).toBeLessThan(1e-5);
  });

  it('refuses a stateful rnn layer by name', () => {
    const m = rl.sequential({ layers: [rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2 }), stateful: true, batchInputShape: [2, 3, 4], name: 'kept' })] });
    expect(() => toOnnx(m)).toThrow(/layer 'kept\/lstm_cell.*' \(LSTM\) is stateful/);
  });
});
