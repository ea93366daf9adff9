/**
 * End to end on the TypeScript reference kernels (what RNNLAB_BACKEND=reference selects): a small LSTM model
 * trains there, and matches the native kernels within float32 rounding, epoch by epoch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { binaryLabels, idData, maxAbsDiff } from '../io/helpers.js';

const native = rl.backendInfo().addon;

async function train(): Promise<{ losses: number[]; pred: Float32Array }> {
  rl.setSeed(7);
  const m = rl.sequential({ layers: [
    rl.layers.embedding({ inputDim: 40, outputDim: 6, inputLength: 10, maskZero: true }),
    rl.layers.lstm({ units: 8, returnSequences: true }),
    rl.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' }),
    rl.layers.globalMaxPooling1d(),
    rl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: rl.train.rmsprop(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const x = idData(64, 10, 40, 3), y = binaryLabels(64, 4);
  const h = await m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
  return { losses: h.history.loss, pred: Float32Array.from(m.predict(x).values) };
}

describe('the reference backend end to end', () => {
  afterEach(() => { if (native) rl.setBackend('native'); });

  it('trains: the loss falls over three epochs', async () => {
    rl.setBackend('reference');
    const r = await train();
    expect(r.losses[2]).toBeLessThan(r.losses[0]);
  });

  // Without the addon there is no second backend to compare with.
  it.skipIf(!native)('matches the native kernels within float32 rounding', async () => {
    rl.setBackend('reference');
    const ref = await train();
    rl.setBackend('native');
    const nat = await train();
    expect(maxAbsDiff(ref.losses, nat.losses)).toBeLessThan(1e-4);
    expect(maxAbsDiff(ref.pred, nat.pred)).toBeLessThan(1e-3);
  });
});
