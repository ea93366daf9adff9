/**
 * Reshape, Permute, ZeroPadding1D and Cropping1D: values by hand and against tfjs (the same weights, loaded both
 * ways), float64 gradients, no weights, the Layers-format round trip, bad options naming the option.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { engineApply } from '../../src/layers/layer.js';
import { deserializeLayer, layerClass, serializeLayer } from '../../src/layers/registry.js';
import { removeDir, tempDir } from '../compat/functional_helpers.js';
import { checkLayerGradients, fromTfjs, inputs, roundTrip } from './helpers.js';

const L = rl.layers;
const root = tempDir('rnnlab-shape-layers-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

// x[b, t, c] = 100 b + 10 t + c for B = 2, T = 3, C = 2.
const x = rl.tensor(Float32Array.from({ length: 12 }, (_, i) => 100 * Math.floor(i / 6) + 10 * Math.floor((i % 6) / 2) + (i % 2)), [2, 3, 2]);
const run = (layer: rl.layerClasses.Layer, t: rl.Tensor = x) => engineApply(layer, t, { training: false, mask: null });

describe('values', () => {
  it('reshape keeps row-major order and infers its -1', () => {
    const y = run(L.reshape({ targetShape: [-1, 3] }));
    expect(y.shape).toEqual([2, 2, 3]);
    expect(Array.from(y.values)).toEqual(Array.from(x.values));
    expect(L.reshape({ targetShape: [6] }).computeOutputShape([null, 3, 2])).toEqual([null, 6]);
    expect(L.reshape({ targetShape: [-1, 2] }).computeOutputShape([null, null, 4])).toEqual([null, null, 2]);
  });

  it('permute([2, 1]) swaps steps and features, 1-based as Keras', () => {
    const y = run(L.permute({ dims: [2, 1] }));
    expect(y.shape).toEqual([2, 2, 3]);
    expect(Array.from(y.values)).toEqual([0, 10, 20, 1, 11, 21, 100, 110, 120, 101, 111, 121]);
  });

  it('zeroPadding1d adds zero steps at both ends; cropping1d removes them', () => {
    const padded = run(L.zeroPadding1d({ padding: [1, 2] }));
    expect(padded.shape).toEqual([2, 6, 2]);
    expect(Array.from(padded.values)).toEqual([0, 0, 0, 1, 10, 11, 20, 21, 0, 0, 0, 0, 0, 0, 100, 101, 110, 111, 120, 121, 0, 0, 0, 0]);
    expect(run(L.zeroPadding1d()).shape).toEqual([2, 5, 2]);
    const cropped = run(L.cropping1d({ cropping: [1, 0] }));
    expect(Array.from(cropped.values)).toEqual([10, 11, 20, 21, 110, 111, 120, 121]);
    expect(Array.from(run(L.cropping1d({ cropping: [1, 1] }), padded).values)).toEqual(Array.from(run(L.zeroPadding1d({ padding: [0, 1] })).values));
  });

  it('a padding mask stops at each of them (they move or remove the steps it marks)', () => {
    for (const layer of [L.reshape({ targetShape: [6] }), L.permute({ dims: [2, 1] }), L.zeroPadding1d(), L.cropping1d()]) {
      const ctx = { training: false, mask: new Uint8Array(6).fill(1) as Uint8Array | null };
      engineApply(layer, x, ctx);
      expect(ctx.mask, layer.className).toBeNull();
    }
  });
});

describe('against tfjs (same weights, models moved both ways)', () => {
  it('reshape and permute around a dense layer: rnnlab -> tfjs', async () => {
    rl.setSeed(1);
    const m = rl.sequential({ layers: [
      L.reshape({ targetShape: [3, -1], inputShape: [12] }), L.permute({ dims: [2, 1] }),
      L.dense({ units: 2, activation: 'tanh' }), L.reshape({ targetShape: [-1] }),
    ] });
    const layers = await roundTrip(m, inputs([5, 12], 2), root, 'reshape-permute');
    expect(layers.map((l) => l.class_name)).toEqual(['Reshape', 'Permute', 'Dense', 'Reshape']);
    expect((layers[0].config as Record<string, unknown>).target_shape).toEqual([3, -1]);
    expect((layers[1].config as Record<string, unknown>).dims).toEqual([2, 1]);
  });

  it('tfjs -> rnnlab', async () => {
    const tm = tf.sequential({ layers: [
      tf.layers.reshape({ targetShape: [4, 3], inputShape: [12] }), tf.layers.permute({ dims: [2, 1] }),
      tf.layers.dense({ units: 3 }), tf.layers.reshape({ targetShape: [9] }),
    ] });
    await fromTfjs(tm, inputs([4, 12], 3), root, 'from-tfjs');
  });
});

describe('gradients (float64, central differences)', () => {
  beforeAll(() => rl.setPrecision(64));
  afterAll(() => rl.setPrecision(32));
  it('reshape', () => { checkLayerGradients(L.reshape({ targetShape: [-1, 2] }), [2, 3, 4]); });
  it('permute', () => { checkLayerGradients(L.permute({ dims: [2, 3, 1] }), [2, 3, 4, 2]); });
  it('zeroPadding1d', () => { checkLayerGradients(L.zeroPadding1d({ padding: [2, 1] }), [2, 3, 4]); });
  it('cropping1d', () => { checkLayerGradients(L.cropping1d({ cropping: [1, 2] }), [2, 5, 3]); });
});

describe('parameters, registry and files', () => {
  it('have no weights (Keras: 0 params)', () => {
    const m = rl.sequential({ layers: [
      L.zeroPadding1d({ padding: 2, inputShape: [5, 3] }), L.cropping1d({ cropping: [1, 3] }), L.permute({ dims: [2, 1] }),
      L.reshape({ targetShape: [-1] }), L.dense({ units: 1 }),
    ] });
    expect(m.layers.map((l) => l.countParams())).toEqual([0, 0, 0, 0, 16]); // (5 + 4 - 4) steps x 3 features + 1
    expect(m.outputShape).toEqual([null, 1]);
  });

  it('are registered under their Keras names, and fromConfig inverts getConfig', () => {
    for (const layer of [L.reshape({ targetShape: [2, -1] }), L.permute({ dims: [1, 2] }), L.zeroPadding1d({ padding: 3 }), L.cropping1d({ cropping: [0, 2] })]) {
      expect(layerClass(layer.className)).toBe(layer.constructor);
      expect(deserializeLayer(serializeLayer(layer)).getConfig()).toEqual(layer.getConfig());
    }
  });

  it('zeroPadding1d and cropping1d save and load (tfjs has neither in 1-D, so only rnnlab reads them)', async () => {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [
      L.zeroPadding1d({ padding: [2, 1], inputShape: [6, 3] }), L.conv1d({ filters: 2, kernelSize: 3 }), L.cropping1d({ cropping: [1, 2] }), L.flatten(),
    ] });
    const layers = await roundTrip(m, inputs([3, 6, 3], 5), root, 'pad-crop', false);
    expect(layers[0]).toMatchObject({ class_name: 'ZeroPadding1D', config: { padding: [2, 1] } });
    expect(layers[2]).toMatchObject({ class_name: 'Cropping1D', config: { cropping: [1, 2] } });
  });
});

describe('bad options are errors naming the option', () => {
  it.each([
    ['reshape without targetShape', () => L.reshape({} as never), /\(Reshape\): missing required field 'targetShape'/],
    ['reshape with two -1', () => L.reshape({ targetShape: [-1, -1] }), /\(Reshape\): targetShape may have only one -1/],
    ['reshape with 0', () => L.reshape({ targetShape: [0, 2] }), /\(Reshape\): targetShape must be a non-empty list of positive sizes/],
    ['reshape to a size that does not fit', () => run(L.reshape({ targetShape: [5] })), /\(Reshape\): cannot reshape 6 values per sample to targetShape \[5\]/],
    ['reshape with -1 that does not divide', () => L.reshape({ targetShape: [-1, 4] }).computeOutputShape([null, 3, 2]), /cannot reshape 6 values per sample to targetShape \[-1,4\] \(input \(None, 3, 2\)\)/],
    ['permute without dims', () => L.permute({} as never), /\(Permute\): missing required field 'dims'/],
    ['permute 0-based', () => L.permute({ dims: [0, 1] }), /\(Permute\): dims must be a permutation of 1..2 \(1-based, without the batch axis\), got \[0,1\]/],
    ['permute of the wrong rank', () => run(L.permute({ dims: [1, 3, 2] })), /\(Permute\): dims \[1,3,2\] need input of rank 4/],
    ['zeroPadding1d negative', () => L.zeroPadding1d({ padding: -1 }), /\(ZeroPadding1D\): padding must be a non-negative integer or a list \[left, right\] of two, got -1/],
    ['zeroPadding1d of three', () => L.zeroPadding1d({ padding: [1, 2, 3] as never }), /\(ZeroPadding1D\): padding must be .* got \[1,2,3\]/],
    ['cropping1d as a string', () => L.cropping1d({ cropping: '1' as never }), /\(Cropping1D\): cropping must be .* got the string "1"/],
    ['cropping1d of every step', () => run(L.cropping1d({ cropping: [2, 1] })), /\(Cropping1D\): cropping \[2, 1\] leaves no step of 3/],
    ['zeroPadding1d on rank 2', () => L.zeroPadding1d().computeOutputShape([null, 4]), /\(ZeroPadding1D\): expected input \(batch, steps, features\), got \(None, 4\)/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});
