/**
 * tfjs-examples addition-rnn (addition-rnn/index.js), ported verbatim apart from the import, the DOM/tfjs-vis parts
 * and the sizes; run against TensorFlow.js and rnnlab.
 */
import { describe, expect, it } from 'vitest';
import { expectAllClose, rl, seedMathRandomPerTest, setWeightValues, tfjs, weightValues, withTfjsRecurrentDefaults } from './tfjs_examples_harness.js';

seedMathRandomPerTest();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function port(tf: any) {
  class CharacterTable {
    chars: string; charIndices: Record<string, number>; indicesChar: Record<number, string>; size: number;
    constructor(chars: string) {
      this.chars = chars;
      this.charIndices = {};
      this.indicesChar = {};
      this.size = this.chars.length;
      for (let i = 0; i < this.size; ++i) {
        const char = this.chars[i];
        if (this.charIndices[char] != null) {
          throw new Error(`Duplicate character '${char}'`);
        }
        this.charIndices[this.chars[i]] = i;
        this.indicesChar[i] = this.chars[i];
      }
    }
    encode(str: string, numRows: number) {
      const buf = tf.buffer([numRows, this.size]);
      for (let i = 0; i < str.length; ++i) {
        const char = str[i];
        if (this.charIndices[char] == null) {
          throw new Error(`Unknown character: '${char}'`);
        }
        buf.set(1, i, this.charIndices[char]);
      }
      return buf.toTensor().as2D(numRows, this.size);
    }
    encodeBatch(strings: string[], numRows: number) {
      const numExamples = strings.length;
      const buf = tf.buffer([numExamples, numRows, this.size]);
      for (let n = 0; n < numExamples; ++n) {
        const str = strings[n];
        for (let i = 0; i < str.length; ++i) {
          const char = str[i];
          if (this.charIndices[char] == null) {
            throw new Error(`Unknown character: '${char}'`);
          }
          buf.set(1, n, i, this.charIndices[char]);
        }
      }
      return buf.toTensor().as3D(numExamples, numRows, this.size);
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    decode(x: any, calcArgmax = true) {
      return tf.tidy(() => {
        if (calcArgmax) {
          x = x.argMax(1);
        }
        const xData = x.dataSync();
        let output = '';
        for (const index of Array.from(xData) as number[]) {
          output += this.indicesChar[index];
        }
        return output;
      });
    }
  }

  function convertDataToTensors(data: string[][], charTable: CharacterTable, digits: number) {
    const maxLen = digits + 1 + digits;
    const questions = data.map(datum => datum[0]);
    const answers = data.map(datum => datum[1]);
    return [
      charTable.encodeBatch(questions, maxLen),
      charTable.encodeBatch(answers, digits + 1),
    ];
  }

  function createAndCompileModel(layers: number, hiddenSize: number, rnnType: string, digits: number, vocabularySize: number) {
    const maxLen = digits + 1 + digits;
    const model = tf.sequential();
    switch (rnnType) {
      case 'SimpleRNN':
        model.add(tf.layers.simpleRNN({ units: hiddenSize, recurrentInitializer: 'glorotNormal', inputShape: [maxLen, vocabularySize] }));
        break;
      case 'GRU':
        model.add(tf.layers.gru({ units: hiddenSize, recurrentInitializer: 'glorotNormal', inputShape: [maxLen, vocabularySize] }));
        break;
      case 'LSTM':
        model.add(tf.layers.lstm({ units: hiddenSize, recurrentInitializer: 'glorotNormal', inputShape: [maxLen, vocabularySize] }));
        break;
      default:
        throw new Error(`Unsupported RNN type: '${rnnType}'`);
    }
    model.add(tf.layers.repeatVector({n: digits + 1}));
    switch (rnnType) {
      case 'SimpleRNN':
        model.add(tf.layers.simpleRNN({ units: hiddenSize, recurrentInitializer: 'glorotNormal', returnSequences: true }));
        break;
      case 'GRU':
        model.add(tf.layers.gru({ units: hiddenSize, recurrentInitializer: 'glorotNormal', returnSequences: true }));
        break;
      case 'LSTM':
        model.add(tf.layers.lstm({ units: hiddenSize, recurrentInitializer: 'glorotNormal', returnSequences: true }));
        break;
      default:
        throw new Error(`Unsupported RNN type: '${rnnType}'`);
    }
    model.add(tf.layers.timeDistributed({layer: tf.layers.dense({units: vocabularySize})}));
    model.add(tf.layers.activation({activation: 'softmax'}));
    model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    return model;
  }
  return { CharacterTable, convertDataToTensors, createAndCompileModel };
}

/** The example's generateData, with Math.random replaced by a seeded stream so both libraries see the same data. */
function generateData(digits: number, numExamples: number): string[][] {
  let s = 12345;
  const random = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const output: string[][] = [];
  const maxLen = digits + 1 + digits;
  const f = () => { let str = ''; while (str.length < digits) str += String(Math.floor(random() * 10)); return Number.parseInt(str); };
  const seen = new Set<string>();
  while (output.length < numExamples) {
    const a = f(), b = f();
    const key = `${Math.min(a, b)}\`${Math.max(a, b)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const q = `${a}+${b}`;
    const ans = String(a + b);
    output.push([q + ' '.repeat(maxLen - q.length), ans + ' '.repeat(digits + 1 - ans.length)]);
  }
  return output;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function runDemo(tf: any, rnnType: string, weights?: number[][]) {
  const { CharacterTable, convertDataToTensors, createAndCompileModel } = port(tf);
  const digits = 2, trainingSize = 200, hiddenSize = 16, batchSize = 32, numTestExamples = 4;
  const chars = '0123456789+ ';
  const charTable = new CharacterTable(chars);
  const data = generateData(digits, trainingSize);
  const split = Math.floor(trainingSize * 0.9);
  const trainData = data.slice(0, split), testData = data.slice(split);
  const [trainXs, trainYs] = convertDataToTensors(trainData, charTable, digits);
  const [testXs, testYs] = convertDataToTensors(testData, charTable, digits);
  const model = createAndCompileModel(1, hiddenSize, rnnType, digits, chars.length);
  if (weights) setWeightValues(model, weights);
  const initial = weightValues(model);
  const losses: number[] = [], valAcc: number[] = [];
  for (let i = 0; i < 3; ++i) {
    const history = await model.fit(trainXs, trainYs, { epochs: 1, batchSize, validationData: [testXs, testYs], yieldEvery: 'epoch', shuffle: false });
    losses.push(history.history['loss'][0]);
    valAcc.push(history.history['val_acc'][0]);
    expect(typeof history.history['acc'][0]).toBe('number');
    expect(typeof history.history['val_loss'][0]).toBe('number');
  }
  const testXsForDisplay = testXs.slice([0, 0, 0], [numTestExamples, testXs.shape[1], testXs.shape[2]]);
  const examples: string[] = [];
  tf.tidy(() => {
    const predictOut = model.predict(testXsForDisplay);
    for (let k = 0; k < numTestExamples; ++k) {
      const scores = predictOut.slice([k, 0, 0], [1, predictOut.shape[1], predictOut.shape[2]]).as2D(predictOut.shape[1], predictOut.shape[2]);
      examples.push(testData[k][0] + ' = ' + charTable.decode(scores));
    }
  });
  const encoded = charTable.encode('12+3', 5);
  return { losses, valAcc, examples, initial, encodedShape: encoded.shape, encoded: Array.from(encoded.dataSync()), shapes: [trainXs.shape, trainYs.shape] };
}

describe('tfjs-examples addition-rnn on rnnlab', () => {
  for (const rnnType of ['SimpleRNN', 'GRU', 'LSTM']) {
    it(`${rnnType}: same data tensors, and from tfjs's initial weights the same losses, accuracies and answers`, async () => {
      const theirs = await runDemo(tfjs, rnnType);
      // tfjs's recurrent defaults (hardSigmoid gates, GRU resetAfter false) so the same weights mean the same model.
      const ours = await runDemo(withTfjsRecurrentDefaults(rl), rnnType, theirs.initial);
      expect(ours.shapes).toEqual([[180, 5, 12], [180, 3, 12]]);
      expect(ours.shapes).toEqual(theirs.shapes);
      expect(ours.encodedShape).toEqual(theirs.encodedShape);
      expect(ours.encoded).toEqual(theirs.encoded);
      expectAllClose(ours.losses, theirs.losses, 2e-5, 'loss');
      expectAllClose(ours.valAcc, theirs.valAcc, 1e-6, 'val_acc');
      expect(ours.examples).toEqual(theirs.examples);
    });

    it(`${rnnType}: runs unchanged on rnnlab's own defaults and learns`, async () => {
      const ours = await runDemo(rl, rnnType);
      expect(ours.losses[2]).toBeLessThan(ours.losses[0]);
      for (const e of ours.examples) expect(e).toMatch(/^\d+\+\d+ *= [0-9+ ]{3}$/);
    });
  }
});
