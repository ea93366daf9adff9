/**
 * AveragePooling1D: values by hand ('same' averages only real steps at the edges, as Keras), tfjs's outputs and one
 * training step from the same saved model, float64 gradient checks, no parameters, the Layers-format round trip, the
 * tfjs names, and every bad option an error naming it.
 */
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { layerClass } from '../../src/layers/registry.js';
import { gradCheck, maxDiff, randomTensor, removeDir, tempDir } from '../compat/functional_helpers.js';
import { oneStep, randomF32, tfjsTwin, toTf, weightDiff } from './tfjs_twin.js';

const root = tempDir('rnnlab-avgpool-');
afterAll(() => removeDir(root));
const L = rl.layers;
const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((t as rl.Tensor).dataSync());

describe('AveragePooling1D forward, by hand', () => {
  // x [1, 5, 2]: channel 0 = 1, 2, 3, 4, 10; channel 1 = 0, 0, 6, 0, 0.
  const x = rl.tensor([[[1, 0], [2, 0], [3, 6], [4, 0], [10, 0]]]);

  it("'valid' drops the incomplete window; 'same' averages the edge windows over their real steps only", () => {
    expect(values(L.averagePooling1d({ poolSize: 2 }).apply(x))).toEqual([1.5, 0, 3.5, 3]);
    const same = values(L.averagePooling1d({ poolSize: 3, strides: 1, padding: 'same' }).apply(x));
    [1.5, 0, 2, 2, 3, 2, 17 / 3, 2, 7, 0].forEach((e, i) => expect(same[i]).toBeCloseTo(e, 6));
    // stride 2, 'same': 3 windows; the last one covers step 4 alone.
    expect(values(L.avgPool1d({ poolSize: 2, strides: 2, padding: 'same' }).apply(x))).toEqual([1.5, 0, 3.5, 3, 10, 0]);
  });

  it('has no weights, shrinks time as Keras does, and takes any number of steps', () => {
    const m = rl.sequential({ layers: [L.averagePooling1d({ poolSize: 3, inputShape: [null as never, 4] })] });
    expect(m.layers[0].countParams()).toBe(0);
    expect(m.outputShape).toEqual([null, null, 4]);
    expect(m.predict(randomF32([2, 10, 4], 1)).shape).toEqual([2, 3, 4]);
    expect(m.predict(randomF32([2, 7, 4], 1)).shape).toEqual([2, 2, 4]);
    expect(L.avgPooling1d({ poolSize: 2, padding: 'same', inputShape: [7, 3] }).computeOutputShape([null, 7, 3])).toEqual([null, 4, 3]);
  });
});

describe('AveragePooling1D against TensorFlow.js', () => {
  const cases: [string, { poolSize: number; strides: number; padding?: 'valid' | 'same' }][] = [
    ['valid', { poolSize: 3, strides: 2 }], ['valid, overlapping', { poolSize: 3, strides: 1 }],
    ['same', { poolSize: 4, strides: 3, padding: 'same' }], ['same, stride 1', { poolSize: 3, strides: 1, padding: 'same' }]];
  for (const [what, args] of cases) {
    // tfjs's avgPool gradient divides an edge window of 'same' by the whole pool size although its forward divides by
    // the real steps (its gradient at [1, 2, 3, 4, 10], pool 3, is 1/3 where the forward's derivative is 1/2; ours is
    // checked against central differences below), so the training step is compared where no window is clipped.
    it(`${what}: the same predictions and loss${args.padding === 'same' ? '' : ', and one SGD step gives the same weights'}`, async () => {
      rl.setSeed(5);
      const m = rl.sequential({ layers: [L.conv1d({ filters: 3, kernelSize: 2, inputShape: [11, 2] }), L.averagePooling1d({ ...args, name: 'pool' }), L.flatten(), L.dense({ units: 1 })] });
      const tm = await tfjsTwin(m, root, `twin-${what.replace(/\W+/g, '-')}`);
      expect(tm.layers[1].getClassName()).toBe('AveragePooling1D');
      const x = randomF32([6, 11, 2], 3, 2), y = randomF32([6, 1], 4);
      expect(maxDiff(values(m.predict(x)), (tm.predict(toTf(x)) as tf.Tensor).dataSync())).toBeLessThan(1e-5);
      const [ours, theirs] = await oneStep(m, tm, x, y);
      expect(Math.abs(ours - theirs)).toBeLessThan(1e-5);
      if (args.padding !== 'same') expect(weightDiff(m, tm)).toBeLessThan(1e-5);
    });
  }
});

describe('AveragePooling1D gradients (float64, central differences)', () => {
  it("'valid' and 'same', overlapping and strided windows", () => {
    rl.setPrecision(64);
    try {
      for (const args of [{ poolSize: 2 }, { poolSize: 3, strides: 1, padding: 'same' as const }, { poolSize: 4, strides: 3, padding: 'same' as const }]) {
        gradCheck(([t]) => L.averagePooling1d(args).apply(t) as rl.Tensor, [randomTensor([2, 7, 3], 9)]);
      }
    } finally {
      rl.setPrecision(32);
    }
  });
});

describe('AveragePooling1D saving, names and options', () => {
  it('saves in the Layers format and loads back with the same predictions', async () => {
    rl.setSeed(3);
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 12, outputDim: 4, inputLength: 9 }), L.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same', name: 'pool' }), L.globalMaxPooling1d()] });
    const dir = join(root, 'saved');
    await m.save(dir);
    const back = await rl.loadModel(dir);
    expect(back.layers[1].getConfig()).toEqual({ name: 'pool', trainable: true, dtype: 'float32', poolSize: [3], strides: [2], padding: 'same', dataFormat: 'channelsLast' });
    const ids = rl.tensor(Int32Array.from({ length: 27 }, (_, i) => (i * 5) % 12), [3, 9], 'int32');
    expect(values(back.predict(ids))).toEqual(values(m.predict(ids)));
  });

  it("is registered under Keras's name and alias; tfjs's factory names all make it", () => {
    expect(layerClass('AveragePooling1D')?.className).toBe(rl.layerClasses.AveragePooling1D.className);
    expect(layerClass('AvgPool1D')?.className).toBe(rl.layerClasses.AveragePooling1D.className);
    for (const f of [L.averagePooling1d, L.avgPool1d, L.avgPooling1d]) expect(f({})).toBeInstanceOf(rl.layerClasses.AveragePooling1D);
  });

  it.each([
    ['poolSize 0', { poolSize: 0 }, /poolSize must be a positive integer, got 0/],
    ['poolSize a list of two', { poolSize: [2, 2] }, /poolSize must be a number or a one-element list, got \[2,2\]/],
    ['strides 1.5', { strides: 1.5 }, /strides must be a positive integer, got 1.5/],
    ["padding 'causal'", { padding: 'causal' }, /padding must be 'valid' or 'same', got 'causal'/],
    ['dataFormat channels_first', { dataFormat: 'channels_first' }, /dataFormat = "channels_first" is not supported/],
  ])('%s', (_name, args, message) => {
    expect(() => L.averagePooling1d(args as never)).toThrow(message);
  });

  it('too few steps, or input that is not (batch, steps, channels), is an error naming the layer', () => {
    expect(() => rl.sequential({ layers: [L.averagePooling1d({ poolSize: 4, inputShape: [3, 2], name: 'p' })] })).toThrow(/p \(AveragePooling1D\): 3 steps are too few for poolSize 4/);
    expect(() => rl.sequential({ layers: [L.averagePooling1d({ inputShape: [3], name: 'q' })] })).toThrow(/q \(AveragePooling1D\): expected input \(batch, steps, channels\), got \(None, 3\)/);
  });
});
