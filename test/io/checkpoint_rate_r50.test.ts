/**
 * A checkpoint's learning rate above float32's range (the optimizer holds its rate in float32, as Keras) is refused
 * while checkpoint.json is read, as a CheckpointError naming the file and the field, before any weight, slot,
 * iteration count or rate is applied: restoreCheckpoint and backupAndRestore alike.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-ckpt-rate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const xs = [[1, 2], [3, 4], [0.5, -1], [2, 0]];
const ys = [[1], [2], [0], [1]];
const model = (lr = 0.01) => {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })] });
  m.compile({ optimizer: rl.optimizers.adam({ learningRate: lr }), loss: 'mse' });
  return m;
};
const weights = (m: rl.Sequential) => m.getWeights().map((t) => Array.from(t.dataSync()));
const setRate = (dir: string, rate: number) => {
  const path = join(dir, 'checkpoint.json');
  const j = JSON.parse(readFileSync(path, 'utf8'));
  j.optimizer.config.learning_rate = rate;
  // JSON.stringify writes 1e39 as a JSON number, as a file a user edited would hold it.
  writeFileSync(path, JSON.stringify(j));
};
const FIELD = /checkpoint\.json: optimizer\.config\.learning_rate is 1e\+39, beyond float32's range \(about 3\.4e38 at most\)/;

describe('restoreCheckpoint: a learning rate beyond float32', () => {
  const saved = (name: string) => {
    const a = model();
    a.trainOnBatch(rl.tensor(xs), rl.tensor(ys));
    a.trainOnBatch(rl.tensor(xs), rl.tensor(ys));
    const dir = join(root, name);
    rl.writeCheckpoint(dir, a, { nextEpoch: 1, progress: null, history: { epoch: [], history: {} }, rng: [1, 2, 3, 4, NaN], samples: 4, batchSize: 4 });
    return dir;
  };

  it('is a CheckpointError naming the file and field; weights, iterations and rate stay as they were', () => {
    const dir = saved('big');
    setRate(dir, 1e39);
    const m = model(0.3);
    const before = weights(m);
    let err: unknown;
    try { rl.restoreCheckpoint(dir, m); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(rl.CheckpointError);
    expect((err as Error).message).toMatch(FIELD);
    expect((err as Error).message).toContain(dir);
    expect(weights(m)).toEqual(before);
    expect(m.optimizer!.iterations).toBe(0);
    expect(m.optimizer!.learningRate).toBe(0.3);
  });

  it('a rate float32 holds (3e38) still restores', () => {
    const dir = saved('edge');
    setRate(dir, 3e38);
    const m = model(0.3);
    rl.restoreCheckpoint(dir, m);
    expect(m.optimizer!.learningRate).toBe(3e38);
    expect(m.optimizer!.iterations).toBe(2);
  });
});

describe('backupAndRestore: a learning rate beyond float32', () => {
  it('fit is refused with the CheckpointError before the backup is applied', async () => {
    const dir = join(root, 'backup');
    const stop: rl.Callback = { onEpochEnd(this: { model: rl.Sequential }) { this.model.stopTraining = true; } };
    await model().fit(xs, ys, { epochs: 3, batchSize: 2, verbose: 0, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0, deleteCheckpoint: false }), stop] });
    setRate(dir, 1e39);
    const m = model(0.3);
    const before = weights(m);
    await expect(m.fit(xs, ys, { epochs: 3, batchSize: 2, verbose: 0, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 })] }))
      .rejects.toSatisfy((e: unknown) => e instanceof rl.CheckpointError && FIELD.test((e as Error).message));
    expect(weights(m)).toEqual(before);
    expect(m.optimizer!.iterations).toBe(0);
    expect(m.optimizer!.learningRate).toBe(0.3);
  });
});
