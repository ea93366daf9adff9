// On a file system without hard links (some FUSE/SMB mounts) a save over an existing model must still be all or
// nothing: the old files are backed up by copy instead, and when even that fails nothing is replaced.
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { expectOldModelWhole, folderBytes, maxAbsDiff, removeDir, tempDir } from './helpers.js';

const fsFaults = vi.hoisted(() => ({ link: false, copy: false }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const fail = (code: string) => Object.assign(new Error(`${code}: operation not permitted (simulated)`), { code });
  const mocked = {
    ...real,
    linkSync: (...a: Parameters<typeof real.linkSync>) => { if (fsFaults.link) throw fail('EPERM'); return real.linkSync(...a); },
    copyFileSync: (...a: Parameters<typeof real.copyFileSync>) => { if (fsFaults.copy) throw fail('EIO'); return real.copyFileSync(...a); },
  };
  return { ...mocked, default: mocked };
});

const root = tempDir('rnnlab-nolink-');
afterAll(() => removeDir(root));
afterEach(() => { setBeforeRenameHook(null); fsFaults.link = false; fsFaults.copy = false; });

function model(units: number, seed: number): rl.Sequential {
  rl.setSeed(seed);
  return rl.sequential({ layers: [rl.layers.lstm({ units, inputShape: [4, 2] }), rl.layers.dense({ units: 1 })] });
}
const x = rl.tensor(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), [3, 4, 2]);

async function savedOld(dir: string): Promise<{ old: rl.Sequential; before: Record<string, Buffer> }> {
  const old = model(3, 1);
  await old.save(`file://${dir}`, { shardSizeBytes: 64 });
  return { old, before: folderBytes(dir) };
}

describe('save over an existing model where hard links fail', () => {
  it('a failure at model.json puts the old shards back from copies', async () => {
    const dir = join(root, 'copy-backup');
    const { old, before } = await savedOld(dir);
    // Same architecture as the old one: the same shard names, which the failed save renames before model.json.
    const next = model(3, 2);
    fsFaults.link = true;
    setBeforeRenameHook((_tmp, target) => { if (target.endsWith('model.json')) throw new Error('disk gone at model.json'); });
    await expect(next.save(`file://${dir}`, { shardSizeBytes: 64 })).rejects.toThrow('disk gone at model.json');
    setBeforeRenameHook(null);
    await expectOldModelWhole(dir, before, old, x);
    // Without links, a save that meets no failure still replaces the model.
    await next.save(`file://${dir}`, { shardSizeBytes: 64 });
    const now = await rl.loadModel(`file://${dir}`);
    expect(maxAbsDiff(now.predict(x).dataSync(), next.predict(x).dataSync())).toBe(0);
  });

  it('when an old file can be neither linked nor copied, the save fails before replacing anything', async () => {
    const dir = join(root, 'no-backup');
    const { old, before } = await savedOld(dir);
    fsFaults.link = true;
    fsFaults.copy = true;
    await expect(model(5, 2).save(`file://${dir}`, { shardSizeBytes: 64 })).rejects.toThrow(/cannot back up .*model.*nothing was replaced/);
    fsFaults.link = false;
    fsFaults.copy = false;
    await expectOldModelWhole(dir, before, old, x);
  });
});
