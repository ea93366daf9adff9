/**
 * fit's stopTraining and epochs 0 against @tensorflow/tfjs 4.22 and Keras. stopTraining is read after each batch and
 * each epoch: set in onEpochBegin, onBatchBegin or onBatchEnd, fit stops as tfjs does. Set in onTrainBegin, tfjs
 * clears it and trains every epoch (the request is lost); rnnlab follows Keras 2 and 3, which read it after the
 * first batch. epochs 0 (or initialEpoch >= epochs) trains nothing and returns an empty History, as tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from '../layers/tfjs_twin.js';

beforeAll(() => tfjsReady());
type Lib = any;

function model(lib: Lib) {
  const m = lib.sequential({ layers: [lib.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: lib.train.sgd(0.1), loss: 'meanSquaredError' });
  return m;
}

/** Fits 3 epochs of 2 batches, stopping from `hook` (at `when`), and returns the events and the History. */
async function run(lib: Lib, hook: string, when: (i: number) => boolean) {
  const m = model(lib);
  const ev: string[] = [];
  const tag: Record<string, string> = { onTrainBegin: 'tb', onEpochBegin: 'eb', onBatchBegin: 'bb', onBatchEnd: 'be', onEpochEnd: 'ee', onTrainEnd: 'te' };
  const callbacks = Object.fromEntries(Object.entries(tag).map(([k, t]) => [k, async (i?: number) => {
    ev.push(typeof i === 'number' ? `${t}${i}` : t);
    if (k === hook && when(typeof i === 'number' ? i : 0)) m.stopTraining = true;
  }]));
  const h = await m.fit(lib.ones([8, 2]), lib.ones([8, 1]), { epochs: 3, batchSize: 4, verbose: 0, shuffle: false, callbacks });
  return { ev: ev.join(','), epochs: h.epoch as number[], losses: (h.history.loss as number[]).length };
}

describe('stopTraining', () => {
  for (const [hook, at] of [['onEpochBegin', 1], ['onBatchBegin', 0], ['onBatchEnd', 1], ['onEpochEnd', 0]] as const) {
    it(`set in ${hook} stops where tfjs stops`, async () => {
      const ours = await run(rl, hook, (i) => i === at);
      const theirs = await run(tf, hook, (i) => i === at);
      expect(ours).toEqual(theirs);
    });
  }

  it('set in onTrainBegin: one batch then stop (Keras); tfjs 4.22 drops the request and trains all epochs', async () => {
    const ours = await run(rl, 'onTrainBegin', () => true);
    expect(ours).toEqual({ ev: 'tb,eb0,bb0,be0,ee0,te', epochs: [0], losses: 1 });
    const theirs = await run(tf, 'onTrainBegin', () => true);
    expect(theirs.epochs).toEqual([0, 1, 2]);
  });

  it('is cleared by the next fit', async () => {
    const m = model(rl);
    m.stopTraining = true;
    const h = await m.fit(rl.ones([8, 2]), rl.ones([8, 1]), { epochs: 2, batchSize: 4, verbose: 0 });
    expect(h.epoch).toEqual([0, 1]);
  });
});

describe('epochs 0', () => {
  it('returns an empty History, calls onTrainBegin and onTrainEnd, and leaves the weights, as tfjs', async () => {
    const run0 = async (lib: Lib, extra: Record<string, number>) => {
      const m = model(lib);
      const before = Array.from(m.getWeights()[0].dataSync());
      const ev: string[] = [];
      const h = await m.fit(lib.ones([8, 2]), lib.ones([8, 1]), { verbose: 0, ...extra,
        callbacks: { onTrainBegin: async () => { ev.push('tb'); }, onEpochBegin: async () => { ev.push('eb'); }, onTrainEnd: async () => { ev.push('te'); } } });
      expect(Array.from(m.getWeights()[0].dataSync())).toEqual(before);
      return { ev, history: h.history, epoch: h.epoch, paramsEpochs: h.params.epochs };
    };
    for (const extra of [{ epochs: 0 }, { epochs: 2, initialEpoch: 2 }, { epochs: 2, initialEpoch: 5 }] as Record<string, number>[]) {
      const ours = await run0(rl, extra);
      expect(ours).toEqual(await run0(tf, extra));
      expect(ours.ev).toEqual(['tb', 'te']);
      expect(ours.epoch).toEqual([]);
    }
  });

  it('still checks the data and the other options (tfjs trains -1 and 1.5 epochs; rnnlab refuses them)', async () => {
    const m = model(rl);
    await expect(m.fit(rl.ones([8, 2]), rl.ones([8, 3]), { epochs: 0, verbose: 0 })).rejects.toThrow(/fit: y/);
    await expect(m.fit(rl.ones([8, 2]), rl.ones([8, 1]), { epochs: -1, verbose: 0 })).rejects.toThrow(/fit: epochs must be a non-negative integer, got -1/);
    await expect(m.fit(rl.ones([8, 2]), rl.ones([8, 1]), { epochs: 1.5, verbose: 0 })).rejects.toThrow(/fit: epochs must be a non-negative integer, got 1.5/);
  });
});

describe('fitDataset reads stopTraining as fit does', () => {
  it('set in onTrainBegin: one batch then stop; set in onEpochEnd: that epoch is the last', async () => {
    const ds = () => rl.data.zip({ xs: rl.data.array([[1, 2], [3, 4], [5, 6], [7, 8]]), ys: rl.data.array([[1], [2], [3], [4]]) }).batch(2);
    const once = async (hook: string) => {
      const m = model(rl);
      const ev: string[] = [];
      const h = await m.fitDataset(ds(), { epochs: 3, verbose: 0, callbacks: {
        onTrainBegin: async () => { ev.push('tb'); if (hook === 'onTrainBegin') m.stopTraining = true; },
        onBatchEnd: async (b: number) => { ev.push(`be${b}`); },
        onEpochEnd: async (e: number) => { ev.push(`ee${e}`); if (hook === 'onEpochEnd') m.stopTraining = true; },
      } });
      return { ev: ev.join(','), epochs: h.epoch };
    };
    expect(await once('onTrainBegin')).toEqual({ ev: 'tb,be0,ee0', epochs: [0] });
    expect(await once('onEpochEnd')).toEqual({ ev: 'tb,be0,be1,ee0', epochs: [0] });
  });
});

describe('fitDataset with epochs 0', () => {
  it('trains nothing and returns an empty History, as fit', async () => {
    const m = model(rl);
    const before = m.getWeights().map((w: rl.Tensor) => Array.from(w.dataSync()));
    const ds = rl.data.zip({ xs: rl.data.array([[1, 2]]), ys: rl.data.array([[1]]) }).batch(1);
    const h = await m.fitDataset(ds, { epochs: 0, verbose: 0 });
    expect(h.epoch).toEqual([]);
    expect(m.getWeights().map((w: rl.Tensor) => Array.from(w.dataSync()))).toEqual(before);
    await expect(m.fitDataset(ds, { epochs: -1, verbose: 0 })).rejects.toThrow(/epochs must be a non-negative integer, got -1/);
  });
});
