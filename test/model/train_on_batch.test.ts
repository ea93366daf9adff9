/** model.trainOnBatch: one step, [loss, ...metrics] as tfjs returns them, the same step fit takes. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { binaryLabels, evaluated, idData, maxAbsDiff } from '../io/helpers.js';

function model(metrics: string[]): rl.Sequential {
  rl.setSeed(5);
  const m = rl.sequential({ layers: [
    rl.layers.embedding({ inputDim: 30, outputDim: 4, inputLength: 6 }),
    rl.layers.gru({ units: 5 }),
    rl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: rl.train.adam(0.05), loss: 'binaryCrossentropy', metrics });
  return m;
}

describe('trainOnBatch', () => {
  const x = idData(24, 6, 30, 1);
  const y = binaryLabels(24, 2);

  it('returns [loss, accuracy] measured on the batch before the update', async () => {
    const m = model(['accuracy']);
    const [loss0, acc0] = evaluated(m.evaluate(x, y, { batchSize: 24 }));
    const out = m.trainOnBatch(x, y) as number[];
    expect(out).toHaveLength(2);
    expect(out[0]).toBeCloseTo(loss0, 5);
    expect(out[1]).toBeCloseTo(acc0, 6);
    const [loss1] = evaluated(m.evaluate(x, y, { batchSize: 24 }));
    expect(loss1).toBeLessThan(loss0);
  });

  it('returns the loss alone without metrics (tfjs, Keras), and takes the same step as fit on one full batch', async () => {
    const a = model([]);
    const [loss0] = evaluated(a.evaluate(x, y, { batchSize: 24 }));
    const out = a.trainOnBatch(x, y);
    expect(typeof out).toBe('number');
    expect(out).toBeCloseTo(loss0, 5);
    const b = model([]);
    await b.fit(x, y, { epochs: 1, batchSize: 24, shuffle: false, verbose: 0 });
    const wa = a.getWeights().map((w) => w.dataSync() as Float32Array), wb = b.getWeights().map((w) => w.dataSync() as Float32Array);
    wa.forEach((w, i) => expect(maxAbsDiff(w, wb[i])).toBe(0));
  });

  it('checks its inputs like fit does', () => {
    expect(() => rl.sequential({ layers: [rl.layers.dense({ units: 1, inputDim: 2 })] }).trainOnBatch(rl.tensor([[1, 2]]), rl.tensor([[1]])))
      .toThrow(/call compile\(\) before trainOnBatch\(\)/);
    const m = model(['accuracy']);
    expect(() => m.trainOnBatch(x, binaryLabels(23, 2))).toThrow(/trainOnBatch: x has 24 samples but y has 23/);
    expect(() => m.trainOnBatch(x, rl.tensor(new Float32Array(24).fill(2), [24, 1]))).toThrow(/binaryCrossentropy needs targets in \[0, 1\]/);
  });
});
