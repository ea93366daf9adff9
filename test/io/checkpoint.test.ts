/**
 * Checkpoints and resume: a run interrupted (at an epoch boundary, or by Ctrl-C mid-epoch) and resumed ends with
 * the same weights, optimizer state and history as an uninterrupted run with the same seed, bit for bit.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { readCheckpointInfo, restoreCheckpoint } from '../../src/io/checkpoint.js';
import { removeDir, sameBits, silent, tempDir, toyText } from './helpers.js';

const root = tempDir('rnnlab-ckpt-');
afterAll(() => removeDir(root));
afterEach(() => setBeforeRenameHook(null));
let n = 0;
const fresh = () => join(root, `c${n++}`);

const data = toyText(96, 8, 12, 1);
const FIT = { epochs: 4, batchSize: 16, validationSplit: 0.25, verbose: 0 as const };

/** LSTM with input dropout and a Dropout layer: the shuffle and the masks all draw from the global RNG. */
function build(initSeed: number): rl.Sequential {
  rl.setSeed(initSeed);
  const m = rl.sequential({ layers: [
    rl.layers.embedding({ inputDim: 12, outputDim: 4, inputLength: 8 }),
    rl.layers.lstm({ units: 6, dropout: 0.2 }),
    rl.layers.dropout({ rate: 0.3 }),
    rl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: rl.train.adam(0.02), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

async function uninterrupted(): Promise<{ weights: Float32Array[]; history: rl.History; iterations: number }> {
  const m = build(42);
  rl.setSeed(100);
  const history = await m.fit(data.x, data.y, FIT);
  return { weights: m.getWeights().map((w) => w.dataSync() as Float32Array), history, iterations: m.optimizer!.iterations };
}

class Crash extends Error {}
/** A callback that throws at a chosen point, standing in for a crash or a kill. */
function crashAt(where: { epoch: number; batch?: number }): rl.Callback {
  return {
    onEpochEnd: (e) => { if (where.batch === undefined && e === where.epoch) throw new Crash('crash'); },
    onBatchEnd: function (this: { e?: number }, b) { if (where.batch !== undefined && (this.e ?? 0) === where.epoch && b === where.batch) throw new Crash('crash'); },
    onEpochBegin: function (this: { e?: number }, e) { this.e = e; },
  } as rl.Callback;
}

describe('checkpoint and resume', () => {
  it('resumes after a crash at an epoch boundary and ends bit for bit where an uninterrupted run ends', async () => {
    const ref = await uninterrupted();
    const dir = fresh();
    const a = build(42);
    rl.setSeed(100);
    const backup = rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0, handleInterrupt: false });
    await expect(a.fit(data.x, data.y, { ...FIT, callbacks: [backup, crashAt({ epoch: 1 })] })).rejects.toBeInstanceOf(Crash);
    expect(readCheckpointInfo(dir).state.nextEpoch).toBe(2);

    // A new process would build the model afresh, with whatever seed: the checkpoint overrides it all.
    const b = build(999);
    rl.setSeed(12345);
    const out: string[] = [];
    const h = await b.fit(data.x, data.y, { ...FIT, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, out: { write: (s: string) => out.push(s) } })] });
    expect(out.join('')).toMatch(/restored the checkpoint .* continuing at epoch 3/);
    expect(sameBits(b.getWeights().map((w) => w.dataSync() as Float32Array), ref.weights)).toBe(true);
    expect(b.optimizer!.iterations).toBe(ref.iterations);
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(h.history).toEqual(ref.history.history);
    // Keras's default: the backup is removed once training completes.
    expect(() => readdirSync(dir)).toThrow();
    // ... but only its own files: a backupDir shared with other files keeps them.
    const shared = fresh();
    mkdirSync(shared, { recursive: true });
    writeFileSync(join(shared, 'notes.txt'), 'mine');
    await build(1).fit(data.x, data.y, { ...FIT, epochs: 1, callbacks: [rl.callbacks.backupAndRestore({ backupDir: shared, verbose: 0 })] });
    expect(readdirSync(shared)).toEqual(['notes.txt']);
  });

  it('Ctrl-C mid-epoch finishes the batch, saves, prints how to resume and exits 130; the resumed run is bit-identical', async () => {
    const ref = await uninterrupted();
    const dir = fresh();
    const a = build(42);
    rl.setSeed(100);
    const exits: number[] = [];
    const msgs: string[] = [];
    const backup = rl.callbacks.backupAndRestore({ backupDir: dir, out: { write: (s: string) => msgs.push(s) }, exit: (c) => { exits.push(c); },
      resumeHint: 'rnnlab imdb --resume DIR' });
    let epoch = 0;
    const ctrlC: rl.Callback = {
      onEpochBegin: (e) => { epoch = e; },
      onBatchEnd: (b) => { if (epoch === 1 && b === 1) process.emit('SIGINT'); },
    };
    await expect(a.fit(data.x, data.y, { ...FIT, callbacks: [backup, ctrlC] })).rejects.toBeInstanceOf(rl.TrainingInterrupted);
    expect(exits).toEqual([130]);
    const text = msgs.join('');
    expect(text).toMatch(/finishing the current batch/);
    expect(text).toMatch(/checkpoint saved to .* \(in epoch 2 after batch 2\)/);
    expect(text).toMatch(/to resume: rnnlab imdb --resume DIR/);
    expect(process.listenerCount('SIGINT')).toBe(0);
    const info = readCheckpointInfo(dir);
    expect(info.state.nextEpoch).toBe(1);
    expect(info.state.progress).toMatchObject({ epoch: 1, batch: 2 });

    const b = build(7);
    const h = await b.fit(data.x, data.y, { ...FIT, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 })] });
    expect(sameBits(b.getWeights().map((w) => w.dataSync() as Float32Array), ref.weights)).toBe(true);
    expect(h.history).toEqual(ref.history.history);
  });

  it('a second Ctrl-C exits at once, without waiting for the batch', async () => {
    const dir = fresh();
    const a = build(1);
    const exits: number[] = [];
    class Exit extends Error {}
    const backup = rl.callbacks.backupAndRestore({ backupDir: dir, out: silent, exit: (c) => { exits.push(c); throw new Exit(); } });
    const twice: rl.Callback = { onBatchEnd: (b) => { if (b === 0) { process.emit('SIGINT'); process.emit('SIGINT'); } } };
    await expect(a.fit(data.x, data.y, { ...FIT, callbacks: [backup, twice] })).rejects.toBeInstanceOf(Exit);
    expect(exits).toEqual([130]);
    expect(existsSync(join(dir, 'checkpoint.json'))).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('saveFreq in batches writes mid-epoch checkpoints that resume exactly', async () => {
    const ref = await uninterrupted();
    const dir = fresh();
    const a = build(42);
    rl.setSeed(100);
    const backup = rl.callbacks.backupAndRestore({ backupDir: dir, saveFreq: 2, verbose: 0, handleInterrupt: false });
    await expect(a.fit(data.x, data.y, { ...FIT, callbacks: [backup, crashAt({ epoch: 2, batch: 2 })] })).rejects.toBeInstanceOf(Crash);
    expect(readCheckpointInfo(dir).state.progress).toMatchObject({ epoch: 2, batch: 2 });
    const b = build(3);
    await b.fit(data.x, data.y, { ...FIT, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 })] });
    expect(sameBits(b.getWeights().map((w) => w.dataSync() as Float32Array), ref.weights)).toBe(true);
  });

  it("a mid-epoch checkpoint continues every metric's sums (mse, auc, precision), so the resumed history is the uninterrupted one", async () => {
    const metrics = ['accuracy', 'mse', 'auc', 'precision'];
    const withMetrics = (seed: number) => { const m = build(seed); m.compile({ optimizer: rl.train.adam(0.02), loss: 'binaryCrossentropy', metrics }); return m; };
    const ref = withMetrics(42);
    rl.setSeed(100);
    const want = await ref.fit(data.x, data.y, FIT);
    const dir = fresh();
    const a = withMetrics(42);
    rl.setSeed(100);
    await expect(a.fit(data.x, data.y, { ...FIT, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, saveFreq: 2, verbose: 0, handleInterrupt: false }), crashAt({ epoch: 2, batch: 2 })] })).rejects.toBeInstanceOf(Crash);
    const saved = readCheckpointInfo(dir).state.progress!;
    expect(saved).toMatchObject({ epoch: 2, batch: 2 });
    expect(saved.meters!.metrics[0]!.map((m) => m.length)).toEqual([2, 2, 800, 4]);
    // A checkpoint written before the sums were kept (no meters) still resumes: its loss and first accuracy go on.
    const older = fresh();
    mkdirSync(older);
    for (const f of readdirSync(dir)) writeFileSync(join(older, f), readFileSync(join(dir, f)));
    const ck = JSON.parse(readFileSync(join(older, 'checkpoint.json'), 'utf8'));
    // A damaged sum is refused naming the field.
    ck.state.progress.meters = { lossSums: [], lossSeen: 0, metrics: [[[1, 2], 'x']] };
    writeFileSync(join(older, 'checkpoint.json'), JSON.stringify(ck));
    expect(() => readCheckpointInfo(older)).toThrow(/state\.progress\.meters\.metrics\[0\]\[1\] must be a list/);
    delete ck.state.progress.meters;
    writeFileSync(join(older, 'checkpoint.json'), JSON.stringify(ck));
    const fromOlder = await withMetrics(3).fit(data.x, data.y, { ...FIT, callbacks: [rl.callbacks.backupAndRestore({ backupDir: older, verbose: 0 })] });
    expect(fromOlder.history.loss).toEqual(want.history.loss);
    const b = withMetrics(3);
    const got = await b.fit(data.x, data.y, { ...FIT, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 })] });
    expect(Object.keys(want.history)).toEqual(expect.arrayContaining(['loss', 'mse', 'auc', 'precision', 'val_mse', 'val_auc']));
    expect(Object.keys(got.history).sort()).toEqual(Object.keys(want.history).sort());
    for (const k of Object.keys(want.history)) expect(got.history[k], k).toEqual(want.history[k]);
  });

  it('modelCheckpoint saves weights, optimizer state, epoch, RNG state and history; saveBestOnly keeps only improvements', async () => {
    const a = build(42);
    rl.setSeed(100);
    const perEpoch = fresh();
    const best = fresh();
    const fake = [0.9, 0.7, 0.8, 0.6];
    const snapshots: Float32Array[][] = [];
    // A callback before the checkpoints sets val_loss, so which epochs improve is known.
    const setVal: rl.Callback = { onEpochEnd: (e, logs) => { logs!.val_loss = fake[e]; snapshots.push(a.getWeights().map((w) => w.dataSync() as Float32Array)); } };
    const every = rl.callbacks.modelCheckpoint({ path: join(perEpoch, 'epoch-{epoch:02d}') });
    const onlyBest = rl.callbacks.modelCheckpoint({ path: best, monitor: 'val_loss', saveBestOnly: true });
    await a.fit(data.x, data.y, { ...FIT, callbacks: [setVal, every, onlyBest] });
    expect(readdirSync(perEpoch).sort()).toEqual(['epoch-01', 'epoch-02', 'epoch-03', 'epoch-04']);
    expect(onlyBest.saved.map((d) => d === best)).toEqual([true, true, true]);
    const info = readCheckpointInfo(best);
    expect(info.state.nextEpoch).toBe(4);
    expect(info.state.extra).toEqual({ monitor: 'val_loss', best: 0.6 });
    expect(info.state.history.epoch).toEqual([0, 1, 2, 3]);
    expect(info.optimizer!.iterations).toBe(a.optimizer!.iterations);
    // Epoch 3 (0.8) did not improve, so epoch-03 differs from the best folder's history at that point.
    const e2 = readCheckpointInfo(join(perEpoch, 'epoch-02'));
    expect(e2.state.nextEpoch).toBe(2);
    expect(e2.state.history.epoch).toEqual([0, 1]);
    // A checkpoint folder is a model folder too.
    const loaded = await rl.loadModel(join(perEpoch, 'epoch-02'));
    expect(sameBits(loaded.getWeights().map((w) => w.dataSync() as Float32Array), snapshots[1])).toBe(true);
    expect(loaded.optimizer?.className).toBe('Adam');
    // Restoring into a fresh model brings back weights, optimizer slots and the RNG state.
    const c = build(5);
    restoreCheckpoint(join(perEpoch, 'epoch-04'), c);
    expect(sameBits(c.getWeights().map((w) => w.dataSync() as Float32Array), a.getWeights().map((w) => w.dataSync() as Float32Array))).toBe(true);
    expect(c.optimizer!.iterations).toBe(a.optimizer!.iterations);
    const vars = a.trainableWeights, cvars = c.trainableWeights;
    const sa = a.optimizer!.getSlots(vars), sc = c.optimizer!.getSlots(cvars);
    sa.forEach((s, i) => s.forEach((arr, k) => expect(Array.from(sc[i][k])).toEqual(Array.from(arr))));
  });

  it('survives a crash at every step of writing a checkpoint: the previous one stays whole and restorable', async () => {
    const m = build(42);
    const dir = fresh();
    rl.setSeed(1);
    const state = (e: number): rl.TrainingState => ({ nextEpoch: e, progress: null, history: { epoch: [], history: {} }, rng: [1, 2, 3, 4, NaN], samples: 72, batchSize: 16 });
    rl.writeCheckpoint(dir, m, state(1));
    const first = m.getWeights().map((w) => w.dataSync() as Float32Array);
    for (let k = 1; k <= 4; k++) {
      // Change the weights, then die on the k-th file rename of the next checkpoint.
      m.setWeights(first.map((w) => w.map((v) => v + k)));
      let renames = 0;
      setBeforeRenameHook(() => { if (++renames === k) throw new Crash(`killed before rename ${k}`); });
      expect(() => rl.writeCheckpoint(dir, m, state(2))).toThrow(Crash);
      setBeforeRenameHook(null);
      const info = readCheckpointInfo(dir);
      expect(info.state.nextEpoch).toBe(1);
      const c = build(9);
      restoreCheckpoint(dir, c);
      expect(sameBits(c.getWeights().map((w) => w.dataSync() as Float32Array), first)).toBe(true);
      // model.json may already be the newer model (it is written before the commit), but it is always whole.
      expect(() => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))).not.toThrow();
      await rl.loadModel(dir);
    }
    rl.writeCheckpoint(dir, m, state(3));
    expect(readCheckpointInfo(dir).state.nextEpoch).toBe(3);
    expect(readdirSync(dir).filter((f) => f.startsWith('.') || /-\d+\.bin$/.test(f)).length).toBe(2);
  });
});

describe('earlyStopping and terminateOnNaN', () => {
  /** Runs fit with the given per-epoch values forced into logs[monitor] before the callback sees them. */
  async function withValues(values: number[], cb: rl.EarlyStopping, monitor = 'val_loss'): Promise<{ m: rl.Sequential; h: rl.History; snaps: Float32Array[][] }> {
    const m = build(42);
    const snaps: Float32Array[][] = [];
    const force: rl.Callback = { onEpochEnd: (e, logs) => { logs![monitor] = values[e]; snaps.push(m.getWeights().map((w) => w.dataSync() as Float32Array)); } };
    const h = await m.fit(data.x, data.y, { ...FIT, epochs: values.length, callbacks: [force, cb] });
    return { m, h, snaps };
  }

  it('stops after `patience` epochs without improvement, as Keras does', async () => {
    const es = rl.callbacks.earlyStopping({ monitor: 'val_loss', patience: 3 });
    const { h } = await withValues([1, 0.9, 0.95, 0.96, 0.97, 0.5, 0.4], es);
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(es.stoppedEpoch).toBe(4);
    expect(es.best).toBe(0.9);
    // patience 0 stops at the first epoch that does not improve (never at epoch 0).
    const es0 = rl.callbacks.earlyStopping({ monitor: 'val_loss' });
    expect((await withValues([1, 1.1, 0.5], es0)).h.epoch).toEqual([0, 1]);
  });

  it('minDelta, mode max for accuracies, and baseline', async () => {
    const a = rl.callbacks.earlyStopping({ monitor: 'val_loss', minDelta: 0.1, patience: 1 });
    expect((await withValues([1, 0.95, 0.92, 0.5], a)).h.epoch).toEqual([0, 1]);
    const a2 = rl.callbacks.earlyStopping({ monitor: 'val_loss', minDelta: 0.01, patience: 1 });
    expect((await withValues([1, 0.95, 0.92, 0.915, 0.5], a2)).h.epoch).toEqual([0, 1, 2, 3]);
    const b = rl.callbacks.earlyStopping({ monitor: 'val_accuracy', patience: 1 });
    // The mode stays as given ('auto', as tfjs and Keras keep it); an accuracy resolves to a higher-is-better direction.
    expect([b.mode, b.direction]).toEqual(['auto', 'max']);
    expect(rl.callbacks.earlyStopping({ monitor: 'loss', mode: 'max' }).direction).toBe('max');
    expect((await withValues([0.5, 0.6, 0.55, 0.54, 0.9], b, 'val_accuracy')).h.epoch).toEqual([0, 1, 2]);
    // Without a baseline the first epoch resets the wait; with one it does not, unless it beats the baseline.
    const c = rl.callbacks.earlyStopping({ monitor: 'val_loss', patience: 2, baseline: 0.5 });
    expect((await withValues([0.9, 0.95, 0.97, 0.4], c)).h.epoch).toEqual([0, 1]);
    const d = rl.callbacks.earlyStopping({ monitor: 'val_loss', patience: 2 });
    expect((await withValues([0.9, 0.95, 0.97, 0.4], d)).h.epoch).toEqual([0, 1, 2]);
  });

  it('restoreBestWeights puts back the best epoch\'s weights when it stops', async () => {
    const es = rl.callbacks.earlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true });
    const { m, h, snaps } = await withValues([1, 0.5, 0.8, 0.9, 0.1], es);
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(sameBits(m.getWeights().map((w) => w.dataSync() as Float32Array), snaps[1])).toBe(true);
  });

  it('terminateOnNaN stops at the first non-finite loss instead of raising, and that batch is not applied', async () => {
    rl.setSeed(1);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 4, inputDim: 2, activation: 'relu' }), rl.layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = rl.tensor(Float32Array.from({ length: 64 }, (_, i) => (i % 7) - 3), [32, 2]);
    const y = rl.tensor(new Float32Array(32).fill(1e30), [32, 1]);
    await expect(m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 })).rejects.toThrow(/non-finite/);
    const w0 = m.getWeights().map((w) => w.dataSync() as Float32Array);
    const lines: string[] = [];
    const t = rl.callbacks.terminateOnNaN({ write: (s: string) => lines.push(s) });
    const h = await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, shuffle: false, callbacks: [t] });
    expect(h.epoch).toEqual([0]);
    expect(Number.isNaN(h.history.loss[0]) || !Number.isFinite(h.history.loss[0])).toBe(true);
    expect(t.terminatedAt).toEqual({ epoch: 0, batch: 0 });
    expect(lines.join('')).toMatch(/Batch 0: Invalid loss, terminating training/);
    expect(sameBits(m.getWeights().map((w) => w.dataSync() as Float32Array), w0)).toBe(true);
  });

  it('validates its options with clear messages', () => {
    expect(() => rl.callbacks.earlyStopping({ patience: -1 })).toThrow(/patience must be a non-negative integer/);
    expect(() => rl.callbacks.earlyStopping({ mode: 'up' as never })).toThrow(/mode must be 'auto', 'min' or 'max'/);
    expect(() => rl.callbacks.modelCheckpoint({ path: '' })).toThrow(/path must be a folder path/);
    expect(() => rl.callbacks.modelCheckpoint({ path: 'x', saveFreq: 0 })).toThrow(/saveFreq/);
    expect(() => rl.callbacks.backupAndRestore({ backupDir: 'x', restore: 'maybe' as never })).toThrow(/restore must be/);
  });
});
