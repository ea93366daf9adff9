/** reduceLROnPlateau, learningRateScheduler and csvLogger with Keras semantics, inside a real fit. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function model(lr = 0.1): rl.Sequential {
  rl.setSeed(2);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1] })] });
  m.compile({ optimizer: rl.train.sgd(lr), loss: 'mse' });
  return m;
}
const X = [[1], [2], [3]], Y = [[2], [4], [6]];

describe('learning-rate callbacks', () => {
  it('learningRateScheduler sets the rate from (epoch, lr) before each epoch', async () => {
    const m = model(0.01);
    const seen: number[] = [];
    await m.fit(X, Y, { epochs: 3, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler((e, lr) => (e === 0 ? lr : lr / 2)), { onEpochEnd: () => { seen.push(m.optimizer!.learningRate); } }] });
    // Keras's float32 variable holds the rate.
    expect(seen).toEqual([0.01, 0.005, 0.0025].map(Math.fround));
    // Keras 3 adds the epoch's rate to its logs: History (and a csvLogger) get a learning_rate column.
    const h = await model(0.01).fit(X, Y, { epochs: 3, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler((e, lr) => (e === 0 ? lr : lr / 2))] });
    expect(h.history.learning_rate).toEqual([0.01, 0.005, 0.0025].map(Math.fround));
    await expect(m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler(() => -1)] })).rejects.toThrow(/schedule returned -1 for epoch 0/);
  });

  it('reduceLROnPlateau cuts the rate after patience epochs without improvement, then cools down', async () => {
    const m = model(0.001);
    const cb = rl.callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, cooldown: 1, minLr: 0.0002 });
    // Feed the monitored value by hand: a plateau at 1.0 after the first epoch.
    const fake = [1, 1, 1, 1, 1, 1, 1];
    const lrs: number[] = [];
    const stamp: rl.Callback = { onEpochEnd: (e, logs) => { logs!.loss = fake[e]; } };
    const h = await m.fit(X, Y, { epochs: 7, verbose: 0, callbacks: [stamp, cb, { onEpochEnd: () => { lrs.push(m.optimizer!.learningRate); } }] });
    // Keras: epochs 1, 2 wait -> cut at 2; epoch 3 ends the cooldown and waits (1); cut at 4; again at 6, floored at minLr.
    // A cut stores the float32 value Keras's variable holds (the rate given stays as given until then).
    expect(lrs).toEqual([0.001, 0.001, ...[0.0005, 0.0005, 0.00025, 0.00025, 0.0002].map(Math.fround)]);
    // Keras 3 logs the rate each epoch trained with (before that epoch's cut), read from its float32 variable.
    expect(h.history.learning_rate).toEqual([0.001, 0.001, 0.001, 0.0005, 0.0005, 0.00025, 0.00025].map(Math.fround));
    expect(() => rl.callbacks.reduceLROnPlateau({ factor: 1 })).toThrow(/factor must be in \(0, 1\)/);
    expect(() => rl.callbacks.reduceLROnPlateau({ patiense: 1 } as never)).toThrow(/unknown option 'patiense'/);
  });
});

describe('csvLogger', () => {
  it('writes epoch and sorted log keys, one row per epoch; append keeps earlier rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-csvlog-'));
    try {
      const f = join(dir, 'log.csv');
      const m = model();
      const h = await m.fit(X, Y, { epochs: 2, verbose: 0, validationData: [X, Y], callbacks: [rl.callbacks.csvLogger(f)] });
      const lines = readFileSync(f, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('epoch,loss,val_loss');
      expect(lines[2]).toBe(`1,${h.history.loss[1]},${h.history.val_loss[1]}`);
      await m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.csvLogger(f, { append: true, separator: ';' })] });
      expect(readFileSync(f, 'utf8').trim().split('\n')).toHaveLength(4);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
