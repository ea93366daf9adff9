/**
 * tfjs code writes the log names tfjs logs (acc, val_acc, ce): in rnnlab they are aliases of the Keras keys, and a
 * write goes to the key the alias stands for, so History, CSV and later callbacks get it, as tfjs's real key does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tempDirs } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-alias-');
const X = [[0, 1], [1, 0], [1, 1], [0, 0], [1, 0.5], [0.2, 0.9]];
const Y = [[1], [1], [0], [0], [1], [0]];

function model(): rl.Sequential {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy', 'crossentropy'] });
  return m;
}

/** A first callback scales val_acc by 100 and sets acc and ce through tfjs's names; a second records what it sees. */
function writers(seen: Array<Record<string, number>>): rl.Callback[] {
  return [
    { onEpochEnd: (_e, logs) => { const l = logs as Record<string, number>; l.val_acc = l.val_acc * 100; l.acc = 0.25; l.ce = 7; } },
    { onEpochEnd: (_e, logs) => { seen.push({ ...logs! }); } },
  ];
}

describe('writing a tfjs log alias in a callback', () => {
  it('writes the Keras key: later callbacks, History (both names) and CSV get the value', async () => {
    const seenFirst: number[] = [];
    const seen: Array<Record<string, number>> = [];
    const csv = join(tempDir(), 'log.csv');
    const [scale, record] = writers(seen);
    const before: rl.Callback = { onEpochEnd: (_e, logs) => { seenFirst.push(logs!.val_accuracy); } };
    const h = await model().fit(X, Y, {
      epochs: 2, verbose: 0, validationData: [X, Y], callbacks: [before, scale!, record!, rl.callbacks.csvLogger(csv)],
    });
    expect(seen.map((l) => l.val_accuracy)).toEqual(seenFirst.map((v) => v * 100));
    expect(seen.map((l) => [l.accuracy, l.crossentropy])).toEqual([[0.25, 7], [0.25, 7]]);
    // The aliases stay aliases: no extra keys are listed.
    expect(Object.keys(seen[0]!).sort()).toEqual(['accuracy', 'crossentropy', 'loss', 'val_accuracy', 'val_crossentropy', 'val_loss']);
    expect(h.history.val_accuracy).toEqual(seenFirst.map((v) => v * 100));
    expect((h.history as Record<string, number[]>).val_acc).toEqual(h.history.val_accuracy);
    expect(h.history.accuracy).toEqual([0.25, 0.25]);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('epoch,accuracy,crossentropy,loss,val_accuracy,val_crossentropy,val_loss');
    expect(rows[1]!.split(',').slice(1, 3)).toEqual(['0.25', '7']);
  });

  it('a History alias is writable too, writing the list it stands for', async () => {
    const h = await model().fit(X, Y, { epochs: 1, verbose: 0 });
    (h.history as Record<string, number[]>).acc = [0.5];
    expect(h.history.accuracy).toEqual([0.5]);
    expect(Object.keys(h.history)).not.toContain('acc');
  });

  it('tfjs 4.22 runs the same callback: val_acc is its real key, scaled for the callbacks after it and in History', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const xs = tf.tensor2d(X), ys = tf.tensor2d(Y);
    const raw: number[] = [], later: number[] = [];
    const h = await m.fit(xs, ys, {
      epochs: 2, verbose: 0, validationData: [xs, ys], callbacks: [
        { onEpochEnd: async (_e: number, logs?: tf.Logs) => { raw.push(logs!.val_acc!); logs!.val_acc = logs!.val_acc! * 100; } },
        { onEpochEnd: async (_e: number, logs?: tf.Logs) => { later.push(logs!.val_acc!); } },
      ],
    });
    expect(later).toEqual(raw.map((v) => v * 100));
    expect(h.history.val_acc).toEqual(later);
    tf.dispose([xs, ys]);
    m.dispose();
  });
});
