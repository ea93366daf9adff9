/**
 * model.history while fit and fitDataset run: set to the run's History as training starts (tfjs sets it before
 * onTrainBegin; Keras at each epoch's end), so a callback reading this.model.history sees the current run's, with
 * the epochs recorded so far; once the run resolves it is the History returned.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[1, 2], [0.5, -1], [3, 0], [-2, 1], [1, 1], [0, 2]];
const Y = [[1], [0], [2], [-1], [0.5], [1]];

function model(): rl.Sequential {
  rl.setSeed(5);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: rl.train.sgd(0.05), loss: 'mse' });
  return m;
}

/** What a callback saw of model.history (through this.model, as a plain object's hooks get it) at each hook. */
interface Seen { begin?: rl.History; beginEpochs?: number; ends: { history: rl.History | undefined; losses: number }[] }
function watcher(seen: Seen) {
  return {
    onTrainBegin(this: { model: rl.Sequential }) { seen.begin = this.model.history; seen.beginEpochs = this.model.history?.epoch.length; },
    onEpochEnd(this: { model: rl.Sequential }) { seen.ends.push({ history: this.model.history, losses: this.model.history?.history.loss?.length ?? -1 }); },
  };
}

describe('model.history during a run', () => {
  it("fit: a callback sees the run's own History from onTrainBegin on, the epoch already recorded in onEpochEnd", async () => {
    const m = model();
    const first = await m.fit(X, Y, { epochs: 1, verbose: 0 });
    const seen: Seen = { ends: [] };
    const h = await m.fit(X, Y, { epochs: 3, verbose: 0, callbacks: watcher(seen) });
    expect(seen.begin).toBe(h);
    expect(seen.begin).not.toBe(first);
    expect(seen.beginEpochs).toBe(0);
    expect(seen.ends.map((e) => e.history === h)).toEqual([true, true, true]);
    expect(seen.ends.map((e) => e.losses)).toEqual([1, 2, 3]);
    expect(m.history).toBe(h);
  });

  it('an rl.Callback subclass reads it through this.model too', async () => {
    const m = model();
    let during: unknown = null;
    class Reader extends rl.Callback {
      async onEpochEnd(): Promise<void> { during = (this.model as unknown as rl.Sequential).history; }
    }
    const h = await m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [new Reader()] });
    expect(during).toBe(h);
  });

  it('fitDataset: the same', async () => {
    const m = model();
    await m.fit(X, Y, { epochs: 1, verbose: 0 });
    const seen: Seen = { ends: [] };
    const ds = rl.data.zip({ xs: rl.data.array(X), ys: rl.data.array(Y) }).batch(3);
    const h = await m.fitDataset(ds, { epochs: 2, verbose: 0, callbacks: watcher(seen) });
    expect(seen.begin).toBe(h);
    expect(seen.beginEpochs).toBe(0);
    expect(seen.ends.map((e) => [e.history === h, e.losses])).toEqual([[true, 1], [true, 2]]);
    expect(m.history).toBe(h);
  });

  it('a run that fails after training started leaves its History, with the epochs done, on the model (tfjs)', async () => {
    const m = model();
    const boom = { onEpochEnd(epoch: number) { if (epoch === 1) throw new Error('stop here'); } };
    await expect(m.fit(X, Y, { epochs: 4, verbose: 0, callbacks: boom })).rejects.toThrow('stop here');
    expect(m.history!.epoch).toEqual([0, 1]);
  });

  it("a run refused before training starts (bad options) leaves the previous run's", async () => {
    const m = model();
    const h = await m.fit(X, Y, { epochs: 1, verbose: 0 });
    await expect(m.fit(X, Y, { epochs: -1, verbose: 0 })).rejects.toThrow(/epochs/);
    expect(m.history).toBe(h);
  });
});
