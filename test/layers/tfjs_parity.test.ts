/**
 * Defects found comparing rnnlab's layers with @tensorflow/tfjs 4.22 (the oracle) and Keras 3 configs: merge layers
 * taking tfjs's list-of-shapes computeOutputShape/build, recurrent layers' tfjs `states`, and Keras 3's Bidirectional
 * config (which always carries backward_layer).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { layerFromKeras } from '../../src/io/keras_config.js';
import type { Layer } from '../../src/layers/layer.js';
import type { RNN } from '../../src/layers/recurrent.js';
import { maxDiff } from './helpers.js';
import { randomF32, tfjsReady, toTf } from './tfjs_twin.js';

beforeAll(() => tfjsReady());

describe('merge layers take tfjs\'s list of shapes', () => {
  const cases: [string, Record<string, unknown>, (number | null)[][]][] = [
    ['add', {}, [[null, 4], [null, 4]]],
    ['multiply', {}, [[null, 3, 4], [null, 3, 4]]],
    ['concatenate', {}, [[null, 4], [null, 2]]],
    ['concatenate', { axis: 1 }, [[null, 3, 4], [null, 2, 4]]],
    ['dot', { axes: 1 }, [[null, 4], [null, 4]]],
  ];
  for (const [name, args, shapes] of cases) {
    it(`${name}(${JSON.stringify(args)}).computeOutputShape and build as tfjs`, () => {
      const ours = (rl.layers as unknown as Record<string, (a: unknown) => Layer>)[name]({ ...args });
      const theirs = (tf.layers as unknown as Record<string, (a: unknown) => tf.layers.Layer>)[name]({ ...args });
      expect(ours.computeOutputShape(shapes as never)).toEqual(theirs.computeOutputShape(shapes as never));
      ours.build(shapes as never);
      expect(ours.built).toBe(true);
      expect(ours.outputShape).toEqual(theirs.computeOutputShape(shapes as never));
    });
  }

  it('one shape is still an error naming the layer', () => {
    const add = rl.layers.add({ name: 'sum1' }) as Layer;
    expect(() => add.computeOutputShape([null, 4])).toThrow(/sum1 \(Add\): takes a list of inputs, got one of shape \(None, 4\)/);
    expect(() => add.build([null, 4])).toThrow(/sum1 \(Add\): takes a list of inputs/);
  });
});

describe('recurrent layers have tfjs\'s states', () => {
  const x = randomF32([2, 3, 4], 7);
  for (const [name, count] of [['lstm', 2], ['gru', 1], ['simpleRNN', 1]] as const) {
    it(`${name}: stateful states follow tfjs's through calls, resets and assignment`, () => {
      const args = { units: 2, stateful: true, batchInputShape: [2, 3, 4], recurrentActivation: 'hardSigmoid', ...(name === 'gru' ? { resetAfter: false } : {}) };
      if (name === 'simpleRNN') delete (args as Record<string, unknown>).recurrentActivation;
      const ours = (rl.layers[name] as (a: unknown) => RNN)(args);
      const theirs = (tf.layers[name] as (a: unknown) => tf.RNN)(args);
      ours.apply(x, {}); theirs.apply(toTf(x));
      theirs.setWeights(ours.getWeights().map(toTf));
      ours.resetStates(); theirs.resetStates();
      const same = () => {
        expect(ours.states.length).toBe(count);
        ours.states.forEach((s, i) => expect(maxDiff(s!.dataSync(), theirs.states[i].dataSync())).toBeLessThan(1e-6));
      };
      same();
      ours.apply(x, {}); theirs.apply(toTf(x));
      expect(Math.max(...ours.states.map((s) => Math.abs(s!.dataSync()[0])))).toBeGreaterThan(0);
      same();
      const given = Array.from({ length: count }, (_, i) => randomF32([2, 2], 20 + i));
      ours.states = given; theirs.resetStates(given.map(toTf));
      same();
      ours.apply(x, {}); theirs.apply(toTf(x));
      same();
    });
  }

  it('a layer that is not stateful has one null per state, as tfjs', () => {
    expect(rl.layers.lstm({ units: 2 }).states).toEqual([null, null]);
    expect(tf.layers.lstm({ units: 2 }).states).toEqual([null, null]);
    expect(rl.layers.rnn({ cell: [rl.layers.gruCell({ units: 2 }), rl.layers.lstmCell({ units: 3 })] }).states).toEqual([null, null, null]);
  });

  it('rl.layers.rnn: states in tfjs\'s order (last cell first) after a call', () => {
    const rnn = rl.layers.rnn({ cell: [rl.layers.simpleRNNCell({ units: 2 }), rl.layers.lstmCell({ units: 3 })], stateful: true, batchInputShape: [2, 3, 4] });
    rnn.apply(x, {});
    expect(rnn.states.map((s) => s!.shape)).toEqual([[2, 3], [2, 3], [2, 2]]);
    expect(rnn.states.map((s) => Array.from(s!.dataSync()))).toEqual(rnn.getStates().map((s) => Array.from(s.dataSync())));
    expect(() => { rnn.states = [randomF32([2, 3], 1)]; }).toThrow(/resetStates expects 3 state tensor\(s\)/);
  });

  it('assigning states to a layer that is not stateful is an error naming it', () => {
    const l = rl.layers.gru({ units: 2, name: 'g9' });
    expect(() => { l.states = [randomF32([2, 2], 1)]; }).toThrow(/g9 \(GRU\): resetStates\(\) needs a layer made with stateful: true/);
  });
});

describe('Keras 3 Bidirectional configs load', () => {
  const lstm = (name: string, goBackwards: boolean, units = 2) => ({
    module: 'keras.layers', class_name: 'LSTM', registered_name: null,
    config: { name, trainable: true, dtype: 'float32', units, return_sequences: true, go_backwards: goBackwards, recurrent_activation: 'sigmoid', seed: null, zero_output_for_mask: false },
  });
  const keras3 = (backward: unknown) => ({ class_name: 'Bidirectional', config: { name: 'bi', trainable: true, dtype: 'float32', merge_mode: 'sum', layer: lstm('forward_lstm', false), backward_layer: backward } });

  it('backward_layer that mirrors the forward layer builds the layer it describes, with Keras\'s names', () => {
    const bi = layerFromKeras(keras3(lstm('backward_lstm', true)), 'layers[1]') as rl.layerClasses.Bidirectional;
    expect([bi.forwardLayer.name, bi.backwardLayer.name]).toEqual(['forward_lstm', 'backward_lstm']);
    expect(bi.mergeMode).toBe('sum');
    expect(bi.backwardLayer.goBackwards).toBe(true);
    bi.apply(randomF32([2, 3, 4], 3), {});
    expect(bi.weights.map((w) => w.name)).toEqual(['forward_lstm/kernel', 'forward_lstm/recurrent_kernel', 'forward_lstm/bias', 'backward_lstm/kernel', 'backward_lstm/recurrent_kernel', 'backward_lstm/bias']);
  });

  it('a backward_layer that is not the mirror stays refused by name', () => {
    expect(() => layerFromKeras(keras3(lstm('backward_lstm', true, 3)), 'layers[1]')).toThrow(/backward_layer = an object is not supported \(a custom backward_layer/);
    expect(() => layerFromKeras(keras3(lstm('backward_lstm', false)), 'layers[1]')).toThrow(/backward_layer/);
  });

  it('the same layer saved by rnnlab (no backward_layer) predicts the same as the Keras 3 form', () => {
    const bi = layerFromKeras(keras3(lstm('backward_lstm', true)), 'k3') as rl.layerClasses.Bidirectional;
    const ours = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid' }), mergeMode: 'sum' });
    const x = randomF32([2, 3, 4], 5);
    ours.apply(x, {}); bi.apply(x, {});
    bi.setWeights(ours.getWeights());
    expect(maxDiff((bi.apply(x, {}) as rl.Tensor).dataSync(), (ours.apply(x, {}) as rl.Tensor).dataSync())).toBe(0);
  });

  it('a Keras 3 Sequential config.json with such a Bidirectional loads through rl.models.modelFromJSON', async () => {
    const topology = { class_name: 'Sequential', config: { name: 'k3', trainable: true, layers: [
      { module: 'keras.layers', class_name: 'InputLayer', registered_name: null, config: { batch_shape: [null, 3, 4], dtype: 'float32', sparse: false, name: 'input_layer' } },
      { ...keras3(lstm('backward_lstm', true)), module: 'keras.layers', registered_name: null },
      { module: 'keras.layers', class_name: 'Dense', registered_name: null, config: { name: 'out', trainable: true, dtype: 'float32', units: 1, activation: 'sigmoid', use_bias: true,
        kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null },
        bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null }, kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null } },
    ] } };
    const m = await rl.models.modelFromJSON(topology) as rl.Sequential;
    expect(m.layers.map((l) => l.name)).toEqual(['bi', 'out']);
    expect((m.predict(randomF32([2, 3, 4], 8)) as rl.Tensor).shape).toEqual([2, 3, 1]);
    expect(m.countParams()).toBe(2 * 4 * (4 * 2 + 2 * 2 + 2) + 2 + 1);
  });
});


describe('a padding mask stops where Keras 3 drops it (tfjs 4.22 hands it on: a documented difference)', () => {
  const ids = rl.tensor([1, 2, 0, 0, 0, 0, 3, 4, 5, 0, 0, 0, 4, 5, 6, 7, 1, 2], [3, 6]);
  const middles: [string, () => Layer][] = [
    ['conv1d', () => rl.layers.conv1d({ filters: 3, kernelSize: 1 })],
    ['maxPooling1d', () => rl.layers.maxPooling1d({ poolSize: 1 })],
    ['reshape', () => rl.layers.reshape({ targetShape: [6, 3] })],
    ['permute', () => rl.layers.permute({ dims: [1, 2] })],
  ];
  for (const [name, middle] of middles) {
    it(`${name}: the LSTM after it runs every step, as without maskZero`, () => {
      const make = (maskZero: boolean) => rl.sequential({ layers: [
        rl.layers.embedding({ inputDim: 8, outputDim: 3, maskZero, inputLength: 6 }), middle(), rl.layers.lstm({ units: 2 }),
      ] });
      const masked = make(true), plain = make(false);
      masked.build([null, 6]); plain.build([null, 6]);
      plain.setWeights(masked.getWeights());
      const a = (masked.predict(ids) as rl.Tensor).dataSync(), b = (plain.predict(ids) as rl.Tensor).dataSync();
      expect(maxDiff(a, b)).toBe(0);
      // The mask does reach a recurrent layer placed right after the embedding.
      const direct = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 8, outputDim: 3, maskZero: true, inputLength: 6 }), rl.layers.lstm({ units: 2 })] });
      const direct0 = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 8, outputDim: 3, inputLength: 6 }), rl.layers.lstm({ units: 2 })] });
      direct.build([null, 6]); direct0.build([null, 6]);
      direct0.setWeights(direct.getWeights());
      expect(maxDiff((direct.predict(ids) as rl.Tensor).dataSync(), (direct0.predict(ids) as rl.Tensor).dataSync())).toBeGreaterThan(1e-4);
    });
  }
});
