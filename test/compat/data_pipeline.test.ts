/** rl.data: sources, lazy transformations, and fitDataset/evaluateDataset on a stream that is never materialised. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { evaluated } from '../io/helpers.js';

describe('rl.data datasets', () => {
  it('array, map, filter, skip, take, batch, repeat, toArray', async () => {
    const ds = rl.data.array([1, 2, 3, 4, 5, 6, 7]).map((x) => x * 10).filter((x) => x !== 30).skip(1).take(4);
    expect(await ds.toArray()).toEqual([20, 40, 50, 60]);
    const batches = (await rl.data.array([1, 2, 3, 4, 5]).batch(2).toArray()) as rl.Tensor[];
    expect(batches.map((b) => Array.from(b.dataSync()))).toEqual([[1, 2], [3, 4], [5]]);
    expect(await rl.data.array([1, 2]).repeat(3).toArray()).toEqual([1, 2, 1, 2, 1, 2]);
    expect(rl.data.array([1, 2, 3]).batch(2).size).toBe(2);
  });

  it('batches {xs, ys} objects key by key and checks element shapes', async () => {
    const [b] = (await rl.data.array([{ xs: [1, 2], ys: 0 }, { xs: [3, 4], ys: 1 }]).batch(2).toArray()) as { xs: rl.Tensor; ys: rl.Tensor }[];
    expect(b.xs.shape).toEqual([2, 2]);
    expect(Array.from(b.ys.dataSync())).toEqual([0, 1]);
    await expect(rl.data.array([[1, 2], [3]]).batch(2).toArray()).rejects.toThrow(/element 1 has shape \[1\] but element 0 has \[2\]/);
  });

  it('shuffle(bufferSize, seed) is a reproducible permutation; a small buffer only moves elements locally', async () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const a = await rl.data.array(xs).shuffle(10, 42).toArray();
    const b = await rl.data.array(xs).shuffle(10, 42).toArray();
    expect(a).toEqual(b);
    expect([...a].sort((p, q) => p - q)).toEqual(xs);
    expect(a).not.toEqual(xs);
    // With a buffer of 1 nothing can move.
    expect(await rl.data.array(xs).shuffle(1, 3).toArray()).toEqual(xs);
  });

  it('an unseeded shuffle follows rl.setSeed (Keras\'s global seed) without moving the global stream', async () => {
    const xs = Array.from({ length: 40 }, (_, i) => i);
    const orders = async () => {
      const d1 = rl.data.array(xs).shuffle(40), d2 = rl.data.array(xs).shuffle(40), fixed = rl.data.array(xs).shuffle(40, undefined, false);
      return { a: await d1.toArray(), again: await d1.toArray(), b: await d2.toArray(), f1: await fixed.toArray(), f2: await fixed.toArray(),
        draw: rl.randomUniform([3]).arraySync() };
    };
    rl.setSeed(11);
    const one = await orders();
    rl.setSeed(11);
    const two = await orders();
    // The same seed gives the same orders, iteration by iteration.
    expect(two).toEqual(one);
    expect([...one.a].sort((p, q) => p - q)).toEqual(xs);
    // Each shuffle made after the seed has its own order, each iteration reshuffles, and without reshuffling the
    // order repeats (its own, not one shared by every unseeded dataset).
    expect(one.b).not.toEqual(one.a);
    expect(one.again).not.toEqual(one.a);
    expect(one.f2).toEqual(one.f1);
    expect(one.f1).not.toEqual(one.a);
    expect(one.f1).not.toEqual(one.b);
    rl.setSeed(12);
    expect((await orders()).a).not.toEqual(one.a);
    // Making the shuffles drew nothing from the generator behind initializers and dropout.
    rl.setSeed(11);
    expect(rl.randomUniform([3]).arraySync()).toEqual(one.draw);
  });

  it('zip pairs datasets (array and object forms); prefetch keeps order; forEachAsync visits each element', async () => {
    expect(await rl.data.zip([rl.data.array([1, 2, 3]), rl.data.array(['a', 'b'])]).toArray()).toEqual([[1, 'a'], [2, 'b']]);
    expect(await rl.data.zip({ x: rl.data.array([1]), y: rl.data.array([2]) }).toArray()).toEqual([{ x: 1, y: 2 }]);
    expect(await rl.data.array([1, 2, 3, 4]).prefetch(2).toArray()).toEqual([1, 2, 3, 4]);
    const seen: number[] = [];
    await rl.data.array([5, 6]).forEachAsync((x) => { seen.push(x); });
    expect(seen).toEqual([5, 6]);
  });

  it('generator is lazy and restarts for each iteration', async () => {
    let made = 0;
    const ds = rl.data.generator(function* () { for (let i = 0; i < 1e9; i++) { made++; yield i; } });
    expect(await ds.take(3).toArray()).toEqual([0, 1, 2]);
    expect(made).toBeLessThanOrEqual(4);
    expect(await ds.take(2).toArray()).toEqual([0, 1]);
    expect(() => rl.data.array([1]).batch(0)).toThrow(/batchSize must be a positive integer, got 0/);
    await expect(rl.data.array([1]).repeat().toArray()).rejects.toThrow(/infinite/);
  });

  it('csv streams a file with labels as {xs, ys}, and names the line of a bad row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-csv-'));
    try {
      const f = join(dir, 'house.csv');
      writeFileSync(f, 'rooms,age,price\n3,10,200\n4,5,310\n');
      expect(await rl.data.csv(`file://${f}`, { columnConfigs: { price: { isLabel: true } } }).toArray()).toEqual([
        { xs: { rooms: 3, age: 10 }, ys: { price: 200 } }, { xs: { rooms: 4, age: 5 }, ys: { price: 310 } }]);
      writeFileSync(f, 'a,b\n1,2\n3\n');
      await expect(rl.data.csv(f).toArray()).rejects.toThrow(/house\.csv.*(line 3|:3|record 2)/);
      await expect(rl.data.csv(join(dir, 'none.csv')).toArray()).rejects.toThrow(/cannot read .*none\.csv/);
      expect(() => rl.data.csv(f, { header: true } as never)).toThrow(/unknown option 'header'/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('fitDataset / evaluateDataset', () => {
  // y = 1 when x0 + x1 > 0, generated on the fly: the set is never held in memory.
  function stream(seed: number) {
    return rl.data.generator(function* () {
      const r = new rl.Random(seed);
      for (;;) {
        const x = [r.uniform(-1, 1), r.uniform(-1, 1)];
        yield { xs: x, ys: [x[0] + x[1] > 0 ? 1 : 0] };
      }
    });
  }

  it('learns from an endless generator with batchesPerEpoch, and evaluateDataset agrees with evaluate', async () => {
    rl.setSeed(1);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
    m.compile({ optimizer: rl.train.adam(0.1), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const seenEpochs: number[] = [];
    const h = await m.fitDataset(stream(1).batch(32), {
      epochs: 5, batchesPerEpoch: 10, validationData: stream(2).batch(50).take(2),
      callbacks: { onEpochEnd: (e) => { seenEpochs.push(e); } },
    });
    expect(seenEpochs).toEqual([0, 1, 2, 3, 4]);
    expect(h.history.accuracy.at(-1)).toBeGreaterThan(0.85);
    expect(h.history.loss.at(-1)!).toBeLessThan(h.history.loss[0]);
    expect(h.history.val_accuracy.at(-1)).toBeGreaterThan(0.9);
    const test = (await stream(3).take(100).toArray()) as { xs: number[]; ys: number[] }[];
    const [l1, a1] = evaluated(await m.evaluateDataset(rl.data.array(test).batch(100)));
    const [l2, a2] = evaluated(m.evaluate(test.map((t) => t.xs), test.map((t) => t.ys)));
    expect(l1).toBeCloseTo(l2, 6);
    expect(a1).toBeCloseTo(a2, 6);
  });

  it('names bad arguments', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(m.fitDataset(stream(1).batch(4).repeat())).rejects.toThrow(/the dataset is infinite; give batchesPerEpoch/);
    await expect(m.fitDataset([[1, 2]] as never)).rejects.toThrow(/expected an rl.data dataset/);
    await expect(m.fitDataset(rl.data.array([1, 2]).batch(2), { epochs: 1, batchSize: 3 } as never)).rejects.toThrow(/unknown option 'batchSize'/);
    await expect(m.fitDataset(rl.data.array([1, 2]).batch(2))).rejects.toThrow(/each batch must be \{xs, ys\}, \{xs, ys, sampleWeight\}, \[xs, ys\] or \[xs, ys, sampleWeight\]/);
  });
});
