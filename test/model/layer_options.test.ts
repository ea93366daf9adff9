/**
 * Every option a layer accepts works or is an error naming the layer and the option, in constructors and in
 * loaded files alike; and every registered layer describes itself: weightSpecs is what build creates, and
 * fromConfig inverts getConfig.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Layer, SymbolicShape } from '../../src/layers/layer.js';
import { deserializeLayer, layerClassNames, serializeLayer } from '../../src/layers/registry.js';
import { removeDir, tempDir } from '../io/helpers.js';

const root = tempDir('rnnlab-options-');
afterAll(() => removeDir(root));
const L = rl.layers;

describe('options rnnlab does not implement are errors, not silently dropped', () => {
  it.each([
    ['stateful outside a recurrent layer', () => L.dense({ units: 2, stateful: true } as never), /dense\w* \(Dense\): stateful = true is not supported \(only SimpleRNN, LSTM and GRU keep states between calls\)/],
    ['recurrentDropout outside a recurrent layer', () => L.dense({ units: 2, recurrentDropout: 0.2 } as never), /\(Dense\): recurrentDropout = 0.2 is not supported \(only SimpleRNN, LSTM and GRU have recurrent dropout\)/],
    ['recurrentDropout out of [0, 1)', () => L.gru({ units: 2, recurrentDropout: 1 }), /gru\w*: recurrentDropout must be a number in \[0, 1\), got 1/],
    ['timeMajor', () => L.simpleRNN({ units: 2, timeMajor: true } as never), /\(SimpleRNN\): timeMajor = true is not supported \(rnnlab takes \(batch, steps, features\)\)/],
    ['groups', () => L.conv1d({ filters: 2, kernelSize: 2, groups: 2 } as never), /\(Conv1D\): groups = 2 is not supported \(grouped convolutions are not implemented\)/],
    ['noiseShape outside Dropout', () => L.dense({ units: 2, noiseShape: [1, 3] } as never), /\(Dense\): noiseShape = \[1,3\] is not supported \(this layer takes no noiseShape option; only Dropout and AlphaDropout do/],
    ['dtype', () => L.dense({ units: 2, dtype: 'float64' } as never), /\(Dense\): dtype policy 'float64' is not supported: use rl\.setPrecision\(64\)/],
    ['recurrentActivation on SimpleRNN', () => L.simpleRNN({ units: 2, recurrentActivation: 'sigmoid' } as never), /recurrentActivation does not apply \(SimpleRNN has no gates\)/],
    ['a non-boolean flag', () => L.lstm({ units: 2, returnSequences: 'yes' } as never), /returnSequences must be true or false, got the string "yes"/],
    ['an unknown initializer', () => L.dense({ units: 2, kernelInitializer: 'kaimingNormal' } as never), /initializer "kaimingNormal" is not supported|unknown kernelInitializer "kaimingNormal"/],
    ['dilationRate with strides', () => L.conv1d({ filters: 2, kernelSize: 2, strides: 2, dilationRate: 2 }), /\(Conv1D\): strides = 2 with dilationRate = 2 is not supported/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it('returnState inside a Sequential model or a wrapper (its states would be dropped)', () => {
    const m = rl.sequential();
    expect(() => m.add(L.lstm({ units: 2, returnState: true, inputShape: [3, 2], name: 'enc' })))
      .toThrow(/enc \(LSTM\): returnState is not supported in a Sequential model/);
    expect(() => rl.sequential({ layers: [L.bidirectional({ layer: L.gru({ units: 2, returnState: true }), inputShape: [3, 2] })] }))
      .toThrow(/returnState is not supported in a Sequential model/);
    // Outside a Sequential the option works: run returns the final states.
    const enc = L.lstm({ units: 2, returnState: true });
    const res = enc.run(rl.tensor(new Float32Array(12), [2, 3, 2]), { training: false, mask: null });
    expect(res.states.map((s) => s.shape)).toEqual([[2, 2], [2, 2]]);
  });

  it('a saved model using one of them fails to load with an error naming the field as the file spells it', async () => {
    const m = rl.sequential({ layers: [L.lstm({ units: 2, inputShape: [3, 2], name: 'lstm' }), L.dense({ units: 1, name: 'out' })] });
    const good = join(root, 'good');
    await m.save(good);
    const json = JSON.parse(readFileSync(join(good, 'model.json'), 'utf8'));
    const cases: [string, (layers: Record<string, Record<string, unknown>>[]) => void, RegExp][] = [
      ['recurrent-dropout', (ls) => { ls[0].config.recurrent_dropout = 1.5; }, /layer 0 \(LSTM 'lstm'\): lstm: recurrent_dropout must be a number in \[0, 1\), got 1.5/],
      ['regularizer', (ls) => { ls[1].config.activity_regularizer = { class_name: 'L3', config: { l3: 0.01 } }; }, /layer 1 \(Dense 'out'\): .*activity_regularizer .*is not a regularizer/],
      ['time-major', (ls) => { ls[0].config.time_major = true; }, /time_major = true is not supported/],
      ['return-state', (ls) => { ls[0].config.return_state = true; }, /return_state is not supported in a Sequential model/],
      ['stateful', (ls) => { ls[0].config.stateful = true; }, /stateful needs a fixed batch size/],
      // A key that is not an identifier must not break the message (it once became a regular expression).
      ['odd-key', (ls) => { ls[0].config['a_b['] = 1; delete ls[0].config.units; }, /lstm: missing required field 'units'/],
    ];
    for (const [name, edit, message] of cases) {
      const dir = join(root, name);
      mkdirSync(dir);
      const copy = JSON.parse(JSON.stringify(json));
      edit(copy.modelTopology.config.layers);
      writeFileSync(join(dir, 'model.json'), JSON.stringify(copy));
      writeFileSync(join(dir, 'weights.bin'), readFileSync(join(good, 'weights.bin')));
      const err = await rl.loadModel(dir).then(() => null, (e: Error) => e);
      expect(err, name).toBeInstanceOf(rl.ModelFormatError);
      expect(err!.message, name).toMatch(message);
    }
  });
});

/** One instance of every registered class, with the input shape it is built for. */
const EXAMPLES: Record<string, [() => Layer, SymbolicShape]> = {
  Activation: [() => L.activation({ activation: 'tanh' }), [null, 4]],
  AveragePooling1D: [() => L.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same' }), [null, 7, 2]],
  BatchNormalization: [() => L.batchNormalization({ axis: 1, momentum: 0.9, center: false, gammaRegularizer: 'l2' }), [null, 5, 2]],
  Bidirectional: [() => L.bidirectional({ layer: L.gru({ units: 3, returnSequences: true, resetAfter: false }), mergeMode: 'ave' }), [null, 5, 2]],
  Conv1D: [() => L.conv1d({ filters: 3, kernelSize: 2, strides: 2, padding: 'same', useBias: false }), [null, 7, 2]],
  Dense: [() => L.dense({ units: 3, activation: 'relu', kernelInitializer: 'heUniform' }), [null, 4]],
  Dropout: [() => L.dropout({ rate: 0.3 }), [null, 4]],
  Embedding: [() => L.embedding({ inputDim: 9, outputDim: 2, maskZero: true, inputLength: 6 }), [null, 6]],
  Flatten: [() => L.flatten(), [null, 3, 2]],
  GlobalAveragePooling1D: [() => L.globalAveragePooling1d(), [null, 5, 2]],
  GlobalMaxPooling1D: [() => L.globalMaxPooling1d(), [null, 5, 2]],
  GRU: [() => L.gru({ units: 3, recurrentActivation: 'hard_sigmoid' }), [null, 5, 2]],
  LayerNormalization: [() => L.layerNormalization({ axis: [1, 2], epsilon: 1e-5, betaConstraint: 'nonNeg' }), [null, 5, 2]],
  LSTM: [() => L.lstm({ units: 3, unitForgetBias: false, goBackwards: true }), [null, 5, 2]],
  MaxPooling1D: [() => L.maxPooling1d({ poolSize: 3, strides: 1 }), [null, 5, 2]],
  RepeatVector: [() => L.repeatVector({ n: 4 }), [null, 3]],
  ReverseTime: [() => new rl.layerClasses.ReverseTime(), [null, 5, 2]],
  SimpleRNN: [() => L.simpleRNN({ units: 3, returnSequences: true, dropout: 0.1 }), [null, 5, 2]],
  TimeDistributed: [() => L.timeDistributed({ layer: L.dense({ units: 2 }) }), [null, 5, 3]],
  UpSampling1D: [() => L.upSampling1d({ size: 3 }), [null, 5, 2]],
  // Shape, masking and noise layers (test/layers/ has their values, gradients and files).
  AlphaDropout: [() => L.alphaDropout({ rate: 0.2, seed: 3 }), [null, 5, 2]],
  Cropping1D: [() => L.cropping1d({ cropping: [1, 2] }), [null, 5, 2]],
  GaussianDropout: [() => L.gaussianDropout({ rate: 0.2 }), [null, 4]],
  GaussianNoise: [() => L.gaussianNoise({ stddev: 0.1 }), [null, 4]],
  Masking: [() => L.masking({ maskValue: -1 }), [null, 5, 2]],
  GroupNormalization: [() => L.groupNormalization({ groups: 2, epsilon: 1e-5, gammaRegularizer: 'l2' }), [null, 5, 4]],
  UnitNormalization: [() => L.unitNormalization({ axis: [1, 2] }), [null, 5, 2]],
  IntegerLookup: [() => L.integerLookup({ vocabulary: [3, 1, 4], maskToken: 0, outputMode: 'count' }), [null, 3]],
  Hashing: [() => L.hashing({ numBins: 4, maskValue: 0, salt: [1, 2] }), [null, 3]],
  Discretization: [() => L.discretization({ binBoundaries: [0, 1], outputMode: 'one_hot' }), [null, 3]],
  Normalization: [() => L.normalization({ axis: [1, 2], invert: true }), [null, 5, 2]],
  Permute: [() => L.permute({ dims: [2, 1] }), [null, 5, 2]],
  Reshape: [() => L.reshape({ targetShape: [-1, 5] }), [null, 5, 2]],
  SpatialDropout1D: [() => L.spatialDropout1d({ rate: 0.3 }), [null, 5, 2]],
  ZeroPadding1D: [() => L.zeroPadding1d({ padding: [0, 2] }), [null, 5, 2]],
  // Advanced activations and small preprocessing layers (test/layers/advanced_activations.test.ts).
  ActivityRegularization: [() => L.activityRegularization({ l1: 0.01 }), [null, 4]],
  CategoryEncoding: [() => L.categoryEncoding({ numTokens: 5, outputMode: 'count' }), [null, 3]],
  ELU: [() => L.elu({ alpha: 0.5 }), [null, 4]],
  LeakyReLU: [() => L.leakyReLU({ alpha: 0.1 }), [null, 4]],
  PReLU: [() => L.prelu({ sharedAxes: [1], alphaRegularizer: 'l2', alphaConstraint: 'nonNeg' }), [null, 5, 2]],
  ReLU: [() => L.reLU({ maxValue: 6, negativeSlope: 0.1 }), [null, 4]],
  Rescaling: [() => L.rescaling({ scale: 0.5, offset: 1 }), [null, 4]],
  Softmax: [() => L.softmax({ axis: [1, 2] }), [null, 5, 2]],
  ThresholdedReLU: [() => L.thresholdedReLU({ theta: 0.5 }), [null, 4]],
  // Recurrent cells and the generic rnn layer (test/compat/rnn_cells*.test.ts has their values and files).
  RNN: [() => L.rnn({ cell: [L.lstmCell({ units: 3 }), L.gruCell({ units: 2, resetAfter: false })], returnSequences: true, goBackwards: true }), [null, 5, 2]],
  SimpleRNNCell: [() => L.simpleRNNCell({ units: 3, dropout: 0.1 }), [null, 2]],
  LSTMCell: [() => L.lstmCell({ units: 3, unitForgetBias: false }), [null, 2]],
  GRUCell: [() => L.gruCell({ units: 3, recurrentActivation: 'hard_sigmoid' }), [null, 2]],
  StackedRNNCells: [() => L.stackedRNNCells({ cells: [L.simpleRNNCell({ units: 3 }), L.lstmCell({ units: 2 })] }), [null, 2]],
};

describe('the layer registry', () => {
  it('has an example here for every registered class', () => {
    // Layers of the functional API (several inputs, or none) have their round trips in test/compat/functional*.test.ts (MultiHeadAttention's in test/layers/multi_head_attention.test.ts).
    const functionalOnly = new Set(['InputLayer', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot', 'Attention', 'AdditiveAttention', 'MultiHeadAttention']);
    expect(layerClassNames().filter((n) => !functionalOnly.has(n)).sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  it.each(Object.entries(EXAMPLES))('%s: build creates exactly weightSpecs, and fromConfig(getConfig()) is the same layer', (_cls, [make, shape]) => {
    const layer = make();
    const specs = layer.weightSpecs(shape);
    layer.build(shape);
    expect(layer.weights.map((w) => w.shape)).toEqual(specs.map((s) => s.shape));
    // Wrappers' specs are scoped under their inner layers' names ('forward_gru/kernel'), as the variables are.
    layer.weights.forEach((w, i) => expect(w.name.endsWith(`/${specs[i].name}`) || w.name === specs[i].name).toBe(true));
    const back = deserializeLayer(serializeLayer(layer));
    expect(back.className).toBe(layer.className);
    expect(back.getConfig()).toEqual(layer.getConfig());
    back.build(shape);
    expect(back.weights.map((w) => w.shape)).toEqual(layer.weights.map((w) => w.shape));
    expect(back.computeOutputShape(shape)).toEqual(layer.computeOutputShape(shape));
  });
});

describe('names that are also Object.prototype members', () => {
  it('are unknown names, not crashes', () => {
    expect(() => L.dense({ units: 1, kernelInitializer: { className: 'constructor' } } as never)).toThrow(/initializer .* is not supported/);
    expect(() => L.dense({ units: 1, constructor: 1 } as never)).toThrow(/unknown option 'constructor'/);
    expect(() => L.dense({ units: 1, kernelInitializer: 'toString' } as never)).toThrow(/unknown kernelInitializer "toString"/);
  });
});
