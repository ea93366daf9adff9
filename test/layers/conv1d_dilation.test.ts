/**
 * Conv1D's dilationRate and padding 'causal': outputs against tfjs for dilation 2 with 'valid', 'same' (tfjs models
 * loaded in rnnlab, and rnnlab's loaded in tfjs) and 'causal' (which tfjs loads but cannot run), causality itself,
 * float64 gradients, Keras's parameter count, the fp32 fallback under mixed_bfloat16 (the bf16 twins take no
 * dilation), bad options.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { engineApply } from '../../src/layers/layer.js';
import { folderArtifacts, removeDir, tempDir } from '../compat/functional_helpers.js';
import { checkLayerGradients, fromTfjs, inputs, maxDiff, roundTrip } from './helpers.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

const L = rl.layers;
const root = tempDir('rnnlab-conv-dilation-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const paddings = ['valid', 'same', 'causal'] as const;

describe('against tfjs, dilation 2', () => {
  it.each(['valid', 'same'] as const)('%s: a tfjs model loads in rnnlab and predicts the same', async (padding) => {
    const tm = tf.sequential({ layers: [
      tf.layers.conv1d({ filters: 4, kernelSize: 3, dilationRate: 2, padding, activation: 'relu', inputShape: [11, 3], biasInitializer: 'randomNormal' }),
      tf.layers.conv1d({ filters: 2, kernelSize: 2, dilationRate: 3, padding }),
    ] });
    const m = await fromTfjs(tm, inputs([4, 11, 3], 1), root, `tfjs-${padding}`);
    const conv = m.layers[0] as rl.layerClasses.Conv1D;
    expect([conv.dilationRate, conv.padding]).toEqual([2, padding]);
  });

  it.each(['valid', 'same'] as const)('%s: an rnnlab model loads in tfjs and predicts the same', async (padding) => {
    rl.setSeed(2);
    const m = rl.sequential({ layers: [
      L.conv1d({ filters: 5, kernelSize: 3, dilationRate: 2, padding, activation: 'tanh', inputShape: [13, 4], biasInitializer: 'ones' }),
      L.conv1d({ filters: 3, kernelSize: 2, dilationRate: [4], padding }),
    ] });
    const layers = await roundTrip(m, inputs([3, 13, 4], 3), root, `rl-${padding}`);
    expect(layers[0].config).toMatchObject({ dilation_rate: [2], padding });
  });

  // tfjs's conv1d refuses to run 'causal' (NotImplementedError), so its oracle is its 'valid' conv on the input
  // left-padded with (K - 1) * d zeros, which is what causal padding means.
  it('causal: tfjs\'s valid convolution of the left-padded input, with the same weights; tfjs reads the saved file', async () => {
    rl.setSeed(9);
    const m = rl.sequential({ layers: [L.conv1d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'causal', activation: 'relu', inputShape: [10, 3], biasInitializer: 'ones' })] });
    const x = inputs([3, 10, 3], 10);
    const tm = tf.sequential({ layers: [tf.layers.conv1d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'valid', activation: 'relu', inputShape: [14, 3] })] });
    tm.setWeights(m.getWeights().map((w, i) => tf.tensor(Array.from(w.values), i === 0 ? [3, 3, 4] : [4])));
    const theirs = tm.predict(tf.pad(tf.tensor(Array.from(x.values), [3, 10, 3]), [[0, 0], [4, 0], [0, 0]])) as tf.Tensor;
    expect(maxDiff((m.predict(x) as rl.Tensor).values, theirs.dataSync())).toBeLessThan(1e-5);
    const layers = await roundTrip(m, x, root, 'rl-causal', false);
    expect(layers[0].config).toMatchObject({ dilation_rate: [2], padding: 'causal' });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(join(root, 'rl-causal')) as tf.io.ModelArtifacts));
    expect((loaded.layers[0].getConfig() as { padding: string }).padding).toBe('causal');
  });

  it('output lengths: valid T - (K-1)d, same and causal T', () => {
    const steps = (padding: (typeof paddings)[number]) => L.conv1d({ filters: 1, kernelSize: 3, dilationRate: 2, padding }).computeOutputShape([null, 11, 2])[1];
    expect(paddings.map(steps)).toEqual([7, 11, 11]);
  });
});

describe('causal padding', () => {
  it('step t of the output depends on input steps <= t only', () => {
    rl.setSeed(4);
    const conv = L.conv1d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'causal' });
    const x = inputs([1, 9, 2], 5);
    const y0 = engineApply(conv, x, { training: false, mask: null }).values;
    const changed = rl.tensor(Float32Array.from(x.values).fill(7, 5 * 2), [1, 9, 2]);  // steps 5.. changed
    const y1 = engineApply(conv, changed, { training: false, mask: null }).values;
    expect(Array.from(y1.subarray(0, 5 * 3))).toEqual(Array.from(y0.subarray(0, 5 * 3)));
    expect(Array.from(y1.subarray(5 * 3))).not.toEqual(Array.from(y0.subarray(5 * 3)));
  });
});

describe('gradients (float64, central differences)', () => {
  beforeAll(() => rl.setPrecision(64));
  afterAll(() => rl.setPrecision(32));
  it.each(paddings)('dilation 2, %s', (padding) => {
    rl.setSeed(6);
    checkLayerGradients(L.conv1d({ filters: 3, kernelSize: 3, dilationRate: 2, padding, activation: 'tanh' }), [2, 9, 2]);
  });
  it('causal without dilation', () => {
    checkLayerGradients(L.conv1d({ filters: 2, kernelSize: 4, padding: 'causal' }), [2, 6, 3]);
  });
});

describe('parameters, precision policy and options', () => {
  it('dilation adds no weights (Keras: K * in * filters + filters)', () => {
    const m = rl.sequential({ layers: [L.conv1d({ filters: 8, kernelSize: 3, dilationRate: 4, padding: 'causal', inputShape: [20, 5] })] });
    expect(m.countParams()).toBe(3 * 5 * 8 + 8);
  });

  it('under mixed_bfloat16 a dilated convolution computes in fp32; an undilated one in bf16', () => {
    rl.setBackend('reference');  // the reference emulates the bf16 twins on any CPU
    try {
      rl.setSeed(7);
      const dilatedConv = L.conv1d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same' });
      const plain = L.conv1d({ filters: 4, kernelSize: 3, padding: 'same' });
      const x = inputs([2, 10, 6], 8);
      const run = () => [dilatedConv, plain].map((c) => Array.from(engineApply(c, x, { training: false, mask: null }).values));
      const fp32 = run();
      expect(rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16').name).toBe('mixed_bfloat16');
      const mixed = run();
      expect(mixed[0]).toEqual(fp32[0]);
      expect(mixed[1]).not.toEqual(fp32[1]);
    } finally {
      rl.mixedPrecision.setGlobalPolicy('float32');
      rl.setBackend(rl.backendInfo().addon ? 'native' : 'reference');
    }
  });

  it.each([
    ['dilationRate 0', () => L.conv1d({ filters: 2, kernelSize: 2, dilationRate: 0 }), /\(Conv1D\): dilationRate must be a positive integer, got 0/],
    ['dilationRate as a string', () => L.conv1d({ filters: 2, kernelSize: 2, dilationRate: '2' as never }), /\(Conv1D\): dilationRate must be a positive integer, got the string "2"/],
    ['dilationRate of two', () => L.conv1d({ filters: 2, kernelSize: 2, dilationRate: [2, 2] as never }), /dilationRate must be a number or a one-element list, got \[2,2\]/],
    ['strides with dilationRate', () => L.conv1d({ filters: 2, kernelSize: 2, strides: 2, dilationRate: 2 }), /\(Conv1D\): strides = 2 with dilationRate = 2 is not supported/],
    ['an unknown padding', () => L.conv1d({ filters: 2, kernelSize: 2, padding: 'full' as never }), /\(Conv1D\): padding must be 'valid', 'same' or 'causal', got 'full'/],
    ['causal on max pooling', () => L.maxPooling1d({ padding: 'causal' as never }), /padding must be 'valid' or 'same', got 'causal'/],
    ['too few steps for the dilated window', () => L.conv1d({ filters: 1, kernelSize: 3, dilationRate: 3 }).computeOutputShape([null, 6, 1]),
      /\(Conv1D\): 6 steps are too few for kernelSize 3 at dilationRate 3 with 'valid' padding/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});
