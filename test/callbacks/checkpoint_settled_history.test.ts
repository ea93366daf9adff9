/**
 * A checkpoint's History is the epoch's settled one: keys callbacks add to the epoch's logs (learning_rate, a key of
 * the user's) are in it whatever the callbacks' order, so a resumed History equals the uninterrupted run's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-settled-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const xs = Array.from({ length: 32 }, (_, i) => [((i * 7) % 11) / 11, ((i * 5) % 13) / 13]);
const ys = xs.map(([a, b]) => [a + b > 1 ? 1 : 0]);
const model = () => {
  rl.setSeed(1);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2], activation: 'tanh' }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.5 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
};
const args = { epochs: 4, batchSize: 8, verbose: 0 as const };
// Listed after the checkpointing callbacks, both add a key to every epoch's logs.
const later = (): rl.Callback[] => [
  rl.callbacks.learningRateScheduler((e) => [0.4, 0.3, 0.2, 0.1][e]),
  { onEpochEnd(e: number, logs?: Record<string, number>) { logs!.tag = 10 + e; } },
];
const stopAfter = (at: number): rl.Callback => ({ onEpochEnd(this: { model: rl.Sequential }, e: number) { if (e === at) this.model.stopTraining = true; } });

describe('the History a checkpoint saves', () => {
  it('backupAndRestore and modelCheckpoint listed first save the keys later callbacks add', async () => {
    const backup = join(root, 'backup'), folder = join(root, 'folder');
    const h = await model().fit(xs, ys, { ...args, epochs: 2, callbacks: [
      rl.callbacks.backupAndRestore({ backupDir: backup, verbose: 0, deleteCheckpoint: false }),
      rl.callbacks.modelCheckpoint({ path: folder }), ...later()] });
    expect(h.history.learning_rate).toEqual([0.4, 0.3].map(Math.fround));
    expect(h.history.tag).toEqual([10, 11]);
    for (const dir of [backup, folder]) {
      const st = rl.io.readCheckpointInfo(dir).state;
      expect(st.history.epoch).toEqual([0, 1]);
      expect(st.history.history).toEqual(h.history);
    }
  });

  it('a callback failing in onEpochEnd after them leaves the keys the callbacks before it added', async () => {
    const dir = join(root, 'crash');
    const crash = { onEpochEnd(e: number) { if (e === 1) throw new Error('crash'); } };
    const run = model().fit(xs, ys, { ...args, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 }), rl.callbacks.learningRateScheduler((e) => [0.4, 0.3, 0.2, 0.1][e]), crash] });
    await expect(run).rejects.toThrow('crash');
    const st = rl.io.readCheckpointInfo(dir).state;
    expect(st.nextEpoch).toBe(2);
    expect(st.history.history.learning_rate).toEqual([0.4, 0.3].map(Math.fround));
  });

  it('a resumed run\'s History equals the uninterrupted run\'s', async () => {
    const hRef = await model().fit(xs, ys, { ...args, callbacks: later() });
    const dir = join(root, 'resume');
    const backup = () => rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0, deleteCheckpoint: false });
    await model().fit(xs, ys, { ...args, callbacks: [backup(), ...later(), stopAfter(1)] });
    const h = await model().fit(xs, ys, { ...args, callbacks: [backup(), ...later()] });
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(h.history.learning_rate).toEqual([0.4, 0.3, 0.2, 0.1].map(Math.fround));
    expect(h.history).toEqual(hRef.history);
  });
});
