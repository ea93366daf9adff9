/**
 * modelCheckpoint's path template keys against what its logs will hold: keys the callbacks listed before it add
 * (learning_rate from the learning-rate callbacks, any key of the user's, as Keras 3's shared logs give them) are
 * taken; a key nobody adds is refused before training when every callback before it is a built-in, else at the
 * first save, naming the key and the keys the logs had. And monitor / mode, read only with saveBestOnly, refused
 * without it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X as X, LINEAR_Y as Y, tempDirs, tinyLinearModel as model } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-ckpt-keys-');

describe('path keys a callback listed before modelCheckpoint adds', () => {
  it("{learning_rate} after learningRateScheduler: each epoch's rate, as Keras formats it", async () => {
    const dir = tempDir();
    const ck = rl.callbacks.modelCheckpoint({ filepath: join(dir, 'lr{learning_rate:.4f}') });
    await model(0.01).fit(X, Y, { epochs: 2, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler((_e, lr) => lr / 2), ck] });
    expect(ck.saved).toEqual([join(dir, 'lr0.0050'), join(dir, 'lr0.0025')]);
  });

  it('{learning_rate} after reduceLROnPlateau', async () => {
    const dir = tempDir();
    const ck = rl.callbacks.modelCheckpoint({ path: join(dir, 'e{epoch}-{learning_rate:.3f}') });
    await model(0.01).fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.reduceLROnPlateau({ monitor: 'loss' }), ck] });
    expect(ck.saved).toEqual([join(dir, 'e1-0.010')]);
  });

  it("a key the user's callback adds", async () => {
    const dir = tempDir();
    const ck = rl.callbacks.modelCheckpoint({ path: join(dir, 'm{m:.3f}') });
    await model().fit(X, Y, { epochs: 2, verbose: 0, callbacks: [{ onEpochEnd: (e, logs) => { logs!.m = 0.25 * (e + 1); } }, ck] });
    expect(ck.saved).toEqual([join(dir, 'm0.250'), join(dir, 'm0.500')]);
  });
});

describe('path keys nobody adds', () => {
  it('with only built-ins before it: refused before training, listing learning_rate when a rate callback comes first', async () => {
    const dir = tempDir();
    const m = model();
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    await expect(m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler((_e, lr) => lr), rl.callbacks.modelCheckpoint({ path: join(dir, 'c-{learning_rat}') })] }))
      .rejects.toThrow(/modelCheckpoint: path '.*c-\{learning_rat\}' names '\{learning_rat\}', which the logs will not have; available: epoch, loss, learning_rate\. A key a callback of your own adds to the logs is taken when that callback comes before modelCheckpoint/);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    // The rate callback listed after modelCheckpoint adds learning_rate too late for it (Keras 3's KeyError).
    await expect(model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.modelCheckpoint({ path: join(dir, 'c-{learning_rate}') }), rl.callbacks.learningRateScheduler((_e, lr) => lr)] }))
      .rejects.toThrow(/names '\{learning_rate\}', which the logs will not have; available: epoch, loss\./);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("with the user's callback before it: refused at the first save, naming the key and the keys the logs had; nothing written", async () => {
    const dir = tempDir();
    const epochs: number[] = [];
    const m = model();
    await expect(m.fit(X, Y, { epochs: 3, verbose: 0, callbacks: [{ onEpochEnd: (e, logs) => { epochs.push(e); logs!.m = 1; } }, rl.callbacks.modelCheckpoint({ path: join(dir, 'c-{n:.2f}') })] }))
      .rejects.toThrow(/modelCheckpoint: path '.*c-\{n:\.2f\}' names '\{n\}', which this epoch's logs do not have \(a key a callback adds is there only when that callback comes before modelCheckpoint in the list\); the logs had: epoch, loss, m$/);
    expect(epochs).toEqual([0]);
    expect(existsSync(join(dir, 'c-{n:.2f}'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a format it cannot apply is refused before training even when a user's callback comes first", async () => {
    const dir = tempDir();
    let epochsRun = 0;
    await expect(model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [{ onEpochEnd: () => { epochsRun++; } }, rl.callbacks.modelCheckpoint({ path: join(dir, 'c-{m:x}') })] }))
      .rejects.toThrow(/format 'x' of '\{m\}' is not supported/);
    await expect(model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [{ onEpochEnd: () => { epochsRun++; } }, rl.callbacks.modelCheckpoint({ path: join(dir, 'c-{m:d}') })] }))
      .rejects.toThrow(/format 'd' of '\{m\}' takes an integer/);
    expect(epochsRun).toBe(0);
  });

  it('a subclass of a built-in may add keys, so it defers the check as a callback of the user does', async () => {
    class Tagging extends rl.EarlyStopping {
      override onEpochEnd(epoch: number, logs: Record<string, number> = {}): void { logs.tag = 7; super.onEpochEnd(epoch, logs); }
    }
    const dir = tempDir();
    const ck = rl.callbacks.modelCheckpoint({ path: join(dir, 't{tag:.0f}') });
    await model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [new Tagging({ monitor: 'loss' }), ck] });
    expect(ck.saved).toEqual([join(dir, 't7')]);
  });
});

describe('monitor, mode and initialValueThreshold without saveBestOnly (read only to save the best)', () => {
  it('are refused naming them, not for a reason about mode auto', () => {
    expect(() => rl.callbacks.modelCheckpoint({ path: 'x', mode: 'max' })).toThrow(/^modelCheckpoint: mode applies only with saveBestOnly: true \(without it every epoch is saved, so nothing reads it; Keras ignores it\): add saveBestOnly: true or leave it out$/);
    expect(() => rl.callbacks.modelCheckpoint({ path: 'x', monitor: 'f1' })).toThrow(/^modelCheckpoint: monitor applies only with saveBestOnly: true/);
    expect(() => rl.callbacks.modelCheckpoint({ path: 'x', monitor: 'val_loss', mode: 'min', saveBestOnly: false })).toThrow(/^modelCheckpoint: monitor, mode apply only with saveBestOnly: true .*leave them out$/);
    expect(() => rl.callbacks.modelCheckpoint({ filepath: 'x', initial_value_threshold: 0.5 } as never)).toThrow(/^modelCheckpoint: initialValueThreshold applies only with saveBestOnly: true/);
  });

  it('with saveBestOnly they work as before (an unclassifiable monitor then needs a mode)', () => {
    expect(rl.callbacks.modelCheckpoint({ path: 'x', monitor: 'f1', mode: 'max', saveBestOnly: true }).direction).toBe('max');
    expect(() => rl.callbacks.modelCheckpoint({ path: 'x', monitor: 'f1', saveBestOnly: true })).toThrow(/mode 'auto' cannot tell whether monitor 'f1'/);
    expect(rl.callbacks.modelCheckpoint({ path: 'x' }).monitor).toBe('val_loss');
  });
});
