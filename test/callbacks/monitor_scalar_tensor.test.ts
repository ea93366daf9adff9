/**
 * A monitored value held as a one-element tensor (a custom metric's rl.scalar) reads as its number, as tfjs
 * resolves scalar tensors in logs before its callbacks run; a tensor of more values is an error naming the monitor.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X as X, LINEAR_Y as Y, tempDirs, tinyLinearModel as model } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-monitor-scalar-');
afterEach(() => { vi.restoreAllMocks(); });

/** A callback listed first that sets each epoch's 'val_loss' to a tensor made from the epoch's value. */
const stampTensor = (values: number[], shape: number[] = []): rl.Callback => ({
  onEpochEnd: (e, logs) => { (logs as Record<string, unknown>).val_loss = rl.tensor(new Array<number>(Math.max(1, shape.reduce((a, b) => a * b, 1))).fill(values[e]!), shape); },
});

describe('a scalar tensor in the logs is the monitored number', () => {
  it('earlyStopping watches it: best 0.5 at epoch 1, stops after patience 1 (no missing-monitor warning)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const es = rl.callbacks.earlyStopping({ patience: 1 });
    const h = await model().fit(X, Y, { epochs: 5, verbose: 0, callbacks: [stampTensor([1, 0.5, 0.6, 0.7, 0.8]), es] });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(es.best).toBe(0.5);
    expect(es.stoppedEpoch).toBe(2);
    expect(warn).not.toHaveBeenCalled();
  });

  it('a shape-[1] tensor counts as one value too (reduceLROnPlateau halves the rate each epoch of the plateau)', async () => {
    const h = await model(0.01).fit(X, Y, { epochs: 4, verbose: 0, callbacks: [stampTensor([1, 1, 1, 1], [1]), rl.callbacks.reduceLROnPlateau({ patience: 1, factor: 0.5 })] });
    expect(h.history.learning_rate).toEqual([0.01, 0.01, 0.005, 0.0025].map(Math.fround)); // Keras logs its float32 rate
  });

  it('modelCheckpoint saveBestOnly saves only the improving epochs', async () => {
    const dir = tempDir();
    const ck = rl.callbacks.modelCheckpoint({ path: join(dir, 'e{epoch}'), saveBestOnly: true });
    await model().fit(X, Y, { epochs: 4, verbose: 0, callbacks: [stampTensor([1, 2, 0.5, 0.7]), ck] });
    expect(ck.saved.map((p) => p.slice(dir.length + 1))).toEqual(['e1', 'e3']);
    expect(ck.best).toBe(0.5);
  });

  it('a tensor of several values is an error naming the callback, the monitor and the shape', async () => {
    const es = rl.callbacks.earlyStopping({ patience: 1 });
    await expect(model().fit(X, Y, { epochs: 2, verbose: 0, callbacks: [stampTensor([1, 1], [2]), es] }))
      .rejects.toThrow("earlyStopping: monitor 'val_loss' holds a tensor of shape [2]; it must be a number or a one-element tensor");
  });
});
