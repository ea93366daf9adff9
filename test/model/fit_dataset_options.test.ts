/**
 * fitDataset's options checked before any training: validationBatches applies only to a validation dataset
 * (tfjs's meaning) and must be a positive integer; initialEpoch must be a non-negative integer, as fit's.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[1, 2], [0, 1], [2, 2], [5, 4]];
const Y = [[1], [0], [1], [0]];
const ds = () => rl.data.zip({ xs: rl.data.array(X), ys: rl.data.array(Y) }).batch(2);

function model(): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}

async function rejectsUntrained(args: Record<string, unknown>, message: RegExp): Promise<void> {
  const m = model();
  await expect(m.fitDataset(ds(), args as never)).rejects.toThrow(message);
  expect(Array.from(m.getWeights()[0].dataSync())).toEqual([1, 1]);
}

describe('fitDataset options', () => {
  it('validationBatches without a validation dataset is an error, not ignored', async () => {
    await rejectsUntrained({ validationBatches: 1 }, /fitDataset: validationBatches limits a validationData dataset, but validationData is not given/);
    await rejectsUntrained({ validationBatches: 1, validationData: [X, Y] }, /validationData is tensors/);
  });

  it('a bad validationBatches is refused before the first epoch trains', async () => {
    await rejectsUntrained({ validationBatches: 0, validationData: ds() }, /fitDataset: validationBatches must be a positive integer, got 0/);
  });

  it('initialEpoch must be a non-negative integer', async () => {
    await rejectsUntrained({ initialEpoch: -1, epochs: 2 }, /fitDataset: initialEpoch must be a non-negative integer, got -1/);
    await rejectsUntrained({ initialEpoch: '1', epochs: 2 }, /initialEpoch must be a non-negative integer, got "1"/);
  });

  it('validationBatches limits the validation dataset', async () => {
    const m = model();
    const h = await m.fitDataset(ds(), { epochs: 1, validationData: ds(), validationBatches: 1 });
    const firstBatch = m.evaluate(X.slice(0, 2), Y.slice(0, 2)) as rl.Tensor;
    expect(h.history.val_loss[0]).toBeCloseTo(firstBatch.dataSync()[0], 6);
  });
});

describe('fitDataset metrics', () => {
  const XS = [[1, 2], [0, 1], [2, 2], [5, 4], [1, 0], [3, 1]];
  const YS = [[1], [0], [1], [0], [1], [1]];
  const classifier = () => {
    rl.setSeed(2);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
    m.compile({ optimizer: rl.train.sgd(0.05), loss: 'binaryCrossentropy', metrics: ['precision', 'auc', 'accuracy'] });
    return m;
  };

  it("are the epoch's, as fit's on the same batches (precision and AUC are not means of per-batch values)", async () => {
    const fitted = await classifier().fit(XS, YS, { batchSize: 2, shuffle: false, verbose: 0, epochs: 2 });
    const batchLogs: Record<string, number>[] = [];
    const streamed = await classifier().fitDataset(rl.data.zip({ xs: rl.data.array(XS), ys: rl.data.array(YS) }).batch(2),
      { epochs: 2, callbacks: { onBatchEnd: (_b: number, logs?: Record<string, number>) => { batchLogs.push({ ...logs! }); } } });
    for (const k of ['loss', 'precision', 'auc', 'accuracy']) {
      streamed.history[k].forEach((v, e) => expect(v, `${k} epoch ${e}`).toBeCloseTo(fitted.history[k][e], 6));
    }
    // Before this fix the first epoch logged precision 0.833 (a mean of 1, 0.5, 1) and AUC 0.333 here.
    expect(streamed.history.precision[0]).toBeCloseTo(0.8, 6);
    // Batch logs are the epoch's running values, as fit's: the epoch's last batch logs the epoch's values.
    expect(batchLogs[2].precision).toBe(streamed.history.precision[0]);
    expect(batchLogs[2].loss).toBe(streamed.history.loss[0]);
  });
});

describe('evaluateDataset metrics', () => {
  it("are evaluate's over the same samples, whatever the batching", async () => {
    const X = [[1, 2], [0, 1], [2, 2], [5, 4], [1, 0], [3, 1], [2, 5]];
    const Y = [[1], [0], [1], [0], [1], [1], [0]];
    rl.setSeed(4);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['precision', 'recall', 'auc', 'accuracy'] });
    const want = (m.evaluate(X, Y) as rl.Tensor[]).map((t) => t.dataSync()[0]);
    const got = (await m.evaluateDataset(rl.data.zip({ xs: rl.data.array(X), ys: rl.data.array(Y) }).batch(3)) as rl.Tensor[]).map((t) => t.dataSync()[0]);
    got.forEach((v, i) => expect(v, m.metricsNames[i]).toBeCloseTo(want[i], 6));
  });
});

function sink(): { out: { write: (s: string) => boolean }; text: () => string } {
  const parts: string[] = [];
  return { out: { write: (s: string) => { parts.push(s); return true; } }, text: () => parts.join('') };
}

describe("fitDataset's verbose default (1, as tfjs's training_dataset.ts and as fit's)", () => {
  it('is 1: progress is printed without verbose, as fit prints it', async () => {
    const s = sink();
    const h = await model().fitDataset(ds(), { epochs: 2, out: s.out });
    expect(s.text()).toMatch(/Epoch 1\/2\n/);
    expect(s.text()).toMatch(/Epoch 2\/2\n[\s\S]*loss: /);
    expect(h.params.verbose).toBe(1);
    const f = sink();
    await model().fit(X, Y, { epochs: 2, out: f.out });
    expect(f.text()).toMatch(/Epoch 1\/2\n/);
  });

  it('verbose 0 is silent; evaluateDataset stays silent without verbose (tfjs: 0)', async () => {
    const s = sink();
    const h = await model().fitDataset(ds(), { epochs: 1, verbose: 0, out: s.out });
    expect(s.text()).toBe('');
    expect(h.params.verbose).toBe(0);
    const e = sink();
    await model().evaluateDataset(ds(), { out: e.out });
    expect(e.text()).toBe('');
  });
});
