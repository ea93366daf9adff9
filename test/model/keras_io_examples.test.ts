/**
 * keras.io examples and tfjs-examples translation, their model-building, training and inference code rewritten with
 * rnnlab's tfjs/Keras API on small synthetic data: lstm_seq2seq (returnState, initialState, the inference models cut
 * from the loaded model), translation (the states as list inputs), bidirectional_lstm_imdb, addition_rnn and
 * text_classification_from_scratch. Parameter counts are Keras's; numbers are tfjs 4.22's from the same weights.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAllClose, rl, seedMathRandomPerTest, setWeightValues, tfjs, weightValues, withTfjsRecurrentDefaults } from '../compat/tfjs_examples_harness.js';

seedMathRandomPerTest();
const root = mkdtempSync(join(tmpdir(), 'rnnlab-keras-examples-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** Keras's LSTM parameter count. */
const lstmParams = (inDim: number, units: number) => 4 * units * (inDim + units + 1);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;

/** Repeatable numbers in [0, 1) for the synthetic data. */
function stream(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648));
}
/** One-hot rows [n, T, C] from a stream of classes. */
function oneHot(n: number, T: number, C: number, seed: number): number[] {
  return stream(n * T, seed).flatMap((v) => { const k = Math.floor(v * C); return Array.from({ length: C }, (_, j) => (j === k ? 1 : 0)); });
}

// keras.io lstm_seq2seq: the training model.
function seq2seq(tf: Lib, numEncoderTokens: number, numDecoderTokens: number, latentDim: number) {
  const encoderInputs = tf.input({ shape: [null, numEncoderTokens] });
  const encoder = tf.layers.lstm({ units: latentDim, returnState: true });
  const [, stateH, stateC] = encoder.apply(encoderInputs);
  const decoderInputs = tf.input({ shape: [null, numDecoderTokens] });
  const decoderLstm = tf.layers.lstm({ units: latentDim, returnSequences: true, returnState: true });
  const [decoderOutputs] = decoderLstm.apply(decoderInputs, { initialState: [stateH, stateC] });
  const decoderDense = tf.layers.dense({ units: numDecoderTokens, activation: 'softmax' });
  return tf.model({ inputs: [encoderInputs, decoderInputs], outputs: decoderDense.apply(decoderOutputs) });
}

// keras.io lstm_seq2seq (and tfjs-examples translation/index.js): the sampling models, cut from a (loaded) model.
function samplingModels(tf: Lib, model: Lib) {
  const encoderModel = tf.model({ inputs: model.input[0], outputs: [model.layers[2].output[1], model.layers[2].output[2]] });
  const latentDim = model.layers[2].output[1].shape[1];
  const decoderStateInputs = [tf.input({ shape: [latentDim], name: 'decoder_state_input_h' }), tf.input({ shape: [latentDim], name: 'decoder_state_input_c' })];
  const decoderLstm = model.layers[3];
  const decoderInputs = decoderLstm.input[0];
  const [out, h, c] = decoderLstm.apply(decoderInputs, { initialState: decoderStateInputs });
  const decoderModel = tf.model({ inputs: [decoderInputs].concat(decoderStateInputs), outputs: [model.layers[4].apply(out)].concat([h, c]) });
  return { encoderModel, decoderModel };
}

// translation/index.js decodeSequence: greedy, one step at a time, the states fed back.
function decodeSequence(tf: Lib, { encoderModel, decoderModel }: Lib, inputSeq: Lib, numDecoderTokens: number, steps: number): number[] {
  let statesValue = encoderModel.predict(inputSeq);
  let targetSeq = tf.buffer([1, 1, numDecoderTokens]);
  targetSeq.set(1, 0, 0, 0);
  const decoded: number[] = [];
  while (decoded.length < steps) {
    const [outputTokens, h, c] = decoderModel.predict([targetSeq.toTensor()].concat(statesValue));
    const sampledTokenIndex = outputTokens.reshape([outputTokens.shape[2]]).argMax().dataSync()[0];
    decoded.push(sampledTokenIndex);
    targetSeq = tf.buffer([1, 1, numDecoderTokens]);
    targetSeq.set(1, 0, 0, sampledTokenIndex);
    statesValue = [h, c];
  }
  return decoded;
}

describe('keras.io lstm_seq2seq / tfjs-examples translation', () => {
  const [N, TE, TD, E, D, L] = [10, 4, 3, 5, 6, 8];
  const data = (tf: Lib) => [tf.tensor(oneHot(N, TE, E, 1), [N, TE, E]), tf.tensor(oneHot(N, TD, D, 2), [N, TD, D]), tf.tensor(oneHot(N, TD, D, 3), [N, TD, D])];

  it("trains, saves, reloads and decodes as tfjs does from the same weights; Keras's parameter count", async () => {
    const theirs = seq2seq(tfjs, E, D, L);
    const ours = seq2seq(withTfjsRecurrentDefaults(rl), E, D, L);
    expect(ours.countParams()).toBe(lstmParams(E, L) + lstmParams(D, L) + (L + 1) * D);
    expect(ours.countParams()).toBe(theirs.countParams());
    setWeightValues(ours, weightValues(theirs));
    const runs = [];
    for (const [tf, model] of [[tfjs, theirs], [rl, ours]] as const) {
      model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const [enc, dec, target] = data(tf);
      const h = await model.fit([enc, dec], target, { batchSize: 2, epochs: 2, validationSplit: 0.2, shuffle: false, verbose: 0 });
      runs.push({ h: h.history, decoded: decodeSequence(tf, samplingModels(tf, model), enc.slice(1, 1), D, 4) });
    }
    const [t, o] = runs;
    expectAllClose(o.h.loss, t.h.loss, 1e-5, 'loss');
    expectAllClose(o.h.val_loss, t.h.val_loss, 1e-5, 'val_loss');
    expect(o.h.val_accuracy).toEqual(t.h.val_acc.map((v: number) => expect.closeTo(v, 6)));
    expect(o.decoded).toEqual(t.decoded);
    // The saved file's model gives the same sampling models.
    const dir = join(root, 'seq2seq');
    await ours.save(`file://${dir}`);
    const loaded = await rl.loadLayersModel(`file://${dir}`);
    expect(decodeSequence(rl, samplingModels(rl, loaded), data(rl)[0].slice(1, 1), D, 4)).toEqual(t.decoded);
  });

  it("the first decoding step equals the training model's first output (translation.ts: states passed in the input list)", () => {
    // translation.ts builds the decoder with decoderLstm.apply([decoderInputs, ...encoderStates]), and its sampling
    // decoder with apply([decoderInputs, hInput, cInput]) on the same layers.
    const encoderInputs = rl.layers.input({ shape: [null, E], name: 'encoderInputs' });
    const [, stateH, stateC] = rl.layers.lstm({ units: L, returnState: true, name: 'encoderLstm' }).apply(encoderInputs) as rl.SymbolicTensor[];
    const decoderInputs = rl.layers.input({ shape: [null, D], name: 'decoderInputs' });
    const decoderLstm = rl.layers.lstm({ units: L, returnSequences: true, returnState: true, name: 'decoderLstm' });
    const [decoderOutputs] = decoderLstm.apply([decoderInputs, stateH, stateC]) as rl.SymbolicTensor[];
    const decoderDense = rl.layers.dense({ units: D, activation: 'softmax', name: 'decoderDense' });
    const model = rl.model({ inputs: [encoderInputs, decoderInputs], outputs: decoderDense.apply(decoderOutputs) as rl.SymbolicTensor, name: 'seq2seqModel' });
    const encoderModel = rl.model({ inputs: encoderInputs, outputs: [stateH, stateC], name: 'encoderModel' });
    const hIn = rl.layers.input({ shape: [L], name: 'decoderStateInputHidden' });
    const cIn = rl.layers.input({ shape: [L], name: 'decoderStateInputCell' });
    const [out, h, c] = decoderLstm.apply([decoderInputs, hIn, cIn]) as rl.SymbolicTensor[];
    const decoderModel = rl.model({ inputs: [decoderInputs, hIn, cIn], outputs: [decoderDense.apply(out) as rl.SymbolicTensor, h, c], name: 'decoderModel' });
    const [enc, dec] = data(rl);
    const full = model.predict([enc, dec]) as rl.Tensor;
    const states = encoderModel.predict(enc) as rl.Tensor[];
    let step = dec.slice([0, 0, 0], [N, 1, D]);
    let st = states;
    for (let t = 0; t < TD; t++) {
      const [o, hh, cc] = decoderModel.predict([step, ...st]) as rl.Tensor[];
      expectAllClose(o.dataSync(), full.slice([0, t, 0], [N, 1, D]).dataSync(), 1e-6, `step ${t}`);
      st = [hh, cc];
      if (t + 1 < TD) step = dec.slice([0, t + 1, 0], [N, 1, D]);
    }
  });
});

describe('keras.io bidirectional_lstm_imdb', () => {
  const build = (tf: Lib, maxFeatures: number) => {
    const inputs = tf.input({ shape: [null], dtype: 'int32' });
    let x = tf.layers.embedding({ inputDim: maxFeatures, outputDim: 8 }).apply(inputs);
    x = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true }) }).apply(x);
    x = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4 }) }).apply(x);
    return tf.model({ inputs, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(x) });
  };

  it("has Keras's parameter count and trains as tfjs does from the same weights", async () => {
    const theirs = build(tfjs, 30);
    const ours = build(withTfjsRecurrentDefaults(rl), 30);
    expect(ours.countParams()).toBe(30 * 8 + 2 * lstmParams(8, 4) + 2 * lstmParams(8, 4) + 9);
    expect(ours.outputs[0].shape).toEqual([null, 1]);
    setWeightValues(ours, weightValues(theirs));
    const ids = stream(16 * 7, 4).map((v) => Math.floor(v * 30)), labels = stream(16, 5).map((v) => (v > 0.5 ? 1 : 0));
    const runs = [];
    // SGD: the update rule is the same in both (Adam's epsilon sits differently, docs/API.md), so the runs agree closely.
    for (const [tf, model] of [[tfjs, theirs], [rl, ours]] as const) {
      model.compile({ optimizer: tf.train.sgd(0.5), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      const x = tf.tensor(ids, [16, 7], 'int32'), y = tf.tensor(labels, [16, 1]);
      const h = await model.fit(x, y, { batchSize: 4, epochs: 2, validationData: [x, y], shuffle: false, verbose: 0 });
      runs.push({ loss: h.history.loss, val: h.history.val_loss, p: (model.predict(x) as { dataSync(): Float32Array }).dataSync() });
    }
    expectAllClose(runs[1].loss, runs[0].loss, 1e-5, 'loss');
    expectAllClose(runs[1].val, runs[0].val, 1e-5, 'val_loss');
    expectAllClose(runs[1].p, runs[0].p, 1e-5, 'predictions');
  });
});

describe('keras.io addition_rnn', () => {
  it("builds with an Input in a Sequential, has Keras's parameter counts and answers argmax per digit", async () => {
    const [MAXLEN, CHARS, DIGITS, UNITS] = [7, 12, 3, 16];
    const model = rl.sequential();
    model.add(rl.layers.inputLayer({ inputShape: [MAXLEN, CHARS] }));
    model.add(rl.layers.lstm({ units: UNITS }));
    model.add(rl.layers.repeatVector({ n: DIGITS + 1 }));
    model.add(rl.layers.lstm({ units: UNITS, returnSequences: true }));
    model.add(rl.layers.dense({ units: CHARS, activation: 'softmax' }));
    model.compile({ loss: 'categorical_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    // model.layers holds the added InputLayer, as tfjs's does (Keras's Sequential leaves it out of layers).
    expect(model.layers.map((l) => l.countParams())).toEqual([0, lstmParams(CHARS, UNITS), 0, lstmParams(UNITS, UNITS), (UNITS + 1) * CHARS]);
    const x = rl.tensor(oneHot(24, MAXLEN, CHARS, 6), [24, MAXLEN, CHARS]), y = rl.tensor(oneHot(24, DIGITS + 1, CHARS, 7), [24, DIGITS + 1, CHARS]);
    const h = await model.fit(x, y, { batchSize: 8, epochs: 3, validationData: [x, y], verbose: 0 });
    expect(Object.keys(h.history)).toEqual(['loss', 'accuracy', 'val_loss', 'val_accuracy']);
    expect(h.history.loss[2]).toBeLessThan(h.history.loss[0]);
    const preds = (model.predict(x.slice([0, 0, 0], [1, MAXLEN, CHARS])) as rl.Tensor).argMax(-1);
    expect(preds.shape).toEqual([1, DIGITS + 1]);
  });
});

describe('keras.io text_classification_from_scratch', () => {
  const build = (tf: Lib = rl): rl.Functional => {
    const inputs = tf.input({ shape: [null], dtype: 'int32' });
    let x = tf.layers.embedding({ inputDim: 100, outputDim: 8 }).apply(inputs);
    x = tf.layers.dropout({ rate: 0.5 }).apply(x);
    x = tf.layers.conv1d({ filters: 8, kernelSize: 7, padding: 'valid', activation: 'relu', strides: 3 }).apply(x);
    x = tf.layers.conv1d({ filters: 8, kernelSize: 7, padding: 'valid', activation: 'relu', strides: 3 }).apply(x);
    x = tf.layers.globalMaxPooling1d().apply(x);
    x = tf.layers.dense({ units: 8, activation: 'relu' }).apply(x);
    x = tf.layers.dropout({ rate: 0.5 }).apply(x);
    const predictions = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'predictions' }).apply(x);
    const model = tf.model({ inputs, outputs: predictions });
    model.compile({ loss: tf === rl ? 'binary_crossentropy' : 'binaryCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    return model;
  };
  const rows = stream(16 * 40, 8).map((v) => Math.floor(v * 100));
  const labels = stream(16, 9).map((v) => (v > 0.5 ? 1 : 0));
  const dataset = () => rl.data.zip({ xs: rl.data.array(Array.from({ length: 16 }, (_, i) => rows.slice(i * 40, i * 40 + 40))), ys: rl.data.array(labels.map((l) => [l])) }).batch(4);

  it('predicts and evaluates as tfjs does from the same weights (strided convolutions, max pooling, dropout off)', () => {
    const theirs = build(tfjs), ours = build();
    setWeightValues(ours, weightValues(theirs));
    const outputs = ([[tfjs, theirs], [rl, ours]] as [Lib, Lib][]).map(([tf, model]) => {
      const x = tf.tensor(rows, [16, 40], 'int32');
      expect(model.outputs[0].shape).toEqual([null, 1]);
      const evaluated = (model.evaluate(x, tf.tensor(labels, [16, 1])) as { dataSync(): Float32Array }[]).map((t) => t.dataSync()[0]);
      return { p: (model.predict(x) as { dataSync(): Float32Array }).dataSync(), evaluated };
    });
    expectAllClose(outputs[1].p, outputs[0].p, 1e-6, 'predictions');
    expectAllClose(outputs[1].evaluated, outputs[0].evaluated, 1e-6, '[loss, accuracy]');
  });

  it("has Keras's parameter count, trains on datasets with fitDataset and evaluateDataset", async () => {
    const model = build();
    expect(model.countParams()).toBe(100 * 8 + 2 * (7 * 8 * 8 + 8) + (8 * 8 + 8) + 9);
    const h = await model.fitDataset(dataset(), { epochs: 2, validationData: dataset(), verbose: 0 });
    expect(Object.keys(h.history)).toEqual(['loss', 'accuracy', 'val_loss', 'val_accuracy']);
    const [loss] = (await model.evaluateDataset(dataset() as never, {})) as rl.Tensor[];
    expect(loss.dataSync()[0]).toBeCloseTo(h.history.val_loss[1], 5);
  });

  it("refuses Keras's fit(dataset), evaluate(dataset) and predict(dataset) naming the methods to use", async () => {
    const model = build();
    await expect(model.fit(dataset() as never, { epochs: 1 } as never)).rejects.toThrow(/^fit: got a dataset \(Keras's form\).*use model\.fitDataset\(dataset/);
    const x = rl.tensor(rows, [16, 40], 'int32'), y = rl.tensor(labels, [16, 1]);
    await expect(model.fit(x, y, { validationData: dataset() as never })).rejects.toThrow(/^fit: validationData: got a dataset.*validationData: dataset/);
    expect(() => model.evaluate(dataset() as never, undefined as never)).toThrow(/^evaluate: got a dataset.*model\.evaluateDataset\(dataset\)/);
    expect(() => model.predict(dataset() as never)).toThrow(/\.predict: got a dataset.*forEachAsync/);
    const seq = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [40] })] });
    seq.compile({ optimizer: 'sgd', loss: 'mse' });
    expect(() => seq.predict(dataset() as never)).toThrow(/\.predict: got a dataset/);
    expect(() => seq.trainOnBatch(dataset() as never, undefined as never)).toThrow(/^trainOnBatch: got a dataset.*each batch's tensors/);
    await expect(seq.fit(dataset() as never, { epochs: 1 } as never)).rejects.toThrow(/^fit: got a dataset/);
  });
});
