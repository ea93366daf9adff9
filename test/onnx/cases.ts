// The models the ONNX tests export (and import back): every lab model, masked variants, the addition seq2seq,
// GRUs of both reset kinds, bidirectional merges, and the remaining layer options. Small sizes, briefly trained.
import * as rl from '../../src/index.js';
import { imdbModel, additionModel, IMDB_MODELS } from '../../src/experiments/lab_models.js';
import { addition } from '../../src/data/addition.js';
import { tokenIds, trainBriefly } from './helpers.js';

export interface OnnxCase {
  title: string;
  seed: number;
  build(): rl.Sequential;
  input(): rl.Tensor;
  loss: 'binaryCrossentropy' | 'categoricalCrossentropy';
}

const small = { vocab: 50, maxlen: 12, embeddingDim: 8, units: 6 };
const floatIds = (x: rl.Tensor) => rl.tensor(Float32Array.from(x.values), x.shape);
const L = rl.layers;

export const CASES: OnnxCase[] = [
  ...IMDB_MODELS.map((name, i): OnnxCase => ({
    title: `IMDb lab model ${name}`, seed: 3 + i, loss: 'binaryCrossentropy',
    build: () => imdbModel(name, small),
    input: () => { const ids = tokenIds(20, small.maxlen, small.vocab, 5, { pad: true }); return name === 'ff_raw' ? floatIds(ids) : ids; },
  })),
  ...(['simple_rnn', 'lstm', 'gru', 'bilstm'] as const).map((name, i): OnnxCase => ({
    title: `${name} with maskZero on padded rows, holes inside rows and an all-padding row`, seed: 20 + i, loss: 'binaryCrossentropy',
    build: () => imdbModel(name, { ...small, maskZero: true }),
    input: () => tokenIds(16, small.maxlen, small.vocab, 6, { pad: true, holes: true, allowEmpty: true }),
  })),
  ...(['lstm', 'gru', 'simple_rnn'] as const).map((rnn, i): OnnxCase => ({
    title: `addition seq2seq with ${rnn} (RepeatVector, returnSequences, TimeDistributed softmax) on generated sums`, seed: 30 + i,
    loss: 'categoricalCrossentropy',
    build: () => additionModel({ digits: 2, hidden: 10, rnn, layers: 2 }),
    input: () => { const d = addition({ trainingSize: 64, digits: 2, reverse: true, seed: 7 }); return rl.tensor(d.train.x.data, d.train.x.shape); },
  })),
  ...[true, false].map((resetAfter, i): OnnxCase => ({
    title: `GRU resetAfter=${resetAfter}, returnSequences, goBackwards and hard_sigmoid`, seed: 40 + i, loss: 'binaryCrossentropy',
    build: () => rl.sequential({ layers: [
      L.embedding({ inputDim: 30, outputDim: 5, inputLength: 9 }),
      L.gru({ units: 4, resetAfter, returnSequences: true, goBackwards: true }),
      L.gru({ units: 3, resetAfter, recurrentActivation: 'hard_sigmoid' }),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ] }),
    input: () => tokenIds(10, 9, 30, 8),
  })),
  ...(['concat', 'sum', 'mul', 'ave'] as const).map((mergeMode, i): OnnxCase => ({
    title: `Bidirectional(${mergeMode}) with returnSequences over masked input, then Bidirectional GRU`, seed: 50 + i,
    loss: 'categoricalCrossentropy',
    build: () => rl.sequential({ layers: [
      L.embedding({ inputDim: 30, outputDim: 5, inputLength: 10, maskZero: true }),
      L.bidirectional({ layer: L.lstm({ units: 4, returnSequences: true }), mergeMode }),
      L.bidirectional({ layer: L.gru({ units: 3 }), mergeMode }),
      L.dense({ units: 2, activation: 'softmax' }),
    ] }),
    input: () => tokenIds(12, 10, 30, 9, { pad: true, holes: true, allowEmpty: true }),
  })),
  {
    title: 'masked returnSequences layers (forward and goBackwards) keep Keras carried outputs at padded steps', seed: 60,
    loss: 'binaryCrossentropy',
    build: () => rl.sequential({ layers: [
      L.embedding({ inputDim: 20, outputDim: 4, inputLength: 8, maskZero: true }),
      L.dropout({ rate: 0.3 }),
      L.simpleRNN({ units: 3, returnSequences: true, goBackwards: true }),
      L.lstm({ units: 3, returnSequences: true }),
      L.timeDistributed({ layer: L.dense({ units: 2, activation: 'relu' }) }),
      L.activation({ activation: 'tanh' }),
    ] }),
    input: () => tokenIds(9, 8, 20, 10, { pad: true, holes: true, allowEmpty: true }),
  },
  {
    title: 'Embedding without inputLength (any number of steps) feeding a masked GRU', seed: 62, loss: 'binaryCrossentropy',
    build: () => rl.sequential({ layers: [
      L.embedding({ inputDim: 25, outputDim: 4, maskZero: true }),
      L.gru({ units: 3 }),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ] }),
    input: () => tokenIds(8, 13, 25, 12, { pad: true, holes: true }),
  },
  {
    title: 'Conv1D with valid padding and stride 2, MaxPooling1D with same padding, Flatten, Dense', seed: 61, loss: 'binaryCrossentropy',
    build: () => rl.sequential({ layers: [
      L.embedding({ inputDim: 20, outputDim: 4, inputLength: 11 }),
      L.conv1d({ filters: 5, kernelSize: 4, strides: 2, activation: 'tanh' }),
      L.maxPooling1d({ poolSize: 3, padding: 'same' }),
      L.flatten(),
      L.dense({ units: 3, activation: 'hard_sigmoid' }),
    ] }),
    input: () => tokenIds(7, 11, 20, 11),
  },
];

/** The case's model, briefly trained from its seed, and its input. */
export async function trainedCase(c: OnnxCase): Promise<{ model: rl.Sequential; x: rl.Tensor }> {
  rl.setSeed(c.seed);
  const model = c.build();
  const x = c.input();
  await trainBriefly(model, x, c.loss);
  return { model, x };
}
