/**
 * A monitored value that is null (Keras's None) or not a number is missing to earlyStopping, modelCheckpoint's
 * saveBestOnly and reduceLROnPlateau alike (Keras 3 skips None with its warning); NaN stays a value, which never
 * improves on a best (and, first, is the best). Also: Python's zero padding after the sign in path templates, and option errors that keep a string's quotes.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X as X, LINEAR_Y as Y, tempDirs, tinyLinearModel as model } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-monitor-');
afterEach(() => { vi.restoreAllMocks(); });

/** A callback listed first that sets the monitored 'val_loss' of each epoch. */
const stamp = (values: unknown[]): rl.Callback => ({ onEpochEnd: (e, logs) => { (logs as Record<string, unknown>).val_loss = values[e]; } });

describe('a null or non-number monitored value is skipped with the missing-monitor warning', () => {
  it('earlyStopping: a null epoch is not watched, so the later improvements count (Keras 3: 5 epochs, best 0.7)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const es = rl.callbacks.earlyStopping({ patience: 1, restoreBestWeights: true });
    const kernels: number[] = [];
    const m = model();
    const snap: rl.Callback = { onEpochEnd: () => { kernels.push(m.getWeights()[0]!.dataSync()[0]!); } };
    const h = await m.fit(X, Y, { epochs: 5, verbose: 0, callbacks: [stamp([null, 1, 0.9, 0.8, 0.7]), es, snap] });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(es.best).toBe(0.7);
    expect(es.bestEpoch).toBe(4);
    expect(m.getWeights()[0]!.dataSync()[0]).toBe(kernels[4]);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      "earlyStopping: early stopping is conditioned on metric 'val_loss', which is not available (it holds null, not a number); available metrics are: loss, val_loss",
    ]);
  });

  it('earlyStopping: a string is skipped too; NaN is watched: a first NaN is the best and nothing beats it (documented)', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const skip = rl.callbacks.earlyStopping({ patience: 1 });
    const h1 = await model().fit(X, Y, { epochs: 4, verbose: 0, callbacks: [stamp(['0.1', 1, 0.9, 0.8]), skip] });
    expect([h1.epoch.length, skip.best]).toEqual([4, 0.8]);
    const nan = rl.callbacks.earlyStopping({ patience: 1 });
    const h2 = await model().fit(X, Y, { epochs: 4, verbose: 0, callbacks: [stamp([NaN, NaN, 0.9, 0.8]), nan] });
    expect([h2.epoch.length, nan.best]).toEqual([2, NaN]);
  });

  it('modelCheckpoint saveBestOnly: a null epoch is saved regardless, as a missing one; NaN is not saved', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const dir = tempDir();
    const ck = rl.callbacks.modelCheckpoint({ path: join(dir, 'e{epoch}'), saveBestOnly: true });
    await model().fit(X, Y, { epochs: 4, verbose: 0, callbacks: [stamp([1, null, NaN, 0.5]), ck] });
    expect(ck.saved.map((p) => p.slice(dir.length + 1))).toEqual(['e1', 'e2', 'e4']);
    expect(ck.best).toBe(0.5);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^modelCheckpoint: can save the best model only with 'val_loss' available, so this epoch is saved regardless \(it holds null, not a number\)/);
  });

  it('reduceLROnPlateau names what the key held', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const h = await model(0.01).fit(X, Y, { epochs: 4, verbose: 0, callbacks: [stamp(['x', 1, 1, 1]), rl.callbacks.reduceLROnPlateau({ patience: 1, factor: 0.5 })] });
    expect(h.history.learning_rate).toEqual([0.01, 0.01, 0.01, 0.005].map(Math.fround)); // Keras logs its float32 rate
    expect(String(warn.mock.calls[0]![0])).toMatch(/which is not available \(it holds the string "x", not a number\)/);
  });
});

describe('path templates pad as Python does', () => {
  it("the '0' flag puts the zeros after the minus sign; spaces go before it", async () => {
    const dir = tempDir();
    const path = join(dir, '{loss:07.3f}_{loss:8.2f}_{loss:010.2e}_{epoch:03d}');
    const neg: rl.Callback = { onEpochEnd: (_e, logs) => { logs!.loss = -0.5; } };
    await model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [neg, rl.callbacks.modelCheckpoint({ path })] });
    // Python: '{:07.3f}'.format(-0.5), '{:8.2f}'.format(-0.5), '{:010.2e}'.format(-0.5), '{:03d}'.format(1).
    expect(readdirSync(dir)).toEqual(['-00.500_   -0.50_-05.00e-01_001']);
    expect(existsSync(join(dir, '-00.500_   -0.50_-05.00e-01_001', 'model.json'))).toBe(true);
  });
});

describe('option errors show the value as given', () => {
  it("reduceLROnPlateau's factor keeps a string's quotes and names NaN", () => {
    expect(() => rl.callbacks.reduceLROnPlateau({ factor: '0.5' as never })).toThrow('ReduceLROnPlateau: factor must be in (0, 1), got "0.5"');
    expect(() => rl.callbacks.reduceLROnPlateau({ factor: Number.NaN })).toThrow('ReduceLROnPlateau: factor must be in (0, 1), got NaN');
    expect(() => rl.callbacks.reduceLROnPlateau({ patience: Number.NaN })).toThrow('ReduceLROnPlateau: patience must be a non-negative integer, got NaN');
    expect(() => rl.callbacks.earlyStopping({ baseline: Number.NaN })).toThrow('earlyStopping: baseline must be a number, got NaN');
  });
});
