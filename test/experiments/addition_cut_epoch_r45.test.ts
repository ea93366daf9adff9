/**
 * A cancelled addition run's train accuracy and val_loss are its last whole epoch's (null with none), as a cancelled
 * imdb run's: the cut epoch's accuracy averages only its first batches, and its validation was skipped.
 */
import { describe, expect, it } from 'vitest';
import { additionBody, additionMetrics } from '../../src/experiments/addition_result.js';
import { trainAddition } from '../../src/experiments/addition_task.js';

/** A small run (300 sums: 270 to train on, 9 batches of 32), cancelled after batch `batch` (0-based) of epoch `epoch`. */
async function cancelledAt(epoch: number, batch: number) {
  const ctl = new AbortController();
  return trainAddition({ digits: 2, trainingSize: 300, hidden: 8, epochs: 3, batchSize: 32, verbose: 0, signal: ctl.signal,
    onBatchEnd: (e, b) => { if (e === epoch && b === batch) ctl.abort(); } });
}

describe('a cancelled addition run', () => {
  it('cut inside its second epoch reports the first epoch\'s train accuracy and val_loss', async () => {
    const r = await cancelledAt(1, 2);
    expect([r.cancelled, r.partialLastEpoch]).toEqual([true, true]);
    // The history keeps the cut epoch's numbers (its first 3 batches); its validation was skipped.
    expect(r.history.accuracy).toHaveLength(2);
    expect(r.history.val_loss).toHaveLength(1);
    expect(r.history.accuracy[1]).not.toBe(r.history.accuracy[0]);
    const m = additionMetrics(r);
    expect(m).toMatchObject({ trainAccuracy: r.history.accuracy[0], valLoss: r.history.val_loss[0] });
    expect(additionBody(r).metrics).toEqual(m);
    expect(additionBody(r).models[0].metrics).toEqual(m);
  }, 60000);

  it('cut inside its first epoch has no train accuracy or val_loss', async () => {
    const r = await cancelledAt(0, 1);
    expect([r.cancelled, r.partialLastEpoch, r.history.accuracy.length]).toEqual([true, true, 1]);
    expect(additionMetrics(r)).toMatchObject({ trainAccuracy: null, valLoss: null });
  }, 60000);

  it('cut after the last batch of an epoch counts that epoch whole', async () => {
    const r = await cancelledAt(0, 8);
    expect([r.cancelled, r.partialLastEpoch]).toEqual([true, false]);
    expect(additionMetrics(r).trainAccuracy).toBe(r.history.accuracy[0]);
  }, 60000);

  it('that was not cancelled reports its last epoch', async () => {
    const r = await trainAddition({ digits: 2, trainingSize: 300, hidden: 8, epochs: 2, batchSize: 32, verbose: 0 });
    expect([r.cancelled, r.partialLastEpoch]).toEqual([false, false]);
    expect(additionMetrics(r)).toMatchObject({ trainAccuracy: r.history.accuracy[1], valLoss: r.history.val_loss[1] });
  }, 60000);
});
