/**
 * modelCheckpoint saveBestOnly with a templated path ('best-{epoch:02d}-{val_loss:.4f}') resumed by backupAndRestore:
 * the backup keeps the best, so the resumed run saves the same epochs as the uninterrupted one (before, it started
 * from None, "improved from None to ...", and saved worse epochs as new bests).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tempDirs } from '../helpers/tiny_linear.js';
import { resumeData, resumeModel, stampMonitor } from './helpers.js';

const tempDir = tempDirs('rl-mc-resume-r54-');
const silent = { write: () => true };

const model = resumeModel;
const { X, Y } = resumeData();
const FIT = { epochs: 8, batchSize: 8, validationSplit: 0.25, verbose: 0 as const };

const stamp = stampMonitor;

type Order = 'backup first' | 'checkpoint first';
/**
 * The folders each run leaves: uninterrupted, and Ctrl-C after batch `cut` (counted over the run, 4 a batch) then
 * a fresh fit with fresh callbacks, as a new process would; the two runs share nothing but the folders.
 */
async function runs(path: string, cut: number, order: Order, extra: () => rl.Callback[] = () => [], monitor = 'val_loss') {
  const whole = tempDir(), part = tempDir();
  const make = (root: string) => {
    const mc = rl.callbacks.modelCheckpoint({ path: join(root, path), saveBestOnly: true, monitor, mode: 'min', out: silent, verbose: 1 });
    const bk = rl.callbacks.backupAndRestore({ backupDir: join(root, 'bk'), out: silent, exit: () => {} });
    return order === 'backup first' ? [bk, ...extra(), mc] : [...extra(), mc, bk];
  };
  await model().fit(X, Y, { ...FIT, callbacks: make(whole) });
  let n = 0;
  const ctrlC: rl.Callback = { onBatchEnd: () => { if (++n === cut) process.emit('SIGINT'); } };
  await expect(model().fit(X, Y, { ...FIT, callbacks: [...make(part), ctrlC] })).rejects.toBeInstanceOf(rl.TrainingInterrupted);
  await model().fit(X, Y, { ...FIT, callbacks: make(part) });
  const saved = (root: string) => readdirSync(root).filter((f) => f !== 'bk').sort();
  return { whole: saved(whole), resumed: saved(part) };
}

describe('modelCheckpoint saveBestOnly with a templated path, resumed by backupAndRestore', () => {
  it.each([
    ['inside epoch 3', 10, 'backup first'],
    ['after epoch 2 (at the start of epoch 3)', 8, 'backup first'],
    ['inside epoch 3, modelCheckpoint listed before the backup', 10, 'checkpoint first'],
  ] as const)('Ctrl-C %s: the same best-* folders as the uninterrupted run', async (_at, cut, order) => {
    const r = await runs('best-{epoch:02d}-{val_loss:.4f}', cut, order);
    expect(r.whole.length).toBeGreaterThan(1);
    expect(r.resumed).toEqual(r.whole);
  });

  it('a value a callback between the backup and modelCheckpoint sets is the one the kept best counts', async () => {
    // Epoch 3 (0.4) is worse than epoch 2's 0.3: only epochs 1, 2 and 5 improve.
    const seq = [0.5, 0.3, 0.4, 0.35, 0.2, 0.25, 0.3, 0.6];
    const r = await runs('e{epoch}', 8, 'backup first', () => [stamp(seq)], 'm');
    expect(r.whole).toEqual(['e1', 'e2', 'e5']);
    expect(r.resumed).toEqual(r.whole);
  });

  it('an infinite first best is kept as such (max mode: nothing beats +inf)', async () => {
    const seq = [Infinity, 0.5, 0.7, 0.9, 1, 2, 3, 4];
    const whole = tempDir(), part = tempDir();
    const make = (root: string) => [
      rl.callbacks.backupAndRestore({ backupDir: join(root, 'bk'), out: silent, exit: () => {} }), stamp(seq),
      rl.callbacks.modelCheckpoint({ path: join(root, 'e{epoch}'), saveBestOnly: true, monitor: 'm', mode: 'max' })];
    await model().fit(X, Y, { ...FIT, callbacks: make(whole) });
    let n = 0;
    const ctrlC: rl.Callback = { onBatchEnd: () => { if (++n === 6) process.emit('SIGINT'); } };
    await expect(model().fit(X, Y, { ...FIT, callbacks: [...make(part), ctrlC] })).rejects.toBeInstanceOf(rl.TrainingInterrupted);
    const resumed = make(part);
    await model().fit(X, Y, { ...FIT, callbacks: resumed });
    expect((resumed[2] as rl.ModelCheckpoint).best).toBe(Infinity);
    expect(readdirSync(part).filter((f) => f !== 'bk')).toEqual(['e1']);
    expect(readdirSync(whole).filter((f) => f !== 'bk')).toEqual(['e1']);
  });
});
