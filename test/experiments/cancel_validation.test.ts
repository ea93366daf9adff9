/** A dashboard cancel stops fit at the batch boundary: the epoch it cut short is not validated (that pass took ~50 s on IMDb). */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { hookCallbacks } from '../../src/experiments/train_hooks.js';

function model(): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}

const X = rl.ones([16, 2]), Y = rl.ones([16, 1]);

describe('cancelling through the task hooks', () => {
  it('stops after the batch it was asked in and skips that epoch\'s validation', async () => {
    const m = model();
    const ctl = new AbortController();
    const batches: number[] = [];
    const cbs = hookCallbacks(m, { signal: ctl.signal, onBatchEnd: (_e, b) => { batches.push(b); if (b === 1) ctl.abort(); } });
    const h = await m.fit(X, Y, { epochs: 3, batchSize: 4, validationSplit: 0.25, verbose: 0, callbacks: cbs });
    expect(batches).toEqual([0, 1]);
    expect(h.epoch).toEqual([0]);
    expect(h.history.val_loss).toBeUndefined();
    expect(h.history.loss).toHaveLength(1);
  });

  it('stopTraining alone (an earlyStopping-like callback) still validates the epoch, as Keras', async () => {
    const m = model();
    const h = await m.fit(X, Y, { epochs: 3, batchSize: 4, validationSplit: 0.25, verbose: 0,
      callbacks: { onBatchEnd: async (b: number) => { if (b === 1) m.stopTraining = true; } } });
    expect(h.epoch).toEqual([0]);
    expect(h.history.val_loss).toHaveLength(1);
  });
});
