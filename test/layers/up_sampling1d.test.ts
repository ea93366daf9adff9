/**
 * UpSampling1D (Keras's; tfjs has only UpSampling2D, so there is no tfjs twin): values by hand, a float64 gradient
 * check, no parameters, the Layers-format round trip, and every bad option an error naming it.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { layerClass } from '../../src/layers/registry.js';
import { gradCheck, randomTensor, removeDir, tempDir } from '../compat/functional_helpers.js';

const root = tempDir('rnnlab-upsampling-');
afterAll(() => removeDir(root));
const L = rl.layers;
const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((t as rl.Tensor).dataSync());

describe('UpSampling1D', () => {
  it('repeats each step size times, in place (Keras: [[a], [b]] -> [[a], [a], [b], [b]])', () => {
    const x = rl.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(values(L.upSampling1d().apply(x))).toEqual([1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6, 7, 8, 7, 8]);
    const y = L.upSampling1d({ size: 3 }).apply(x) as rl.Tensor;
    expect(y.shape).toEqual([2, 6, 2]);
    expect(values(y).slice(0, 12)).toEqual([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
  });

  it('has no weights and scales the (possibly free) number of steps', () => {
    const m = rl.sequential({ layers: [L.upSampling1d({ size: 4, inputShape: [null as never, 3] })] });
    expect(m.layers[0].countParams()).toBe(0);
    expect(m.outputShape).toEqual([null, null, 3]);
    expect(L.upSampling1d({ size: 4 }).computeOutputShape([null, 5, 3])).toEqual([null, 20, 3]);
  });

  it('gradient: each output step sends its gradient back to its source step (float64, central differences)', () => {
    rl.setPrecision(64);
    try {
      gradCheck(([t]) => L.upSampling1d({ size: 3 }).apply(t) as rl.Tensor, [randomTensor([2, 4, 3], 1)]);
    } finally {
      rl.setPrecision(32);
    }
  });

  it('trains inside a model, saves in the Layers format and loads back with the same predictions', async () => {
    rl.setSeed(8);
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 10, outputDim: 3, inputLength: 4 }), L.upSampling1d({ size: 2, name: 'up' }), L.simpleRNN({ units: 2 })] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const ids = rl.tensor(Int32Array.from({ length: 24 }, (_, i) => (i * 3) % 10), [6, 4], 'int32');
    const before = m.layers[0].getWeightValues()[0].slice();
    await m.fit(ids, rl.tensor(new Float32Array(12).fill(0.5), [6, 2]), { epochs: 1, batchSize: 3, verbose: 0 });
    expect(Array.from(m.layers[0].getWeightValues()[0])).not.toEqual(Array.from(before));
    const dir = join(root, 'saved');
    await m.save(dir);
    const back = await rl.loadModel(dir);
    expect(back.layers[1].getConfig()).toEqual({ name: 'up', trainable: true, dtype: 'float32', size: 2 });
    expect(values(back.predict(ids))).toEqual(values(m.predict(ids)));
    expect(layerClass('UpSampling1D')?.className).toBe(rl.layerClasses.UpSampling1D.className);
  });

  it.each([
    ['size 0', { size: 0 }, /size must be a positive integer, got 0/],
    ['size 1.5', { size: 1.5 }, /size must be a positive integer, got 1.5/],
    ['size a string', { size: '2' }, /size must be a positive integer, got the string "2"/],
  ])('%s', (_name, args, message) => {
    expect(() => L.upSampling1d(args as never)).toThrow(message);
  });

  it('input that is not (batch, steps, features) is an error naming the layer', () => {
    expect(() => rl.sequential({ layers: [L.upSampling1d({ inputShape: [3], name: 'u' })] })).toThrow(/u \(UpSampling1D\): expected input \(batch, steps, features\), got \(None, 3\)/);
  });
});
