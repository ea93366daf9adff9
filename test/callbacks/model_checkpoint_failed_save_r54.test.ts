/**
 * A templated modelCheckpoint whose first save into a new folder fails (a full disk) says it held no earlier
 * checkpoint, and leaves no empty folder behind; a folder that held something before stays.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { LINEAR_X as X, LINEAR_Y as Y, tempDirs, tinyLinearModel as model } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-mc-failed-r54-');
afterEach(() => setBeforeRenameHook(null));
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
/** Fails every rename from the second epoch's save on (the first one is written). */
const failFromEpoch2 = (): rl.Callback => ({ onEpochBegin: (e) => { if (e === 1) setBeforeRenameHook(() => { throw enospc(); }); } });

describe('a templated modelCheckpoint whose save fails', () => {
  it('removes the new folders it made (mc-2/, and sub/ under it) and says it held no earlier checkpoint', async () => {
    const root = tempDir();
    const mc = rl.callbacks.modelCheckpoint({ path: join(root, 'mc-{epoch}', 'sub') });
    await expect(model().fit(X, Y, { epochs: 3, verbose: 0, callbacks: [failFromEpoch2(), mc] }))
      .rejects.toThrow(`cannot write the checkpoint folder ${join(root, 'mc-2', 'sub')}: no space left on the device; it held no earlier checkpoint to keep`);
    expect(readdirSync(root)).toEqual(['mc-1']);
    expect(existsSync(join(root, 'mc-1', 'sub', 'checkpoint.json'))).toBe(true);
  });

  it('keeps a folder that was there before, and what it holds', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'mc-2'));
    writeFileSync(join(root, 'mc-2', 'notes.txt'), 'mine');
    const mc = rl.callbacks.modelCheckpoint({ path: join(root, 'mc-{epoch}') });
    await expect(model().fit(X, Y, { epochs: 3, verbose: 0, callbacks: [failFromEpoch2(), mc] })).rejects.toThrow('no space left on the device');
    expect(readdirSync(join(root, 'mc-2'))).toEqual(['notes.txt']);
  });
});
