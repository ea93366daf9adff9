/** terminateOnNaN and a non-finite loss in fitDataset behave as in fit: same stop, same error type, same weights. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

// Rows whose loss overflows to Inf within a few batches at this learning rate.
const xs = Array.from({ length: 32 }, (_, i) => [((i * 7) % 11) / 5 - 1, ((i * 5) % 13) / 6 - 1]);
const ys = xs.map(([a, b]) => [a + b > 0 ? 1 : 0]);
const model = () => {
  rl.setSeed(1);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 1e3 }), loss: 'meanSquaredError' });
  return m;
};
const dataset = () => rl.data.zip({ xs: rl.data.array(xs), ys: rl.data.array(ys) }).batch(4);
const fitArgs = { epochs: 20, batchSize: 4, shuffle: false, verbose: 0 as const };
const weights = (m: rl.Sequential) => m.getWeights().map((t) => Array.from(t.dataSync()));
const quiet = () => ({ text: '', write(s: string) { this.text += s; } });

describe('fitDataset with a non-finite loss', () => {
  it('terminateOnNaN stops at the batch fit stops at, without applying it', async () => {
    const a = model(), b = model();
    const ta = rl.callbacks.terminateOnNaN(quiet()), tb = rl.callbacks.terminateOnNaN(quiet());
    const ha = await a.fit(xs, ys, { ...fitArgs, callbacks: [ta] });
    const hb = await b.fitDataset(dataset(), { epochs: 20, verbose: 0, callbacks: [tb] });
    expect(ta.terminatedAt).not.toBeNull();
    expect(tb.terminatedAt).toEqual(ta.terminatedAt);
    expect(hb.epoch).toEqual(ha.epoch);
    expect(Number.isFinite(hb.history.loss.at(-1)!)).toBe(false);
    // The weights are those before the non-finite batch, as fit leaves them, bit for bit.
    expect(weights(b)).toEqual(weights(a));
  });

  it('without it, rejects with fit\'s NonFiniteLossError naming the same epoch and batch', async () => {
    const a = model(), b = model();
    const ea = await a.fit(xs, ys, fitArgs).then(() => null, (e: unknown) => e);
    const eb = await b.fitDataset(dataset(), { epochs: 20, verbose: 0 }).then(() => null, (e: unknown) => e);
    expect(ea).toBeInstanceOf(rl.NonFiniteLossError);
    expect(eb).toBeInstanceOf(rl.NonFiniteLossError);
    const [fa, fb] = [ea as rl.NonFiniteLossError, eb as rl.NonFiniteLossError];
    expect([fb.epoch, fb.batch]).toEqual([fa.epoch, fa.batch]);
    expect(fb.history.epoch).toEqual(fa.history.epoch);
    expect(weights(b)).toEqual(weights(a));
  });
});
