/**
 * The tfjs API docs' tf.data examples (array, batch, map, filter, zip, generator, csv, fitDataset), each
 * written once and run on tfjs and on rnnlab.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { snippet, snippetChecked } from './snippet_harness.js';
import { expect } from 'vitest';

describe('tfjs API docs: tf.data', () => {
  snippet('array of numbers, of rows and of objects, batched and printed', async (tf) => {
    await tf.data.array([1, 2, 3, 4, 5, 6, 7, 8]).batch(4).forEachAsync((e: any) => e.print());
    await tf.data.array([[1], [2], [3], [4], [5], [6], [7], [8]]).batch(4).forEachAsync((e: any) => e.print());
    const c = tf.data.array([{ a: 1, b: 11 }, { a: 2, b: 12 }, { a: 3, b: 13 }]).batch(2);
    return c.toArray();
  }, { logs: true });

  snippet('map, filter, repeat, skip, take, concatenate', async (tf) => {
    const evens = await tf.data.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).filter((x: number) => x % 2 === 0).toArray();
    const squares = await tf.data.array([1, 2, 3]).map((x: number) => x * x).toArray();
    const repeated = await tf.data.array([1, 2, 3]).repeat(3).toArray();
    const skipped = await tf.data.array([1, 2, 3, 4, 5, 6]).skip(3).toArray();
    const taken = await tf.data.array([1, 2, 3, 4, 5, 6]).take(3).toArray();
    const joined = await tf.data.array([1, 2, 3]).concatenate(tf.data.array([4, 5, 6])).toArray();
    return [evens, squares, repeated, skipped, taken, joined];
  });

  snippet('mapAsync and forEachAsync', async (tf) => {
    const a = tf.data.array([1, 2, 3]).mapAsync((x: number) => new Promise((resolve) => setTimeout(() => resolve(x * x), 1)));
    const seen: number[] = [];
    await tf.data.array([4, 5, 6]).forEachAsync((e: number) => { seen.push(e); });
    return [await a.toArray(), seen];
  });

  snippetChecked('shuffle keeps the elements', async (tf) => {
    return tf.data.array([1, 2, 3, 4, 5, 6]).shuffle(3).toArray();
  }, ({ result }) => expect([...(result as number[])].sort()).toEqual([1, 2, 3, 4, 5, 6]));

  snippet('zip of a list and of an object of datasets', async (tf) => {
    const ds1 = tf.data.array([{ a: 1 }, { a: 2 }, { a: 3 }]);
    const ds2 = tf.data.array([{ b: 4 }, { b: 5 }, { b: 6 }]);
    const ds3 = tf.data.zip([ds1, ds2]);
    const merged = await ds3.map((x: any) => ({ a: x[0].a, b: x[1].b })).toArray();
    const c = tf.data.zip({ c: ds1, d: ds2 });
    return [await ds3.toArray(), merged, await c.toArray()];
  });

  snippet('generator from a generator function and from an iterator object', async (tf) => {
    function* dataGenerator() { for (let i = 0; i < 5; i++) yield i; }
    function makeIterator() {
      let index = 0;
      return { next: () => (index < 4 ? { value: index++, done: false } : { value: index, done: true }) };
    }
    return [await tf.data.generator(dataGenerator).toArray(), await tf.data.generator(makeIterator).toArray()];
  });

  snippet('tf.data.func over an iterator function', async (tf) => {
    let i = -1;
    const func = () => (++i < 5 ? { value: i, done: false } : { value: null, done: true });
    return tf.data.func(func).toArray();
  });

  snippet('fitDataset on zip({xs, ys}).batch(4).shuffle(4)', async (tf) => {
    const xArray = [[1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]];
    const yArray = [1, 1, 1, 1];
    const xyDataset = tf.data.zip({ xs: tf.data.array(xArray), ys: tf.data.array(yArray) }).batch(4).shuffle(4);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3], kernelInitializer: 'zeros' })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const losses: number[] = [];
    const history = await model.fitDataset(xyDataset, { epochs: 4, callbacks: { onEpochEnd: (_e: number, logs: any) => { losses.push(logs.loss); } } });
    return [losses, history.history.loss];
  }, { tol: 1e-4 });

  snippet('fitDataset from a generator of {xs, ys} batches with batchesPerEpoch and validationData', async (tf) => {
    function* batches() {
      for (let b = 0; b < 100; b++) yield { xs: tf.fill([2, 2], (b % 3) / 3), ys: tf.fill([2, 1], 1) };
    }
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const val = tf.data.generator(batches).take(2);
    const h = await model.fitDataset(tf.data.generator(batches), { epochs: 2, batchesPerEpoch: 3, validationData: val });
    const ev = await model.evaluateDataset(val);
    return [h.history.loss, h.history.val_loss, ev];
  }, { tol: 1e-4 });
});

describe('tfjs API docs: tf.data.csv', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rnnlab-snip-csv-'));
    const rows = ['crim,rm,medv', ...Array.from({ length: 20 }, (_, i) => `${(i % 5) / 10},${5 + (i % 4) / 2},${20 + i}`)];
    await writeFile(join(dir, 'housing.csv'), rows.join('\n') + '\n');
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  snippet('csv with a label column, mapped to arrays, batched, fitDataset', async (tf) => {
    const csvDataset = tf.data.csv(`file://${join(dir, 'housing.csv')}`, { columnConfigs: { medv: { isLabel: true } } });
    const numOfFeatures = (await csvDataset.columnNames()).length - 1;
    const flattenedDataset = csvDataset.map(({ xs, ys }: any) => ({ xs: Object.values(xs), ys: Object.values(ys) })).batch(10);
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [numOfFeatures], units: 1, kernelInitializer: 'zeros' }));
    model.compile({ optimizer: tf.train.sgd(0.000001), loss: 'meanSquaredError' });
    const h = await model.fitDataset(flattenedDataset, { epochs: 3 });
    return [numOfFeatures, h.history.loss];
  }, { tol: 1e-4 });
});
