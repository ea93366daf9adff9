/**
 * How rl.data's iterators end, side by side with tfjs-data 4.22: a value a generator sends with done: true (its
 * return value) passes through take, skip, filter and prefetch and is fitDataset's and evaluateDataset's last batch;
 * map, mapAsync, batch, shuffle, repeat and concatenate end with {value: null, done: true}, as every exhausted
 * iterator does; data.func's iterator calls f again after done.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;

/** The first k results of a fresh iterator. */
async function reads(d: any, k: number): Promise<IteratorResult<unknown>[]> {
  const it = await d.iterator();
  const out = [];
  for (let i = 0; i < k; i++) out.push(await it.next());
  return out;
}

/** yields 1, returns 2. */
const gen = (l: Lib) => l.data.generator(function* () { yield 1; return 2; });

/** The same reads in both libraries; rnnlab's must equal tfjs's, value key included. */
async function same(make: (l: Lib) => any, k: number): Promise<IteratorResult<unknown>[]> {
  const ours = await reads(make(rl), k);
  expect(ours).toStrictEqual(await reads(make(tf), k));
  return ours;
}

describe('a generator\'s return value through the ops, as tfjs-data', () => {
  const passing: Record<string, (l: Lib) => any> = {
    'take past the end': (l) => gen(l).take(5),
    'skip(0)': (l) => gen(l).skip(0),
    'filter': (l) => gen(l).filter(() => true),
    'prefetch': (l) => gen(l).prefetch(2),
    'prefetch then take': (l) => gen(l).prefetch(1).take(4),
  };
  for (const [name, make] of Object.entries(passing)) {
    it(`${name} passes {value: 2, done: true} on`, async () => {
      expect(await same(make, 2)).toStrictEqual([{ value: 1, done: false }, { value: 2, done: true }]);
    });
  }

  it('skip past the end and a filter that drops every element still pass the return value on', async () => {
    expect(await same((l) => gen(l).skip(5), 1)).toStrictEqual([{ value: 2, done: true }]);
    expect(await same((l) => gen(l).filter(() => false), 1)).toStrictEqual([{ value: 2, done: true }]);
  });

  it('take that reaches its count ends with null, not the return value', async () => {
    expect(await same((l) => gen(l).take(1), 3)).toStrictEqual([{ value: 1, done: false }, { value: null, done: true }, { value: null, done: true }]);
  });

  const dropping: Record<string, (l: Lib) => any> = {
    'map': (l) => gen(l).map((x: number) => x * 10),
    'mapAsync': (l) => gen(l).mapAsync(async (x: number) => x * 10),
    'shuffle': (l) => gen(l).shuffle(2, 1),
    'repeat(1)': (l) => gen(l).repeat(1),
    'concatenate': (l) => l.data.array([0]).concatenate(gen(l)).skip(1),
  };
  for (const [name, make] of Object.entries(dropping)) {
    it(`${name} drops it, ending with {value: null, done: true}`, async () => {
      const [, end] = await same(make, 3);
      expect(end).toStrictEqual({ value: null, done: true });
    });
  }

  it('batch drops it', async () => {
    const ends = async (l: Lib) => (await reads(gen(l).batch(2), 3)).slice(1);
    expect(await ends(rl)).toStrictEqual(await ends(tf));
    expect(await ends(rl)).toStrictEqual([{ value: null, done: true }, { value: null, done: true }]);
  });
});

describe('the end of an iterator, as tfjs-data', () => {
  it('an exhausted iterator gives {value: null, done: true} on every later read', async () => {
    expect(await same((l) => l.data.array([1, 2]), 4)).toStrictEqual([
      { value: 1, done: false }, { value: 2, done: false }, { value: null, done: true }, { value: null, done: true }]);
    expect(await same((l) => l.data.array([1, 2]).take(1), 2)).toStrictEqual([{ value: 1, done: false }, { value: null, done: true }]);
    expect(await same((l) => l.data.zip([l.data.array([1])]), 2)).toStrictEqual([{ value: [1], done: false }, { value: null, done: true }]);
  });

  it('data.func calls f again after done, so its value is sent again', async () => {
    const make = (l: Lib) => { let i = 0; return l.data.func(() => (i++ < 1 ? { value: i, done: false } : { value: 99, done: true })); };
    expect(await same(make, 4)).toStrictEqual([
      { value: 1, done: false }, { value: 99, done: true }, { value: 99, done: true }, { value: 99, done: true }]);
  });

  it('toArray leaves the return value out, as tfjs', async () => {
    const arr = (l: Lib) => gen(l).take(3).toArray();
    expect(await arr(rl)).toEqual([1]);
    expect(await arr(tf)).toEqual([1]);
  });
});

describe('fitDataset and evaluateDataset use the returned batch through prefetch, take and filter, as tfjs', () => {
  /** One dense unit from fixed weights; a batch of one row, then a returned batch of two. */
  async function run(l: Lib, op: (d: any) => any): Promise<{ batches: number; loss: number; evalLoss: number }> {
    const m = l.sequential();
    m.add(l.layers.dense({ units: 1, inputShape: [2] }));
    m.compile({ optimizer: l === rl ? rl.optimizers.sgd({ learningRate: 0.1 }) : tf.train.sgd(0.1), loss: 'meanSquaredError' });
    m.setWeights([l.tensor([[0.1], [-0.2]]), l.tensor([0.05])]);
    const d = op(l.data.generator(function* () {
      yield { xs: l.tensor([[1, 2]]), ys: l.tensor([[1]]) };
      return { xs: l.tensor([[3, 4], [5, 6]]), ys: l.tensor([[5], [6]]) };
    }));
    let batches = 0;
    const h = await m.fitDataset(d, { epochs: 1, verbose: 0, callbacks: { onBatchEnd: async () => { batches++; } } });
    const e = await m.evaluateDataset(d);
    return { batches, loss: h.history.loss[0] as number, evalLoss: (Array.isArray(e) ? e[0] : e).dataSync()[0] };
  }

  const ops: Record<string, (d: any) => any> = {
    'prefetch(2)': (d) => d.prefetch(2),
    'take(10)': (d) => d.take(10),
    'filter': (d) => d.filter(() => true),
  };
  for (const [name, op] of Object.entries(ops)) {
    it(`${name}: two batches trained, the returned one evaluated`, async () => {
      const ours = await run(rl, op), theirs = await run(tf, op);
      expect(theirs.batches).toBe(2);
      expect(ours.batches).toBe(2);
      // The epoch's loss, the rows' mean: 1.5625 on the yielded row, 5.3125 on the two returned ones after one SGD step.
      expect(ours.loss).toBeCloseTo(theirs.loss, 4);
      expect(ours.loss).toBeCloseTo(4.0625, 4);
      expect(ours.evalLoss).toBeCloseTo(theirs.evalLoss, 3);
    });
  }
});

describe('a returned batch a pass does not use is disposed', () => {
  /** Yields one batch, returns another: four tensors in all. */
  const mk = () => rl.data.generator(function* () {
    yield { xs: rl.tensor([[1, 2]]), ys: rl.tensor([[1]]) };
    return { xs: rl.tensor([[3, 4], [5, 6]]), ys: rl.tensor([[5], [6]]) };
  });
  function model() {
    const m = rl.sequential();
    m.add(rl.layers.dense({ units: 1, inputShape: [2] }));
    m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.01 }), loss: 'meanSquaredError' });
    return m;
  }
  /** Tensors left behind by f, the model's own made before counting. */
  async function left(f: () => Promise<unknown>): Promise<number> {
    const before = rl.memory().numTensors;
    await f();
    return rl.memory().numTensors - before;
  }

  it('prefetch read ahead to the returned batch, then stopped by take', async () => {
    expect(await left(async () => rl.dispose(await mk().prefetch(2).take(1).toArray()))).toBe(0);
  });

  it('evaluateDataset with batches stopping before the returned batch of a prefetch', async () => {
    const m = model();
    expect(await left(async () => rl.dispose(await m.evaluateDataset(mk().prefetch(2), { batches: 1 })))).toBe(0);
  });

  it('fitDataset with batchesPerEpoch stopping before the returned batch of a prefetch', async () => {
    const m = model();
    expect(await left(() => m.fitDataset(mk().prefetch(2), { epochs: 1, batchesPerEpoch: 1, verbose: 0 }))).toBe(0);
  });

  it('fitDataset with batchesPerEpoch receives the returned batch at done and, not training on it, disposes it', async () => {
    const m = model();
    let batches = 0;
    const warn = console.warn;
    console.warn = () => {};
    try {
      expect(await left(() => m.fitDataset(mk().take(5), { epochs: 1, batchesPerEpoch: 2, verbose: 0,
        callbacks: { onBatchEnd: async () => { batches++; } } }))).toBe(0);
    } finally { console.warn = warn; }
    expect(batches).toBe(1);
  });

  it('a finished prefetch over data.func keeps the returned value that a read past the end repeats', async () => {
    const t = rl.tensor([7]);
    let i = 0;
    const d = rl.data.func(() => (i++ < 1 ? { value: rl.tensor([1]), done: false } : { value: t, done: true })).prefetch(3);
    const it = await d.iterator();
    rl.dispose((await it.next()).value);
    expect((await it.next()).value).toBe(t);
    expect(t.isDisposed).toBe(false);
  });
});
