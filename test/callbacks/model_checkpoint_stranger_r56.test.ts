/**
 * A saveBestOnly modelCheckpoint with a plain path, resumed, over a folder that holds another run's checkpoint with
 * the same monitor. Keras never reads the folder (its best starts at initial_value_threshold or none); rnnlab's bar on
 * a resume is the best this run's backup kept. Before, the folder's best set the bar, so a stranger's better value
 * stopped the resumed run from saving its own best epochs. Only this run's own save (the same History, loss for loss)
 * still counts, for the process that ended between that save and the backup's record of it (checkpoint_faults_r55).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tempDirs } from '../helpers/tiny_linear.js';
import { resumeData, resumeModel, stampMonitor } from './helpers.js';

const tempDir = tempDirs('rl-mc-stranger-r56-');
const silent = { write: () => true };
const { X, Y } = resumeData();
const FIT = { epochs: 5, batchSize: 8, verbose: 0 as const };
// Epochs 2 and 4 (0.4, 0.2) are this run's improvements after epoch 2's 0.3; the stranger's 0.01 beats them all.
const seq = [0.5, 0.3, 0.4, 0.2, 0.6];

const stopAfter = (at: number): rl.Callback => ({ onEpochEnd(this: { model: rl.Sequential }, e: number) { if (e === at) this.model.stopTraining = true; } });
const backup = (root: string) => rl.callbacks.backupAndRestore({ backupDir: join(root, 'bk'), verbose: 0, deleteCheckpoint: false, out: silent, exit: () => {} });
const plain = (path: string, more: { initialValueThreshold?: number } = {}) =>
  rl.callbacks.modelCheckpoint({ path, saveBestOnly: true, monitor: 'm', mode: 'min', verbose: 0, ...more });

/** An earlier, unrelated run (other targets) whose best, 0.01 at its epoch 1, is in `path`. */
async function strangerIn(path: string): Promise<void> {
  rl.setSeed(123);
  const otherY = rl.randomNormal([40, 1]);
  await resumeModel().fit(X, otherY, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [stampMonitor([0.01]), plain(path)] });
  const st = rl.io.readCheckpointInfo(path).state;
  expect(st.extra).toEqual({ monitor: 'm', best: 0.01 });
  expect(st.nextEpoch).toBe(1);
}

const savedState = (path: string) => rl.io.readCheckpointInfo(path).state;

describe("a stranger's checkpoint in a resumed plain path does not set the bar", () => {
  it('the backup kept no best for this modelCheckpoint (added on the resume): it starts afresh and saves its best epochs', async () => {
    const root = tempDir(), path = join(root, 'best');
    await strangerIn(path);
    await resumeModel().fit(X, Y, { ...FIT, callbacks: [stampMonitor(seq), backup(root), stopAfter(1)] });
    const resumed = plain(path);
    await resumeModel().fit(X, Y, { ...FIT, callbacks: [stampMonitor(seq), backup(root), resumed] });
    // Was 0.01, the stranger's, and nothing saved: the folder kept the other run's model.
    expect(resumed.best).toBe(0.2);
    expect(resumed.saved).toEqual([path, path]);
    expect(savedState(path).nextEpoch).toBe(4);
    expect(savedState(path).extra).toEqual({ monitor: 'm', best: 0.2 });
  });

  it("the backup kept initialValueThreshold (nothing beat it yet): that is the bar, not the stranger's better best", async () => {
    const root = tempDir(), path = join(root, 'best');
    await strangerIn(path);
    const first = plain(path, { initialValueThreshold: 0.25 });
    await resumeModel().fit(X, Y, { ...FIT, callbacks: [stampMonitor(seq), backup(root), first, stopAfter(1)] });
    expect(first.saved).toEqual([]);
    const resumed = plain(path, { initialValueThreshold: 0.25 });
    await resumeModel().fit(X, Y, { ...FIT, callbacks: [stampMonitor(seq), backup(root), resumed] });
    expect(resumed.best).toBe(0.2);
    expect(savedState(path).nextEpoch).toBe(4);
  });

  it('a fit started at initialEpoch without a backup compares from none, as Keras', async () => {
    const root = tempDir(), path = join(root, 'best');
    await strangerIn(path);
    const cb = plain(path);
    await resumeModel().fit(X, Y, { ...FIT, initialEpoch: 2, callbacks: [stampMonitor(seq), cb] });
    expect(cb.best).toBe(0.2);
    expect(cb.saved).toEqual([path, path]);
    expect(savedState(path).nextEpoch).toBe(4);
  });

  it("this run's own save that the backup had not recorded yet still sets the bar (its History is this run's)", async () => {
    const root = tempDir(), path = join(root, 'best');
    await resumeModel().fit(X, Y, { ...FIT, callbacks: [stampMonitor(seq), backup(root), plain(path), stopAfter(1)] });
    expect(savedState(path).extra).toEqual({ monitor: 'm', best: 0.3 });
    // The backup as a process killed between the save of epoch 2 and its record leaves it: epoch 1's 0.5.
    const file = join(root, 'bk', 'checkpoint.json');
    const ck = JSON.parse(readFileSync(file, 'utf8'));
    ck.state.extra.modelCheckpoints[0].best = 0.5;
    writeFileSync(file, JSON.stringify(ck));
    // Epoch 3's 0.4 is worse than the folder's 0.3: not saved.
    const resumed = plain(path);
    await resumeModel().fit(X, Y, { ...FIT, epochs: 3, callbacks: [stampMonitor(seq), backup(root), resumed] });
    expect(resumed.best).toBe(0.3);
    expect(resumed.saved).toEqual([]);
  });
});
