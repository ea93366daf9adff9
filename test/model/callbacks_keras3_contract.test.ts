/**
 * The built-in callbacks against Keras 3 where a probe found them apart: ReduceLROnPlateau on NaN, a monitor missing
 * from the logs, option checks, model.history, checkpoint path formats, the exported classes and messages.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X as X, LINEAR_Y as Y, tempDirs, tinyLinearModel as model } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-cb3-');
afterEach(() => { vi.restoreAllMocks(); });
function writer(): { lines: string[]; write: (s: string) => void } {
  const lines: string[] = [];
  return { lines, write: (s: string) => { lines.push(s); } };
}

describe('reduceLROnPlateau with NaN readings (Keras 3.11+: no best yet, so a first NaN is the best and nothing beats it)', () => {
  async function rates(values: number[]): Promise<number[]> {
    const m = model(0.01);
    const stamp: rl.Callback = { onEpochEnd: (e, logs) => { logs!.loss = values[e]; } };
    const h = await m.fit(X, Y, { epochs: values.length, verbose: 0, callbacks: [stamp, rl.callbacks.reduceLROnPlateau({ monitor: 'loss', patience: 1, factor: 0.5 })] });
    return h.history.learning_rate;
  }

  it('NaN from the first epoch is the best, so the rate falls from the second epoch on', async () => {
    // Keras logs its float32 rate.
    expect(await rates([NaN, NaN, NaN, NaN, NaN])).toEqual([0.01, 0.01, 0.005, 0.0025, 0.00125].map(Math.fround));
    expect(await rates([NaN, 1, 1, 1])).toEqual([0.01, 0.01, 0.005, 0.0025].map(Math.fround));
  });
});

describe('a monitor missing from the logs: a warning once per fit, and training goes on (Keras 3)', () => {
  it('earlyStopping, reduceLROnPlateau and modelCheckpoint(saveBestOnly) on val_loss without validation data', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const dir = tempDir();
    const es = rl.callbacks.earlyStopping({ patience: 0 });
    const rlr = rl.callbacks.reduceLROnPlateau({ patience: 0 });
    const ck = rl.callbacks.modelCheckpoint({ path: join(dir, 'e{epoch}'), saveBestOnly: true });
    const m = model(0.01);
    const h = await m.fit(X, Y, { epochs: 3, verbose: 0, callbacks: [es, rlr, ck] });
    expect(h.epoch).toEqual([0, 1, 2]);
    // The rate is left alone; every epoch is saved, as Keras saves when it cannot compare.
    expect(h.history.learning_rate).toEqual([0.01, 0.01, 0.01].map(Math.fround));
    expect(ck.saved.map((p) => p.slice(dir.length + 1))).toEqual(['e1', 'e2', 'e3']);
    const messages = warn.mock.calls.map((c) => String(c[0]));
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatch(/^earlyStopping: early stopping is conditioned on metric 'val_loss', which is not available; available metrics are: loss$/);
    expect(messages[1]).toMatch(/^ReduceLROnPlateau: learning rate reduction is conditioned on metric 'val_loss', which is not available; available metrics are: loss, learning_rate$/);
    expect(messages[2]).toMatch(/^modelCheckpoint: can save the best model only with 'val_loss' available, so this epoch is saved regardless; available metrics are: loss, learning_rate$/);
    // Once per run: a second fit warns again.
    await m.fit(X, Y, { epochs: 2, verbose: 0, callbacks: [es] });
    expect(warn.mock.calls).toHaveLength(4);
  });
});

describe('option checks name the option', () => {
  it('restoreBestWeights, verbose and out', () => {
    expect(() => rl.callbacks.earlyStopping({ restoreBestWeights: 'yes' as never })).toThrow('earlyStopping: restoreBestWeights must be true or false, got "yes"');
    expect(() => rl.callbacks.earlyStopping({ verbose: 2 as never })).toThrow('earlyStopping: verbose must be 0 or 1, got 2');
    expect(() => rl.callbacks.earlyStopping({ out: {} as never })).toThrow(/earlyStopping: out must be a writer, an object with a write\(text\) method/);
    expect(() => rl.callbacks.reduceLROnPlateau({ verbose: 'yes' as never })).toThrow('ReduceLROnPlateau: verbose must be 0 or 1, got "yes"');
    expect(() => rl.callbacks.modelCheckpoint({ path: 'x', verbose: 'x' as never })).toThrow('modelCheckpoint: verbose must be 0 or 1, got "x"');
    expect(() => rl.callbacks.modelCheckpoint({ path: 'x', out: 3 as never })).toThrow(/modelCheckpoint: out must be a writer/);
    expect(() => rl.callbacks.backupAndRestore({ backupDir: 'x', verbose: true as never })).toThrow('backupAndRestore: verbose must be 0 or 1, got true');
    expect(() => rl.callbacks.backupAndRestore({ backupDir: 'x', deleteCheckpoint: 'no' as never })).toThrow('backupAndRestore: deleteCheckpoint must be true or false, got "no"');
    expect(() => rl.callbacks.backupAndRestore({ backupDir: 'x', handleInterrupt: 0 as never })).toThrow('backupAndRestore: handleInterrupt must be true or false, got 0');
    expect(() => rl.callbacks.backupAndRestore({ backupDir: 'x', out: console.log as never })).toThrow(/backupAndRestore: out must be a writer/);
  });

  it('reduceLROnPlateau patience and cooldown are non-negative integers', () => {
    expect(() => rl.callbacks.reduceLROnPlateau({ patience: 1.5 })).toThrow('ReduceLROnPlateau: patience must be a non-negative integer, got 1.5');
    expect(() => rl.callbacks.reduceLROnPlateau({ cooldown: 0.5 })).toThrow('ReduceLROnPlateau: cooldown must be a non-negative integer, got 0.5');
    expect(() => rl.callbacks.reduceLROnPlateau({ patience: -1 })).toThrow('ReduceLROnPlateau: patience must be a non-negative integer, got -1');
    expect(() => rl.callbacks.reduceLROnPlateau({ minDelta: Infinity })).toThrow(/ReduceLROnPlateau: minDelta must be a non-negative number/);
    expect(() => rl.callbacks.reduceLROnPlateau({ patience: 2, cooldown: 1 })).not.toThrow();
  });

  it('modelCheckpoint refuses path and its Keras name filepath together', () => {
    expect(() => rl.callbacks.modelCheckpoint({ path: 'a', filepath: 'b' })).toThrow('modelCheckpoint: give path or its Keras name filepath, not both (got path "a" and filepath "b")');
    expect(rl.callbacks.modelCheckpoint({ filepath: 'b' }).path).toBe('b');
  });
});

describe('terminateOnNaN and learningRateScheduler arguments', () => {
  it('terminateOnNaN refuses an option it does not have, naming it (it used to crash at the first NaN)', () => {
    expect(() => rl.callbacks.terminateOnNaN({ verbose: 1 } as never)).toThrow(/^terminateOnNaN: unknown option 'verbose'; options: raiseError, out/);
    expect(() => rl.callbacks.terminateOnNaN('x' as never)).toThrow(/terminateOnNaN: its argument must be a writer/);
    expect(() => rl.callbacks.terminateOnNaN()).not.toThrow();
  });

  it('learningRateScheduler takes verbose 0/1 or {verbose, out}, and prints Keras\'s message', async () => {
    const w = writer();
    await model().fit(X, Y, { epochs: 2, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler((e) => 0.1 / (e + 1), { verbose: 1, out: w })] });
    expect(w.lines.join('')).toBe('\nEpoch 1: LearningRateScheduler setting learning rate to 0.1.\n\nEpoch 2: LearningRateScheduler setting learning rate to 0.05.\n');
    const w2 = writer();
    await model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler(() => 0.2, 1, w2)] });
    expect(w2.lines.join('')).toBe('\nEpoch 1: LearningRateScheduler setting learning rate to 0.2.\n');
    expect(() => rl.callbacks.learningRateScheduler(() => 0.1, 2 as never)).toThrow('LearningRateScheduler: verbose must be 0 or 1, got 2');
    expect(() => rl.callbacks.learningRateScheduler(() => 0.1, { verbos: 1 } as never)).toThrow(/LearningRateScheduler: unknown option 'verbos' \(did you mean 'verbose'\?\)/);
  });
});

describe('model.history and History.syncData (tfjs, Keras)', () => {
  it('fit and fitDataset leave the History they return on the model', async () => {
    const m = model();
    expect(m.history).toBeUndefined();
    const h = await m.fit(X, Y, { epochs: 2, verbose: 0 });
    expect(m.history).toBe(h);
    expect(m.history!.history.loss).toHaveLength(2);
    const ds = rl.data.zip({ xs: rl.data.array(X), ys: rl.data.array(Y) }).batch(2);
    const h2 = await m.fitDataset(ds, { epochs: 1, verbose: 0 });
    expect(m.history).toBe(h2);
  });

  it('syncData resolves, turning a scalar tensor a callback logged into its number', async () => {
    const m = model();
    const h = await m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [{ onEpochEnd: (_e, logs) => { (logs as Record<string, unknown>).extra = rl.scalar(2.5); } }] });
    expect(typeof h.history.extra[0]).toBe('object');
    const loss = h.history.loss[0];
    await expect(h.syncData()).resolves.toBeUndefined();
    expect(h.history.extra).toEqual([2.5]);
    expect(h.history.loss).toEqual([loss]);
  });
});

describe('modelCheckpoint path formats', () => {
  it("'d' on a float log value is refused before training, as Python's format refuses it", async () => {
    const dir = tempDir();
    await expect(model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.modelCheckpoint({ path: join(dir, 'd-{loss:d}') })] }))
      .rejects.toThrow(/modelCheckpoint: path '.*d-\{loss:d\}': format 'd' of '\{loss\}' takes an integer, but 'loss' is a float log value .*Unknown format code 'd' for object of type 'float'/);
    expect(existsSync(join(dir, 'd-0'))).toBe(false);
    const ok = rl.callbacks.modelCheckpoint({ path: join(dir, 'e{epoch:02d}') });
    await model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [ok] });
    expect(ok.saved).toEqual([join(dir, 'e01')]);
  });

  it("verbose prints Keras 3's 'improved from None'", async () => {
    const dir = tempDir();
    const w = writer();
    const ck = rl.callbacks.modelCheckpoint({ path: join(dir, 'best'), monitor: 'loss', saveBestOnly: true, verbose: 1, out: w });
    await model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [ck] });
    expect(w.lines.join('')).toMatch(/^\nEpoch 1: loss improved from None to \d+\.\d{5}, saving model to /);
  });
});

describe('the exported callback classes are rl.Callbacks', () => {
  it('ReduceLROnPlateau, LearningRateScheduler and CSVLogger, with model and params set by fit', async () => {
    const f = join(tempDir(), 'log.csv');
    const cbs = [rl.callbacks.reduceLROnPlateau({ monitor: 'loss' }), rl.callbacks.learningRateScheduler((_e, lr) => lr), rl.callbacks.csvLogger(f)];
    expect(cbs[0]).toBeInstanceOf(rl.ReduceLROnPlateau);
    expect(cbs[1]).toBeInstanceOf(rl.LearningRateScheduler);
    expect(cbs[2]).toBeInstanceOf(rl.CSVLogger);
    for (const cb of [...cbs, rl.callbacks.terminateOnNaN(), rl.callbacks.earlyStopping()]) expect(cb).toBeInstanceOf(rl.Callback);
    const m = model();
    await m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: cbs });
    for (const cb of cbs) {
      expect(cb.model).toBe(m);
      expect(cb.params.epochs).toBe(1);
    }
    // Keras 3's columns without validation data: epoch, the logs' keys sorted, then a val_ column for each.
    expect(readFileSync(f, 'utf8').split('\n')[0]).toBe('epoch,learning_rate,loss,val_learning_rate,val_loss');
  });
});
