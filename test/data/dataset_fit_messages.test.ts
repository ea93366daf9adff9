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
    await expect(m.fitDataset(ds, { epochs: 1, verbose: 0 })).rejects.toThrow(/keys \["b"\] are not the model's names \["a"\]/);
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
});
