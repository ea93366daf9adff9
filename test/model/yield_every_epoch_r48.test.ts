/**
 * yieldEvery 'epoch' (tfjs's): fit and fitDataset yield to the event loop once after each epoch's onEpochEnd, and
 * never between batches; 'never' does not yield at all. Counted with a self-requeuing setImmediate, which runs once
 * each time training yields, so no clock is involved.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function model(): rl.Sequential {
  rl.setSeed(5);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [3] })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}

const xs = rl.randomNormal([16, 3]);
const ys = rl.randomNormal([16, 1]);

/** The ticks counted at each epoch end and at each batch start, over 4 epochs of 4 batches. */
async function ticksSeen(yieldEvery: 'epoch' | 'never', dataset: boolean): Promise<{ epochEnds: number[]; batchStarts: number[][] }> {
  let ticks = 0, running = true;
  const tick = () => { ticks++; if (running) setImmediate(tick); };
  setImmediate(tick);
  const epochEnds: number[] = [], batchStarts: number[][] = [];
  const callbacks = {
    onEpochBegin: () => { batchStarts.push([]); },
    onBatchBegin: () => { batchStarts[batchStarts.length - 1].push(ticks); },
    onEpochEnd: () => { epochEnds.push(ticks); },
  };
  // Batch callbacks turn 'auto' into yielding every batch, never an explicit 'epoch' or 'never'.
  if (dataset) {
    const ds = rl.data.zip({ xs: rl.data.array(xs.unstack()), ys: rl.data.array(ys.unstack()) }).batch(4);
    await model().fitDataset(ds, { epochs: 4, verbose: 0, yieldEvery, callbacks });
  } else {
    await model().fit(xs, ys, { epochs: 4, batchSize: 4, verbose: 0, yieldEvery, callbacks });
  }
  running = false;
  await new Promise((r) => setImmediate(r)); // let the last tick run before the next case counts
  return { epochEnds, batchStarts };
}

describe("yieldEvery 'epoch'", () => {
  for (const dataset of [false, true]) {
    const where = dataset ? 'fitDataset' : 'fit';
    it(`${where} yields once after each epoch, never between batches`, async () => {
      const { epochEnds, batchStarts } = await ticksSeen('epoch', dataset);
      expect(epochEnds).toEqual([0, 1, 2, 3]);
      expect(batchStarts).toEqual([[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]]);
    });

    it(`${where} with 'never' yields neither between batches nor between epochs`, async () => {
      const { epochEnds, batchStarts } = await ticksSeen('never', dataset);
      expect(epochEnds).toEqual([0, 0, 0, 0]);
      expect(batchStarts.flat()).toEqual(new Array(16).fill(0));
    });
  }
});
