/**
 * csvLogger's columns when the first epoch has no validation values, as Keras 3's CSVLogger writes them: when the
 * first epoch's logs hold no `val_` key, a `val_<key>` column follows the sorted keys for each of them, 'NA' in an
 * epoch without validation (validationFreq > 1, or no validation data at all) and the value where there is one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X, LINEAR_Y, tempDirs, tinyLinearModel } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-csv-r51-');
const X = [[0, 1], [1, 0], [1, 1], [0, 0]], Y = [[1], [0], [1], [0]];

function classifier(): rl.Sequential {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] });
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('csvLogger val_ columns', () => {
  it('validationFreq 2: val_ columns from the first row, NA on epochs without validation, the values on the others', async () => {
    const f = join(tempDir(), 'log.csv');
    const h = await classifier().fit(rl.tensor(X), rl.tensor(Y), {
      epochs: 4, verbose: 0, validationData: [rl.tensor(X), rl.tensor(Y)], validationFreq: 2, callbacks: [rl.callbacks.csvLogger(f)],
    });
    const { accuracy, loss, val_accuracy, val_loss } = h.history;
    expect(val_loss).toHaveLength(2);
    const row = (e: number, va: string, vl: string) => `${e},${accuracy[e]},${loss[e]},${va},${vl}`;
    expect(readFileSync(f, 'utf8').split('\n')).toEqual([
      'epoch,accuracy,loss,val_accuracy,val_loss',
      row(0, 'NA', 'NA'),
      row(1, String(val_accuracy[0]), String(val_loss[0])),
      row(2, 'NA', 'NA'),
      row(3, String(val_accuracy[1]), String(val_loss[1])),
      '',
    ]);
  });

  it('no validation at all: a val_ column of NA for every key, as Keras 3 writes', async () => {
    const f = join(tempDir(), 'log.csv');
    const h = await tinyLinearModel().fit(LINEAR_X, LINEAR_Y, { epochs: 2, verbose: 0, callbacks: [rl.callbacks.csvLogger(f, { separator: ';' })] });
    const [l0, l1] = h.history.loss.map(String);
    expect(readFileSync(f, 'utf8')).toBe(`epoch;loss;val_loss\n0;${l0};NA\n1;${l1};NA\n`);
  });

  it('appending to a log whose header exists writes no second header; the new rows follow their own columns', async () => {
    const f = join(tempDir(), 'log.csv');
    const m = tinyLinearModel();
    const a = await m.fit(LINEAR_X, LINEAR_Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.csvLogger(f, { append: true })] });
    const b = await m.fit(LINEAR_X, LINEAR_Y, {
      epochs: 2, verbose: 0, validationData: [LINEAR_X, LINEAR_Y], validationFreq: 2, callbacks: [rl.callbacks.csvLogger(f, { append: true })],
    });
    expect(readFileSync(f, 'utf8')).toBe(
      `epoch,loss,val_loss\n0,${a.history.loss[0]},NA\n0,${b.history.loss[0]},NA\n1,${b.history.loss[1]},${b.history.val_loss[0]}\n`);
  });
});
