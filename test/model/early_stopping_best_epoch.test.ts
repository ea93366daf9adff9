/**
 * earlyStopping's bestEpoch when the monitor never improves after startFromEpoch: Keras 3.11+ starts with no best,
 * so the first epoch it watches is the best (NaN included, which nothing beats afterwards), and the field, the
 * "Restoring ..." message and the weights put back all name that epoch.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X as X, LINEAR_Y as Y, tinyLinearModel as model } from '../helpers/tiny_linear.js';

describe('earlyStopping after startFromEpoch with a monitor that never improves', () => {
  it('reports and restores the first epoch watched', async () => {
    const m = model();
    const lines: string[] = [];
    const snaps: number[][] = [];
    const es = rl.callbacks.earlyStopping({ monitor: 'm', mode: 'min', patience: 1, startFromEpoch: 3, restoreBestWeights: true, verbose: 1, out: { write: (s: string) => { lines.push(s); } } });
    const nanAndSnap: rl.Callback = { onEpochEnd: (_e, logs) => { logs!.m = NaN; snaps.push(Array.from(m.getWeights()[0].dataSync())); } };
    const h = await m.fit(X, Y, { epochs: 8, verbose: 0, callbacks: [nanAndSnap, es] });
    // Keras: epoch 3 sets the best (NaN, wait 0); epoch 4 waits 1 = patience and stops.
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(es.bestEpoch).toBe(3);
    expect(lines.join('')).toBe('Epoch 5: early stopping\nRestoring model weights from the end of the best epoch: 4.\n');
    expect(Array.from(m.getWeights()[0].dataSync())).toEqual(snaps[3]);
    // The weights moved every epoch, so restoring epoch 1's would have shown.
    expect(snaps[0]).not.toEqual(snaps[3]);
  });

  it('an epoch that improves later still becomes the best, but nothing beats a NaN first watched epoch', async () => {
    const run = async (values: number[]) => {
      const es = rl.callbacks.earlyStopping({ monitor: 'm', mode: 'min', patience: 2, startFromEpoch: 1, restoreBestWeights: true });
      await model().fit(X, Y, { epochs: 6, verbose: 0, callbacks: [{ onEpochEnd: (e, logs) => { logs!.m = values[e]; } }, es] });
      return [es.bestEpoch, es.stoppedEpoch];
    };
    expect(await run([NaN, 9, 5, 4, 6, 7])).toEqual([3, 5]);
    expect(await run([NaN, NaN, 5, 4, 6, 7])).toEqual([1, 3]);
  });
});
