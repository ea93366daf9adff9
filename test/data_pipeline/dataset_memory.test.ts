/**
 * rl.data's tensor ownership against tfjs-data 4.22's, run side by side: each op disposes the element tensors it
 * consumes and does not pass on (map's inputs, filter's and skip's dropped elements, batch's rows), data.array hands
 * out clones so its items survive every pass, and fitDataset/evaluateDataset dispose each batch they read, so
 * memory().numTensors stays flat from epoch to epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;
const LIBS: [string, Lib][] = [['rnnlab', rl], ['tfjs', tf]];

/** numTensors after run(lib) minus before it. */
async function delta(lib: Lib, run: (l: Lib) => Promise<unknown>): Promise<number> {
  const before = lib.memory().numTensors;
  await run(lib);
  return lib.memory().numTensors - before;
}

/** The same pipeline's delta in both libraries. */
async function both(run: (l: Lib) => Promise<unknown>): Promise<[number, number]> {
  return [await delta(rl, run), await delta(tf, run)];
}

const scalars = (l: Lib) => l.data.array([1, 2, 3, 4, 5, 6, 7, 8]).map((v: number) => l.scalar(v));
const disposeEach = (l: Lib) => (x: unknown) => { l.dispose(x); };

describe('rl.data disposes the tensors its ops consume, as tfjs.data does', () => {
  const pipelines: Record<string, (l: Lib) => any> = {
    'map': (l) => scalars(l).map((t: any) => t.mul(2)),
    'mapAsync': (l) => scalars(l).mapAsync(async (t: any) => t.add(1)),
    'map passing its input through': (l) => scalars(l).map((t: any) => ({ a: t, b: t.mul(3) })),
    'batch': (l) => scalars(l).batch(3),
    'filter': (l) => scalars(l).filter((t: any) => t.dataSync()[0] > 4),
    'skip': (l) => scalars(l).skip(3),
    'take': (l) => scalars(l).take(8),
    'shuffle': (l) => scalars(l).shuffle(4, 7),
    'prefetch': (l) => scalars(l).prefetch(2),
    'concatenate': (l) => scalars(l).concatenate(scalars(l)),
    'repeat': (l) => scalars(l).repeat(2),
    'zip then batch': (l) => l.data.zip({ xs: scalars(l), ys: scalars(l).map((t: any) => t.neg()) }).batch(4),
  };
  for (const [name, make] of Object.entries(pipelines)) {
    it(`${name}: a consumer that disposes what it receives leaves the count where it was`, async () => {
      const [mine, theirs] = await both((l) => make(l).forEachAsync(disposeEach(l)));
      expect(theirs).toBe(0);
      expect(mine).toBe(theirs);
    });
    it(`${name}: a consumer that keeps what it receives holds as many tensors as tfjs's`, async () => {
      const kept: unknown[] = [];
      const [mine, theirs] = await both(async (l) => { const all = await make(l).toArray(); kept.push(all); });
      expect(theirs).toBeGreaterThan(0);
      expect(mine).toBe(theirs);
      rl.dispose(kept[0] as rl.TensorContainer);
      tf.dispose(kept[1] as tf.TensorContainer);
    });
  }

  it('data.array of tensors yields clones: its items stay readable and the count flat over repeated passes', async () => {
    for (const [, l] of LIBS) {
      const items = [l.tensor1d([1, 2]), l.tensor1d([3, 4]), l.tensor1d([5, 6])];
      const before = l.memory().numTensors;
      const ds = l.data.array(items).map((t: any) => t.mul(10)).batch(2);
      const sums: number[] = [];
      for (let pass = 0; pass < 3; pass++) {
        await ds.forEachAsync((b: any) => { sums.push(b.sum().dataSync()[0]); l.dispose(b); });
      }
      // the sum() results are counted (tfjs too): three passes of two batches
      expect(l.memory().numTensors - before).toBe(6);
      expect(sums).toEqual([100, 110, 100, 110, 100, 110]);
      expect(items.map((t) => Array.from(t.dataSync()))).toEqual([[1, 2], [3, 4], [5, 6]]);
    }
  });

  it('data.array clones arrays and objects too, so a map that rewrites an element in place sees the items afresh each pass', async () => {
    const items = [{ xs: [1, 2] }, { xs: [3, 4] }];
    const ds = rl.data.array(items).map((e: { xs: unknown }) => { e.xs = rl.tensor1d(e.xs as number[]); return e; });
    for (let pass = 0; pass < 2; pass++) {
      const got = await ds.toArray();
      expect(got.map((e) => Array.from((e.xs as rl.Tensor).dataSync()))).toEqual([[1, 2], [3, 4]]);
      rl.dispose(got as rl.TensorContainer);
    }
    expect(items).toEqual([{ xs: [1, 2] }, { xs: [3, 4] }]);
  });

  it('data.array names the item that is a disposed tensor', async () => {
    const t = rl.tensor1d([1]);
    t.dispose();
    await expect(rl.data.array([rl.tensor1d([0]), t]).toArray()).rejects.toThrow('data.array: item 1: Tensor is disposed.');
  });

  it('data.array items that hold tensors in a Map or a class instance are the user\'s: no pass disposes them', async () => {
    class Pair { constructor(readonly t: rl.Tensor) {} }
    const inMap = rl.tensor1d([1, 2]), inClass = rl.tensor1d([3, 4]);
    const ds = rl.data.array([new Map([['t', inMap]]), new Pair(inClass)] as unknown[])
      .map((e) => (e instanceof Map ? e.get('t') : (e as Pair).t).mul(2));
    for (let pass = 0; pass < 2; pass++) {
      const out = (await ds.toArray()) as rl.Tensor[];
      expect(out.map((t) => Array.from(t.dataSync()))).toEqual([[2, 4], [6, 8]]);
      rl.dispose(out);
    }
    expect([inMap.isDisposed, inClass.isDisposed]).toEqual([false, false]);
  });

  it('batch(n, false) disposes the short last batch it drops (tfjs leaves it counted)', async () => {
    const d = await delta(rl, (l) => scalars(l).batch(3, false).forEachAsync(disposeEach(l)));
    expect(d).toBe(0);
  });
});

describe('fitDataset and evaluateDataset keep memory().numTensors flat over a dataset of tensors', () => {
  const xs = Array.from({ length: 32 }, (_, i) => [i / 32, 1 - i / 32, 0.5]);
  const ys = xs.map((r) => [r[0]]);
  const model = (l: Lib) => {
    const m = l.sequential({ layers: [l.layers.dense({ units: 4, inputShape: [3] }), l.layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError', metrics: ['mae'] });
    return m;
  };
  const tensorRows = (l: Lib) => l.data.zip({
    xs: l.data.array(xs).map((r: number[]) => l.tensor1d(r)),
    ys: l.data.array(ys).map((r: number[]) => l.tensor1d(r)),
  }).batch(8);

  it('fitDataset over mapped tensor rows, with a validation dataset, as tfjs', async () => {
    for (const [, l] of LIBS) {
      const m = model(l);
      // The first epoch also makes the optimizer's slots (tfjs counts them): measured from the second on.
      await m.fitDataset(tensorRows(l), { epochs: 1, verbose: 0 });
      const before = l.memory().numTensors;
      await m.fitDataset(tensorRows(l), { epochs: 3, verbose: 0, validationData: tensorRows(l) });
      expect(l.memory().numTensors - before).toBe(0);
      m.dispose();
    }
  });

  it('evaluateDataset leaves only its result counted, as tfjs', async () => {
    for (const [, l] of LIBS) {
      const m = model(l);
      const before = l.memory().numTensors;
      const out = await m.evaluateDataset(tensorRows(l), {});
      l.dispose(out);
      expect(l.memory().numTensors - before).toBe(0);
      m.dispose();
    }
  });

  it('fitDataset over data.array of the user\'s own tensors trains every epoch and leaves them usable', async () => {
    const items = xs.map((r, i) => ({ xs: rl.tensor1d(r), ys: rl.tensor1d(ys[i]) }));
    const m = model(rl);
    const before = rl.memory().numTensors;
    const h = await m.fitDataset(rl.data.array(items).batch(8), { epochs: 3, verbose: 0 });
    expect(h.history.loss).toHaveLength(3);
    expect(h.history.loss.every((v: unknown) => Number.isFinite(v as number))).toBe(true);
    expect(rl.memory().numTensors - before).toBe(0);
    expect(Array.from(items[5].xs.dataSync())).toEqual(xs[5].map((v) => Math.fround(v)));
  });
});

describe('a source that yields a tensor it keeps', () => {
  it('fitDataset and evaluateDataset name the batch that holds a tensor an earlier batch disposed', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const batch = { xs: rl.tensor2d([[1, 2]]), ys: rl.tensor2d([[1]]) };
    const twice = () => rl.data.generator(function* () { yield batch; yield batch; });
    await expect(m.fitDataset(twice(), { epochs: 1, verbose: 0 })).rejects.toThrow(
      'fitDataset: batch 2 of epoch 1 holds a disposed tensor: each batch is disposed once trained or evaluated on');
    const again = { xs: rl.tensor2d([[1, 2]]), ys: rl.tensor2d([[1]]) };
    await expect(m.evaluateDataset(rl.data.generator(function* () { yield again; yield again; }))).rejects.toThrow(
      'evaluateDataset: batch 2 holds a disposed tensor');
  });
});

describe('batch over a source that yields a tensor it keeps', () => {
  it('names the element of the batch whose tensor an earlier batch disposed', async () => {
    const kept = rl.tensor1d([1, 2]);
    const ds = rl.data.generator(function* () { yield rl.tensor1d([0, 0]); yield kept; }).batch(2);
    const first = (await ds.toArray()) as rl.Tensor[];
    expect(first[0].arraySync()).toEqual([[0, 0], [1, 2]]);
    expect(kept.isDisposed).toBe(true);
    await expect(ds.toArray()).rejects.toThrow('dataset.batch: element 1 of the batch holds a disposed tensor');
  });
});

describe('map, mapAsync and filter over a source that yields a tensor it keeps', () => {
  const keeper = () => {
    const kept = rl.tensor1d([1, 2]);
    return rl.data.generator(function* () { yield { a: kept }; yield { a: kept }; });
  };
  it.each([
    ['map', (d: rl.Dataset<{ a: rl.Tensor }>) => d.map((e) => ({ a: e.a.mul(2) }))],
    ['mapAsync', (d: rl.Dataset<{ a: rl.Tensor }>) => d.mapAsync(async (e) => ({ a: e.a.mul(2) }))],
    ['filter', (d: rl.Dataset<{ a: rl.Tensor }>) => d.filter(() => false)],
  ])('%s names the op and the element whose tensor it disposed before', async (op, pipe) => {
    await expect(pipe(keeper() as never).toArray()).rejects.toThrow(`dataset.${op}: element 1 holds a disposed tensor (${op} disposes the tensors it consumes`);
  });
});
