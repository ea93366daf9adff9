/**
 * fitDataset / evaluateDataset against tfjs 4.22 (numbers from tfjs runs of the same models): a batch an iterator
 * sends with done: true is trained on (without batchesPerEpoch) and evaluated on, evaluateDataset pulls nothing past `batches`, and tfjs's
 * classWeight, validationBatchSize and yieldEvery options work.
 */
import { describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import type { Dataset } from '../../src/data_pipeline/dataset.js';

function mse(): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })] });
  m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
  return m;
}

const batch = (k: number) => ({ xs: rl.tensor2d([[k, 1], [1, k]]), ys: rl.tensor2d([[1], [2]]) });

/** Three batches, the third sent with done: true (an iterator's `return value`), then done; counts next() calls. */
function lastWithDone(): { ds: Dataset<unknown>; pulls: () => number } {
  let pulls = 0;
  const ds = new rl.data.Dataset<unknown>(() => {
    let i = 0;
    return { next: async () => { pulls++; i++; return i < 3 ? { value: batch(i), done: false } : i === 3 ? { value: batch(3), done: true } : { value: undefined, done: true }; } };
  });
  return { ds, pulls: () => pulls };
}

describe('a batch sent with done: true', () => {
  it('is trained on, as tfjs does (same losses as tfjs 4.22)', async () => {
    const m = mse();
    const seen: number[] = [];
    const h = await m.fitDataset(lastWithDone().ds, { epochs: 2, callbacks: { onBatchEnd: (b: number) => { seen.push(b); } } });
    expect(seen).toEqual([0, 1, 2, 0, 1, 2]);
    expect(h.history.loss[0]).toBeCloseTo(0.777199923992157, 5);
    expect(h.history.loss[1]).toBeCloseTo(0.6808003187179565, 5);
  });

  it('is evaluated on by evaluateDataset (tfjs: 3.1666667)', async () => {
    const v = await mse().evaluateDataset(lastWithDone().ds) as rl.Tensor;
    expect(v.dataSync()[0]).toBeCloseTo(3.1666667461395264, 5);
  });

  it('with batchesPerEpoch is not trained on: done ends the run first, with the running-out warning (tfjs 4.22)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const m = mse();
      const seen: number[] = [];
      const h = await m.fitDataset(lastWithDone().ds, { epochs: 2, batchesPerEpoch: 2, callbacks: { onBatchEnd: (b: number) => { seen.push(b); } } });
      // tfjs trains batches 0 and 1 of epoch 1, then reads done in epoch 2 and stops (it also records that empty
      // epoch with no logs; rnnlab records none). tfjs counts the epoch's batches (0), rnnlab all of them (2).
      expect(seen).toEqual([0, 1]);
      expect(h.epoch).toEqual([0]);
      expect(h.history.loss[0]).toBeCloseTo(0.9799998998641968, 5);
      expect(Array.from(m.getWeights()[0].dataSync())).toEqual([expect.closeTo(0.5199999809265137, 5), expect.closeTo(0.6200000047683716, 5)]);
      expect(Array.from(m.getWeights()[1].dataSync())).toEqual([expect.closeTo(-0.3199999928474426, 5)]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringContaining('ran out of data after 2 batches')]);
    } finally { warn.mockRestore(); }
  });
});

describe('a generator\'s return value, through rl.data.generator and rl.data.func', () => {
  // The same three batches as lastWithDone, the third a generator's return value or func's {value, done: true}.
  const gen = () => rl.data.generator(function* () { yield batch(1); yield batch(2); return batch(3); });
  const fn = () => { let i = 0; return rl.data.func(() => { i++; return { value: batch(i), done: i === 3 }; }); };

  it('is trained on and evaluated on, as tfjs (the same losses as the dataset that sends it directly)', async () => {
    // func's counter runs on across passes (as tfjs's): one epoch of it.
    for (const [make, epochs] of [[gen, 2], [fn, 1]] as const) {
      const seen: number[] = [];
      const h = await mse().fitDataset(make(), { epochs, callbacks: { onBatchEnd: (b: number) => { seen.push(b); } } });
      expect(seen).toEqual(epochs === 2 ? [0, 1, 2, 0, 1, 2] : [0, 1, 2]);
      expect(h.history.loss[0]).toBeCloseTo(0.777199923992157, 5);
      const v = await mse().evaluateDataset(make()) as rl.Tensor;
      expect(v.dataSync()[0]).toBeCloseTo(3.1666667461395264, 5);
    }
  });

  it('is not an element of the dataset\'s own iteration (toArray, for await), as tfjs', async () => {
    expect(await gen().toArray()).toHaveLength(2);
    const it = await gen().iterator();
    await it.next(); await it.next();
    const last = await it.next();
    expect(last.done).toBe(true);
    expect((last.value as { ys: rl.Tensor }).ys.shape).toEqual([2, 1]);
  });
});

describe('evaluateDataset batches', () => {
  it('pulls no element past the batches asked for', async () => {
    const { ds, pulls } = lastWithDone();
    await mse().evaluateDataset(ds, { batches: 2 });
    expect(pulls()).toBe(2);
  });

  it('warns when the dataset has fewer batches than asked for, as tfjs, and evaluates those it has', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const all = await mse().evaluateDataset(lastWithDone().ds) as rl.Tensor;
      const more = await mse().evaluateDataset(lastWithDone().ds, { batches: 5 }) as rl.Tensor;
      expect(more.dataSync()[0]).toBeCloseTo(all.dataSync()[0], 6);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toContain('ran out after 3 batches');
    } finally { warn.mockRestore(); }
  });
});

function sigmoidModel(): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', activation: 'sigmoid' })] });
  m.compile({ optimizer: rl.train.sgd(0.1), loss: 'binaryCrossentropy' });
  return m;
}

const pairs = () => rl.data.zip({
  xs: rl.data.array([[1, 2], [-3, 1], [0.5, -2], [2, 2]].map((r) => rl.tensor1d(r))),
  ys: rl.data.array([[1], [0], [0], [1]].map((r) => rl.tensor1d(r))),
}).batch(2);

describe("fitDataset's tfjs options", () => {
  it('classWeight weighs each batch as tfjs 4.22 does', async () => {
    const m = sigmoidModel();
    const h = await m.fitDataset(pairs(), { epochs: 2, classWeight: { 0: 1, 1: 3 } });
    expect(h.history.loss[0]).toBeCloseTo(0.1311236172914505, 5);
    expect(h.history.loss[1]).toBeCloseTo(0.12311843782663345, 5);
    expect(Array.from(m.getWeights()[0].dataSync())).toEqual([expect.closeTo(1.049375295639038, 5), expect.closeTo(1.060910701751709, 5)]);
  });

  it('a bad classWeight is named as fitDataset\'s, checked before training (epochs 0 too)', async () => {
    await expect(sigmoidModel().fitDataset(pairs(), { classWeight: { 0: 'x' } as never })).rejects.toThrow(/fitDataset: classWeight/);
    await expect(sigmoidModel().fitDataset(pairs(), { epochs: 0, classWeight: { 0: 'x' } as never })).rejects.toThrow(/fitDataset: classWeight\[0\] must be a number/);
    await expect(sigmoidModel().fitDataset(pairs(), { epochs: 0, classWeight: { a: 1 } as never })).rejects.toThrow(/fitDataset: classWeight: key 'a' is not a class id/);
    await expect(sigmoidModel().fitDataset(pairs(), { epochs: 0, classWeight: [{ 0: 1 }, { 0: 1 }] })).rejects.toThrow(/fitDataset: classWeight lists 2 tables but the model has 1 output/);
    await expect(sigmoidModel().fitDataset(pairs(), { epochs: 0, classWeight: { 0: -1 } })).rejects.toThrow(/fitDataset: classWeight/);
    // Nothing trained: a bad table stops the call before onTrainBegin.
    const began: string[] = [];
    await expect(sigmoidModel().fitDataset(pairs(), { classWeight: { 0: 'x' } as never, callbacks: { onTrainBegin: () => { began.push('began'); } } })).rejects.toThrow();
    expect(began).toEqual([]);
  });

  it('validationBatchSize batches [x, y] validation data (tfjs 4.22 numbers) and is refused with a validation dataset', async () => {
    const val: [rl.Tensor, rl.Tensor] = [rl.tensor2d([[1, 1], [2, -1], [0, 3]]), rl.tensor2d([[1], [0], [1]])];
    const h = await sigmoidModel().fitDataset(pairs(), { epochs: 2, validationData: val, validationBatchSize: 2 });
    expect(h.history.val_loss[0]).toBeCloseTo(0.49557939171791077, 5);
    expect(h.history.val_loss[1]).toBeCloseTo(0.49491003155708313, 5);
    expect(h.history.loss[1]).toBeCloseTo(0.09508638828992844, 5);
    await expect(sigmoidModel().fitDataset(pairs(), { validationData: pairs(), validationBatchSize: 2 })).rejects.toThrow(/validationBatchSize.*a dataset/);
    await expect(sigmoidModel().fitDataset(pairs(), { validationData: val, validationBatchSize: 0 })).rejects.toThrow(/validationBatchSize must be a positive integer/);
  });

  it("yieldEvery 'batch' lets queued macrotasks run between batches, 'never' does not; a bad value is named", async () => {
    // setImmediate callbacks queued before fitDataset run only when it yields to the event loop: no clock involved.
    const ticksAtBatches = async (yieldEvery: 'batch' | 'never'): Promise<number[]> => {
      let ticks = 0;
      for (let i = 0; i < 4; i++) setImmediate(() => { ticks++; });
      const at: number[] = [];
      await sigmoidModel().fitDataset(pairs().repeat(3), { epochs: 1, yieldEvery, callbacks: { onBatchBegin: () => { at.push(ticks); } } });
      await new Promise((r) => setImmediate(r)); // let the rest run before the next case
      return at;
    };
    expect(await ticksAtBatches('batch')).toEqual([0, 4, 4, 4, 4, 4]);
    expect(await ticksAtBatches('never')).toEqual([0, 0, 0, 0, 0, 0]);
    await expect(sigmoidModel().fitDataset(pairs(), { yieldEvery: 'often' as never })).rejects.toThrow(/fitDataset: yieldEvery/);
  });
});

describe("fitDataset's params (tfjs)", () => {
  it('steps is the dataset\'s size when known (tfjs: 2 for 4 samples in batches of 2), else batchesPerEpoch or null; history and callbacks agree', async () => {
    const seen: unknown[] = [];
    const cb = { onTrainBegin(this: { params: unknown }) { seen.push(this.params); } };
    const h = await sigmoidModel().fitDataset(pairs(), { epochs: 1, callbacks: cb });
    expect(h.params).toEqual({ epochs: 1, initialEpoch: 0, samples: null, steps: 2, batchSize: null, verbose: 1, doValidation: false, metrics: ['loss'] });
    expect(seen[0]).toEqual(h.params);
    const endless = await sigmoidModel().fitDataset(pairs().repeat(), { epochs: 1, batchesPerEpoch: 3 });
    expect(endless.params.steps).toBe(3);
    const unknown = await sigmoidModel().fitDataset(pairs().filter(() => true), { epochs: 1 });
    expect(unknown.params.steps).toBeNull();
  });
});

describe('an infinite dataset', () => {
  const endless = () => rl.data.array([batch(1), batch(2)]).repeat();

  it('is refused by evaluateDataset without batches (the pass would never end), taken with them', async () => {
    await expect(mse().evaluateDataset(endless())).rejects.toThrow(/evaluateDataset: the dataset is infinite; give batches$/);
    const v = await mse().evaluateDataset(endless(), { batches: 3 }) as rl.Tensor;
    expect(Number.isFinite(v.dataSync()[0])).toBe(true);
  });

  it('as validationData is refused by fitDataset without validationBatches, before training', async () => {
    const m = mse();
    const before = m.getWeights()[0].dataSync().slice();
    await expect(m.fitDataset(rl.data.array([batch(1)]), { validationData: endless() })).rejects.toThrow(/fitDataset: validationData is an infinite dataset; give validationBatches$/);
    expect(m.getWeights()[0].dataSync()).toEqual(before);
    const h = await m.fitDataset(rl.data.array([batch(1)]), { validationData: endless(), validationBatches: 2 });
    expect(h.history.val_loss).toHaveLength(1);
  });
});
