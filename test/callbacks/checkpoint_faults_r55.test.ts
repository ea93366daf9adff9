/**
 * What a backupAndRestore checkpoint carries across a resume: a History's infinities stay infinities (they were read
 * back as NaN), a modelCheckpoint's infinite best stays infinite, and the best kept for a modelCheckpoint listed after
 * the backup is one it saved (a callback failing between them, or a failed save, left the resume comparing with a
 * best no folder held).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { tempDirs } from '../helpers/tiny_linear.js';
import { resumeData, resumeModel, stampMonitor } from './helpers.js';

const tempDir = tempDirs('rl-ckpt-faults-r55-');
afterEach(() => setBeforeRenameHook(null));
const silent = { write: () => true };

const model = resumeModel;
const { X, Y } = resumeData();
const FIT = { epochs: 5, batchSize: 8, verbose: 0 as const };

const stamp = stampMonitor;
const stopAfter = (at: number): rl.Callback => ({ onEpochEnd(this: { model: rl.Sequential }, e: number) { if (e === at) this.model.stopTraining = true; } });
const backup = (root: string) => rl.callbacks.backupAndRestore({ backupDir: join(root, 'bk'), verbose: 0, deleteCheckpoint: false, out: silent, exit: () => {} });
const checkpointJSON = (dir: string) => JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
const folders = (root: string) => readdirSync(root).filter((f) => f !== 'bk').sort();

describe('non-finite History values in checkpoint.json', () => {
  const seq = [Infinity, -Infinity, NaN, 0.5, Infinity];

  it('a resumed run\'s History equals the uninterrupted run\'s: inf, -inf and NaN each come back as they were', async () => {
    const whole = await model().fit(X, Y, { ...FIT, callbacks: [stamp(seq)] });
    expect(whole.history.m).toEqual(seq);
    const root = tempDir();
    await model().fit(X, Y, { ...FIT, callbacks: [stamp(seq), backup(root), stopAfter(2)] });
    expect(checkpointJSON(join(root, 'bk')).state.history.history.m).toEqual(['inf', '-inf', null]);
    const resumed = await model().fit(X, Y, { ...FIT, callbacks: [stamp(seq), backup(root)] });
    expect(resumed.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(resumed.history.m).toEqual(seq);
    expect(resumed.history).toEqual(whole.history);
  });

  it('a mid-epoch checkpoint keeps an infinite running loss sum and meter sums infinite', () => {
    const dir = tempDir(), m = model();
    rl.writeCheckpoint(dir, m, {
      nextEpoch: 1, samples: 40, batchSize: 8, rng: [1, 2, 3, 4, NaN],
      history: { epoch: [0], history: { loss: [-Infinity] } },
      progress: { epoch: 1, batch: 2, order: null, lossSum: Infinity, seen: 16, correct: 0, total: 0, meters: { lossSums: [-Infinity], lossSeen: 16, metrics: [[[Infinity, NaN, 1]]] } },
    });
    const st = rl.io.readCheckpointInfo(dir).state;
    expect(st.history.history.loss).toEqual([-Infinity]);
    expect(st.progress!.lossSum).toBe(Infinity);
    expect(st.progress!.meters).toEqual({ lossSums: [-Infinity], lossSeen: 16, metrics: [[[Infinity, NaN, 1]]] });
  });

  it('an older checkpoint.json, whose non-finite values are all null, still reads them as NaN; another word is refused naming the field', () => {
    const dir = tempDir();
    rl.writeCheckpoint(dir, model(), { nextEpoch: 2, samples: 40, batchSize: 8, rng: [1, 2, 3, 4, NaN], history: { epoch: [0, 1], history: { loss: [1, 2] } },
      progress: null });
    const ck = checkpointJSON(dir);
    ck.state.history.history.loss = [null, 0.25];
    ck.state.history.history.m = [null, null];
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(ck));
    const h = rl.io.readCheckpointInfo(dir).state.history.history;
    expect(h.loss).toEqual([NaN, 0.25]);
    expect(h.m).toEqual([NaN, NaN]);
    ck.state.history.history.m = [null, 'Infinity'];
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(ck));
    expect(() => rl.io.readCheckpointInfo(dir)).toThrow(/state\.history\.history\.m\[1\] must be a number \(null for NaN, 'inf' or '-inf' for an infinity\), got "Infinity"/);
  });
});

describe('a modelCheckpoint\'s infinite best across a backupAndRestore resume', () => {
  it('-inf in min mode stays the best (nothing beats it), in the backup and in the plain folder', async () => {
    const seq = [-Infinity, 0.5, 0.3, 0.2, 0.1];
    const root = tempDir();
    const make = () => [stamp(seq), backup(root), rl.callbacks.modelCheckpoint({ path: join(root, 'best'), saveBestOnly: true, monitor: 'm', mode: 'min', verbose: 0 })];
    await model().fit(X, Y, { ...FIT, callbacks: [...make(), stopAfter(1)] });
    expect(checkpointJSON(join(root, 'bk')).state.extra.modelCheckpoints).toEqual([{ path: join(root, 'best'), monitor: 'm', best: '-inf' }]);
    const resumed = make();
    await model().fit(X, Y, { ...FIT, callbacks: resumed });
    expect((resumed[2] as rl.ModelCheckpoint).best).toBe(-Infinity);
    // The folder still holds epoch 1's model: no later epoch replaced it.
    expect(rl.io.readCheckpointInfo(join(root, 'best')).state.nextEpoch).toBe(1);
  });
});

describe('a resume never counts a best its modelCheckpoint did not save', () => {
  // Epoch 2 (0.3) would be a new best; epoch 3's 0.4 beats epoch 1's 0.5, the best saved when epoch 2's was not.
  const seq = [0.5, 0.3, 0.4, 0.45, 0.6];
  const mc = (root: string) => rl.callbacks.modelCheckpoint({ path: join(root, 'e{epoch}'), saveBestOnly: true, monitor: 'm', mode: 'min', verbose: 0 });
  const failAt = (epoch: number): rl.Callback => ({ onEpochEnd: (e) => { if (e === epoch) throw new Error('failed in onEpochEnd'); } });

  it('a callback between the backup and the modelCheckpoint fails in epoch 2\'s onEpochEnd: the resumed run saves epoch 3', async () => {
    const root = tempDir();
    await expect(model().fit(X, Y, { ...FIT, callbacks: [stamp(seq), backup(root), failAt(1), mc(root)] })).rejects.toThrow('failed in onEpochEnd');
    expect(folders(root)).toEqual(['e1']);
    expect(checkpointJSON(join(root, 'bk')).state.extra.modelCheckpoints[0].best).toBe(0.5);
    const resumed = mc(root);
    await model().fit(X, Y, { ...FIT, callbacks: [stamp(seq), backup(root), resumed] });
    expect(folders(root)).toEqual(['e1', 'e3']);
    expect(resumed.best).toBe(0.4);
  });

  it('the modelCheckpoint\'s own save of epoch 2 fails (a full disk): the backup keeps epoch 1\'s best', async () => {
    const root = tempDir();
    const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const fullDiskFor = (dir: string): rl.Callback => ({ onEpochBegin: (e) => {
      if (e === 1) setBeforeRenameHook((_tmp, target) => { if (target.startsWith(dir)) throw enospc(); });
    } });
    await expect(model().fit(X, Y, { ...FIT, callbacks: [stamp(seq), fullDiskFor(join(root, 'e2')), backup(root), mc(root)] })).rejects.toThrow('no space left on the device');
    setBeforeRenameHook(null);
    expect(folders(root)).toEqual(['e1']);
    expect(checkpointJSON(join(root, 'bk')).state.extra.modelCheckpoints[0].best).toBe(0.5);
    await model().fit(X, Y, { ...FIT, callbacks: [stamp(seq), backup(root), mc(root)] });
    expect(folders(root)).toEqual(['e1', 'e3']);
  });

  it('a callback after the modelCheckpoint fails: the best it saved in that epoch is kept, so the resume does not save epoch 3', async () => {
    const root = tempDir();
    await expect(model().fit(X, Y, { ...FIT, callbacks: [stamp(seq), backup(root), mc(root), failAt(1)] })).rejects.toThrow('failed in onEpochEnd');
    expect(folders(root)).toEqual(['e1', 'e2']);
    expect(checkpointJSON(join(root, 'bk')).state.extra.modelCheckpoints[0].best).toBe(0.3);
    await model().fit(X, Y, { ...FIT, callbacks: [stamp(seq), backup(root), mc(root)] });
    expect(folders(root)).toEqual(['e1', 'e2']);
  });

  it('a plain path whose folder holds a better best than the backup recorded (the process ended in between) is not replaced by a worse epoch', async () => {
    const root = tempDir(), path = join(root, 'best');
    const plain = () => rl.callbacks.modelCheckpoint({ path, saveBestOnly: true, monitor: 'm', mode: 'min', verbose: 0 });
    await model().fit(X, Y, { ...FIT, callbacks: [stamp(seq), backup(root), plain(), stopAfter(1)] });
    expect(rl.io.readCheckpointInfo(path).state.nextEpoch).toBe(2);
    // What a process killed after the modelCheckpoint saved epoch 2, before the backup recorded that best, leaves.
    const ck = checkpointJSON(join(root, 'bk'));
    ck.state.extra.modelCheckpoints[0].best = 0.5;
    writeFileSync(join(root, 'bk', 'checkpoint.json'), JSON.stringify(ck));
    const resumed = plain();
    await model().fit(X, Y, { ...FIT, callbacks: [stamp(seq), backup(root), resumed] });
    expect(resumed.best).toBe(0.3);
    expect(rl.io.readCheckpointInfo(path).state.nextEpoch).toBe(2);
  });
});
