/** Callbacks against Keras 3's semantics where rnnlab differed: restoreBestWeights, CSV headers, path templates, saveFreq, tfjs callbacks. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X as X, LINEAR_Y as Y, tempDirs, tinyLinearModel as model } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-cb-');

/** Fits 4 epochs with the monitored 'loss' overwritten by `values`, recording the kernel after each epoch. */
async function withLosses(values: number[], es: rl.EarlyStopping): Promise<{ snaps: number[]; after: number[]; final: number; epochs: number[] }> {
  const m = model();
  const snaps: number[] = [], after: number[] = [];
  const stamp: rl.Callback = { onEpochEnd: (e, logs) => { logs!.loss = values[e]; snaps.push(m.getWeights()[0].dataSync()[0]); } };
  const later: rl.Callback = { onEpochEnd: () => { after.push(m.getWeights()[0].dataSync()[0]); } };
  const h = await m.fit(X, Y, { epochs: values.length, verbose: 0, callbacks: [stamp, es, later] });
  return { snaps, after, final: m.getWeights()[0].dataSync()[0], epochs: h.epoch };
}

describe('earlyStopping restoreBestWeights (Keras 3: at the end of training)', () => {
  it('restores the best epoch even when patience never runs out', async () => {
    const r = await withLosses([1, 0.5, 0.8, 0.9], rl.callbacks.earlyStopping({ monitor: 'loss', patience: 5, restoreBestWeights: true }));
    expect(r.epochs).toEqual([0, 1, 2, 3]);
    expect(new Set(r.snaps).size).toBe(4);
    expect(r.final).toBe(r.snaps[1]);
  });

  it('when it stops, later callbacks of the stopping epoch still see that epoch\'s weights; the best come back at the end', async () => {
    const r = await withLosses([1, 0.5, 0.8, 0.9, 0.1], rl.callbacks.earlyStopping({ monitor: 'loss', patience: 2, restoreBestWeights: true }));
    expect(r.epochs).toEqual([0, 1, 2, 3]);
    expect(r.after).toEqual(r.snaps);
    expect(r.final).toBe(r.snaps[1]);
  });

  it('without restoreBestWeights the last weights stay', async () => {
    const r = await withLosses([1, 0.5, 0.8, 0.9], rl.callbacks.earlyStopping({ monitor: 'loss', patience: 5 }));
    expect(r.final).toBe(r.snaps[3]);
  });
});

describe('csvLogger append', () => {
  it('writes the header once when appending to a new file, and not again when appending to it', async () => {
    const f = join(tempDir(), 'log.csv');
    const m = model();
    await m.fit(X, Y, { epochs: 2, verbose: 0, callbacks: [rl.callbacks.csvLogger(f, { append: true })] });
    await m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.csvLogger(f, { append: true })] });
    const lines = readFileSync(f, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.split(',')[0])).toEqual(['epoch', '0', '1', '0']);
  });

  it('separator and append are checked', () => {
    expect(() => rl.callbacks.csvLogger('x.csv', { separator: 1 as never })).toThrow('CSVLogger: separator must be one character (Python\'s csv writer, which Keras uses: "delimiter must be a 1-character string"), got 1');
    expect(() => rl.callbacks.csvLogger('x.csv', { append: 'yes' as never })).toThrow('CSVLogger: append must be true or false, got "yes"');
  });
});

describe('modelCheckpoint paths and saveFreq', () => {
  it('a template key that is not in the logs is an error naming it, and nothing is written', async () => {
    const dir = tempDir();
    // Checked before the first batch: the weights have not moved.
    const m = model();
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    await expect(m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.modelCheckpoint({ path: join(dir, 'c-{val_los:.2f}') })] }))
      .rejects.toThrow(/modelCheckpoint: path '.*c-\{val_los:\.2f\}' names '\{val_los\}', which the logs will not have; available: epoch, loss/);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    expect(existsSync(join(dir, 'c-{val_los:.2f}'))).toBe(false);
    await expect(model().fit(X, Y, { epochs: 1, verbose: 0, validationSplit: 0.25, callbacks: [rl.callbacks.modelCheckpoint({ path: join(dir, 'b-{val_loss}'), saveFreq: 1 })] }))
      .rejects.toThrow(/names '\{val_loss\}', which the logs will not have \(validation values exist only at the end of an epoch; saveFreq counts batches\); available: epoch, batch, loss/);
    await expect(model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.modelCheckpoint({ path: join(dir, 'c-{loss:x}') })] }))
      .rejects.toThrow(/format 'x' of '\{loss\}' is not supported/);
  });

  it('formats epoch, batch and log values as Python does', async () => {
    const dir = tempDir();
    const m = model();
    const cb = rl.callbacks.modelCheckpoint({ path: join(dir, 'e{epoch:03d}-{loss:.3f}-{loss:.1e}') });
    const h = await m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [cb] });
    const loss = h.history.loss[0];
    const exp = loss.toExponential(1).replace(/e([+-])(\d)$/, 'e$10$2');
    expect(cb.saved).toEqual([join(dir, `e001-${loss.toFixed(3)}-${exp}`)]);
    const byBatch = rl.callbacks.modelCheckpoint({ path: join(dir, 'b-{epoch}-{batch}'), saveFreq: 1 });
    await model().fit(X, Y, { epochs: 1, batchSize: 2, verbose: 0, callbacks: [byBatch] });
    expect(byBatch.saved).toEqual([join(dir, 'b-1-1'), join(dir, 'b-1-2')]);
  });

  it('an integer saveFreq counts batches across epochs (Keras)', async () => {
    const dir = tempDir();
    const cb = rl.callbacks.modelCheckpoint({ path: join(dir, 'e{epoch}-b{batch}'), saveFreq: 2 });
    const x = [[1], [2], [3], [4], [5]];
    await model().fit(x, x, { epochs: 2, batchSize: 1, verbose: 0, shuffle: false, callbacks: [cb] });
    // 10 batches: saves after global batches 2, 4, 6, 8, 10 (epoch 2's batches 1, 3, 5).
    expect(cb.saved.map((p) => p.slice(dir.length + 1))).toEqual(['e1-b2', 'e1-b4', 'e2-b1', 'e2-b3', 'e2-b5']);
  });
});

describe('callback forms', () => {
  it('a tfjs callback that refuses rnnlab\'s model is an error naming the callback and the rl replacement', async () => {
    await expect(model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [tf.callbacks.earlyStopping({ monitor: 'loss' }) as never] }))
      .rejects.toThrow(/fit: callbacks\[0\]: its setModel threw \(model must be a LayersModel.*if this is one of tfjs.s own callbacks.*use rl\.callbacks\.earlyStopping/);
  });

  it('learningRateScheduler names what a schedule returned that is not a number', async () => {
    await expect(model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler((() => '0.1') as never)] }))
      .rejects.toThrow('LearningRateScheduler: schedule returned string "0.1" for epoch 0; it must return a finite number >= 0');
  });

  it('learningRateScheduler takes a rate of 0 (a warm-up from 0, as Keras) and refuses a negative one', async () => {
    const m = model();
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    const h = await m.fit(X, Y, { epochs: 2, verbose: 0, shuffle: false, callbacks: [rl.callbacks.learningRateScheduler((epoch) => 0.05 * epoch)] });
    expect(h.history.learning_rate).toEqual([0, Math.fround(0.05)]); // as Keras's float32 variable holds it
    const fresh = model();
    fresh.setWeights(before.map((v, i) => rl.tensor(v, m.getWeights()[i].shape)));
    await fresh.fit(X, Y, { epochs: 1, verbose: 0, shuffle: false, callbacks: [rl.callbacks.learningRateScheduler(() => 0)] });
    // The epoch at rate 0 moves nothing.
    expect(fresh.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    await expect(model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler(() => -0.1)] }))
      .rejects.toThrow('LearningRateScheduler: schedule returned -0.1 for epoch 0; it must return a finite number >= 0');
  });

  it('CustomCallback refuses non-hook keys and non-function hooks', () => {
    expect(() => new rl.CustomCallback({ patience: 2 } as never)).toThrow(/CustomCallback: unknown option 'patience'/);
    expect(() => new rl.CustomCallback({ onEpochEnd: 3 } as never)).toThrow('CustomCallback: onEpochEnd must be a function, got number');
    expect(() => new rl.CustomCallback({ onEpochEnd: null } as never)).not.toThrow();
  });
});

describe("mode 'auto' picks the direction Keras 3 gives the metric", () => {
  it('accuracies in rnnlab\'s camelCase keys, precision, recall, auc and r2 are maximised; losses and errors minimised', () => {
    const up = ['val_binaryAccuracy', 'categoricalAccuracy', 'val_acc', 'accuracy', 'val_precision', 'recall', 'val_auc', 'val_r2Score', 'out_1_precision'];
    const down = ['val_loss', 'loss', 'val_mse', 'meanAbsoluteError', 'val_binaryCrossentropy', 'out_1_loss'];
    for (const m of up) {
      expect(rl.callbacks.earlyStopping({ monitor: m }).direction, m).toBe('max');
      expect(rl.callbacks.modelCheckpoint({ path: 'unused', monitor: m, saveBestOnly: true }).direction, m).toBe('max');
    }
    for (const m of down) expect(rl.callbacks.earlyStopping({ monitor: m }).direction, m).toBe('min');
  });

  it('reduceLROnPlateau on val_binaryAccuracy cuts the rate when accuracy stops rising, not while it rises', async () => {
    const m = model(0.1);
    const acc = [0.5, 0.6, 0.7, 0.7, 0.7];
    const lrs: number[] = [];
    const stamp: rl.Callback = { onEpochEnd: (e, logs) => { logs!.val_binaryAccuracy = acc[e]; } };
    const cb = rl.callbacks.reduceLROnPlateau({ monitor: 'val_binaryAccuracy', factor: 0.5, patience: 2, minDelta: 0 });
    await m.fit(X, Y, { epochs: 5, verbose: 0, callbacks: [stamp, cb, { onEpochEnd: () => { lrs.push(m.optimizer!.learningRate); } }] });
    expect(lrs).toEqual([0.1, 0.1, 0.1, 0.1, Math.fround(0.05)]); // a cut stores Keras's float32 rate
  });
});

describe('modelCheckpoint Keras options', () => {
  it('initialValueThreshold is the best to beat: epochs worse than it are not saved', async () => {
    const dir = tempDir();
    const vals = [0.9, 0.5, 0.4];
    const stamp: rl.Callback = { onEpochEnd: (e, logs) => { logs!.val_loss = vals[e]; } };
    const cb = rl.callbacks.modelCheckpoint({ path: join(dir, 'e{epoch}'), saveBestOnly: true, initialValueThreshold: 0.6 });
    await model().fit(X, Y, { epochs: 3, verbose: 0, callbacks: [stamp, cb] });
    expect(cb.saved.map((p) => p.slice(dir.length + 1))).toEqual(['e2', 'e3']);
    expect(() => rl.callbacks.modelCheckpoint({ path: 'x', initialValueThreshold: 0.6 })).toThrow('modelCheckpoint: initialValueThreshold applies only with saveBestOnly: true');
  });

  it('saveWeightsOnly false is Keras\'s default; true is refused by name', () => {
    expect(() => rl.callbacks.modelCheckpoint({ path: 'x', saveWeightsOnly: false })).not.toThrow();
    expect(() => rl.callbacks.modelCheckpoint({ path: 'x', saveWeightsOnly: true } as never)).toThrow(/modelCheckpoint: saveWeightsOnly true is not supported by rnnlab/);
  });
});
