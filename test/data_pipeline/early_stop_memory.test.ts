/**
 * Elements an op holds back (shuffle's buffer, prefetch's read-ahead, the element zip already read from a longer
 * dataset, batch's unstacked rows) are disposed when iteration stops early, so memory().numTensors stays flat over
 * passes that end at take, break, batchesPerEpoch, validationBatches or evaluateDataset's batches. (tfjs 4.22 leaks them.)
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const items = Array.from({ length: 50 }, (_, i) => rl.tensor([i, i + 1]));

/** numTensors growth over three passes of run. */
async function growth(run: () => Promise<unknown>): Promise<number> {
  const before = rl.memory().numTensors;
  for (let pass = 0; pass < 3; pass++) await run();
  return rl.memory().numTensors - before;
}

/** Consumes every element the dataset gives, checking each arrives live, and disposes it. */
const drain = (ds: rl.Dataset<unknown>) => ds.forEachAsync((x: unknown) => {
  expect(anyDisposed(x)).toBe(false);
  rl.dispose(x as rl.TensorContainer);
});

function anyDisposed(x: unknown): boolean {
  if (x instanceof rl.Tensor) return x.isDisposed;
  return x !== null && typeof x === 'object' && Object.values(x).some(anyDisposed);
}

describe('ops dispose the elements they hold back when a pass stops early', () => {
  it('shuffle(20).take(5) disposes its buffer', async () => {
    expect(await growth(() => drain(rl.data.array(items).shuffle(20, 1).take(5)))).toBe(0);
  });

  it('prefetch(10).take(5) disposes its read-ahead', async () => {
    expect(await growth(() => drain(rl.data.array(items).prefetch(10).take(5)))).toBe(0);
  });

  it('zip disposes what it read from the longer datasets when the shortest ends', async () => {
    expect(await growth(() => drain(rl.data.zip([rl.data.array(items), rl.data.array(items.slice(0, 10))])))).toBe(0);
    expect(await growth(() => drain(rl.data.zip({ a: rl.data.array(items.slice(0, 10)), b: rl.data.array(items) })))).toBe(0);
  });

  it('a break out of for-await over shuffle().prefetch() disposes both buffers', async () => {
    const ds = rl.data.array(items).shuffle(8, 3).prefetch(4);
    expect(await growth(async () => {
      let n = 0;
      for await (const x of ds) { rl.dispose(x); if (++n === 3) break; }
    })).toBe(0);
  });

  it('the data.array items stay usable, and a full shuffled pass still gives every element once', async () => {
    await drain(rl.data.array(items).shuffle(20, 1).take(5));
    expect(items.every((t) => !t.isDisposed)).toBe(true);
    const all = await rl.data.array(items).shuffle(20, 1).toArray() as rl.Tensor[];
    expect(all.map((t) => t.dataSync()[0]).sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
    rl.dispose(all);
  });

  it('zip disposes what it read from the other datasets when one fails', async () => {
    const failing = rl.data.generator(function* () { yield rl.scalar(0); throw new Error('source broke'); });
    const before = rl.memory().numTensors;
    await expect(drain(rl.data.zip([rl.data.array(items), failing]))).rejects.toThrow('source broke');
    expect(rl.memory().numTensors - before).toBe(0);
  });

  it('batch disposes the rows it had not stacked when the pass fails', async () => {
    const ragged = rl.data.generator(function* () { yield rl.tensor([1, 2]); yield rl.tensor([3, 4]); yield rl.tensor([5, 6, 7]); });
    const before = rl.memory().numTensors;
    await expect(drain(ragged.batch(4))).rejects.toThrow(/batch/);
    expect(rl.memory().numTensors - before).toBe(0);
  });
});

describe('fitDataset and evaluateDataset stay flat when they stop reading early', () => {
  const model = () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    return m;
  };
  const rows = () => rl.data.generator(function* () {
    for (let i = 0; i < 64; i++) yield { xs: rl.tensor([i / 64, 1]), ys: rl.tensor([i / 64]) };
  });

  it('a shuffled validation dataset limited by validationBatches', async () => {
    const m = model();
    const train = rows().batch(8), val = rows().shuffle(32, 7).batch(8);
    await m.fitDataset(train, { epochs: 1, verbose: 0 });
    expect(await growth(() => m.fitDataset(train, { epochs: 2, verbose: 0, validationData: val, validationBatches: 1 }))).toBe(0);
  });

  it('a shuffled, prefetched training dataset cut by batchesPerEpoch', async () => {
    const m = model();
    const train = rows().shuffle(16, 2).batch(4).prefetch(3);
    await m.fitDataset(train, { epochs: 1, verbose: 0, batchesPerEpoch: 1 });
    expect(await growth(() => m.fitDataset(train, { epochs: 2, verbose: 0, batchesPerEpoch: 3 }))).toBe(0);
  });

  it('evaluateDataset with batches over a prefetched or shuffled dataset', async () => {
    const m = model();
    for (const ds of [rows().batch(8).prefetch(4), rows().shuffle(20, 1).batch(8)]) {
      rl.dispose(await m.evaluateDataset(ds, { batches: 1 }));
      expect(await growth(async () => rl.dispose(await m.evaluateDataset(ds, { batches: 1 })))).toBe(0);
    }
  });
});
