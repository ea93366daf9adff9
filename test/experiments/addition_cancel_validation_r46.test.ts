/**
 * A cancelled addition run scores its validation questions with the weights of its last whole epoch, as its train
 * accuracy and val_loss describe that epoch: not with the half-updated weights of the epoch the cancel cut. With no
 * whole epoch there is nothing to score (null metrics, no samples).
 */
import { describe, expect, it } from 'vitest';
import { additionBody, additionMetrics } from '../../src/experiments/addition_result.js';
import { scoreAnswers, trainAddition, type AdditionRun, type AdditionTaskOptions } from '../../src/experiments/addition_task.js';

/**
 * 1000 sums (900 to train on: 29 batches of 32, 100 held out), trained fast enough that its answers still change
 * within an epoch (a slower run answers every question alike for epochs, whatever its weights).
 */
const SMALL: AdditionTaskOptions = { digits: 2, trainingSize: 1000, hidden: 64, batchSize: 32, lr: 0.05, verbose: 0 };

async function cancelledAt(epoch: number, batch: number) {
  const ctl = new AbortController();
  return trainAddition({ ...SMALL, epochs: epoch + 2, signal: ctl.signal, onBatchEnd: (e, b) => { if (e === epoch && b === batch) ctl.abort(); } });
}

/** What the weights the run ended with (the cut epoch's, half-updated) answer. */
const endWeights = (r: AdditionRun) => scoreAnswers(r.model, r.data.val.x, r.data.val.answers, r.data.table);

describe('a cancelled addition run\'s validation scores', () => {
  it('cut inside its third epoch: those of the model after two whole epochs', async () => {
    const cut = await cancelledAt(2, 15);
    expect([cut.cancelled, cut.partialLastEpoch]).toEqual([true, true]);
    // The reference: the same run (same seed, same first epochs) trained two whole epochs and scored at their end.
    const two = await trainAddition({ ...SMALL, epochs: 2 });
    expect(cut.history.accuracy.slice(0, 2)).toEqual(two.history.accuracy);
    // The half-updated weights answer otherwise, so the scores below tell the two apart.
    expect(endWeights(cut).perChar).not.toBe(two.perChar);
    expect([cut.perChar, cut.exact]).toEqual([two.perChar, two.exact]);
    expect(cut.samples).toEqual(two.samples);
    // The cut epoch is not validated: val_exact, as val_loss, holds the whole epochs only.
    expect(cut.history.val_exact).toEqual(two.history.val_exact);
    expect(cut.history.val_loss).toHaveLength(2);
    expect(cut.samplesPerEpoch).toEqual(two.samplesPerEpoch);
    const m = additionMetrics(cut);
    expect(m).toEqual({ perCharAccuracy: two.perChar, exactMatchAccuracy: two.exact, trainAccuracy: two.history.accuracy[1], valLoss: two.history.val_loss[1] });
    expect(additionBody(cut).models[0].metrics).toEqual(m);
    expect(additionBody(cut).samples).toEqual(two.samples);
  }, 120000);

  it('cut inside its first epoch: none (null metrics, no samples)', async () => {
    const r = await cancelledAt(0, 3);
    expect([r.cancelled, r.partialLastEpoch]).toEqual([true, true]);
    expect([r.perChar, r.exact]).toEqual([NaN, NaN]);
    expect(r.samples).toEqual([]);
    expect(r.history.val_exact).toEqual([]);
    expect(r.samplesPerEpoch).toEqual([]);
    expect(additionMetrics(r)).toEqual({ perCharAccuracy: null, exactMatchAccuracy: null, trainAccuracy: null, valLoss: null });
  }, 60000);

  it('cut after an epoch\'s last batch: that epoch is whole, validated and scored', async () => {
    const r = await cancelledAt(0, 28);
    expect([r.cancelled, r.partialLastEpoch]).toEqual([true, false]);
    const one = await trainAddition({ ...SMALL, epochs: 1 });
    expect([r.perChar, r.exact]).toEqual([one.perChar, one.exact]);
    expect(r.history.val_exact).toEqual([one.exact]);
    // fit validates it as any whole epoch (the cancel came after its last batch), so its val_loss is the record's.
    expect(r.history.val_loss).toEqual(one.history.val_loss);
    expect(additionMetrics(r).valLoss).toBe(one.history.val_loss[0]);
  }, 120000);
});
