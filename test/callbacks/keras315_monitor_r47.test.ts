/**
 * Keras 3.15's monitor callbacks: best starts as None (MonitorCallback), so the first watched epoch improves whatever
 * it holds; ReduceLROnPlateau compares the float32 rate with np.float32(min_lr); ModelCheckpoint prints its batch
 * saves and "finished saving model to"; TerminateOnNaN(raise_error). Expected values follow Keras's code by hand.
 */
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X as X, LINEAR_Y as Y, tempDirs, tinyLinearModel as model } from '../helpers/tiny_linear.js';
import { values } from './helpers.js';
import { readCheckpointInfo } from '../../src/io/checkpoint.js';

const tempDir = tempDirs('rl-keras315-');
/** A callback listed first that sets the monitored 'm' of each epoch. */
const stamp = (seq: number[]): rl.Callback => ({ onEpochEnd: (e, logs) => { logs!.m = seq[e]!; } });
const writer = () => ({ text: '', write(s: string) { this.text += s; } });

describe('no best yet: the first watched epoch improves, NaN and inf included (Keras 3.11+)', () => {
  it('earlyStopping: a NaN first epoch becomes the best, nothing beats it, so patience 1 stops after 2 epochs', async () => {
    const es = rl.callbacks.earlyStopping({ monitor: 'm', mode: 'min', patience: 1, restoreBestWeights: true });
    const h = await model().fit(X, Y, { epochs: 5, verbose: 0, callbacks: [stamp([NaN, 1, 0.5, 0.2, 0.1]), es] });
    expect(h.epoch).toEqual([0, 1]);
    expect(es.best).toBeNaN();
    expect([es.bestEpoch, es.stoppedEpoch]).toEqual([0, 1]);
    expect(rl.callbacks.earlyStopping().best).toBeNull();
  });

  it('earlyStopping in max mode: a first -inf is the best, so a second -inf is the first epoch of patience', async () => {
    // Keras: epoch 0 sets best -inf (wait 0), epoch 1 waits 1 (< patience 2), epoch 2 improves to 5.
    const es = rl.callbacks.earlyStopping({ monitor: 'm', mode: 'max', patience: 2 });
    const h = await model().fit(X, Y, { epochs: 3, verbose: 0, callbacks: [stamp([-Infinity, -Infinity, 5]), es] });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect([es.best, es.bestEpoch, es.stoppedEpoch]).toEqual([5, 2, 0]);
  });

  it('reduceLROnPlateau: a NaN first epoch is the best, so the second one (1) is the plateau that cuts the rate', async () => {
    const rlr = rl.callbacks.reduceLROnPlateau({ monitor: 'm', mode: 'min', patience: 1, factor: 0.5 });
    const h = await model(0.1).fit(X, Y, { epochs: 3, verbose: 0, callbacks: [stamp([NaN, 1, 0.5]), rlr] });
    expect(h.history.learning_rate).toEqual([0.1, 0.1, 0.05].map(Math.fround)); // Keras logs its float32 rate
  });

  it('reduceLROnPlateau, max mode: a first -inf is the best, so 1 then 2 improve and the rate stays', async () => {
    const rlr = rl.callbacks.reduceLROnPlateau({ monitor: 'm', mode: 'max', patience: 1, factor: 0.5 });
    const h = await model(0.1).fit(X, Y, { epochs: 4, verbose: 0, callbacks: [stamp([-Infinity, -Infinity, 1, 2]), rlr] });
    expect(h.history.learning_rate).toEqual([0.1, 0.1, 0.05, 0.05].map(Math.fround));
  });

  it('modelCheckpoint saveBestOnly saves a first +inf epoch, "improved from None", then compares to it', async () => {
    const dir = join(tempDir(), 'best'), out = writer();
    const ck = rl.callbacks.modelCheckpoint({ path: dir, saveBestOnly: true, monitor: 'm', mode: 'min', verbose: 1, out });
    await model().fit(X, Y, { epochs: 3, verbose: 0, callbacks: [stamp([Infinity, 0.5, 0.7]), ck] });
    expect(ck.saved).toEqual([dir, dir]);
    expect(ck.best).toBe(0.5);
    expect(out.text).toBe(
      `\nEpoch 1: m improved from None to inf, saving model to ${dir}\n\nEpoch 1: finished saving model to ${dir}\n` +
      `\nEpoch 2: m improved from inf to 0.50000, saving model to ${dir}\n\nEpoch 2: finished saving model to ${dir}\n` +
      '\nEpoch 3: m did not improve from 0.50000\n');
  });

  it('modelCheckpoint: a first NaN is saved and nothing improves on it', async () => {
    const root = tempDir(), out = writer();
    const ck = rl.callbacks.modelCheckpoint({ path: join(root, 'e{epoch}'), saveBestOnly: true, monitor: 'm', mode: 'max', verbose: 1, out });
    await model().fit(X, Y, { epochs: 2, verbose: 0, callbacks: [stamp([NaN, 0.5]), ck] });
    expect(ck.saved).toEqual([join(root, 'e1')]);
    expect(out.text).toMatch(/^\nEpoch 1: m improved from None to nan, saving model to .*\n\nEpoch 1: finished saving model to .*\n\nEpoch 2: m did not improve from nan\n$/);
  });

  it('modelCheckpoint initialValueThreshold is the starting best, as Keras\'s', async () => {
    const dir = join(tempDir(), 'c'), out = writer();
    const ck = rl.callbacks.modelCheckpoint({ path: dir, saveBestOnly: true, monitor: 'm', mode: 'min', initialValueThreshold: 0.5, verbose: 1, out });
    await model().fit(X, Y, { epochs: 5, verbose: 0, callbacks: [stamp([0.7, 0.4, 0.45, NaN, 0.3]), ck] });
    expect(ck.saved).toHaveLength(2);
    expect(out.text).toBe('\nEpoch 1: m did not improve from 0.50000\n' +
      `\nEpoch 2: m improved from 0.50000 to 0.40000, saving model to ${dir}\n\nEpoch 2: finished saving model to ${dir}\n` +
      '\nEpoch 3: m did not improve from 0.40000\n\nEpoch 4: m did not improve from 0.40000\n' +
      `\nEpoch 5: m improved from 0.40000 to 0.30000, saving model to ${dir}\n\nEpoch 5: finished saving model to ${dir}\n`);
  });
});

describe('reduceLROnPlateau stops at minLr as Keras does (float32 rate against np.float32(min_lr))', () => {
  it('0.1 cut by 0.1 twice reaches 0.001 within float32: no third cut, no third message', async () => {
    const out = writer();
    const m = model(0.1);
    const h = await m.fit(X, Y, { epochs: 6, verbose: 0, callbacks: [stamp([1, 1, 1, 1, 1, 1]), rl.callbacks.reduceLROnPlateau({ monitor: 'm', mode: 'min', patience: 0, minLr: 0.001, verbose: 1, out })] });
    // Keras: epoch 1 sets the best; epochs 2 and 3 cut (0.1 -> 0.01 -> 0.001); then float32(lr) == float32(min_lr).
    expect(out.text.match(/Epoch \d+: ReduceLROnPlateau reducing/g)).toEqual(['Epoch 2: ReduceLROnPlateau reducing', 'Epoch 3: ReduceLROnPlateau reducing']);
    expect(h.history.learning_rate.map((v) => Math.fround(v))).toEqual([0.1, 0.1, 0.01, 0.001, 0.001, 0.001].map((v) => Math.fround(v)));
  });

  it('cooldown: with no cut at minLr, the cooldown is not restarted either', async () => {
    const out = writer();
    const h = await model(0.1).fit(X, Y, { epochs: 7, verbose: 0, callbacks: [stamp([1, 1, 1, 1, 1, 1, 1]), rl.callbacks.reduceLROnPlateau({ monitor: 'm', mode: 'min', patience: 0, cooldown: 2, minLr: 0.001, verbose: 1, out })] });
    // Keras: cuts at epochs 2 and 4 (cooldown 2, counted down before the check, skips 3 and 5); at 6 the rate is minLr.
    expect(out.text.match(/Epoch \d+/g)).toEqual(['Epoch 2', 'Epoch 4']);
    expect(Math.fround(h.history.learning_rate.at(-1)!)).toBe(Math.fround(0.001));
  });
});

describe('modelCheckpoint saveBestOnly resumed by backupAndRestore keeps a NaN or infinite best', () => {
  /** The run uninterrupted, and stopped at the start of epoch 2 then fit again: saves (both fits'), best, the stored best. */
  const runs = async (seq: number[], mode: 'min' | 'max') => {
    const root = tempDir();
    const make = (dir: string) => rl.callbacks.modelCheckpoint({ path: join(root, dir), saveBestOnly: true, monitor: 'm', mode });
    const whole = make('whole');
    await model().fit(X, Y, { epochs: 4, verbose: 0, callbacks: [stamp(seq), whole] });
    const backup = () => rl.callbacks.backupAndRestore({ backupDir: join(root, 'bk'), verbose: 0, handleInterrupt: false });
    const crash: rl.Callback = { onEpochBegin: (e) => { if (e === 1) throw new Error('crash'); } };
    const cut = make('cut');
    await expect(model().fit(X, Y, { epochs: 4, verbose: 0, callbacks: [backup(), stamp(seq), cut, crash] })).rejects.toThrow('crash');
    const stored = readCheckpointInfo(join(root, 'cut')).state.extra;
    const resumed = make('cut');
    await model().fit(X, Y, { epochs: 4, verbose: 0, callbacks: [backup(), stamp(seq), resumed] });
    return { whole: [whole.saved.length, whole.best], resumed: [cut.saved.length + resumed.saved.length, resumed.best], stored };
  };

  it('a NaN first epoch: nothing beats it after the resume either (one save, best NaN)', async () => {
    const r = await runs([NaN, 0.5, 0.3, 0.2], 'min');
    expect(r.whole).toEqual([1, NaN]);
    expect(r.resumed).toEqual(r.whole);
    expect(r.stored).toEqual({ monitor: 'm', best: 'nan' });
  });

  it('an +inf first epoch in max mode: nothing beats it after the resume either', async () => {
    const r = await runs([Infinity, 0.5, 0.7, 0.9], 'max');
    expect(r.whole).toEqual([1, Infinity]);
    expect(r.resumed).toEqual(r.whole);
    expect(r.stored).toEqual({ monitor: 'm', best: 'inf' });
  });

  it('a -inf first epoch in min mode, and a finite best, resume as the uninterrupted run', async () => {
    const inf = await runs([-Infinity, 0.5, -1, 0.2], 'min');
    expect(inf.whole).toEqual([1, -Infinity]);
    expect(inf.resumed).toEqual(inf.whole);
    expect(inf.stored).toEqual({ monitor: 'm', best: '-inf' });
    const finite = await runs([0.3, 0.5, 0.4, 0.2], 'min');
    expect(finite.whole).toEqual([2, 0.2]);
    expect(finite.resumed).toEqual(finite.whole);
    expect(finite.stored).toEqual({ monitor: 'm', best: 0.3 });
  });
});

describe("modelCheckpoint's verbose lines (Keras 3.13+)", () => {
  it('batch saves print "saving model to" and "finished saving model to", with the epoch counted from 1', async () => {
    const root = tempDir(), out = writer();
    const ck = rl.callbacks.modelCheckpoint({ path: join(root, 'e{epoch}-b{batch}'), saveFreq: 2, verbose: 1, out });
    // 3 samples, batch 1: 3 batches an epoch; saves after batches 2, 4 (epoch 2's 1st) and 6 (its 3rd).
    await model().fit(X, Y, { epochs: 2, batchSize: 1, verbose: 0, callbacks: [ck] });
    const saved = ['e1-b2', 'e2-b1', 'e2-b3'].map((n) => join(root, n));
    expect(ck.saved).toEqual(saved);
    expect(out.text).toBe(saved.map((d, i) => `\nEpoch ${i === 0 ? 1 : 2}: saving model to ${d}\n\nEpoch ${i === 0 ? 1 : 2}: finished saving model to ${d}\n`).join(''));
  });

  it('epoch saves end with "finished saving model to"; a missing monitor prints only that line, as Keras', async () => {
    const root = tempDir(), out = writer();
    await model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.modelCheckpoint({ path: join(root, 'a'), verbose: 1, out })] });
    const a = join(root, 'a');
    expect(out.text).toBe(`\nEpoch 1: saving model to ${a}\n\nEpoch 1: finished saving model to ${a}\n`);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const out2 = writer(), b = join(root, 'b');
    const ck = rl.callbacks.modelCheckpoint({ path: b, saveBestOnly: true, verbose: 1, out: out2 });
    await model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [ck] });
    vi.restoreAllMocks();
    expect([ck.saved, out2.text]).toEqual([[b], `\nEpoch 1: finished saving model to ${b}\n`]);
  });
});

describe("terminateOnNaN's raise_error (Keras 3.13+)", () => {
  // Rows whose loss overflows to Inf within a few batches at this learning rate (as terminate_on_nan_fit_dataset's).
  const xs = Array.from({ length: 32 }, (_, i) => [((i * 7) % 11) / 5 - 1, ((i * 5) % 13) / 6 - 1]);
  const ys = xs.map(([a, b]) => [a! + b! > 0 ? 1 : 0]);
  const wild = () => {
    rl.setSeed(1);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 1e3 }), loss: 'meanSquaredError' });
    return m;
  };
  const fitArgs = { epochs: 20, batchSize: 4, shuffle: false, verbose: 0 as const };
  /** Where terminateOnNaN without raiseError stops, and the weights it leaves (those before that batch). */
  const stopped = async () => {
    const m = wild(), t = rl.callbacks.terminateOnNaN(writer());
    await m.fit(xs, ys, { ...fitArgs, callbacks: [t] });
    return { at: t.terminatedAt!, weights: values(m) };
  };

  it.each([['raiseError'], ['raise_error']])('%s: true rejects fit with NonFiniteLossError at that batch, prints nothing, skips onTrainEnd', async (key) => {
    const ref = await stopped();
    const m = wild();
    const t = rl.callbacks.terminateOnNaN({ [key]: true });
    expect(t.raiseError).toBe(true);
    const write = vi.spyOn(process.stdout, 'write');
    let ended = false;
    const err = await m.fit(xs, ys, { ...fitArgs, callbacks: [t, { onTrainEnd: () => { ended = true; } }] }).then(() => null, (e: unknown) => e);
    const printed = write.mock.calls.map((c) => String(c[0])).join('');
    write.mockRestore();
    expect(err).toBeInstanceOf(rl.NonFiniteLossError);
    expect({ epoch: (err as rl.NonFiniteLossError).epoch, batch: (err as rl.NonFiniteLossError).batch }).toEqual(ref.at);
    expect(printed).not.toMatch(/Invalid loss/);
    expect(ended).toBe(false);
    expect(t.terminatedAt).toEqual(ref.at);
    expect(values(m)).toEqual(ref.weights);
  });

  it('raiseError: true in fitDataset rejects the same way', async () => {
    const ref = await stopped();
    const ds = rl.data.zip({ xs: rl.data.array(xs), ys: rl.data.array(ys) }).batch(4);
    const err = await wild().fitDataset(ds, { epochs: 20, verbose: 0, callbacks: [rl.callbacks.terminateOnNaN({ raiseError: true })] }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(rl.NonFiniteLossError);
    expect({ epoch: (err as rl.NonFiniteLossError).epoch, batch: (err as rl.NonFiniteLossError).batch }).toEqual(ref.at);
  });

  it('raiseError: false (the default) stops training with the message, to out', async () => {
    const out = writer();
    const t = rl.callbacks.terminateOnNaN({ raise_error: false, out } as never);
    const h = await wild().fit(xs, ys, { ...fitArgs, callbacks: [t] });
    const at = t.terminatedAt!;
    expect([h.epoch.at(-1), t.raiseError, out.text]).toEqual([at.epoch, false, `Batch ${at.batch}: Invalid loss, terminating training\n`]);
  });

  it('refuses a non-boolean, both spellings, an unknown option, and out with raiseError: true', () => {
    expect(() => rl.callbacks.terminateOnNaN({ raiseError: 1 as never })).toThrow('terminateOnNaN: raiseError must be true or false, got 1');
    expect(() => rl.callbacks.terminateOnNaN({ raise_error: 'yes' } as never)).toThrow('terminateOnNaN: raiseError must be true or false, got "yes"');
    expect(() => rl.callbacks.terminateOnNaN({ raiseError: true, raise_error: false } as never)).toThrow('terminateOnNaN: give raiseError or its Keras name raise_error, not both');
    expect(() => rl.callbacks.terminateOnNaN({ verbose: 1 } as never)).toThrow(/^terminateOnNaN: unknown option 'verbose'; options: raiseError, out$/);
    expect(() => rl.callbacks.terminateOnNaN({ raiseError: true, out: writer() })).toThrow(/^terminateOnNaN: out applies only without raiseError: true/);
    expect(() => rl.callbacks.terminateOnNaN({ out: 3 as never })).toThrow(/^terminateOnNaN: out must be a writer/);
  });

  it("Keras's positional TerminateOnNaN(True) is refused, pointing at {raiseError: true}", () => {
    expect(() => rl.callbacks.terminateOnNaN(true as never)).toThrow('terminateOnNaN: the argument must be an options object or a writer, got true; write terminateOnNaN({raiseError: true})');
    expect(() => new rl.TerminateOnNaN(false as never)).toThrow(/write terminateOnNaN\(\{raiseError: false\}\)$/);
  });
});
