/**
 * dataFormat of Flatten, Conv1D and the 1D pooling layers. tfjs 4.22's getConfig writes none for these (its 2D layers
 * write 'channelsLast', as rnnlab's getConfig does); Keras writes data_format 'channels_last', as rnnlab's files do:
 * they load in tfjs and Keras, tfjs's files (without the key) load in rnnlab, and either spelling is taken while
 * channels-first is not.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from '../io/helpers.js';
import { fromTfjs, roundTrip } from './helpers.js';
import { randomF32, tfjsReady } from './tfjs_twin.js';

beforeAll(() => tfjsReady());
const root = tempDir('rnnlab-data-format-');
afterAll(() => removeDir(root));

const NAMES = ['flatten', 'maxPooling1d', 'averagePooling1d', 'globalAveragePooling1d', 'globalMaxPooling1d', 'conv1d'] as const;
const argsOf = (n: string): Record<string, unknown> => (n === 'conv1d' ? { filters: 2, kernelSize: 1 } : {});
const make = (lib: typeof rl.layers | typeof tf.layers, n: string, extra: Record<string, unknown> = {}) =>
  (lib as unknown as Record<string, (a: unknown) => { getConfig(): Record<string, unknown> }>)[n]({ ...argsOf(n), ...extra });

describe('dataFormat of the 1D layers', () => {
  it('tfjs 4.22 writes none; rnnlab\'s getConfig writes tfjs\'s channelsLast', () => {
    for (const n of NAMES) {
      expect(make(tf.layers, n).getConfig().dataFormat).toBeUndefined();
      expect(make(rl.layers, n).getConfig().dataFormat).toBe('channelsLast');
    }
  });

  it('rnnlab\'s file (data_format channels_last) loads in rnnlab and tfjs with the same numbers; tfjs\'s file loads in rnnlab', async () => {
    rl.setSeed(2);
    const m = rl.sequential({ layers: [
      rl.layers.conv1d({ filters: 3, kernelSize: 2, inputShape: [8, 2] }), rl.layers.maxPooling1d({}), rl.layers.averagePooling1d({ poolSize: 1 }),
      rl.layers.flatten(), rl.layers.reshape({ targetShape: [3, 3] }), rl.layers.globalMaxPooling1d({}),
    ] });
    const saved = await roundTrip(m, randomF32([2, 8, 2], 3), root, 'ours');
    const formats = saved.filter((l) => l.class_name !== 'Reshape' && l.class_name !== 'InputLayer').map((l) => (l.config as Record<string, unknown>).data_format);
    expect(formats).toEqual(Array(5).fill('channels_last'));
    const tm = tf.sequential({ layers: [
      tf.layers.conv1d({ filters: 3, kernelSize: 2, inputShape: [8, 2] }), tf.layers.averagePooling1d({}), tf.layers.globalAveragePooling1d({}),
      tf.layers.reshape({ targetShape: [3, 1] }), tf.layers.flatten(),
    ] });
    await fromTfjs(tm, randomF32([2, 8, 2], 4), root, 'theirs');
  });

  it('takes channelsLast and channels_last; channels-first is refused by name', () => {
    for (const n of NAMES) {
      expect(make(rl.layers, n, { dataFormat: 'channelsLast' }).getConfig().dataFormat).toBe('channelsLast');
      expect(make(rl.layers, n, { dataFormat: 'channels_last' }).getConfig().dataFormat).toBe('channelsLast');
      expect(() => make(rl.layers, n, { dataFormat: 'channelsFirst' })).toThrow(/dataFormat = "channelsFirst" is not supported \(rnnlab is channels-last\)/);
    }
  });
});
