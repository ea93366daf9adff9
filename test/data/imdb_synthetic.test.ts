import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { load, loadRaw } from '../../src/data/imdb.js';
import { CACHE_VERSION } from '../../src/data/imdb_cache.js';
import { IMDB_FILE, resolveImdbTarball } from '../../src/data/imdb_source.js';
import { readTarFile } from '../../src/data/tar.js';
import { getWordIndex } from '../../src/data/imdb_words.js';
import { syntheticImdbTarball } from '../helpers/imdb.js';
import { SYNTHETIC_MTIME, SYNTHETIC_PER_FOLDER } from '../helpers/synthetic_imdb.js';
import { listDir, makeTarGz, removeDir, reviewEntries, tempDir, writeFixture, type FixtureEntry } from './fixtures.js';

// Counts the loader's passes over tarballs (it still reads them): a cache hit is a load that makes none.
vi.mock('../../src/data/tar.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/data/tar.js')>();
  return { ...original, readTarFile: vi.fn(original.readTarFile) };
});
const tarReads = () => vi.mocked(readTarFile).mock.calls.length;

const root = tempDir();
afterAll(() => removeDir(root));

let counter = 0;
/** A fresh folder with the tarball and an empty cache folder beside it. */
function fixture(entries: FixtureEntry[] | Buffer): { tar: string; cacheDir: string } {
  const name = `case${counter++}`;
  const data = Buffer.isBuffer(entries) ? entries : makeTarGz(entries);
  return { tar: writeFixture(root, `${name}.tar.gz`, data), cacheDir: join(root, name, 'cache') };
}

const offline = { download: false, env: {} } as const;

function expectCleanCache(cacheDir: string): void {
  expect(listDir(cacheDir).filter((f) => !/^imdb-\d+-\d+\.v\d+\.bin$/.test(f))).toEqual([]);
}

describe('imdb.load on a synthetic tarball', () => {
  it('encodes, labels, caches and reloads', async () => {
    const { tar, cacheDir } = fixture(reviewEntries(3));
    const cold = await load({ path: tar, cacheDir, ...offline });
    expect(listDir(cacheDir)).toHaveLength(1);
    const warm = await load({ path: tar, cacheDir, ...offline });
    expect(warm.train.x.map((s) => [...s])).toEqual(cold.train.x.map((s) => [...s]));
    expect([...warm.test.y]).toEqual([...cold.test.y]);
    expect(cold.train.x).toHaveLength(6);
    expect(cold.test.x).toHaveLength(6);
    expect([...cold.train.y].sort()).toEqual([0, 0, 0, 1, 1, 1]);
    const wi = getWordIndex();
    // "the movie was ..." plus "br br the end" from the markup and the sign-off.
    for (const s of cold.train.x) {
      expect(s[0]).toBe(1);
      expect(s.slice(-4)).toEqual(Int32Array.from([wi.get('br')! + 3, wi.get('br')! + 3, wi.get('the')! + 3, wi.get('end')! + 3]));
    }
    expectCleanCache(cacheDir);
  });

  it('follows Keras for numWords, skipTop, oovChar, startChar, indexFrom and maxlen', async () => {
    const { tar, cacheDir } = fixture(reviewEntries(3));
    const base = { path: tar, cacheDir, ...offline };
    const full = await load(base);
    const wi = getWordIndex();
    const theId = wi.get('the')! + 3; // 4
    const limited = await load({ ...base, numWords: 10 });
    for (const [a, b] of full.train.x.map((s, i) => [s, limited.train.x[i]])) {
      expect([...b]).toEqual([...a].map((id) => (id < 10 ? id : 2)));
    }
    const dropped = await load({ ...base, numWords: 10, oovChar: null });
    // (Without numWords the largest id is already OOV in `full`: Keras's num_words = max id quirk.)
    expect([...dropped.train.x[0]]).toEqual([...full.train.x[0]].filter((id) => id < 10 && id !== 2));
    // Keras compares skip_top with ids, so skipTop=5 also turns the start char (1) into OOV.
    const skipped = await load({ ...base, skipTop: 5 });
    expect([...skipped.train.x[0]]).toEqual([...full.train.x[0]].map((id) => (id >= 5 && id < full.numWords ? id : 2)));
    const shifted = await load({ ...base, indexFrom: 10, startChar: 7, oovChar: 8 });
    expect(shifted.train.x[0][0]).toBe(7);
    expect(shifted.train.x[0]).toContain(theId + 7);
    const noStart = await load({ ...base, startChar: null });
    expect(noStart.train.x[0].length).toBe(full.train.x[0].length - 1);
    // Keras keeps sequences strictly shorter than maxlen.
    const lengths = full.train.x.map((s) => s.length).sort((a, b) => a - b);
    const cut = await load({ ...base, maxlen: lengths[2] });
    expect(cut.train.x.every((s) => s.length < lengths[2])).toBe(true);
    expect(cut.train.x.length).toBe(lengths.filter((l) => l < lengths[2]).length);
    // With no numWords, Keras sets num_words to the largest id and keeps ids below it.
    const all = (d: typeof full) => [...d.train.x, ...d.test.x].flatMap((seq) => [...seq]);
    expect(all(full).every((id) => id < full.numWords)).toBe(true);
    const wider = await load({ ...base, numWords: full.numWords + 1 });
    expect(Math.max(...all(wider))).toBe(full.numWords);
  });

  it('shuffles deterministically by seed, train and test separately', async () => {
    const { tar, cacheDir } = fixture(reviewEntries(20));
    const base = { path: tar, cacheDir, ...offline };
    const a = await load({ ...base, seed: 7 });
    const b = await load({ ...base, seed: 7 });
    const c = await load({ ...base, seed: 8 });
    const key = (d: typeof a) => d.train.x.map((s) => s.join(',')).join('|');
    expect(key(a)).toBe(key(b));
    expect(key(a)).not.toBe(key(c));
    expect([...a.train.y]).not.toEqual([...a.train.y].sort());
  });

  it('loadRaw returns texts, labels, ratings, ids and member names', async () => {
    const { tar } = fixture(reviewEntries(2));
    const raw = await loadRaw({ path: tar, ...offline });
    expect(raw.train.texts).toHaveLength(4);
    expect([...raw.train.labels]).toEqual([0, 0, 1, 1]);
    expect(raw.train.files[0]).toMatch(/^aclImdb\/train\/neg\/\d+_[1-4]\.txt$/);
    for (const s of [raw.train, raw.test]) {
      s.labels.forEach((l, i) => expect(l === 1 ? s.ratings[i] >= 7 : s.ratings[i] <= 4).toBe(true));
      s.files.forEach((f, i) => expect(f).toContain(`/${s.ids[i]}_${s.ratings[i]}.txt`));
    }
    expect(raw.test.texts[0]).toMatch(/<br \/><br \/>The End!$/);
    const shuffled = await loadRaw({ path: tar, seed: 1, ...offline });
    expect([...shuffled.train.texts].sort()).toEqual([...raw.train.texts].sort());
  });
});

describe('imdb.load errors', () => {
  const cases: [string, () => Buffer, RegExp][] = [
    ['a truncated tarball', () => makeTarGz(reviewEntries(5)).subarray(0, 300), /is corrupt or truncated/],
    [
      'a corrupt tarball',
      () => {
        const gz = makeTarGz(reviewEntries(5));
        for (let i = 30; i < gz.length - 20; i += 7) gz[i] ^= 0xa5;
        return gz;
      },
      /is corrupt/,
    ],
    ['not a tarball at all', () => Buffer.from('<html>404 Not Found</html>'.repeat(40)), /is corrupt/],
    ['a tarball missing a split', () => makeTarGz(reviewEntries(2, ['test/neg'])), /no reviews under aclImdb\/test\/neg\/: the test split is missing/],
    [
      'a review that is not UTF-8',
      () => makeTarGz([...reviewEntries(2), { name: 'aclImdb/train/pos/99_8.txt', data: Buffer.from([0x66, 0xff, 0xfe, 0x20]) }]),
      /unreadable review aclImdb\/train\/pos\/99_8\.txt in .*: not valid UTF-8/,
    ],
    [
      'a review with a malformed name',
      () => makeTarGz([...reviewEntries(2), { name: 'aclImdb/test/neg/review.txt', data: 'bad' }]),
      /unreadable review aclImdb\/test\/neg\/review\.txt .*<id>_<rating>\.txt/,
    ],
    [
      'a review that is a link',
      () => makeTarGz([...reviewEntries(2), { name: 'aclImdb/test/neg/98_2.txt', type: '2' }]),
      /unreadable review .*not a regular file/,
    ],
    [
      'a rating that contradicts the folder',
      () => makeTarGz([...reviewEntries(2), { name: 'aclImdb/test/neg/97_9.txt', data: 'great' }]),
      /rating 9 contradicts the folder neg/,
    ],
  ];
  for (const [what, make, message] of cases) {
    it(`rejects ${what} clearly and leaves the cache clean`, async () => {
      const { tar, cacheDir } = fixture(make());
      const err = await load({ path: tar, cacheDir, ...offline }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(message);
      expect(listDir(cacheDir)).toEqual([]);
    });
  }

  it('rejects numWords <= 3 and other bad options before reading anything', async () => {
    for (const numWords of [0, 1, 3, 2.5, -4]) {
      await expect(load({ path: '/nonexistent', numWords, ...offline })).rejects.toThrow(/numWords must be an integer above indexFrom=3/);
    }
    await expect(load({ path: '/nonexistent', maxlen: 0, ...offline })).rejects.toThrow(/maxlen must be an integer >= 1/);
    await expect(load({ path: '/nonexistent', skipTop: -1, ...offline })).rejects.toThrow(/skipTop/);
    await expect(load({ path: '/nonexistent', seed: 1.5, ...offline })).rejects.toThrow(/seed/);
  });

  it('rejects a maxlen that filters out every review', async () => {
    const { tar, cacheDir } = fixture(reviewEntries(2));
    await expect(load({ path: tar, cacheDir, maxlen: 3, ...offline })).rejects.toThrow(
      /maxlen=3 keeps no review: .*the shortest has \d+ ids/,
    );
    expectCleanCache(cacheDir);
  });

  it('keeps a good cache intact when another tarball fails, and rebuilds a damaged cache', async () => {
    const good = fixture(reviewEntries(2));
    const first = await load({ path: good.tar, cacheDir: good.cacheDir, ...offline });
    const bad = join(root, 'bad.tar.gz');
    writeFileSync(bad, makeTarGz(reviewEntries(2)).subarray(0, 200));
    await expect(load({ path: bad, cacheDir: good.cacheDir, ...offline })).rejects.toThrow(DataError);
    const [cacheFile] = listDir(good.cacheDir);
    expect(listDir(good.cacheDir)).toEqual([cacheFile]);

    const cachePath = join(good.cacheDir, cacheFile);
    const bytes = readFileSync(cachePath);
    writeFileSync(cachePath, bytes.subarray(0, bytes.length - 5));
    const again = await load({ path: good.tar, cacheDir: good.cacheDir, ...offline });
    expect(again.train.x.map((s) => [...s])).toEqual(first.train.x.map((s) => [...s]));
    expect(statSync(cachePath).size).toBe(bytes.length);

    // Touching the tarball changes the key, so a stale cache is never used.
    utimesSync(good.tar, new Date(), new Date(Date.now() - 3600_000));
    const st = statSync(good.tar);
    await load({ path: good.tar, cacheDir: good.cacheDir, ...offline });
    expect(listDir(good.cacheDir)).toContain(`imdb-${st.size}-${Math.trunc(st.mtimeMs)}.v${CACHE_VERSION}.bin`);
    expect(listDir(good.cacheDir)).toHaveLength(2);
  });
});

describe('the synthetic aclImdb tarball the tests share', () => {
  it('holds 200 reviews per folder in the real layout; train/unsup, imdb.vocab and imdbEr.txt are ignored', async () => {
    const tar = syntheticImdbTarball();
    const cacheDir = join(root, 'shared-synthetic', 'cache');
    const raw = await loadRaw({ path: tar, cacheDir, ...offline });
    for (const split of [raw.train, raw.test]) {
      expect(split.texts).toHaveLength(2 * SYNTHETIC_PER_FOLDER);
      expect([...split.labels].filter((l) => l === 1)).toHaveLength(SYNTHETIC_PER_FOLDER);
      expect(split.files.some((f) => f.includes('/unsup/'))).toBe(false);
    }
    expect(statSync(tar).mtime).toEqual(SYNTHETIC_MTIME);
    const d = await load({ path: tar, cacheDir, numWords: 2000, ...offline });
    const lengths = d.train.x.map((s) => s.length);
    // Short and long reviews, so maxlen both pads and truncates.
    expect(Math.min(...lengths)).toBeLessThan(20);
    expect(Math.max(...lengths)).toBeGreaterThan(200);
    // "qwzxv" is in no word index: it is dropped, as Keras drops unknown words.
    expect(raw.train.texts.some((t) => t.includes('qwzxv'))).toBe(true);
  });

  it('is read from the cache file on a warm load, without a pass over the tarball', async () => {
    const { tar, cacheDir } = fixture(reviewEntries(3));
    const before = tarReads();
    const cold = await load({ path: tar, cacheDir, ...offline });
    expect(tarReads()).toBe(before + 1);
    const [file] = listDir(cacheDir);
    const written = statSync(join(cacheDir, file)).mtimeMs;
    const warm = await load({ path: tar, cacheDir, ...offline });
    expect(tarReads()).toBe(before + 1);
    expect(warm.train.x.map((x) => [...x])).toEqual(cold.train.x.map((x) => [...x]));
    expect(listDir(cacheDir)).toEqual([file]);
    expect(statSync(join(cacheDir, file)).mtimeMs).toBe(written);
    // Without the cache, every load reads the tarball again.
    await load({ path: tar, cacheDir, cache: false, ...offline });
    expect(tarReads()).toBe(before + 2);
  });
});

describe('finding the tarball', () => {
  const fourWays = [/1\. pass its path/, /2\. set RNNLAB_DATA/, /3\. put it in the cache folder/, /4\. let rnnlab download it from https:\/\/ai\.stanford\.edu/];

  it('names all four ways when nothing is found offline', async () => {
    const empty = tempDir();
    try {
      const attempts = [
        resolveImdbTarball({ path: empty, ...offline }),
        resolveImdbTarball({ env: { RNNLAB_DATA: empty }, download: false }),
        resolveImdbTarball({ cacheDir: empty, ...offline }),
        resolveImdbTarball({ env: { RNNLAB_CACHE: empty, RNNLAB_OFFLINE: '1' } }),
        load({ cacheDir: empty, env: { RNNLAB_OFFLINE: 'true' } }),
      ];
      for (const attempt of attempts) {
        const err = await attempt.catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DataError);
        for (const way of fourWays) expect((err as Error).message).toMatch(way);
      }
      const err = (await resolveImdbTarball({ cacheDir: empty, ...offline }).catch((e: unknown) => e)) as Error;
      expect(err.message).toContain(join(empty, IMDB_FILE));
      expect(err.message).toMatch(/download: disabled/);
      expect(listDir(empty)).toEqual([]);
    } finally {
      removeDir(empty);
    }
  });

  it('resolves path, then RNNLAB_DATA (file or folder), then the cache folder', async () => {
    const dir = tempDir();
    try {
      const inDir = writeFixture(dir, IMDB_FILE, makeTarGz(reviewEntries(1)));
      const cacheDir = join(dir, 'cache');
      const other = writeFixture(dir, 'other.tar.gz', makeTarGz(reviewEntries(1)));
      expect(await resolveImdbTarball({ ...offline, path: other, env: { RNNLAB_DATA: dir } })).toBe(other);
      expect(await resolveImdbTarball({ path: dir, download: false, env: {} })).toBe(inDir);
      expect(await resolveImdbTarball({ env: { RNNLAB_DATA: dir }, download: false })).toBe(inDir);
      expect(await resolveImdbTarball({ env: { RNNLAB_DATA: other }, download: false })).toBe(other);
      expect(await resolveImdbTarball({ cacheDir: dir, env: {}, download: false })).toBe(inDir);
      expect(await resolveImdbTarball({ env: { RNNLAB_CACHE: dir }, download: false })).toBe(inDir);
      await expect(resolveImdbTarball({ cacheDir, env: {}, download: false })).rejects.toThrow(DataError);
    } finally {
      removeDir(dir);
    }
  });
});
