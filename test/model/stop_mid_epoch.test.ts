/**
 * An epoch cut short. stopTraining alone still validates it (Keras 3; tfjs 4.22 skips that validation); a cancel
 * (FitState.cancelled, the dashboard's) skips it in fit and fitDataset alike, so the History's val_ arrays end one
 * entry shorter than loss, as tfjs's History does for every epoch it did not validate.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Callback, FitState } from '../../src/models/callback.js';

function model(): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}

const X = rl.ones([8, 2]), Y = rl.ones([8, 1]);
const VAL: [rl.Tensor, rl.Tensor] = [rl.ones([2, 2]), rl.zeros([2, 1])];
const dataset = () => rl.data.zip({ xs: rl.data.array(Array.from({ length: 8 }, () => rl.ones([2]))), ys: rl.data.array(Array.from({ length: 8 }, () => rl.ones([1]))) }).batch(4);

/** Stops in epoch 2 (the third) after its first batch; cancel: as the dashboard does, also marking the run cancelled. */
function stopper(m: rl.Sequential, cancel: boolean): Callback {
  let fit: FitState | null = null;
  let epochNow = 0;
  return {
    setFitState: (s) => { fit = s; },
    onEpochBegin: (e) => { epochNow = e; },
    onBatchEnd: (b) => {
      if (epochNow === 2 && b === 0) { m.stopTraining = true; if (cancel && fit) fit.cancelled = true; }
    },
  };
}

describe('an epoch cut short', () => {
  for (const how of ['fit', 'fitDataset'] as const) {
    const run = (m: rl.Sequential, cb: Callback) => how === 'fit'
      ? m.fit(X, Y, { epochs: 5, batchSize: 4, validationData: VAL, callbacks: [cb], verbose: 0 })
      : m.fitDataset(dataset(), { epochs: 5, validationData: VAL, callbacks: [cb] });

    it(`${how}: a cancel skips its validation; val_loss ends one shorter than loss`, async () => {
      const m = model();
      const h = await run(m, stopper(m, true));
      expect(h.epoch).toEqual([0, 1, 2]);
      expect(h.history.loss).toHaveLength(3);
      expect(h.history.val_loss).toHaveLength(2);
    });

    it(`${how}: stopTraining alone validates the epoch it ends (Keras)`, async () => {
      const m = model();
      const h = await run(m, stopper(m, false));
      expect(h.epoch).toEqual([0, 1, 2]);
      expect(h.history.val_loss).toHaveLength(3);
    });
  }
});
