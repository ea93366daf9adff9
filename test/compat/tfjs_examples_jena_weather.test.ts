/**
 * tfjs-examples jena-weather (jena-weather/data.js JenaWeatherData, jena-weather/models.js), ported verbatim apart
 * from the import, the CSV download (a small synthetic CSV in the same layout instead) and the sizes; run against
 * TensorFlow.js and rnnlab: tf.data.generator over an iterator, fitDataset with batchesPerEpoch and validation,
 * forEachAsync, tf.moments, tf.losses.absoluteDifference, tf.regularizers.l2.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectAllClose, rl, seededRandom, seedMathRandomPerTest, setWeightValues, tfjs, weightValues, withTfjsRecurrentDefaults } from './tfjs_examples_harness.js';

seedMathRandomPerTest();

const TRAIN_MIN_ROW = 0;
const TRAIN_MAX_ROW = 300;
const VAL_MIN_ROW = 301;
const VAL_MAX_ROW = 500;

/** Jena's CSV layout: quoted header, "dd.mm.yyyy hh:mm:ss" rows every 10 minutes; a daily temperature cycle. */
function syntheticCsv(rows: number): string {
  const lines = ['"Date Time","p (mbar)","T (degC)","rh (%)"'];
  for (let i = 0; i < rows; i++) {
    const minutes = (i + 1) * 10, day = 1 + Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    const two = (n: number) => String(n).padStart(2, '0');
    const t = 5 + 4 * Math.sin((2 * Math.PI * i) / 144) + 0.3 * Math.cos(i / 7);
    lines.push(`${two(day)}.01.2009 ${two(h)}:${two(m)}:00,${(990 + Math.sin(i / 50)).toFixed(2)},${t.toFixed(2)},${(80 + 10 * Math.cos(i / 30)).toFixed(1)}`);
  }
  return lines.join('\n');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function port(tf: any) {
  class JenaWeatherData {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    [k: string]: any;
    async load(csvData: string) {
      const csvLines = csvData.split('\n');
      const columnNames = csvLines[0].split(',');
      for (let i = 0; i < columnNames.length; ++i) {
        columnNames[i] = columnNames[i].slice(1, columnNames[i].length - 1);
      }
      this.dateTimeCol = columnNames.indexOf('Date Time');
      tf.util.assert(this.dateTimeCol === 0, `Unexpected date-time column index`);
      this.dataColumnNames = columnNames.slice(1);
      this.tempCol = this.dataColumnNames.indexOf('T (degC)');
      tf.util.assert(this.tempCol >= 1, `Unexpected T (degC) column index`);
      this.dateTime = [];
      this.data = [];
      this.normalizedDayOfYear = [];
      this.normalizedTimeOfDay = [];
      for (let i = 1; i < csvLines.length; ++i) {
        const line = csvLines[i].trim();
        if (line.length === 0) {
          continue;
        }
        const items = line.split(',');
        const parsed = this.parseDateTime_(items[0]);
        this.dateTime.push(parsed.date);
        this.data.push(items.slice(1).map(x => +x));
        this.normalizedDayOfYear.push(parsed.normalizedDayOfYear);
        this.normalizedTimeOfDay.push(parsed.normalizedTimeOfDay);
      }
      this.numRows = this.data.length;
      this.numColumns = this.data[0].length;
      this.numColumnsExcludingTarget = this.data[0].length - 1;
      await this.calculateMeansAndStddevs_();
    }
    parseDateTime_(str: string) {
      const items = str.split(' ');
      const dateStrItems = items[0].split('.');
      const day = +dateStrItems[0];
      const month = +dateStrItems[1] - 1;
      const year = +dateStrItems[2];
      const timeStrItems = items[1].split(':');
      const date = new Date(Date.UTC(year, month, day, +timeStrItems[0], +timeStrItems[1], +timeStrItems[2]));
      const yearOnset = new Date(year, 0, 1);
      const normalizedDayOfYear = (+date - +yearOnset) / (366 * 1000 * 60 * 60 * 24);
      const dayOnset = new Date(year, month, day);
      const normalizedTimeOfDay = (+date - +dayOnset) / (1000 * 60 * 60 * 24);
      return {date, normalizedDayOfYear, normalizedTimeOfDay};
    }
    async calculateMeansAndStddevs_() {
      tf.tidy(() => {
        this.means = [];
        this.stddevs = [];
        for (const columnName of this.dataColumnNames) {
          const data = tf.tensor1d(this.getColumnData(columnName).slice(0, 6 * 24 * 365));
          const moments = tf.moments(data);
          this.means.push(moments.mean.dataSync());
          this.stddevs.push(Math.sqrt(moments.variance.dataSync()));
        }
      });
      this.normalizedData = [];
      for (let i = 0; i < this.numRows; ++i) {
        const row = [];
        for (let j = 0; j < this.numColumns; ++j) {
          row.push((this.data[i][j] - this.means[j]) / this.stddevs[j]);
        }
        this.normalizedData.push(row);
      }
    }
    getColumnData(columnName: string, includeTime?: boolean, normalize?: boolean, beginIndex?: number, length?: number, stride?: number) {
      const columnIndex = this.dataColumnNames.indexOf(columnName);
      tf.util.assert(columnIndex >= 0, `Invalid column name: ${columnName}`);
      if (beginIndex == null) { beginIndex = 0; }
      if (length == null) { length = this.numRows - beginIndex; }
      if (stride == null) { stride = 1; }
      const out = [];
      for (let i = beginIndex; i < beginIndex + length && i < this.numRows; i += stride) {
        const value = normalize ? this.normalizedData[i][columnIndex] : this.data[i][columnIndex];
        out.push(includeTime ? {x: this.dateTime[i].getTime(), y: value} : value);
      }
      return out;
    }
    getNextBatchFunction(shuffle: boolean, lookBack: number, delay: number, batchSize: number, step: number, minIndex: number, maxIndex: number, normalize: boolean, includeDateTime: boolean) {
      let startIndex = minIndex + lookBack;
      const lookBackSlices = Math.floor(lookBack / step);
      return {
        next: () => {
          const rowIndices = [];
          let done = false;
          if (shuffle) {
            const range = maxIndex - (minIndex + lookBack);
            for (let i = 0; i < batchSize; ++i) {
              const row = minIndex + lookBack + Math.floor(Math.random() * range);
              rowIndices.push(row);
            }
          } else {
            let r = startIndex;
            for (; r < startIndex + batchSize && r < maxIndex; ++r) {
              rowIndices.push(r);
            }
            if (r >= maxIndex) {
              done = true;
            }
          }
          const numExamples = rowIndices.length;
          startIndex += numExamples;
          const featureLength = includeDateTime ? this.numColumns + 2 : this.numColumns;
          const samples = tf.buffer([numExamples, lookBackSlices, featureLength]);
          const targets = tf.buffer([numExamples, 1]);
          for (let j = 0; j < numExamples; ++j) {
            const rowIndex = rowIndices[j];
            let exampleRow = 0;
            for (let r = rowIndex - lookBack; r < rowIndex; r += step) {
              let exampleCol = 0;
              for (let n = 0; n < featureLength; ++n) {
                let value;
                if (n < this.numColumns) {
                  value = normalize ? this.normalizedData[r][n] : this.data[r][n];
                } else if (n === this.numColumns) {
                  value = this.normalizedDayOfYear[r];
                } else {
                  value = this.normalizedTimeOfDay[r];
                }
                samples.set(value, j, exampleRow, exampleCol++);
              }
              const value = normalize ? this.normalizedData[r + delay][this.tempCol] : this.data[r + delay][this.tempCol];
              targets.set(value, j, 0);
              exampleRow++;
            }
          }
          return { value: {xs: samples.toTensor(), ys: targets.toTensor()}, done };
        }
      };
    }
  }

  async function getBaselineMeanAbsoluteError(jenaWeatherData: JenaWeatherData, normalize: boolean, includeDateTime: boolean, lookBack: number, step: number, delay: number) {
    const batchSize = 128;
    const dataset = tf.data.generator(() => jenaWeatherData.getNextBatchFunction(false, lookBack, delay, batchSize, step, VAL_MIN_ROW, VAL_MAX_ROW, normalize, includeDateTime));
    const batchMeanAbsoluteErrors: unknown[] = [];
    const batchSizes: number[] = [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await dataset.forEachAsync((dataItem: any) => {
      const features = dataItem.xs;
      const targets = dataItem.ys;
      const timeSteps = features.shape[1];
      batchSizes.push(features.shape[0]);
      batchMeanAbsoluteErrors.push(tf.tidy(() => tf.losses.absoluteDifference(targets, features.gather([timeSteps - 1], 1).gather([1], 2).squeeze([2]))));
    });
    const meanAbsoluteError = tf.tidy(() => {
      const batchSizesTensor = tf.tensor1d(batchSizes);
      const batchMeanAbsoluteErrorsTensor = tf.stack(batchMeanAbsoluteErrors);
      return batchMeanAbsoluteErrorsTensor.mul(batchSizesTensor).sum().div(batchSizesTensor.sum());
    });
    tf.dispose(batchMeanAbsoluteErrors);
    return meanAbsoluteError.dataSync()[0];
  }

  function buildLinearRegressionModel(inputShape: number[]) {
    const model = tf.sequential();
    model.add(tf.layers.flatten({inputShape}));
    model.add(tf.layers.dense({units: 1}));
    return model;
  }
  function buildMLPModel(inputShape: number[], kernelRegularizer?: unknown, dropoutRate?: number) {
    const model = tf.sequential();
    model.add(tf.layers.flatten({inputShape}));
    model.add(tf.layers.dense({units: 32, kernelRegularizer, activation: 'relu'}));
    if (dropoutRate! > 0) {
      model.add(tf.layers.dropout({rate: dropoutRate}));
    }
    model.add(tf.layers.dense({units: 1}));
    return model;
  }
  function buildSimpleRNNModel(inputShape: number[]) {
    const model = tf.sequential();
    model.add(tf.layers.simpleRNN({units: 32, inputShape}));
    model.add(tf.layers.dense({units: 1}));
    return model;
  }
  function buildGRUModel(inputShape: number[], dropout?: number, recurrentDropout?: number) {
    const model = tf.sequential();
    model.add(tf.layers.gru({ units: 32, inputShape, dropout: dropout || 0, recurrentDropout: recurrentDropout || 0 }));
    model.add(tf.layers.dense({units: 1}));
    return model;
  }
  function buildModel(modelType: string, numTimeSteps: number, numFeatures: number) {
    const inputShape = [numTimeSteps, numFeatures];
    let model;
    if (modelType === 'mlp') {
      model = buildMLPModel(inputShape);
    } else if (modelType === 'mlp-l2') {
      model = buildMLPModel(inputShape, tf.regularizers.l2());
    } else if (modelType === 'linear-regression') {
      model = buildLinearRegressionModel(inputShape);
    } else if (modelType === 'mlp-dropout') {
      model = buildMLPModel(inputShape, null, 0.25);
    } else if (modelType === 'simpleRNN') {
      model = buildSimpleRNNModel(inputShape);
    } else if (modelType === 'gru') {
      model = buildGRUModel(inputShape);
    } else {
      throw new Error(`Unsupported model type: ${modelType}`);
    }
    model.compile({loss: 'meanAbsoluteError', optimizer: 'rmsprop'});
    return model;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function trainModel(model: any, jenaWeatherData: JenaWeatherData, normalize: boolean, includeDateTime: boolean, lookBack: number, step: number, delay: number, batchSize: number, epochs: number, customCallback: unknown) {
    const trainShuffle = true;
    const trainDataset = tf.data.generator(() => jenaWeatherData.getNextBatchFunction(trainShuffle, lookBack, delay, batchSize, step, TRAIN_MIN_ROW, TRAIN_MAX_ROW, normalize, includeDateTime)).prefetch(8);
    const evalShuffle = false;
    const valDataset = tf.data.generator(() => jenaWeatherData.getNextBatchFunction(evalShuffle, lookBack, delay, batchSize, step, VAL_MIN_ROW, VAL_MAX_ROW, normalize, includeDateTime));
    await model.fitDataset(trainDataset, { batchesPerEpoch: 6, epochs, callbacks: customCallback, validationData: valDataset });
  }
  return { JenaWeatherData, getBaselineMeanAbsoluteError, buildModel, trainModel };
}

afterEach(() => { vi.restoreAllMocks(); });

const lookBack = 60, step = 6, delay = 12, batchSize = 32;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function run(tf: any, modelType: string, epochs: number, from?: number[][]) {
  const { JenaWeatherData, getBaselineMeanAbsoluteError, buildModel, trainModel } = port(tf);
  const jenaWeatherData = new JenaWeatherData();
  await jenaWeatherData.load(syntheticCsv(520));
  const baseline = await getBaselineMeanAbsoluteError(jenaWeatherData, true, false, lookBack, step, delay);
  const model = buildModel(modelType, Math.floor(lookBack / step), jenaWeatherData.numColumns);
  if (from) setWeightValues(model, from);
  const initial = weightValues(model);
  // The generator's Math.random row picks, made repeatable (after the initializers drew theirs).
  vi.spyOn(Math, 'random').mockImplementation(seededRandom(21));
  const losses: number[] = [], valLosses: number[] = [];
  await trainModel(model, jenaWeatherData, true, false, lookBack, step, delay, batchSize, epochs, {
    onEpochEnd: async (_epoch: number, logs: { loss: number; val_loss: number }) => { losses.push(logs.loss); valLosses.push(logs.val_loss); },
  });
  vi.mocked(Math.random).mockRestore();
  return { baseline, initial, losses, valLosses, means: jenaWeatherData.means.map((m: ArrayLike<number>) => m[0]), stddevs: jenaWeatherData.stddevs };
}

describe('tfjs-examples jena-weather on rnnlab', () => {
  for (const modelType of ['linear-regression', 'mlp', 'mlp-l2', 'simpleRNN', 'gru']) {
    it(`${modelType}: from tfjs's initial weights, the same baseline, normalization and fitDataset losses`, async () => {
      const theirs = await run(tfjs, modelType, 3);
      // tfjs's recurrent defaults (GRU: hardSigmoid gates, resetAfter false) so the same weights mean the same model.
      const ours = await run(withTfjsRecurrentDefaults(rl), modelType, 3, theirs.initial);
      expectAllClose(ours.means, theirs.means, 1e-6, 'means');
      expectAllClose(ours.stddevs, theirs.stddevs, 1e-6, 'stddevs');
      expectAllClose([ours.baseline], [theirs.baseline], 1e-6, 'baseline');
      expectAllClose(ours.losses, theirs.losses, 1e-4, 'loss');
      // val_loss is not compared: the example's iterator hands its last batch with done: true, which tfjs's
      // fitDataset/evaluateDataset still use (its forEachAsync does not) and rnnlab's drop.
      for (const v of ours.valLosses) expect(Number.isFinite(v)).toBe(true);
      expect(ours.losses[2]).toBeLessThan(ours.losses[0]);
    });
  }

  it('gru and mlp-dropout run unchanged on rnnlab\'s own defaults and learn', async () => {
    for (const modelType of ['gru', 'mlp-dropout']) {
      const ours = await run(rl, modelType, 3);
      expect(ours.losses[2]).toBeLessThan(ours.losses[0]);
    }
  });
});
