/**
 * earlyStopping's bestEpoch when the monitor never improves after startFromEpoch: Keras 3 takes the first epoch it
 * watches as the best when it first captures the weights (restoreBestWeights), so the field, the "Restoring ..."
 * message and the weights put back all name that epoch.
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
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(es.bestEpoch).toBe(3);
    expect(lines.join('')).toBe('Epoch 4: early stopping\nRestoring model weights from the end of the best epoch: 4.\n');
    expect(Array.from(m.getWeights()[0].dataSync())).toEqual(snaps[3]);
    // The weights moved every epoch, so restoring epoch 1's would have shown.
    expect(snaps[0]).not.toEqual(snaps[3]);
  });

  it('an epoch that improves later still becomes the best', async () => {
    const values = [NaN, NaN, 5, 4, 6, 7];
    const es = rl.callbacks.earlyStopping({ monitor: 'm', mode: 'min', patience: 2, startFromEpoch: 1, restoreBestWeights: true });
    await model().fit(X, Y, { epochs: 6, verbose: 0, callbacks: [{ onEpochEnd: (e, logs) => { logs!.m = values[e]; } }, es] });
    expect(es.bestEpoch).toBe(3);
  });
});
