/**
 * tfjs-examples sentiment (sentiment/train.js buildModel and main, sentiment/data.js loadFeatures/loadTargets,
 * sentiment/sequence_utils.js padSequences, sentiment/embedding.js, sentiment/index.js predict), ported verbatim
 * apart from the import, the download (a small synthetic IMDb-format data set written to the temp folder instead)
 * and the sizes; run against TensorFlow.js and rnnlab.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expectAllClose, rl, seededRandom, seedMathRandomPerTest, setWeightValues, tfjs, weightValues, withTfjsRecurrentDefaults } from './tfjs_examples_harness.js';

seedMathRandomPerTest();

const PAD_INDEX = 0;
const OOV_INDEX = 2;

function padSequences(sequences: number[][], maxLen: number, padding = 'pre', truncating = 'pre', value = PAD_INDEX) {
  return sequences.map(seq => {
    if (seq.length > maxLen) {
      if (truncating === 'pre') {
        seq.splice(0, seq.length - maxLen);
      } else {
        seq.splice(maxLen, seq.length - maxLen);
      }
    }
    if (seq.length < maxLen) {
      const pad = [];
      for (let i = 0; i < maxLen - seq.length; ++i) {
        pad.push(value);
      }
      if (padding === 'pre') {
        seq = pad.concat(seq);
      } else {
        seq = seq.concat(pad);
      }
    }
    return seq;
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function port(tf: any) {
  function loadFeatures(filePath: string, numWords: number, maxLen: number, multihot = false) {
    const buffer = fs.readFileSync(filePath);
    const numBytes = buffer.byteLength;
    const sequences: number[][] = [];
    let seq: number[] = [];
    let index = 0;
    while (index < numBytes) {
      const value = buffer.readInt32LE(index);
      if (value === 1) {
        if (index > 0) {
          sequences.push(seq);
        }
        seq = [];
      } else {
        seq.push(value >= numWords ? OOV_INDEX : value);
      }
      index += 4;
    }
    if (seq.length > 0) {
      sequences.push(seq);
    }
    if (multihot) {
      const buffer = tf.buffer([sequences.length, numWords]);
      sequences.forEach((seq, i) => {
        seq.forEach(wordIndex => {
          if (wordIndex !== OOV_INDEX) {
            buffer.set(1, i, wordIndex);
          }
        });
      });
      return buffer.toTensor();
    } else {
      const paddedSequences = padSequences(sequences, maxLen, 'pre', 'pre');
      return tf.tensor2d(paddedSequences, [paddedSequences.length, maxLen], 'int32');
    }
  }

  function loadTargets(filePath: string) {
    const buffer = fs.readFileSync(filePath);
    const numBytes = buffer.byteLength;
    const ys = [];
    for (let i = 0; i < numBytes; ++i) {
      ys.push(buffer.readUInt8(i));
    }
    return tf.tensor2d(ys, [ys.length, 1], 'float32');
  }

  function loadData(dataDir: string, numWords: number, len: number, multihot = false) {
    const xTrain = loadFeatures(path.join(dataDir, 'imdb_train_data.bin'), numWords, len, multihot);
    const xTest = loadFeatures(path.join(dataDir, 'imdb_test_data.bin'), numWords, len, multihot);
    const yTrain = loadTargets(path.join(dataDir, 'imdb_train_targets.bin'));
    const yTest = loadTargets(path.join(dataDir, 'imdb_test_targets.bin'));
    tf.util.assert(xTrain.shape[0] === yTrain.shape[0], `Mismatch in number of examples between xTrain and yTrain`);
    tf.util.assert(xTest.shape[0] === yTest.shape[0], `Mismatch in number of examples between xTest and yTest`);
    return {xTrain, yTrain, xTest, yTest};
  }

  function buildModel(modelType: string, maxLen: number, vocabularySize: number, embeddingSize: number) {
    const model = tf.sequential();
    if (modelType === 'multihot') {
      model.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape: [vocabularySize] }));
      model.add(tf.layers.dense({ units: 16, activation: 'relu' }));
    } else {
      model.add(tf.layers.embedding({ inputDim: vocabularySize, outputDim: embeddingSize, inputLength: maxLen }));
      if (modelType === 'flatten') {
        model.add(tf.layers.flatten());
      } else if (modelType === 'cnn') {
        model.add(tf.layers.dropout({rate: 0.5}));
        model.add(tf.layers.conv1d({ filters: 250, kernelSize: 5, strides: 1, padding: 'valid', activation: 'relu' }));
        model.add(tf.layers.globalMaxPool1d({}));
        model.add(tf.layers.dense({units: 250, activation: 'relu'}));
      } else if (modelType === 'simpleRNN') {
        model.add(tf.layers.simpleRNN({units: 32}));
      } else if (modelType === 'lstm') {
        model.add(tf.layers.lstm({units: 32}));
      } else if (modelType === 'bidirectionalLSTM') {
        model.add(tf.layers.bidirectional({layer: tf.layers.lstm({units: 32}), mergeMode: 'concat'}));
      } else {
        throw new Error(`Unsupported model type: ${modelType}`);
      }
    }
    model.add(tf.layers.dense({units: 1, activation: 'sigmoid'}));
    return model;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  function extractEmbeddingMatrix(model: any) {
    for (const layer of model.layers) {
      if (layer.getClassName() === 'Embedding') {
        const embed = layer.getWeights()[0];
        tf.util.assert(embed.rank === 2, `Expected the rank of an embedding matrix to be 2, but got ${embed.rank}`);
        return embed;
      }
    }
    throw new Error('Cannot find any Embedding layer in model.');
  }
  return { loadData, buildModel, extractEmbeddingMatrix };
}

/** IMDb's binary layout (int32 words, 1 starts a review; uint8 labels): good words 4..23, bad 24..43, noise 44..79. */
function writeImdbFiles(dir: string, split: string, n: number, random: () => number): void {
  const words: number[] = [], labels: number[] = [];
  for (let r = 0; r < n; r++) {
    const positive = r % 2;
    labels.push(positive);
    words.push(1);
    const len = 6 + Math.floor(random() * 14);
    for (let k = 0; k < len; k++) {
      const signal = random() < 0.4;
      words.push(signal ? (positive ? 4 : 24) + Math.floor(random() * 20) : 44 + Math.floor(random() * 36));
    }
  }
  fs.writeFileSync(path.join(dir, `imdb_${split}_data.bin`), Buffer.from(new Int32Array(words).buffer));
  fs.writeFileSync(path.join(dir, `imdb_${split}_targets.bin`), Buffer.from(labels));
}

let dataDir = '';
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-sentiment-imdb-'));
  const random = seededRandom(7);
  writeImdbFiles(dataDir, 'train', 120, random);
  writeImdbFiles(dataDir, 'test', 40, random);
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const numWords = 60, maxLen = 12, embeddingSize = 8;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function trainAndEvaluate(tf: any, modelType: string, epochs: number, batchSize: number, from?: number[][]) {
  const { loadData, buildModel, extractEmbeddingMatrix } = port(tf);
  const multihot = modelType === 'multihot';
  const {xTrain, yTrain, xTest, yTest} = loadData(dataDir, numWords, maxLen, multihot);
  const model = buildModel(modelType, maxLen, numWords, embeddingSize);
  model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['acc'] });
  if (from) setWeightValues(model, from);
  const initial = weightValues(model);
  const history = await model.fit(xTrain, yTrain, { epochs, batchSize, validationSplit: 0.2, callbacks: null, verbose: 0 });
  const [testLoss, testAcc] = model.evaluate(xTest, yTest, {batchSize});
  const loss = (await testLoss.data())[0], acc = (await testAcc.data())[0];
  const embed = multihot ? null : extractEmbeddingMatrix(model);
  return { model, initial, history: history.history, loss, acc, xShape: xTrain.shape, xDtype: xTrain.dtype,
    embedShape: embed?.shape, predictions: Array.from(model.predict(xTest).dataSync() as ArrayLike<number>) };
}

describe('tfjs-examples sentiment on rnnlab', () => {
  // One full batch per epoch, so fit's shuffling (each library's own random stream) cannot change the numbers.
  for (const modelType of ['multihot', 'flatten', 'simpleRNN', 'lstm', 'bidirectionalLSTM']) {
    it(`${modelType}: from tfjs's initial weights, the same history, evaluation and predictions`, async () => {
      const theirs = await trainAndEvaluate(tfjs, modelType, 4, 128);
      // tfjs's recurrent defaults (hardSigmoid gates) so the same weights mean the same model; the cnn test and the
      // save/load test below run on rnnlab's own defaults.
      const ours = await trainAndEvaluate(withTfjsRecurrentDefaults(rl), modelType, 4, 128, theirs.initial);
      expect(ours.xShape).toEqual(theirs.xShape);
      expect(ours.xDtype).toBe(theirs.xDtype);
      expect(ours.embedShape).toEqual(theirs.embedShape);
      expect(Object.keys(ours.history).sort()).toEqual(Object.keys(theirs.history).sort());
      // Accuracy may differ by one example whose probability sits at the 0.5 threshold; the losses may not.
      for (const key of Object.keys(theirs.history)) {
        if (key.endsWith('acc')) expectAllClose(ours.history[key], theirs.history[key], 1 / 24 + 1e-6, key);
        else expectAllClose(ours.history[key], theirs.history[key], 5e-5, key);
      }
      expectAllClose([ours.loss], [theirs.loss], 5e-5, 'evaluate loss');
      expectAllClose([ours.acc], [theirs.acc], 1 / 40 + 1e-6, 'evaluate acc');
      // rl.train.adam puts epsilon outside the bias correction (Keras; docs/API.md): trained numbers agree to ~1e-4.
      expectAllClose(ours.predictions, theirs.predictions, 3e-4, 'predict');
      expect(ours.history.loss[3]).toBeLessThan(ours.history.loss[0]);
    });
  }

  it('cnn (dropout, conv1d, globalMaxPool1d): same untrained predictions from tfjs weights; it learns on rnnlab', async () => {
    // tfjs's CPU conv1d with 250 filters is slow, and dropout draws from each library's own stream: the trained
    // numbers are compared above for the dropout-free models; here the forward pass, then learning on rnnlab.
    const untrained = async (tf: typeof rl | typeof tfjs, from?: number[][]) => {
      const { loadData, buildModel } = port(tf);
      const { xTest, yTest } = loadData(dataDir, numWords, maxLen);
      const model = buildModel('cnn', maxLen, numWords, embeddingSize);
      model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam', metrics: ['acc'] });
      if (from) setWeightValues(model, from);
      const [loss] = model.evaluate(xTest, yTest, { batchSize: 16 });
      return { initial: weightValues(model), loss: (await loss.data())[0], predictions: Array.from(model.predict(xTest).dataSync() as ArrayLike<number>) };
    };
    const theirs = await untrained(tfjs), ours = await untrained(rl, theirs.initial);
    expectAllClose(ours.predictions, theirs.predictions, 1e-5, 'predict');
    expectAllClose([ours.loss], [theirs.loss], 1e-5, 'evaluate loss');
    // Seeded, and 12 epochs: unseeded, 8 epochs ended below 0.6 on 3 seeds in 1,000 (0.55 at worst); 12 epochs
    // reached at least 0.8 on each of 1,000 seeds.
    rl.setSeed(1);
    const run = await trainAndEvaluate(rl, 'cnn', 12, 32);
    expect(run.history.loss[11]).toBeLessThan(run.history.loss[0]);
    // Well above chance (0.5) on 40 test reviews.
    expect(run.acc).toBeGreaterThan(0.6);
  });
});

describe('tfjs-examples sentiment: save, load and the predictor, on rnnlab', () => {
  it('model.save(file://), tf.loadLayersModel and SentimentPredictor.predict give the trained model\'s score', async () => {
    const tf = rl;
    // Seeded, and long enough for the sentiment words to pull apart: 3 unseeded epochs left the two scores within
    // 0.003 of each other, in either order from run to run.
    rl.setSeed(1);
    const run = await trainAndEvaluate(tf, 'lstm', 10, 32);
    const modelSaveDir = path.join(dataDir, 'model');
    await run.model.save(`file://${modelSaveDir}`);
    const loaded = await tf.loadLayersModel(`file://${path.join(modelSaveDir, 'model.json')}`);
    // SentimentPredictor.predict from sentiment/index.js, with metadata built for the synthetic vocabulary.
    const wordIndex: Record<string, number> = { great: 1, fine: 2, awful: 21, dull: 22 };
    const predictor = { indexFrom: 3, maxLen, wordIndex, vocabularySize: numWords, model: loaded,
      predict(text: string) {
        const inputText = text.trim().toLowerCase().replace(/(\.|\,|\!)/g, '').split(' ');
        const sequence = inputText.map(word => {
          let wordIndex = this.wordIndex[word] + this.indexFrom;
          if (wordIndex > this.vocabularySize) {
            wordIndex = OOV_INDEX;
          }
          return wordIndex;
        });
        const paddedSequence = padSequences([sequence], this.maxLen);
        const input = tf.tensor2d(paddedSequence, [1, this.maxLen]);
        const predictOut = this.model.predict(input) as rl.Tensor;
        const score = predictOut.dataSync()[0];
        predictOut.dispose();
        return {score};
      } };
    const { score } = predictor.predict('Great, fine!');
    const direct = run.model.predict(rl.tensor2d(padSequences([[4, 5]], maxLen), [1, maxLen])) as rl.Tensor;
    expect(score).toBeCloseTo(direct.dataSync()[0], 6);
    expect(predictor.predict('awful dull').score).toBeLessThan(score);
  });
});
