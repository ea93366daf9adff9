/** csvLogger replaces its file at the first row: a run refused before any epoch ends keeps the previous log. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-csvkeep-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const xs = Array.from({ length: 16 }, (_, i) => [(i % 4) / 4, (i % 3) / 3]);
const ys = xs.map(([a, b]) => [a + b > 0.8 ? 1 : 0]);
const model = () => {
  rl.setSeed(1);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  return m;
};
const OLD = 'epoch,loss\n0,0.5\n1,0.4\n';
const logFile = (name: string) => { const f = join(root, `${name}.csv`); writeFileSync(f, OLD); return f; };

describe('csvLogger and a run refused before training', () => {
  it('a modelCheckpoint template error listed after it leaves the file as it was', async () => {
    const f = logFile('template');
    const run = model().fit(xs, ys, { epochs: 2, verbose: 0, callbacks: [rl.callbacks.csvLogger(f), rl.callbacks.modelCheckpoint({ path: join(root, 'ck-{val_los:.2f}') })] });
    await expect(run).rejects.toThrow(/modelCheckpoint: path .* names '\{val_los\}', which the logs will not have/);
    expect(readFileSync(f, 'utf8')).toBe(OLD);
  });

  it('a callback of the user\'s failing in onTrainBegin leaves it too', async () => {
    const f = logFile('user');
    const run = model().fit(xs, ys, { epochs: 2, verbose: 0, callbacks: [rl.callbacks.csvLogger(f), { onTrainBegin() { throw new Error('not ready'); } }] });
    await expect(run).rejects.toThrow('not ready');
    expect(readFileSync(f, 'utf8')).toBe(OLD);
  });

  it('a run that trains replaces the old log with its own rows (one header)', async () => {
    const f = logFile('trained');
    const h = await model().fit(xs, ys, { epochs: 2, verbose: 0, callbacks: [rl.callbacks.csvLogger(f)] });
    expect(readFileSync(f, 'utf8')).toBe(`epoch,loss,val_loss\n0,${h.history.loss[0]},NA\n1,${h.history.loss[1]},NA\n`);
  });
});
