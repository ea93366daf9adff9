// A user's recurrent cell across the TensorFlow.js Layers format: the same cell class written for tfjs and for
// rnnlab (Keras's MinimalRNNCell), registered in each, so that tfjs loads rnnlab's file and rnnlab loads tfjs's with
// the same predictions, weights named as tfjs names them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { TanhMinimalCell as RlMinimalCell, stepShape } from './user_cells.js';
import { folderArtifacts, folderSaveHandler, maxDiff, removeDir, tempDir } from './functional_helpers.js';

const root = tempDir('rnnlab-user-cell-io-');
afterAll(() => removeDir(root));
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type Shape = (number | null)[];

class TfMinimalCell extends tf.layers.Layer {
  static className = 'TanhMinimalCell';
  units: number; stateSize: number;
  kernel!: tf.LayerVariable; recurrentKernel!: tf.LayerVariable;
  constructor(config: { units: number; name?: string }) {
    super({ name: config.name });
    this.units = config.units;
    this.stateSize = config.units;
  }
  build(shape: tf.Shape | tf.Shape[]) {
    const s = stepShape(shape as Shape | Shape[]);
    this.kernel = this.addWeight('kernel', [s[s.length - 1]!, this.units], 'float32', tf.initializers.glorotUniform({}));
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, this.units], 'float32', tf.initializers.glorotUniform({}));
    this.built = true;
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    const [x, h] = inputs as tf.Tensor[];
    const out = tf.tanh(tf.add(tf.matMul(x, this.kernel.read()), tf.matMul(h, this.recurrentKernel.read())));
    return [out, out];
  }
  getConfig() { return { ...super.getConfig(), units: this.units }; }
}

tf.serialization.registerClass(TfMinimalCell);

function values(n: number, seed: number): Float32Array {
  const r = new rl.Random(seed);
  return Float32Array.from({ length: n }, () => r.uniform(-1, 1));
}

describe('a user cell in the Layers format', () => {
  it('tfjs loads rnnlab\'s rnn over a user cell (masked, stacked with an lstmCell) and predicts the same', async () => {
    rl.setSeed(31);
    const m = rl.sequential({ name: 'user_cells' });
    m.add(rl.layers.embedding({ inputDim: 12, outputDim: 3, maskZero: true, inputLength: 6 }));
    m.add(rl.layers.rnn({ cell: [new RlMinimalCell({ units: 4 }), rl.layers.lstmCell({ units: 2 })], returnSequences: true, name: 'stack' }));
    m.add(rl.layers.rnn({ cell: new RlMinimalCell({ units: 3 }), goBackwards: true, name: 'one' }));
    const dir = join(root, 'to-tfjs');
    await m.save(`file://${dir}`);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const one = json.modelTopology.config.layers.find((l: { config: { name: string } }) => l.config.name === 'one');
    expect(one.config.cell.class_name).toBe('TanhMinimalCell');
    expect(one.config.cell.config.units).toBe(3);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name).slice(1)).toEqual([
      'stack/RNNCell_0/kernel', 'stack/RNNCell_0/recurrent_kernel', 'stack/RNNCell_1/kernel', 'stack/RNNCell_1/recurrent_kernel',
      'stack/RNNCell_1/bias', 'one/kernel', 'one/recurrent_kernel']);
    const tm = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as tf.io.ModelArtifacts));
    const ids = [[0, 0, 4, 5, 6, 7], [1, 2, 3, 0, 5, 11], [0, 0, 0, 0, 0, 9]];
    const theirs = (tm.predict(tf.tensor2d(ids, [3, 6], 'int32')) as tf.Tensor).dataSync() as Float32Array;
    expect(maxDiff((m.predict(rl.tensor2d(ids, [3, 6], 'int32')) as rl.Tensor).dataSync(), theirs)).toBeLessThan(1e-5);
  });

  it('rnnlab loads tfjs\'s rnn over the same cell, with returned states, and predicts the same', async () => {
    const x = tf.input({ shape: [5, 2], name: 'x' });
    const outs = tf.layers.rnn({ cell: new TfMinimalCell({ units: 3 }) as never, returnSequences: true, returnState: true, name: 'dec' }).apply(x) as tf.SymbolicTensor[];
    const tm = tf.model({ inputs: x, outputs: outs });
    const dir = join(root, 'from-tfjs');
    await tm.save(folderSaveHandler(tf.io as never, dir) as tf.io.IOHandler);
    const m = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
    const xs = values(2 * 10, 3);
    const theirs = tm.predict(tf.tensor(xs, [2, 5, 2])) as tf.Tensor[];
    const ours = m.predict(rl.tensor(xs, [2, 5, 2])) as rl.Tensor[];
    expect(ours.map((t) => t.shape)).toEqual([[2, 5, 3], [2, 3]]);
    for (let i = 0; i < 2; i++) expect(maxDiff(ours[i].dataSync(), theirs[i].dataSync() as Float32Array)).toBeLessThan(1e-5);
  });
});
