/**
 * fitDataset names the batch and the epoch (both counted from 1, as its other batch messages) of an error found in a
 * batch: a stream has no x whose row fit would name, and a layer's own position is a row of that batch.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const values = (m: rl.LayersModel | rl.Sequential) => m.getWeights().map((w) => Array.from(w.dataSync()));

/** 40 rows of ids in batches of 4; with bad, row 3 of batch 8 (counted from 1) holds id 99 of a vocabulary of 10. */
function ids(bad: boolean, batches = 10) {
  const xs = Array.from({ length: batches * 4 }, (_, i) => [1 + (i % 3), 2, 3]);
  if (bad) xs[7 * 4 + 3] = [1, 99, 3];
  return rl.data.zip({ xs: rl.data.array(xs), ys: rl.data.array(xs.map((r) => [r[0] / 3])) }).batch(4);
}

/** The ids reach the Embedding through a layer, so they are checked as each batch runs, not over the data up front. */
function idsInside(): rl.LayersModel {
  rl.setSeed(3);
  const inp = rl.input({ shape: [3] });
  const e = rl.layers.embedding({ inputDim: 10, outputDim: 2, name: 'emb' }).apply(rl.layers.reshape({ targetShape: [3] }).apply(inp));
  const m = rl.model({ inputs: inp, outputs: rl.layers.dense({ units: 1 }).apply(rl.layers.flatten().apply(e)), name: 'm' });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}

describe('fitDataset names the batch an error comes from', () => {
  it('an id made inside the model: the batch and epoch, and the batches before it trained as they would alone', async () => {
    const m = idsInside();
    await expect(m.fitDataset(ids(true), { epochs: 1, verbose: 0 }))
      .rejects.toThrow(/^m\.fitDataset: batch 8 of epoch 1: emb \(Embedding\): token id 99 at position \[3, 1\] of input \(None, 3\) is outside \[0, 10\)/);
    const seven = idsInside();
    await seven.fitDataset(ids(false, 7), { epochs: 1, verbose: 0 });
    expect(values(m)).toEqual(values(seven));
  });

  it('a target of the wrong shape in the second batch of the second epoch', async () => {
    rl.setSeed(1);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })], name: 's' });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    let epoch = 0;
    const ds = rl.data.generator(function* () {
      epoch++;
      for (let b = 0; b < 3; b++) yield { xs: rl.ones([2, 2]), ys: rl.ones(epoch === 2 && b === 1 ? [2, 3] : [2, 1]) };
    });
    let after: number[][] = [];
    const run = m.fitDataset(ds, { epochs: 2, verbose: 0, callbacks: { onBatchEnd: () => { after = values(m); } } });
    await expect(run).rejects.toThrow(/^s\.fitDataset: batch 2 of epoch 2: .*\[2, 3\]/);
    // The refused batch moved nothing: the weights are those after the batch before it.
    expect(values(m)).toEqual(after);
  });

  it('a stateful layer given a short last batch names that batch, and runs nothing of it', async () => {
    rl.setSeed(1);
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 2, stateful: true, batchInputShape: [4, 3, 1] }), rl.layers.dense({ units: 1 })], name: 'st' });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const xs = Array.from({ length: 30 }, (_, i) => [[i % 2], [1], [0]]);
    let after: number[][] = [];
    const run = m.fitDataset(rl.data.zip({ xs: rl.data.array(xs), ys: rl.data.array(xs.map(() => [1])) }).batch(4), { epochs: 1, verbose: 0, callbacks: { onBatchEnd: () => { after = values(m); } } });
    await expect(run).rejects.toThrow('st.fitDataset: batch 8 of epoch 1: lstm');
    await expect(run).rejects.toThrow(/stateful layer was built for batches of 4, but the dataset gave a batch of 2; .*\(this batch was not run\)$/);
    expect(values(m)).toEqual(after);
  });

  it("a user's own error class and a RangeError keep their kind; a RangeError is named by batch", async () => {
    class MyLossError extends Error {}
    for (const [Kind, named] of [[MyLossError, false], [RangeError, true]] as const) {
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })], name: 'k' });
      let calls = 0;
      m.compile({ optimizer: 'sgd', loss: (yTrue: rl.Tensor, yPred: rl.Tensor) => { if (++calls === 2) throw new Kind('loss broke'); return rl.losses.meanSquaredError(yTrue, yPred); } });
      const data = rl.data.array([{ xs: [1, 2], ys: [1] }, { xs: [3, 4], ys: [0] }, { xs: [5, 6], ys: [1] }]).batch(1);
      const err = await m.fitDataset(data, { verbose: 0 }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(Kind);
      expect((err as Error).message).toBe(named ? 'k.fitDataset: batch 2 of epoch 1: loss broke' : 'loss broke');
    }
  });

  it('an uncompiled model is refused before any callback runs', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })], name: 'u' });
    let began = false;
    await expect(m.fitDataset(rl.data.array([{ xs: [1, 2], ys: [1] }]).batch(1), { verbose: 0, callbacks: { onTrainBegin: () => { began = true; } } }))
      .rejects.toThrow(/^u: call compile\(\) before fitDataset\(\)$/);
    expect(began).toBe(false);
  });
});
