/**
 * Condensed tfjs-examples programs (iris, boston-housing, addition-rnn, sentiment, lstm-text-generation,
 * date-conversion-attention, mnist-style dense, jena-weather-style fitDataset), each written once and run on
 * tfjs and on rnnlab. Weights are random in both, so each run is checked for what the program relies on.
 */
import { describe, expect } from 'vitest';
import { snippet, snippetChecked, type Run } from './snippet_harness.js';

const finiteLosses = ({ result }: Run) => {
  const losses = (result as { losses: number[] }).losses;
  expect(losses.length).toBeGreaterThan(0);
  losses.forEach((l) => expect(Number.isFinite(l)).toBe(true));
};

describe('tfjs-examples programs', () => {
  snippetChecked('iris: oneHot labels, sigmoid/softmax MLP, adam, validationData, argMax in tidy', async (tf) => {
    const features = [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5], [4.9, 3.0, 1.4, 0.2], [6.4, 3.2, 4.5, 1.5], [5.8, 2.7, 5.1, 1.9]];
    const targets = [0, 1, 2, 0, 1, 2];
    const xTrain = tf.tensor2d(features, [features.length, 4]);
    const yTrain = tf.oneHot(tf.tensor1d(targets, 'int32'), 3);
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 10, activation: 'sigmoid', inputShape: [xTrain.shape[1]] }));
    model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const losses: number[] = [];
    const h = await model.fit(xTrain, yTrain, {
      epochs: 5, validationData: [xTrain, yTrain],
      callbacks: { onEpochEnd: async (_epoch: number, logs: any) => { losses.push(logs.val_loss); await tf.nextFrame(); } },
    });
    const predictOut = tf.tidy(() => model.predict(tf.tensor2d([[5.0, 3.4, 1.5, 0.2]], [1, 4])).argMax(-1));
    return { losses, valAcc: h.history.val_acc, acc: h.history.acc, winner: predictOut.dataSync()[0], dtype: predictOut.dtype };
  }, (run, lib) => {
    finiteLosses(run);
    // tfjs logs compile's 'accuracy' as 'acc'; rnnlab lists Keras's 'accuracy' and answers to 'acc' as well.
    const r = run.result as { valAcc: number[]; acc: number[]; winner: number; dtype: string };
    expect(r.valAcc, lib).toHaveLength(5);
    expect(r.acc, lib).toHaveLength(5);
    expect(r.dtype).toBe('int32');
    expect([0, 1, 2]).toContain(r.winner);
  });

  snippetChecked('boston-housing: normalise with mean/std ops, leCunNormal MLP, validationSplit, evaluate().dataSync()', async (tf) => {
    const raw = tf.tensor2d(Array.from({ length: 40 }, (_, i) => [i % 7, (i * 3) % 11, i / 4]));
    const target = tf.tensor2d(Array.from({ length: 40 }, (_, i) => [(i % 7) * 2 + i / 10]));
    const dataMean = raw.mean(0);
    const dataStd = raw.sub(dataMean).square().mean(0).sqrt();
    const features = raw.sub(dataMean).div(dataStd);
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [3], units: 50, activation: 'sigmoid', kernelInitializer: 'leCunNormal' }));
    model.add(tf.layers.dense({ units: 1 }));
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const losses: number[] = [];
    await model.fit(features, target, { batchSize: 8, epochs: 4, validationSplit: 0.2,
      callbacks: { onEpochEnd: async (_e: number, logs: any) => { losses.push(logs.loss, logs.val_loss); } } });
    const result = model.evaluate(features, target, { batchSize: 8 });
    const kernel = model.layers[0].getWeights()[0];
    return { losses, testLoss: result.dataSync()[0], kernelShape: kernel.shape };
  }, (run) => {
    finiteLosses(run);
    const r = run.result as { testLoss: number; kernelShape: number[] };
    expect(Number.isFinite(r.testLoss)).toBe(true);
    expect(r.kernelShape).toEqual([3, 50]);
  });

  snippet('addition-rnn: encoder, repeatVector, decoder, timeDistributed dense, softmax; shapes and params', (tf) => {
    const maxLen = 7, vocabularySize = 12, digits = 3, hiddenSize = 16;
    const model = tf.sequential();
    model.add(tf.layers.lstm({ units: hiddenSize, recurrentInitializer: 'glorotNormal', inputShape: [maxLen, vocabularySize] }));
    model.add(tf.layers.repeatVector({ n: digits + 1 }));
    model.add(tf.layers.lstm({ units: hiddenSize, recurrentInitializer: 'glorotNormal', returnSequences: true }));
    model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: vocabularySize }) }));
    model.add(tf.layers.activation({ activation: 'softmax' }));
    model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    const buffer = tf.buffer([2, maxLen, vocabularySize]);
    buffer.set(1, 0, 0, 3);
    buffer.set(1, 1, 2, 5);
    const out = model.predict(buffer.toTensor());
    return [model.outputs[0].shape, model.countParams(), out.shape, out.sum(-1).arraySync().flat().map((v: number) => Math.round(v * 1e4) / 1e4)];
  });

  snippetChecked('addition-rnn: fit one epoch with yieldEvery and validationData', async (tf) => {
    const model = tf.sequential();
    model.add(tf.layers.simpleRNN({ units: 8, inputShape: [5, 4] }));
    model.add(tf.layers.repeatVector({ n: 2 }));
    model.add(tf.layers.simpleRNN({ units: 8, returnSequences: true }));
    model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4 }) }));
    model.add(tf.layers.activation({ activation: 'softmax' }));
    model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    const xs = tf.oneHot(tf.tensor2d([[0, 1, 2, 3, 0], [3, 2, 1, 0, 1]], [2, 5], 'int32'), 4).cast('float32');
    const ys = tf.oneHot(tf.tensor2d([[1, 2], [3, 0]], [2, 2], 'int32'), 4).cast('float32');
    const h = await model.fit(xs, ys, { epochs: 1, batchSize: 2, validationData: [xs, ys], yieldEvery: 'epoch' });
    return { losses: [h.history.loss[0], h.history.val_loss[0]], acc: h.history.val_acc[0] };
  }, finiteLosses);

  for (const kind of ['flatten', 'cnn', 'simpleRNN', 'lstm', 'bidirectionalLSTM']) {
    snippetChecked(`sentiment (${kind}): embedding model, binaryCrossentropy, acc, validationSplit`, async (tf) => {
      const vocabularySize = 30, embeddingSize = 8, maxLen = 12;
      const model = tf.sequential();
      model.add(tf.layers.embedding({ inputDim: vocabularySize, outputDim: embeddingSize, inputLength: maxLen }));
      if (kind === 'flatten') model.add(tf.layers.flatten());
      else if (kind === 'cnn') {
        model.add(tf.layers.dropout({ rate: 0.5 }));
        model.add(tf.layers.conv1d({ filters: 6, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' }));
        model.add(tf.layers.globalMaxPool1d({}));
        model.add(tf.layers.dense({ units: 10, activation: 'relu' }));
      } else if (kind === 'simpleRNN') model.add(tf.layers.simpleRNN({ units: 6 }));
      else if (kind === 'lstm') model.add(tf.layers.lstm({ units: 6 }));
      else model.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 6 }), mergeMode: 'concat' }));
      model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
      model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['acc'] });
      const x = tf.tensor2d(Array.from({ length: 10 }, (_, i) => Array.from({ length: maxLen }, (_, t) => (i * 7 + t * 3) % vocabularySize)));
      const y = tf.tensor1d(Array.from({ length: 10 }, (_, i) => i % 2));
      const h = await model.fit(x, y, { epochs: 2, batchSize: 4, validationSplit: 0.2, verbose: 0 });
      const p = model.predict(x.slice([0, 0], [1, maxLen]));
      return { losses: [...h.history.loss, ...h.history.val_loss], keys: Object.keys(h.history).sort(), shape: p.shape };
    }, (run) => {
      finiteLosses(run);
      expect((run.result as { keys: string[] }).keys).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
      expect((run.result as { shape: number[] }).shape).toEqual([1, 1]);
    });
  }

  snippetChecked('lstm-text-generation: stacked lstm, rmsprop, sample with log/div/multinomial in tidy', async (tf) => {
    const sampleLen = 6, charSetSize = 5;
    const model = tf.sequential();
    model.add(tf.layers.lstm({ units: 8, returnSequences: true, inputShape: [sampleLen, charSetSize] }));
    model.add(tf.layers.lstm({ units: 8, returnSequences: false }));
    model.add(tf.layers.dense({ units: charSetSize, activation: 'softmax' }));
    model.compile({ optimizer: tf.train.rmsprop(0.01), loss: 'categoricalCrossentropy' });
    const xs = tf.oneHot(tf.tensor2d([[0, 1, 2, 3, 4, 0], [1, 2, 3, 4, 0, 1]], [2, 6], 'int32'), charSetSize).cast('float32');
    const ys = tf.oneHot(tf.tensor1d([1, 2], 'int32'), charSetSize).cast('float32');
    const h = await model.fit(xs, ys, { epochs: 2, batchSize: 2 });
    const probs = model.predict(xs.slice([0, 0, 0], [1, sampleLen, charSetSize])).squeeze();
    const next = tf.tidy(() => {
      const logits = tf.div(tf.log(probs), Math.max(0.75, 1e-6));
      return tf.multinomial(logits, 1, null, false).dataSync()[0];
    });
    return { losses: h.history.loss, next };
  }, (run) => {
    finiteLosses(run);
    expect([0, 1, 2, 3, 4]).toContain((run.result as { next: number }).next);
  });

  snippet('date-conversion-attention: embedding+lstm encoder, initialState, dot attention, context; shapes', (tf) => {
    const inputLength = 6, outputLength = 4, inVocab = 9, outVocab = 7, units = 8;
    class GetLastTimestepLayer extends tf.layers.Layer {
      constructor(config?: object) { super(config || {}); }
      computeOutputShape(inputShape: number[]) { const s = inputShape.slice(); s.splice(s.length - 2, 1); return s; }
      call(input: any) {
        if (Array.isArray(input)) input = input[0];
        tf.util.assert(input.shape.length === 3, `Invalid input rank: ${input.shape.length}`);
        return input.gather([input.shape[1] - 1], 1).squeeze([1]);
      }
      static get className() { return 'GetLastTimestepLayer'; }
    }
    tf.serialization.registerClass(GetLastTimestepLayer);
    const encoderInput = tf.input({ shape: [inputLength] });
    const decoderInput = tf.input({ shape: [outputLength] });
    let encoder = tf.layers.embedding({ inputDim: inVocab, outputDim: units, inputLength, maskZero: true }).apply(encoderInput);
    encoder = tf.layers.lstm({ units, returnSequences: true }).apply(encoder);
    const encoderLast = new GetLastTimestepLayer({ name: 'encoderLast' }).apply(encoder);
    let decoder = tf.layers.embedding({ inputDim: outVocab, outputDim: units, inputLength: outputLength, maskZero: true }).apply(decoderInput);
    decoder = tf.layers.lstm({ units, returnSequences: true }).apply(decoder, { initialState: [encoderLast, encoderLast] });
    let attention = tf.layers.dot({ axes: [2, 2] }).apply([decoder, encoder]);
    attention = tf.layers.activation({ activation: 'softmax', name: 'attention' }).apply(attention);
    const context = tf.layers.dot({ axes: [2, 1], name: 'context' }).apply([attention, encoder]);
    const combined = tf.layers.concatenate().apply([context, decoder]);
    let output = tf.layers.timeDistributed({ layer: tf.layers.dense({ units, activation: 'tanh' }) }).apply(combined);
    output = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: outVocab, activation: 'softmax' }) }).apply(output);
    const model = tf.model({ inputs: [encoderInput, decoderInput], outputs: output });
    model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam' });
    const decoderBuffer = tf.buffer([1, outputLength]);
    decoderBuffer.set(1, 0, 0);
    const enc = tf.tensor2d([[3, 4, 5, 1, 2, 0]]);
    const finalStepModel = tf.model({ inputs: model.inputs, outputs: model.outputs.concat([model.getLayer('attention').output]) });
    const [probs, attn] = finalStepModel.predict([enc, decoderBuffer.toTensor()]);
    return [model.countParams(), probs.shape, attn.shape, probs.argMax(2).shape, attn.sum(-1).arraySync().flat().map((v: number) => Math.round(v * 1e4) / 1e4)];
  });

  snippetChecked('mnist-style dense: flatten of [28, 28, 1], rmsprop, onBatchEnd, evaluate with metrics', async (tf) => {
    const model = tf.sequential();
    model.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
    model.add(tf.layers.dense({ units: 42, activation: 'relu' }));
    model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const xs = tf.randomUniform([16, 28, 28, 1]);
    const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), 'int32'), 10).cast('float32');
    const batches: number[] = [];
    await model.fit(xs, ys, { epochs: 1, batchSize: 8, validationSplit: 0.25, callbacks: { onBatchEnd: async (_b: number, logs: any) => { batches.push(logs.loss); } } });
    const [loss, acc] = model.evaluate(xs, ys);
    return { losses: [...batches, loss.dataSync()[0]], acc: acc.dataSync()[0] };
  }, finiteLosses);

  snippetChecked('jena-weather-style: gru and an l2-regularised MLP trained by fitDataset from generators', async (tf) => {
    function* gen() {
      for (let b = 0; ; b++) yield { xs: tf.randomNormal([4, 5, 3]), ys: tf.fill([4, 1], b % 2) };
    }
    const losses: number[] = [];
    for (const body of ['gru', 'mlp']) {
      const model = tf.sequential();
      if (body === 'gru') model.add(tf.layers.gru({ units: 6, inputShape: [5, 3] }));
      else {
        model.add(tf.layers.flatten({ inputShape: [5, 3] }));
        model.add(tf.layers.dense({ units: 8, kernelRegularizer: tf.regularizers.l2(), activation: 'relu' }));
        model.add(tf.layers.dropout({ rate: 0.25 }));
      }
      model.add(tf.layers.dense({ units: 1 }));
      model.compile({ loss: 'meanAbsoluteError', optimizer: tf.train.rmsprop(0.01) });
      const h = await model.fitDataset(tf.data.generator(gen), { batchesPerEpoch: 3, epochs: 2, validationData: tf.data.generator(gen), validationBatches: 2 });
      losses.push(...h.history.loss, ...h.history.val_loss);
    }
    return { losses };
  }, finiteLosses);
});
