/**
 * timeDistributed over a model (tfjs's and Keras's per-step encoder): forward, one fit epoch and the saved files
 * against tfjs 4.22 with the same weights, a padding mask passing through as tfjs passes it, and the refusals.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { folderSaveHandler, maxDiff, removeDir, tempDir } from '../compat/functional_helpers.js';
import { randomF32, tfjsReady, tfjsTwin, toTf, weightDiff } from './tfjs_twin.js';

const root = tempDir('rnnlab-td-model-');
afterAll(() => removeDir(root));

/** A per-step encoder (3 -> 4 tanh -> 2) and the stack around it; inner: 'sequential' or 'functional'. */
function stack(inner: 'sequential' | 'functional', tag: string): { m: rl.Sequential; encoder: rl.Sequential | rl.Functional } {
  rl.setSeed(7);
  const a = rl.layers.dense({ units: 4, activation: 'tanh', name: `enc_a_${tag}` });
  const b = rl.layers.dense({ units: 2, name: `enc_b_${tag}` });
  let encoder: rl.Sequential | rl.Functional;
  if (inner === 'sequential') {
    encoder = rl.sequential({ name: `encoder_${tag}`, layers: [rl.layers.dense({ units: 4, activation: 'tanh', name: `enc_a_${tag}`, inputShape: [3] }), b] });
  } else {
    const x = rl.input({ shape: [3] });
    encoder = rl.model({ name: `encoder_${tag}`, inputs: x, outputs: b.apply(a.apply(x) as rl.SymbolicTensor) as rl.SymbolicTensor });
  }
  const m = rl.sequential({ layers: [
    rl.layers.masking({ maskValue: 0, inputShape: [5, 3] }),
    rl.layers.timeDistributed({ layer: encoder as never, name: `td_${tag}` }),
    rl.layers.simpleRNN({ units: 3, name: `rnn_${tag}` }),
    rl.layers.dense({ units: 1, name: `out_${tag}` }),
  ] });
  return { m, encoder };
}

/** Steps 3.. of the second sequence are padding: the mask must reach the RNN through the wrapper. */
function batch(): { x: rl.Tensor; y: rl.Tensor } {
  const x = randomF32([4, 5, 3], 11);
  const v = x.dataSync() as Float32Array;
  for (let t = 3; t < 5; t++) for (let f = 0; f < 3; f++) v[(1 * 5 + t) * 3 + f] = 0;
  return { x: rl.tensor(v, [4, 5, 3]), y: randomF32([4, 1], 12) };
}

describe('timeDistributed over a model, against tfjs 4.22', () => {
  for (const inner of ['sequential', 'functional'] as const) {
    it(`a ${inner} encoder: same weights and names, predict, and one fit epoch (masked steps included)`, async () => {
      const { m, encoder } = stack(inner, inner.slice(0, 3));
      const td = m.layers[1];
      // The wrapper's weights are the model's own, in its order.
      expect(td.weights).toEqual(encoder.weights);
      expect(td.trainableWeights.length).toBe(4);
      expect(td.getWeights().map((w) => w.shape)).toEqual([[3, 4], [4], [4, 2], [2]]);
      const tm = await tfjsTwin(m, root, `twin_${inner}`);
      expect(weightDiff(m, tm)).toBe(0);
      const { x, y } = batch();
      expect(maxDiff(m.predict(x).dataSync(), (tm.predict(toTf(x)) as tf.Tensor).dataSync())).toBeLessThan(1e-5);
      m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
      tm.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
      const ours = await m.fit(x, y, { epochs: 1, batchSize: 2, shuffle: false, verbose: 0 });
      const theirs = await tm.fit(toTf(x), toTf(y), { epochs: 1, batchSize: 2, shuffle: false, verbose: 0 });
      expect(Math.abs(ours.history.loss[0] - (theirs.history.loss[0] as number))).toBeLessThan(1e-5);
      expect(weightDiff(m, tm)).toBeLessThan(1e-5);
      // The encoder was trained through the wrapper: it is the same object the user holds.
      expect(maxDiff(encoder.getWeights()[0].dataSync(), tm.getLayer(`td_${inner.slice(0, 3)}`).getWeights()[0].dataSync())).toBeLessThan(1e-5);
    });
  }

  it('a model tfjs saved loads in rnnlab and predicts as tfjs does; rnnlab saves it back and loads it again', async () => {
    await tfjsReady();
    const enc = tf.sequential({ name: 'tfjs_encoder', layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: 'tanh', name: 'tenc_a' }), tf.layers.dense({ units: 2, name: 'tenc_b' })] });
    const tm = tf.sequential({ layers: [tf.layers.timeDistributed({ layer: enc, inputShape: [5, 3], name: 'ttd' }), tf.layers.flatten(), tf.layers.dense({ units: 1, name: 'tout' })] });
    const dir = join(root, 'from_tfjs');
    await tm.save(folderSaveHandler(tf.io as never, dir) as tf.io.IOHandler);
    const m = await rl.loadLayersModel(`file://${dir}`) as rl.Sequential;
    const td = m.getLayer('ttd');
    expect(td.getConfig().layer).toMatchObject({ className: 'Sequential', config: { name: 'tfjs_encoder' } });
    const { x } = batch();
    const want = (tm.predict(toTf(x)) as tf.Tensor).dataSync();
    expect(maxDiff(m.predict(x).dataSync(), want)).toBeLessThan(1e-5);
    await m.save(`file://${join(root, 'again')}`);
    const back = await rl.loadLayersModel(`file://${join(root, 'again')}`) as rl.Sequential;
    expect(maxDiff(back.predict(x).dataSync(), want)).toBeLessThan(1e-5);
    expect(back.getNamedWeights().map((w) => w.name)).toEqual(['tenc_a/kernel', 'tenc_a/bias', 'tenc_b/kernel', 'tenc_b/bias', 'tout/kernel', 'tout/bias']);
  });

  it('a functional outer model round-trips a wrapped model in rnnlab\'s files', async () => {
    const { encoder } = stack('functional', 'fo');
    const inp = rl.input({ shape: [5, 3] });
    const out = rl.layers.timeDistributed({ layer: encoder as never, name: 'td_fo2' }).apply(inp) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: out });
    const { x } = batch();
    const dir = join(root, 'functional_outer');
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
    expect(maxDiff((back.predict(x) as rl.Tensor).dataSync(), (m.predict(x) as rl.Tensor).dataSync())).toBe(0);
  });
});

describe('timeDistributed over a model it cannot wrap', () => {
  it('a model with two inputs or two outputs is refused naming the reason', () => {
    const a = rl.input({ shape: [3] });
    const b = rl.input({ shape: [3] });
    const two = rl.model({ name: 'two_in', inputs: [a, b], outputs: rl.layers.add().apply([a, b]) as rl.SymbolicTensor });
    expect(() => rl.layers.timeDistributed({ layer: two as never })).toThrow(/the wrapped model 'two_in' has 2 inputs; TimeDistributed feeds one tensor per step/);
    const d = rl.layers.dense({ units: 2 }).apply(a) as rl.SymbolicTensor;
    const outs = rl.model({ name: 'two_out', inputs: a, outputs: [d, rl.layers.dense({ units: 1 }).apply(a) as rl.SymbolicTensor] });
    expect(() => rl.layers.timeDistributed({ layer: outs as never })).toThrow(/the wrapped model 'two_out' has 2 outputs/);
  });

  it('a Sequential without an input shape is refused (tfjs cannot make one either)', () => {
    const lazy = rl.sequential({ name: 'lazy', layers: [rl.layers.dense({ units: 2 })] });
    expect(() => rl.layers.timeDistributed({ layer: lazy as never })).toThrow(/the wrapped model 'lazy' is not built; give its first layer an inputShape/);
  });
});
