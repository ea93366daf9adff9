import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, getWordIndex } from '../../src/data/imdb_words.js';
import { load, loadRaw, type ImdbData, type ImdbRaw } from '../../src/data/imdb.js';
import { imdbEncodeRanks, imdbTokenize } from '../../src/data/imdb_tokenize.js';
import { padSequences } from '../../src/data/pad.js';
import { NO_REAL_IMDB, REAL_IMDB, realDataOnly } from '../helpers/imdb.js';
import { removeDir, tempDir } from './fixtures.js';

// Keras's published x_train[0] (load_data() with defaults): review aclImdb/train/pos/576_10.txt.
const X_TRAIN_0_HEAD = [1, 14, 22, 16, 43, 530, 973, 1622, 1385, 65, 458, 4468, 66, 3941, 4, 173, 36, 256, 5, 25, 100, 43, 838, 112, 50, 670, 22665, 9, 35, 480];
const X_TRAIN_0_TAIL = [4472, 113, 103, 32, 15, 16, 5345, 19, 178, 32];

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

const isXTrain0 = (s: Int32Array) => s.length === 218 && X_TRAIN_0_HEAD.every((v, i) => s[i] === v);

describe.skipIf(NO_REAL_IMDB)(realDataOnly('IMDb from the real tarball'), () => {
  let cacheDir = '';
  let source: { path: string; cacheDir: string; download: false; env: NodeJS.ProcessEnv };
  let cold: ImdbData;
  let raw: ImdbRaw;
  let cacheFile = '';

  beforeAll(async () => {
    cacheDir = tempDir('rnnlab-imdb-cache-');
    source = { path: REAL_IMDB!, cacheDir, download: false, env: {} };
    cold = await load(source);
    raw = await loadRaw(source);
  });
  afterAll(() => removeDir(cacheDir));

  it('loads cold from the tarball, writing one cache file into an empty cache folder', () => {
    const files = readdirSync(cacheDir);
    expect(files).toEqual([expect.stringMatching(/^imdb-\d+-\d+\.v\d+\.bin$/)]);
    cacheFile = join(cacheDir, files[0]);
    // About 47 MB: docs/ENVIRONMENT.md quotes this size.
    expect(statSync(cacheFile).size).toBeGreaterThan(40e6);
  });

  it('has 25,000 train and 25,000 test reviews, 12,500 per class', () => {
    for (const split of [cold.train, cold.test]) {
      expect(split.x).toHaveLength(25_000);
      expect(split.y).toHaveLength(25_000);
      expect(sum(split.y)).toBe(12_500);
    }
  });

  it("encodes train/pos/576_10.txt to Keras's x_train[0] exactly", () => {
    const i = raw.train.files.indexOf('aclImdb/train/pos/576_10.txt');
    expect(i).toBeGreaterThanOrEqual(0);
    const ids = [1, ...imdbEncodeRanks(raw.train.texts[i], getWordIndex()).map((r) => r + 3)];
    expect(ids).toHaveLength(218);
    expect(ids.slice(0, 30)).toEqual(X_TRAIN_0_HEAD);
    expect(ids.slice(-10)).toEqual(X_TRAIN_0_TAIL);
    expect(sum(ids)).toBe(216_367);
    const loaded = cold.train.x.filter(isXTrain0);
    expect(loaded).toHaveLength(1);
    expect([...loaded[0]]).toEqual(ids);
    expect(decode(ids)).toMatch(/^<START> this film was just brilliant casting location scenery story direction everyone's/);
    expect(decode(ids, { skipSpecial: true }).split(' ')).toHaveLength(217);
  });

  it('reproduces the word index from the training texts: same words, ranks ordered by count', () => {
    const counts = new Map<string, number>();
    for (const text of raw.train.texts) for (const w of imdbTokenize(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const wi = getWordIndex();
    expect(wi.size).toBe(88_584);
    expect(counts.size).toBe(wi.size);
    const byRank: number[] = [];
    for (const [w, r] of wi) byRank[r] = counts.get(w)!;
    for (let r = 2; r <= wi.size; r++) expect(byRank[r] <= byRank[r - 1]).toBe(true);
    // The index was built on train only: test words outside it are few, and Keras drops them.
    let tokens = 0;
    let unknown = 0;
    for (const text of raw.test.texts) {
      for (const w of imdbTokenize(text)) {
        tokens++;
        if (!wi.has(w)) unknown++;
      }
    }
    expect(unknown / tokens).toBeLessThan(0.015); // 1.1%: mostly names, e.g. "ponyo"
    const meanTestLength = sum(cold.test.x.map((s) => s.length)) / cold.test.x.length;
    expect(meanTestLength).toBeCloseTo(230.8042, 4); // Keras's x_test mean length
    expect(sum(cold.train.x.map((s) => s.length)) / 25_000).toBeCloseTo(238.71364, 5);
  });

  it('loads warm from the cache file without rewriting it, identical to the cold load', async () => {
    const before = statSync(cacheFile);
    const warm = await load(source);
    const after = statSync(cacheFile);
    expect([after.ino, after.mtimeMs, after.size]).toEqual([before.ino, before.mtimeMs, before.size]);
    expect(readdirSync(cacheDir)).toHaveLength(1);
    for (const k of [0, 1, 777, 24_999]) expect([...warm.train.x[k]]).toEqual([...cold.train.x[k]]);
    expect(warm.test.y).toEqual(cold.test.y);
    expect(warm.numWords).toBe(cold.numWords);
  });

  it('bounds every id below numWords=10000, replacing the rest by oovChar', async () => {
    const d = await load({ ...source, numWords: 10_000 });
    let max = 0;
    for (const split of [d.train, d.test]) for (const s of split.x) for (const id of s) max = Math.max(max, id);
    expect(max).toBe(9_999);
    const i = cold.train.x.findIndex(isXTrain0);
    expect(d.train.x[i][26]).toBe(2); // 22665 ("redford's") is past numWords
    expect(d.numWords).toBe(10_000);
    // All reviews share one buffer: memory is proportional to the data.
    expect(new Set(d.train.x.map((s) => s.buffer)).size).toBe(1);
  });

  it('gives the same order for the same seed, another for another seed', async () => {
    const a = await load({ ...source, seed: 5 });
    const b = await load({ ...source, seed: 5 });
    const c = await load({ ...source, seed: 6 });
    const head = (d: ImdbData) => d.train.x.slice(0, 50).map((s) => s.join(','));
    expect(head(a)).toEqual(head(b));
    expect([...a.test.y]).toEqual([...b.test.y]);
    expect(head(a)).not.toEqual(head(c));
    expect(head(cold)).not.toEqual(head(a)); // default seed is 113
  });

  it("applies Keras's maxlen filter and pads like the lab", async () => {
    const d = await load({ ...source, numWords: 10_000, maxlen: 500 });
    expect(d.train.x.every((s) => s.length < 500)).toBe(true);
    expect(d.train.x.length).toBe(cold.train.x.filter((s) => s.length < 500).length);
    const padded = padSequences(cold.train.x, { maxlen: 500 });
    expect(padded.shape).toEqual([25_000, 500]);
  });

  it('loadRaw returns texts with labels and ratings', () => {
    expect(raw.train.texts).toHaveLength(25_000);
    expect(raw.test.texts).toHaveLength(25_000);
    expect(sum(raw.test.labels)).toBe(12_500);
    for (const s of [raw.train, raw.test]) {
      s.labels.forEach((l, i) => {
        const r = s.ratings[i];
        if (!(l === 1 ? r >= 7 && r <= 10 : r >= 1 && r <= 4)) throw new Error(`rating ${r} for label ${l}`);
      });
    }
    const i = raw.train.files.indexOf('aclImdb/train/pos/576_10.txt');
    expect(raw.train.ratings[i]).toBe(10);
    expect(raw.train.labels[i]).toBe(1);
    expect(raw.train.texts[i]).toMatch(/^this film was just brilliant,casting,location scenery/);
  });
});
