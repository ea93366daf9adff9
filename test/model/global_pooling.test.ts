/**
 * GlobalMaxPooling1D and GlobalAveragePooling1D, the layers added the way every layer now is (one file each, a
 * factory line): forward values by hand, Keras's parameter count, the registry and a Layers-format round trip.
 * Their float64 gradient checks live with the others in gradcheck.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { layerClass, serializeLayer, deserializeLayer } from '../../src/layers/registry.js';
import { removeDir, tempDir } from '../io/helpers.js';

const root = tempDir('rnnlab-pool-');
afterAll(() => removeDir(root));

// x[b, t, c] for B = 2, T = 3, C = 2.
const x = rl.tensor([[[1, -4], [3, 2], [-2, 0.5]], [[-1, -1], [-3, -2], [-0.5, -7]]]);

describe('global pooling over time', () => {
  it('max takes each channel\'s largest step, average its mean', () => {
    const max = rl.sequential({ layers: [rl.layers.globalMaxPooling1d({ inputShape: [3, 2] })] });
    expect(Array.from(max.predict(x).values)).toEqual([3, 2, -0.5, -1]);
    const avg = rl.sequential({ layers: [rl.layers.globalAveragePooling1d({ inputShape: [3, 2] })] });
    const got = Array.from(avg.predict(x).values);
    [2 / 3, -1.5 / 3, -4.5 / 3, -10 / 3].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    expect(max.outputShape).toEqual([null, 2]);
  });

  it('average skips padded steps under embedding({maskZero}), as Keras does; max ignores the mask, as Keras does', () => {
    const emb = () => rl.layers.embedding({ inputDim: 4, outputDim: 1, inputLength: 3, maskZero: true, embeddingsInitializer: 'ones' });
    const ids = rl.tensor([[2, 3, 0], [0, 0, 1]], [2, 3], 'int32');
    const avg = rl.sequential({ layers: [emb(), rl.layers.globalAveragePooling1d()] });
    avg.layers[0].setWeights([Float32Array.from([0, 10, 20, 30])]);
    expect(Array.from(avg.predict(ids).values)).toEqual([25, 10]);
    const max = rl.sequential({ layers: [emb(), rl.layers.globalMaxPool1d()] });
    max.layers[0].setWeights([Float32Array.from([40, 10, 20, 30])]);
    expect(Array.from(max.predict(ids).values)).toEqual([40, 40]);
  });

  it('has no weights (Keras: 0 params) and takes any number of steps', () => {
    const m = rl.sequential({ layers: [
      rl.layers.embedding({ inputDim: 50, outputDim: 8 }),
      rl.layers.conv1d({ filters: 4, kernelSize: 3 }),
      rl.layers.globalMaxPooling1d(),
      rl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    m.build([null, null]);
    expect(m.layers.map((l) => l.countParams())).toEqual([400, 100, 0, 5]);
    expect(m.predict(rl.tensor(new Int32Array(2 * 9).fill(3), [2, 9], 'int32')).shape).toEqual([2, 1]);
    expect(m.predict(rl.tensor(new Int32Array(2 * 20).fill(3), [2, 20], 'int32')).shape).toEqual([2, 1]);
  });

  it('is found in the registry under its Keras name and alias, and fromConfig inverts getConfig', () => {
    expect(layerClass('GlobalMaxPooling1D')?.className).toBe(rl.layerClasses.GlobalMaxPooling1D.className);
    expect(layerClass('GlobalMaxPool1D')?.className).toBe(rl.layerClasses.GlobalMaxPooling1D.className);
    expect(layerClass('GlobalAveragePooling1D')?.className).toBe(rl.layerClasses.GlobalAveragePooling1D.className);
    const l = rl.layers.globalAveragePooling1d({ name: 'gap' });
    const back = deserializeLayer(serializeLayer(l));
    expect(back).toBeInstanceOf(rl.layerClasses.GlobalAveragePooling1D);
    expect(back.getConfig()).toEqual(l.getConfig());
    expect(() => rl.layers.globalMaxPooling1d({ keepdims: 'yes' as never })).toThrow(/keepdims must be true or false, got the string "yes"/);
    expect(() => rl.layers.globalMaxPooling1d({ dataFormat: 'channels_first' as never })).toThrow(/dataFormat = "channels_first" is not supported/);
  });

  it('saves in the Layers format and loads back with the same predictions', async () => {
    rl.setSeed(3);
    const m = rl.sequential({ layers: [
      rl.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 7 }),
      rl.layers.conv1d({ filters: 5, kernelSize: 3, activation: 'relu' }),
      rl.layers.globalMaxPooling1d({ name: 'gmp' }),
      rl.layers.repeatVector({ n: 2 }),
      rl.layers.globalAveragePooling1d({ name: 'gap' }),
      rl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    const dir = join(root, 'pool');
    await m.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const layers = json.modelTopology.config.layers;
    expect(layers[2]).toEqual({ class_name: 'GlobalMaxPooling1D', config: { name: 'gmp', trainable: true, dtype: 'float32', data_format: 'channels_last' } });
    expect(layers[4].class_name).toBe('GlobalAveragePooling1D');
    const back = await rl.loadModel(dir);
    const ids = rl.tensor(Int32Array.from({ length: 21 }, (_, i) => (i * 7) % 20), [3, 7], 'int32');
    expect(Array.from(back.predict(ids).values)).toEqual(Array.from(m.predict(ids).values));
  });

  it('keepdims keeps the pooled time axis (Keras 3): same values, shape (batch, 1, channels), and it trains and saves', async () => {
    rl.setSeed(4);
    const x = rl.randomNormal([3, 5, 4]);
    for (const kind of ['globalMaxPooling1d', 'globalAveragePooling1d'] as const) {
      const flat = rl.layers[kind]({}), kept = rl.layers[kind]({ keepdims: true });
      const a = flat.apply(x) as rl.Tensor, b = kept.apply(x) as rl.Tensor;
      expect(b.shape).toEqual([3, 1, 4]);
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      expect(kept.computeOutputShape([null, 5, 4])).toEqual([null, 1, 4]);
      expect(kept.getConfig().keepdims).toBe(true);
    }
    const m = rl.sequential({ layers: [
      rl.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [5, 4] }),
      rl.layers.globalAveragePooling1d({ keepdims: true }),
      rl.layers.flatten(),
      rl.layers.dense({ units: 1 }),
    ] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = m.getWeights()[0].dataSync().slice();
    m.trainOnBatch(x, rl.ones([3, 1]));
    expect(Array.from(m.getWeights()[0].dataSync())).not.toEqual(Array.from(before));
    const dir = tempDir('rnnlab-keepdims-');
    try {
      await m.save(dir);
      const back = await rl.loadModel(dir);
      expect(Array.from((back.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as rl.Tensor).dataSync()));
    } finally { removeDir(dir); }
  });
});
