/**
 * model.save's write failures (a full disk: "ENOSPC: no space left on device, write", which names no file) say which
 * file could not be written, in the words the checkpoint and export writers use, and that nothing was replaced.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { tempDirs, tinyLinearModel } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-save-enospc-r54-');
afterEach(() => setBeforeRenameHook(null));
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
const files = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n)).toString('base64')]));

describe('model.save on a full disk', () => {
  it('names the file it could not write, says nothing was replaced, keeps the code, and leaves the old save', async () => {
    const dir = join(tempDir(), 'm');
    const m = tinyLinearModel();
    await m.save(`file://${dir}`);
    const before = files(dir);
    m.setWeights(m.getWeights().map((w) => w.add(1)));
    setBeforeRenameHook(() => { throw enospc(); });
    const err = await m.save(`file://${dir}`).then(() => null, (e: NodeJS.ErrnoException) => e);
    expect(err?.message).toMatch(new RegExp(`^cannot write ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\S+: no space left on the device; nothing was replaced$`));
    expect(err?.code).toBe('ENOSPC');
    setBeforeRenameHook(null);
    expect(files(dir)).toEqual(before);
  });

  it('a first save into a new folder says the same', async () => {
    const dir = join(tempDir(), 'new');
    setBeforeRenameHook(() => { throw enospc(); });
    await expect(tinyLinearModel().save(`file://${dir}`)).rejects.toThrow(/^cannot write .*new\/\S+: no space left on the device; nothing was replaced$/);
  });
});
