/**
 * A damaged IMDb cache file is rebuilt from the tarball, never returned as data; and a cache folder that cannot be
 * made costs a warning, not the load (the cache is only a speed-up).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { load } from '../../src/data/imdb.js';
import { readCache, sourceKey, writeCache, type EncodedCorpus, type EncodedSplit } from '../../src/data/imdb_cache.js';
import { WORD_INDEX_PATH } from '../../src/data/imdb_words.js';
import { listDir, makeTarGz, removeDir, reviewEntries, tempDir, writeFixture } from './fixtures.js';

const root = tempDir('rnnlab-imdb-damage-');
afterAll(() => removeDir(root));
afterEach(() => vi.restoreAllMocks());
const offline = { download: false, env: {} } as const;
const tar = writeFixture(root, 'reviews.tar.gz', makeTarGz(reviewEntries(2)));
const key = sourceKey(tar, WORD_INDEX_PATH);
const rows = (d: Awaited<ReturnType<typeof load>>) => ({ x: d.train.x.map((s) => [...s]), y: [...d.train.y], numWords: d.numWords });
const reference = load({ path: tar, cache: false, ...offline }).then(rows);

let counter = 0;
/** A cache folder holding a freshly written cache of the tarball, its file, bytes and where the train arrays start. */
async function freshCache() {
  const cacheDir = join(root, `cache${counter++}`);
  await load({ path: tar, cacheDir, ...offline });
  const [name] = listDir(cacheDir);
  const file = join(cacheDir, name);
  const bytes = readFileSync(file);
  const headerBytes = bytes.readUInt32LE(12);
  return { cacheDir, file, bytes, headerBytes, body: 16 + headerBytes };
}

/** The file with its JSON header edited (and its length field fixed), the arrays after it unchanged. */
function withHeader(bytes: Buffer, headerBytes: number, edit: (h: Record<string, any>) => void): Buffer {
  const header = JSON.parse(bytes.toString('utf8', 16, 16 + headerBytes));
  edit(header);
  const json = Buffer.from(JSON.stringify(header));
  const padded = Buffer.alloc((json.length + 3) & ~3, 0x20);
  json.copy(padded);
  const preamble = Buffer.from(bytes.subarray(0, 16));
  preamble.writeUInt32LE(padded.length, 12);
  return Buffer.concat([preamble, padded, bytes.subarray(16 + headerBytes)]);
}

describe('a damaged IMDb cache file', () => {
  // Train split of reviewEntries(2): 4 reviews, so labels, ratings (4 bytes each), review ids (16), offsets (20), ranks.
  const flips: [string, (body: number, length: number) => number][] = [
    ['a label', (b) => b + 1],
    ['a rating', (b) => b + 5],
    ['a review id', (b) => b + 8],
    ['an offset', (b) => b + 8 + 16 + 8],
    ['a rank', (b) => b + 8 + 16 + 20 + 4],
    ['the last rank of the test split', (_, length) => length - 2],
  ];
  for (const [what, at] of flips) {
    it(`with ${what} changed is rebuilt, not read`, async () => {
      const c = await freshCache();
      const damaged = Buffer.from(c.bytes);
      damaged[at(c.body, damaged.length)] ^= 0x07;
      writeFileSync(c.file, damaged);
      expect(await readCache(c.cacheDir, key)).toBeUndefined();
      expect(rows(await load({ path: tar, cacheDir: c.cacheDir, ...offline }))).toEqual(await reference);
      expect(readFileSync(c.file).equals(c.bytes)).toBe(true);
    });
  }

  const headerEdits: [string, (h: Record<string, any>) => void][] = [
    ['a larger maxRank', (h) => (h.splits.train.maxRank = 99999)],
    ['a smaller maxRank', (h) => (h.splits.test.maxRank = 3)],
    ['no splits', (h) => delete h.splits],
    ['splits that are not objects', (h) => (h.splits.train = 4)],
    ['a count that is a string', (h) => (h.splits.train.count = String(h.splits.train.count))],
    ['no source', (h) => delete h.source],
  ];
  for (const [what, edit] of headerEdits) {
    it(`whose header has ${what} is rebuilt, not read`, async () => {
      const c = await freshCache();
      writeFileSync(c.file, withHeader(c.bytes, c.headerBytes, edit));
      expect(await readCache(c.cacheDir, key)).toBeUndefined();
      expect(rows(await load({ path: tar, cacheDir: c.cacheDir, ...offline }))).toEqual(await reference);
      expect(readFileSync(c.file).equals(c.bytes)).toBe(true);
    });
  }

  it('is read when only the header padding differs (the checks do not refuse a sound file)', async () => {
    const c = await freshCache();
    writeFileSync(c.file, withHeader(c.bytes, c.headerBytes, () => {}));
    expect(await readCache(c.cacheDir, key)).toBeDefined();
  });
});

describe('arrays the encoder never makes', () => {
  // Written through writeCache, so the checksum matches: only the structural checks can refuse them.
  const split = (over: Partial<EncodedSplit> = {}): EncodedSplit => ({
    count: 2,
    labels: Uint8Array.from([0, 1]),
    ratings: Uint8Array.from([2, 9]),
    reviewIds: Uint32Array.from([5, 6]),
    offsets: Uint32Array.from([0, 2, 5]),
    ranks: Uint32Array.from([4, 1, 30, 2, 7]),
    maxRank: 30,
    ...over,
  });
  const corpus = (train: EncodedSplit): EncodedCorpus => ({ train, test: split() });
  const cases: [string, Partial<EncodedSplit>][] = [
    ['a label other than 0 and 1', { labels: Uint8Array.from([0, 7]) }],
    ['a rating that contradicts its label', { ratings: Uint8Array.from([8, 9]) }],
    ['offsets that go back', { offsets: Uint32Array.from([0, 4, 3]) }],
    ['offsets that do not start at 0', { offsets: Uint32Array.from([1, 2, 5]) }],
    ['offsets that end before the ranks do', { offsets: Uint32Array.from([0, 2, 4]) }],
    ['a maxRank that is not the largest rank', { maxRank: 31 }],
    ['a rank of 0, which no word has', { ranks: Uint32Array.from([4, 0, 30, 2, 7]) }],
  ];

  it('are read back when sound', async () => {
    const dir = join(root, 'sound');
    await writeCache(dir, key, corpus(split()));
    const back = await readCache(dir, key);
    expect([...back!.train.ranks]).toEqual([4, 1, 30, 2, 7]);
    expect([...back!.train.ratings]).toEqual([2, 9]);
  });

  for (const [what, over] of cases) {
    it(`are not read back with ${what}`, async () => {
      const dir = join(root, `unsound${counter++}`);
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      expect(await writeCache(dir, key, corpus(split(over)))).toBeDefined();
      expect(await readCache(dir, key)).toBeUndefined();
    });
  }
});

describe('a cache folder that cannot be made', () => {
  function captureStderr(): string[] {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    return lines;
  }
  const afile = writeFixture(root, 'afile', Buffer.from('not a folder\n'));

  it('is a warning naming it, once, and the data still loads', async () => {
    const lines = captureStderr();
    const first = await load({ path: tar, cacheDir: afile, ...offline });
    const second = await load({ path: tar, cacheDir: afile, ...offline });
    expect(rows(first)).toEqual(await reference);
    expect(rows(second)).toEqual(await reference);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`the cache folder ${afile} (option cacheDir, else RNNLAB_CACHE) is unusable`);
    expect(lines[0]).toMatch(/a file of that name is in the way/);
  });

  it('through RNNLAB_CACHE, or with a file above it, is a warning too', async () => {
    const lines = captureStderr();
    const below = join(afile, 'sub');
    const d = await load({ path: tar, download: false, env: { RNNLAB_CACHE: below } });
    expect(rows(d)).toEqual(await reference);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`the cache folder ${below} `);
    expect(lines[0]).toMatch(/a part of its path is a file/);
  });
});
