/** fitDataset / evaluateDataset errors name the call made and, for misnamed inputs, the names the model has. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function functionalModel(): rl.Functional {
  const a = rl.input({ shape: [2], name: 'a' });
  return rl.model({ inputs: a, outputs: rl.layers.dense({ units: 1 }).apply(a) as rl.SymbolicTensor });
}

describe('fitDataset and evaluateDataset messages', () => {
  it('batched xs under keys that are not the input names are named as such, not as unbatched columns', async () => {
    const m = functionalModel();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const ds = rl.data.array([{ xs: { b: rl.tensor([[1, 2]]) }, ys: rl.tensor([[1]]) }]);
    await expect(m.fitDataset(ds, { epochs: 1, verbose: 0 })).rejects.toThrow(/xs: keys \["b"\] are not the model's input names \["a"\]/);
    const cols = rl.data.array([{ xs: { p: 1, q: 2 }, ys: 1 }]);
    await expect(m.fitDataset(cols, { epochs: 1, verbose: 0 })).rejects.toThrow(/batch the dataset first/);
  });

  it('a bad callback is reported for fitDataset, an uncompiled model for evaluateDataset', async () => {
    const m = functionalModel();
    const ds = rl.data.array([{ xs: rl.tensor([[1, 2]]), ys: rl.tensor([[1]]) }]);
    await expect(m.evaluateDataset(ds)).rejects.toThrow(/call compile\(\) before evaluateDataset\(\)/);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(m.fitDataset(ds, { epochs: 1, verbose: 0, callbacks: [{ onEpochEnd: 3 } as never] })).rejects.toThrow(/^fitDataset: callbacks\[0\]/);
  });

  it('a bad out is refused before any callback runs, for fitDataset and evaluateDataset alike', async () => {
    const m = functionalModel();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const ds = rl.data.array([{ xs: rl.tensor([[1, 2]]), ys: rl.tensor([[1]]) }]);
    const began: string[] = [];
    await expect(m.fitDataset(ds, { epochs: 1, verbose: 1, out: 'log.txt' as never, callbacks: [{ onTrainBegin: () => { began.push('x'); } }] }))
      .rejects.toThrow(/fitDataset: out must be a writer, an object with a write\(text\) method/);
    expect(began).toEqual([]);
    await expect(m.evaluateDataset(ds, { verbose: 0, out: 123 as never })).rejects.toThrow(/evaluateDataset: out must be a writer/);
  });

  it('a validationFreq that selects none of the epochs trained is refused; one that selects some validates there', async () => {
    const m = functionalModel();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const ds = rl.data.array([{ xs: rl.tensor([[1, 2]]), ys: rl.tensor([[1]]) }]);
    await expect(m.fitDataset(ds, { epochs: 3, verbose: 0, validationData: ds, validationFreq: [10] })).rejects.toThrow(/validationFreq \[10\] validates after none of the epochs this fit trains \(1 to 3/);
    await expect(m.fitDataset(ds, { epochs: 3, verbose: 0, validationData: ds, validationFreq: 5 })).rejects.toThrow(/validationFreq 5 validates after none/);
    const h = await m.fitDataset(ds, { epochs: 3, verbose: 0, validationData: ds, validationFreq: [2] });
    expect(h.history.val_loss).toHaveLength(1);
  });

  it('batched ys under keys that are not the output names name the output names', async () => {
    const m = functionalModel();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const ds = rl.data.array([{ xs: rl.tensor([[1, 2]]), ys: { target: rl.tensor([[1]]) } }]);
    await expect(m.fitDataset(ds, { epochs: 1, verbose: 0 })).rejects.toThrow(/ys: keys \["target"\] are not the model's output names \[".+"\]/);
  });
});

describe('infinite datasets reached through concatenate', () => {
  const model = () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    return m;
  };
  const batch = { xs: rl.tensor([[1, 2]]), ys: rl.tensor([[1]]) };

  it('fitDataset and evaluateDataset refuse an unknown-size dataset concatenated with an infinite one, and run with a limit', async () => {
    // Fresh tensors each time: fitDataset disposes every batch it trains on, as tfjs's does.
    const gen = () => rl.data.generator(function* () { yield { xs: batch.xs.clone(), ys: batch.ys.clone() }; });
    const endless = gen().concatenate(rl.data.array([batch]).repeat());
    const m = model();
    await expect(m.fitDataset(endless, { epochs: 1, verbose: 0 })).rejects.toThrow(/the dataset is infinite; give batchesPerEpoch/);
    await expect(m.evaluateDataset(endless)).rejects.toThrow(/the dataset is infinite; give batches/);
    await expect(m.fitDataset(gen(), { epochs: 1, verbose: 0, validationData: endless })).rejects.toThrow(/validationData is an infinite dataset; give validationBatches/);
    const h = await m.fitDataset(endless, { epochs: 2, batchesPerEpoch: 3, verbose: 0 });
    expect(h.history.loss).toHaveLength(2);
  });

  it('an async filter predicate keeps the rows it rejects out of training', async () => {
    const rows = rl.data.array([[1, 2, 1], [NaN, 0, 0], [2, 1, 3]])
      .filter(async (r) => !r.some(Number.isNaN))
      .map((r) => ({ xs: rl.tensor([r.slice(0, 2)]), ys: rl.tensor([[r[2]]]) }));
    const h = await model().fitDataset(rows, { epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
  });
});
