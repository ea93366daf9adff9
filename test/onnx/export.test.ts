// Every lab model, a GRU of each reset kind and bidirectional models, exported to ONNX and run by ONNX Runtime:
// its outputs must equal model.predict's on the same inputs (max abs difference <= 1e-5), masked inputs included.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { imdbModel, additionModel, IMDB_MODELS } from '../../src/experiments/lab_models.js';
import { addition } from '../../src/data/addition.js';
import { maxAbsDiff, ortPredict, ortSession, tokenIds, trainBriefly } from './helpers.js';

const TOL = 1e-5;
const small = { vocab: 50, maxlen: 12, embeddingDim: 8, units: 6 };

async function expectSameAsOrt(m: rl.Sequential, x: rl.Tensor): Promise<number> {
  const session = await ortSession(toOnnx(m));
  const ours = m.predict(x).data;
  const theirs = await ortPredict(session, x);
  const diff = maxAbsDiff(ours, theirs);
  expect(diff).toBeLessThanOrEqual(TOL);
  return diff;
}

function floatIds(x: rl.Tensor): rl.Tensor {
  return rl.tensor(Float32Array.from(x.data), x.shape);
}

describe('ONNX export matches rnnlab predict in ONNX Runtime', () => {
  for (const name of IMDB_MODELS) {
    it(`IMDb lab model ${name}`, async () => {
      rl.setSeed(3);
      const m = imdbModel(name, small);
      const ids = tokenIds(20, small.maxlen, small.vocab, 5, { pad: true });
      const x = name === 'ff_raw' ? floatIds(ids) : ids;
      await trainBriefly(m, x, 'binaryCrossentropy');
      await expectSameAsOrt(m, x);
    });
  }

  for (const name of ['simple_rnn', 'lstm', 'gru', 'bilstm'] as const) {
    it(`${name} with maskZero on padded rows, holes inside rows and an all-padding row`, async () => {
      rl.setSeed(4);
      const m = imdbModel(name, { ...small, maskZero: true });
      const x = tokenIds(16, small.maxlen, small.vocab, 6, { pad: true, holes: true, allowEmpty: true });
      await trainBriefly(m, x, 'binaryCrossentropy');
      await expectSameAsOrt(m, x);
    });
  }

  for (const rnn of ['lstm', 'gru', 'simple_rnn'] as const) {
    it(`addition seq2seq with ${rnn} (RepeatVector, returnSequences, TimeDistributed softmax) on generated sums`, async () => {
      rl.setSeed(5);
      const data = addition({ trainingSize: 64, digits: 2, reverse: true, seed: 7 });
      const m = additionModel({ digits: 2, hidden: 10, rnn, layers: 2 });
      const x = rl.tensor(data.train.x.data, data.train.x.shape);
      await trainBriefly(m, x, 'categoricalCrossentropy');
      await expectSameAsOrt(m, x);
    });
  }

  for (const resetAfter of [true, false]) {
    it(`GRU resetAfter=${resetAfter}, returnSequences, goBackwards and hard_sigmoid`, async () => {
      rl.setSeed(6);
      const m = rl.sequential({ layers: [
        rl.layers.embedding({ inputDim: 30, outputDim: 5, inputLength: 9 }),
        rl.layers.gru({ units: 4, resetAfter, returnSequences: true, goBackwards: true }),
        rl.layers.gru({ units: 3, resetAfter, recurrentActivation: 'hard_sigmoid' }),
        rl.layers.dense({ units: 1, activation: 'sigmoid' }),
      ] });
      const x = tokenIds(10, 9, 30, 8);
      await trainBriefly(m, x, 'binaryCrossentropy');
      await expectSameAsOrt(m, x);
    });
  }

  for (const mergeMode of ['concat', 'sum', 'mul', 'ave'] as const) {
    it(`Bidirectional(${mergeMode}) with returnSequences over masked input, then Bidirectional GRU`, async () => {
      rl.setSeed(7);
      const m = rl.sequential({ layers: [
        rl.layers.embedding({ inputDim: 30, outputDim: 5, inputLength: 10, maskZero: true }),
        rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 4, returnSequences: true }), mergeMode }),
        rl.layers.bidirectional({ layer: rl.layers.gru({ units: 3 }), mergeMode }),
        rl.layers.dense({ units: 2, activation: 'softmax' }),
      ] });
      const x = tokenIds(12, 10, 30, 9, { pad: true, holes: true, allowEmpty: true });
      await trainBriefly(m, x, 'categoricalCrossentropy');
      await expectSameAsOrt(m, x);
    });
  }

  it('masked returnSequences layers (forward and goBackwards) keep Keras carried outputs at padded steps', async () => {
    rl.setSeed(8);
    const m = rl.sequential({ layers: [
      rl.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 8, maskZero: true }),
      rl.layers.dropout({ rate: 0.3 }),
      rl.layers.simpleRNN({ units: 3, returnSequences: true, goBackwards: true }),
      rl.layers.lstm({ units: 3, returnSequences: true }),
      rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 2 }) }),
      rl.layers.activation({ activation: 'tanh' }),
    ] });
    const x = tokenIds(9, 8, 20, 10, { pad: true, holes: true, allowEmpty: true });
    await trainBriefly(m, x, 'binaryCrossentropy');
    await expectSameAsOrt(m, x);
  });

  it('Conv1D with valid padding and stride 2, MaxPooling1D with same padding, Flatten, Dense', async () => {
    rl.setSeed(9);
    const m = rl.sequential({ layers: [
      rl.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 11 }),
      rl.layers.conv1d({ filters: 5, kernelSize: 4, strides: 2, activation: 'tanh' }),
      rl.layers.maxPooling1d({ poolSize: 3, padding: 'same' }),
      rl.layers.flatten(),
      rl.layers.dense({ units: 3, activation: 'hard_sigmoid' }),
    ] });
    const x = tokenIds(7, 11, 20, 11);
    await trainBriefly(m, x, 'binaryCrossentropy');
    await expectSameAsOrt(m, x);
  });
});

describe('ONNX export refuses what it cannot express, naming the layer and class', () => {
  it('a recurrent layer with a linear activation', () => {
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 2, activation: 'linear', inputShape: [3, 2], name: 'lin_lstm' })] });
    expect(() => toOnnx(m)).toThrow(/layer 'lin_lstm' \(LSTM\) activation 'linear' has no ONNX recurrent equivalent/);
  });

  it('TimeDistributed around a layer that is not pointwise', () => {
    const m = rl.sequential({ layers: [rl.layers.timeDistributed({ layer: rl.layers.flatten(), inputShape: [3, 2, 2], name: 'td_flat' })] });
    expect(() => toOnnx(m)).toThrow(/layer 'td_flat' \(TimeDistributed\) wraps Flatten, which is not exported inside TimeDistributed/);
  });

  it('a layer class it does not know', () => {
    class Custom extends rl.layerClasses.Dense { readonly className = 'MyCustom' as 'Dense'; }
    const m = rl.sequential({ layers: [new Custom({ units: 2, inputDim: 3, name: 'mine' })] });
    expect(() => toOnnx(m)).toThrow(/layer 'mine' \(MyCustom\) has no ONNX export/);
  });

  it('a model that is not built', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2 })], name: 'unbuilt' });
    expect(() => toOnnx(m)).toThrow(/model 'unbuilt' is not built yet/);
  });
});
