/**
 * backupAndRestore brings back the learning rate the run had reached (a callback or user code changed it), as Keras 3
 * restores its optimizer's learning_rate variable, so the resumed run equals the uninterrupted one bit for bit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-resume-lr-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const xs = Array.from({ length: 32 }, (_, i) => [((i * 7) % 11) / 11, ((i * 5) % 13) / 13]);
const ys = xs.map(([a, b]) => [a + b > 1 ? 1 : 0]);
const model = (lr = 0.5) => {
  rl.setSeed(1);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2], activation: 'tanh' }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: lr }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
};
const weights = (m: rl.Sequential) => m.getWeights().map((t) => Array.from(t.dataSync()));
const args = { epochs: 4, batchSize: 8, verbose: 0 as const };
/** Stops the run after epoch `at` (0-based), leaving its checkpoint (deleteCheckpoint: false). */
const stopAfter = (at: number): rl.Callback => ({ onEpochEnd(this: { model: rl.Sequential }, e: number) { if (e === at) this.model.stopTraining = true; } });

/** An uninterrupted run and one stopped after epoch 1 and resumed, each with the callbacks `cbs()` makes. */
async function runBoth(name: string, cbs: () => rl.Callback[]) {
  const ref = model();
  const hRef = await ref.fit(xs, ys, { ...args, callbacks: cbs() });
  const dir = join(root, name);
  const backup = () => rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0, deleteCheckpoint: false });
  await model().fit(xs, ys, { ...args, callbacks: [backup(), ...cbs(), stopAfter(1)] });
  const resumed = model();
  const h = await resumed.fit(xs, ys, { ...args, callbacks: [backup(), ...cbs()] });
  return { ref, hRef, resumed, h, dir };
}

describe('backupAndRestore and the learning rate', () => {
  it('a rate learningRateScheduler lowered is restored: weights, rate and history as the uninterrupted run', async () => {
    const { ref, hRef, resumed, h } = await runBoth('scheduler', () => [rl.callbacks.learningRateScheduler((e, lr) => (e === 1 ? lr * 0.1 : lr))]);
    expect(h.history.learning_rate).toEqual([0.5, 0.5 * 0.1, 0.5 * 0.1, 0.5 * 0.1].map(Math.fround));
    expect(h.history).toEqual(hRef.history);
    expect(resumed.optimizer!.learningRate).toBe(ref.optimizer!.learningRate);
    expect(weights(resumed)).toEqual(weights(ref));
  });

  it('a rate user code set in onEpochEnd is restored', async () => {
    const setRate = (): rl.Callback => ({ onEpochEnd(this: { model: rl.Sequential }, e: number) { if (e === 0) this.model.optimizer!.learningRate = 0.125; } });
    const { ref, resumed } = await runBoth('user', () => [setRate()]);
    expect(resumed.optimizer!.learningRate).toBe(0.125);
    expect(weights(resumed)).toEqual(weights(ref));
  });

  it('reduceLROnPlateau\'s lowered rate is the one training continues with', async () => {
    const plateau = () => rl.callbacks.reduceLROnPlateau({ monitor: 'loss', patience: 0, factor: 0.5, minDelta: 10 });
    const dir = join(root, 'plateau');
    const first = model();
    await first.fit(xs, ys, { ...args, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0, deleteCheckpoint: false }), plateau(), stopAfter(1)] });
    const reached = first.optimizer!.learningRate;
    expect(reached).toBe(0.25);
    let seen = NaN;
    const probe: rl.Callback = { onEpochBegin(this: { model: rl.Sequential }) { if (Number.isNaN(seen)) seen = this.model.optimizer!.learningRate; } };
    await model().fit(xs, ys, { ...args, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 }), probe] });
    expect(seen).toBe(reached);
  });
});

describe('restoreCheckpoint and the learning rate', () => {
  const saved = (name: string) => {
    const m = model(0.5);
    m.optimizer!.learningRate = 0.02;
    const dir = join(root, name);
    rl.writeCheckpoint(dir, m, { nextEpoch: 0, progress: null, history: { epoch: [], history: {} }, rng: [1, 2, 3, 4, NaN], samples: 32, batchSize: 8 });
    return dir;
  };
  const edit = (dir: string, f: (config: Record<string, unknown>) => void) => {
    const path = join(dir, 'checkpoint.json');
    const j = JSON.parse(readFileSync(path, 'utf8'));
    f(j.optimizer.config);
    writeFileSync(path, JSON.stringify(j));
  };

  it('the saved rate replaces the compiled one, also when compiled with another (Keras 3)', () => {
    const dir = saved('other-rate');
    const m = model(0.3);
    rl.restoreCheckpoint(dir, m);
    expect(m.optimizer!.learningRate).toBe(0.02);
  });

  it('a checkpoint without a learning rate keeps the compiled one', () => {
    const dir = saved('no-rate');
    edit(dir, (c) => { delete c.learning_rate; });
    const m = model(0.3);
    rl.restoreCheckpoint(dir, m);
    expect(m.optimizer!.learningRate).toBe(0.3);
  });

  it('a negative saved rate is a CheckpointError naming the file and field, and nothing is applied', () => {
    const dir = saved('bad-rate');
    edit(dir, (c) => { c.learning_rate = -1; });
    const m = model(0.3);
    const before = weights(m);
    expect(() => rl.restoreCheckpoint(dir, m)).toThrow(rl.CheckpointError);
    expect(() => rl.restoreCheckpoint(dir, m)).toThrow(/checkpoint\.json: optimizer\.config\.learning_rate must be a finite number >= 0, got -1/);
    expect(m.optimizer!.learningRate).toBe(0.3);
    expect(weights(m)).toEqual(before);
  });
});
