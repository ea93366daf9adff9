/** The IMDb cache is keyed on the tarball's content: same size and mtime is not enough to share cached arrays. */
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { load } from '../../src/data/imdb.js';
import { readCache, sourceKey } from '../../src/data/imdb_cache.js';
import { WORD_INDEX_PATH } from '../../src/data/imdb_words.js';
import { listDir, makeTar, removeDir, reviewEntries, tempDir, type FixtureEntry } from './fixtures.js';

const root = tempDir('rnnlab-imdb-key-');
afterAll(() => removeDir(root));
const offline = { download: false, env: {} } as const;
const when = new Date('2020-01-01T00:00:00Z');
const rows = async (path: string, cacheDir?: string) =>
  (await load({ path, ...offline, ...(cacheDir ? { cacheDir } : { cache: false }) })).train.x.map((s) => [...s]);

/** A plain tar (so both have one byte length) whose reviews say `to` wherever the fixtures say `from`. */
function archive(from: string, to: string): Buffer {
  const entries: FixtureEntry[] = reviewEntries(2).map((e) => (typeof e.data === 'string' && e.name.endsWith('.txt') ? { ...e, data: e.data.replaceAll(from, to) } : e));
  return makeTar(entries);
}

function writeAt(path: string, data: Buffer): string {
  writeFileSync(path, data);
  utimesSync(path, when, when);
  return path;
}

describe('the IMDb cache key', () => {
  // "and" and "bad" are both common words of three letters: the archives differ in content, not in size.
  const a = archive('and', 'bad'), b = archive('bad', 'and');

  it('gives two tarballs of the same size and mtime their own data', async () => {
    const cacheDir = join(root, 'twins-cache');
    const pa = writeAt(join(root, 'a.tar'), a), pb = writeAt(join(root, 'b.tar'), b);
    expect(statSync(pa).size).toBe(statSync(pb).size);
    expect(statSync(pa).mtimeMs).toBe(statSync(pb).mtimeMs);
    const ownA = await rows(pa), ownB = await rows(pb);
    expect(ownA).not.toEqual(ownB);
    expect(await rows(pa, cacheDir)).toEqual(ownA);
    expect(await rows(pb, cacheDir)).toEqual(ownB);
    expect(await rows(pa, cacheDir)).toEqual(ownA);
  });

  it('notices a tarball rewritten in place with its old size and mtime', async () => {
    const cacheDir = join(root, 'rewrite-cache');
    const p = writeAt(join(root, 'same.tar'), a);
    const ownA = await rows(p, cacheDir);
    writeAt(p, b);
    expect(await rows(p, cacheDir)).toEqual(await rows(join(root, 'b.tar')));
    expect(ownA).not.toEqual(await rows(p, cacheDir));
  });

  it('trusts the stored hash without reading the tarball when the file is unchanged', async () => {
    const cacheDir = join(root, 'fast-cache');
    const p = writeAt(join(root, 'fast.tar'), a);
    await rows(p, cacheDir);
    expect(listDir(cacheDir)).toHaveLength(1);
    const key = sourceKey(p, WORD_INDEX_PATH);
    // Pointing the key at a missing file shows no hashing happens when device, inode, size and times all match.
    expect(await readCache(cacheDir, { ...key, path: join(root, 'missing.tar') })).toBeDefined();
    expect(await readCache(cacheDir, { ...key, ino: key.ino + 1, path: join(root, 'missing.tar') })).toBeUndefined();
    expect(await readCache(cacheDir, { ...key, ino: key.ino + 1 })).toBeDefined();
  });
});
