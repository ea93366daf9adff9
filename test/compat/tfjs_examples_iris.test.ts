/**
 * tfjs-examples iris (iris/data.js convertToTensors and getIrisData, iris/index.js trainModel and the confusion
 * matrix's predictions), ported verbatim apart from the import, the UI/tfjs-vis calls and the sizes (12 rows per
 * class of the example's IRIS_DATA); run against TensorFlow.js and rnnlab.
 */
import { describe, expect, it } from 'vitest';
import { expectAllClose, rl, seededRandom, seedMathRandomPerTest, setWeightValues, tfjs, weightValues } from './tfjs_examples_harness.js';

seedMathRandomPerTest();

const IRIS_CLASSES = ['Iris-setosa', 'Iris-versicolor', 'Iris-virginica'];
const IRIS_NUM_CLASSES = IRIS_CLASSES.length;
const IRIS_DATA = [
  [5.1, 3.5, 1.4, 0.2, 0], [4.9, 3.0, 1.4, 0.2, 0], [4.7, 3.2, 1.3, 0.2, 0], [4.6, 3.1, 1.5, 0.2, 0], [5.0, 3.6, 1.4, 0.2, 0],
  [5.4, 3.9, 1.7, 0.4, 0], [4.6, 3.4, 1.4, 0.3, 0], [5.0, 3.4, 1.5, 0.2, 0], [4.4, 2.9, 1.4, 0.2, 0], [4.9, 3.1, 1.5, 0.1, 0],
  [5.4, 3.7, 1.5, 0.2, 0], [4.8, 3.4, 1.6, 0.2, 0], [7.0, 3.2, 4.7, 1.4, 1], [6.4, 3.2, 4.5, 1.5, 1], [6.9, 3.1, 4.9, 1.5, 1],
  [5.5, 2.3, 4.0, 1.3, 1], [6.5, 2.8, 4.6, 1.5, 1], [5.7, 2.8, 4.5, 1.3, 1], [6.3, 3.3, 4.7, 1.6, 1], [4.9, 2.4, 3.3, 1.0, 1],
  [6.6, 2.9, 4.6, 1.3, 1], [5.2, 2.7, 3.9, 1.4, 1], [5.0, 2.0, 3.5, 1.0, 1], [5.9, 3.0, 4.2, 1.5, 1], [6.3, 3.3, 6.0, 2.5, 2],
  [5.8, 2.7, 5.1, 1.9, 2], [7.1, 3.0, 5.9, 2.1, 2], [6.3, 2.9, 5.6, 1.8, 2], [6.5, 3.0, 5.8, 2.2, 2], [7.6, 3.0, 6.6, 2.1, 2],
  [4.9, 2.5, 4.5, 1.7, 2], [7.3, 2.9, 6.3, 1.8, 2], [6.7, 2.5, 5.8, 1.8, 2], [7.2, 3.6, 6.1, 2.5, 2], [6.5, 3.2, 5.1, 2.0, 2],
  [6.4, 2.7, 5.3, 1.9, 2],
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function port(tf: any) {
  function convertToTensors(data: number[][], targets: number[], testSplit: number) {
    const numExamples = data.length;
    if (numExamples !== targets.length) {
      throw new Error('data and split have different numbers of examples');
    }
    const indices = [];
    for (let i = 0; i < numExamples; ++i) {
      indices.push(i);
    }
    tf.util.shuffle(indices);
    const shuffledData = [];
    const shuffledTargets = [];
    for (let i = 0; i < numExamples; ++i) {
      shuffledData.push(data[indices[i]]);
      shuffledTargets.push(targets[indices[i]]);
    }
    const numTestExamples = Math.round(numExamples * testSplit);
    const numTrainExamples = numExamples - numTestExamples;
    const xDims = shuffledData[0].length;
    const xs = tf.tensor2d(shuffledData, [numExamples, xDims]);
    const ys = tf.oneHot(tf.tensor1d(shuffledTargets).toInt(), IRIS_NUM_CLASSES);
    const xTrain = xs.slice([0, 0], [numTrainExamples, xDims]);
    const xTest = xs.slice([numTrainExamples, 0], [numTestExamples, xDims]);
    const yTrain = ys.slice([0, 0], [numTrainExamples, IRIS_NUM_CLASSES]);
    const yTest = ys.slice([0, 0], [numTestExamples, IRIS_NUM_CLASSES]);
    return [xTrain, yTrain, xTest, yTest];
  }

  function getIrisData(testSplit: number) {
    return tf.tidy(() => {
      const dataByClass: number[][][] = [];
      const targetsByClass: number[][] = [];
      for (let i = 0; i < IRIS_CLASSES.length; ++i) {
        dataByClass.push([]);
        targetsByClass.push([]);
      }
      for (const example of IRIS_DATA) {
        const target = example[example.length - 1];
        const data = example.slice(0, example.length - 1);
        dataByClass[target].push(data);
        targetsByClass[target].push(target);
      }
      const xTrains = [], yTrains = [], xTests = [], yTests = [];
      for (let i = 0; i < IRIS_CLASSES.length; ++i) {
        const [xTrain, yTrain, xTest, yTest] = convertToTensors(dataByClass[i], targetsByClass[i], testSplit);
        xTrains.push(xTrain);
        yTrains.push(yTrain);
        xTests.push(xTest);
        yTests.push(yTest);
      }
      const concatAxis = 0;
      return [tf.concat(xTrains, concatAxis), tf.concat(yTrains, concatAxis), tf.concat(xTests, concatAxis), tf.concat(yTests, concatAxis)];
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function trainModel(xTrain: any, yTrain: any, xTest: any, yTest: any, params: { learningRate: number; epochs: number }, from?: number[][]) {
    const model = tf.sequential();
    model.add(tf.layers.dense({units: 10, activation: 'sigmoid', inputShape: [xTrain.shape[1]]}));
    model.add(tf.layers.dense({units: 3, activation: 'softmax'}));
    if (from) setWeightValues(model, from);
    const initial = weightValues(model);
    const optimizer = tf.train.adam(params.learningRate);
    model.compile({ optimizer: optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const trainLogs: Record<string, number>[] = [];
    await model.fit(xTrain, yTrain, {
      epochs: params.epochs,
      validationData: [xTest, yTest],
      callbacks: {
        onEpochEnd: async (_epoch: number, logs: Record<string, number>) => {
          trainLogs.push(logs);
        },
      },
      verbose: 0,
    });
    const [preds, labels] = tf.tidy(() => {
      const preds = model.predict(xTest).argMax(-1);
      const labels = yTest.argMax(-1);
      return [preds, labels];
    });
    return { initial, trainLogs, preds: Array.from(preds.dataSync() as ArrayLike<number>), labels: Array.from(labels.dataSync() as ArrayLike<number>) };
  }
  return { getIrisData, trainModel };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function run(lib: any, from?: number[][]) {
  // tf.util.shuffle draws from each library's own stream: one shared permutation makes the splits the same.
  const random = seededRandom(17);
  const util = { ...lib.util, shuffle: (a: unknown[]) => { for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; } } };
  const { getIrisData, trainModel } = port({ ...lib, util });
  const [xTrain, yTrain, xTest, yTest] = getIrisData(0.25);
  const result = await trainModel(xTrain, yTrain, xTest, yTest, { learningRate: 0.05, epochs: 12 }, from);
  return { ...result, shapes: [xTrain.shape, yTrain.shape, xTest.shape, yTest.shape], yTrainDtype: yTrain.dtype };
}

describe('tfjs-examples iris on rnnlab', () => {
  it('same data split, the same epoch logs (acc and val_acc included) and the same test predictions from tfjs\'s weights', async () => {
    const theirs = await run(tfjs);
    const ours = await run(rl, theirs.initial);
    expect(ours.shapes).toEqual([[27, 4], [27, 3], [9, 4], [9, 3]]);
    expect(ours.shapes).toEqual(theirs.shapes);
    expect(ours.yTrainDtype).toBe(theirs.yTrainDtype);
    expect(ours.trainLogs).toHaveLength(12);
    for (const key of ['loss', 'acc', 'val_loss', 'val_acc']) {
      // rl.train.adam's documented epsilon placement (Keras's): trajectories agree to ~1e-5.
      expectAllClose(ours.trainLogs.map((l) => l[key]), theirs.trainLogs.map((l) => l[key]), key.endsWith('acc') ? 1e-6 : 1e-4, key);
    }
    expect(ours.trainLogs[11].loss).toBeLessThan(ours.trainLogs[0].loss);
    expect(ours.preds).toEqual(theirs.preds);
    expect(ours.labels).toEqual(theirs.labels);
  });
});
