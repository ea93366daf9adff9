import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, getWordIndex } from '../../src/data/imdb_words.js';
import { load, loadRaw, type ImdbData, type ImdbRaw } from '../../src/data/imdb.js';
import { imdbEncodeRanks, imdbTokenize } from '../../src/data/imdb_tokenize.js';
import { padSequences } from '../../src/data/pad.js';
import { removeDir, SHARED_TARBALL, tempDir } from './fixtures.js';

// Keras's published x_train[0] (load_data() with defaults): review aclImdb/train/pos/576_10.txt.
const X_TRAIN_0_HEAD = [1, 14, 22, 16, 43, 530, 973, 1622, 1385, 65, 458, 4468, 66, 3941, 4, 173, 36, 256, 5, 25, 100, 43, 838, 112, 50, 670, 22665, 9, 35, 480];
const X_TRAIN_0_TAIL = [4472, 113, 103, 32, 15, 16, 5345, 19, 178, 32];

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};
/**
 * The cost of a call: the smaller of wall time and the process's CPU time. On a quiet machine they
 * agree; on a shared, oversubscribed one the wall clock measures the neighbours, not this code.
 */
async function cost<T>(run: () => Promise<T>): Promise<{ value: T; ms: number; wallMs: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await run();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { value, ms: Math.min(wallMs, cpuMs), wallMs, cpuMs };
}

const isXTrain0 = (s: Int32Array) => s.length === 218 && X_TRAIN_0_HEAD.every((v, i) => s[i] === v);

describe.skipIf(!existsSync(SHARED_TARBALL))('IMDb from the real tarball', () => {
  const cacheDir = tempDir('rnnlab-imdb-cache-');
  const source = { path: SHARED_TARBALL, cacheDir, download: false, env: {} } as const;
  let cold: ImdbData;
  let coldMs = 0;
  let raw: ImdbRaw;

  beforeAll(async () => {
    const c = await cost(() => load(source));
    cold = c.value;
    coldMs = c.ms;
    raw = await loadRaw(source);
  });
  afterAll(() => removeDir(cacheDir));

  it('loads cold from the tarball in under 10 s, into an empty cache folder', () => {
    expect(coldMs).toBeLessThan(10_000);
    expect(readdirSync(cacheDir)).toEqual([expect.stringMatching(/^imdb-\d+-\d+\.v\d+\.bin$/)]);
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

  it('loads warm from the cache in under 1 s, identical to the cold load', async () => {
    const runs = [await cost(() => load(source)), await cost(() => load(source))];
    const warm = runs[0].value;
    expect(Math.min(...runs.map((r) => r.ms))).toBeLessThan(1_000);
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
