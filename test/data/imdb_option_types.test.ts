/**
 * datasets.imdb's options of the wrong type are refused by name (a string 'false' must not start a download),
 * decode checks its options and ids, and getWordIndex hands out a copy the loader never reads.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { load, loadRaw } from '../../src/data/imdb.js';
import { resolveCacheDir, resolveImdbTarball } from '../../src/data/imdb_source.js';
import { decode, getWordIndex } from '../../src/data/imdb_words.js';
import { listDir, makeTarGz, removeDir, reviewEntries, tempDir, writeFixture } from './fixtures.js';

const root = tempDir('rnnlab-imdb-types-');
afterAll(() => removeDir(root));
const tar = writeFixture(root, 'reviews.tar.gz', makeTarGz(reviewEntries(2)));

async function refusal(run: () => Promise<unknown>): Promise<Error> {
  const err = await run().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return err as Error;
}

describe('imdb source and cache options of the wrong type', () => {
  // An unreachable URL: were a value read as "download allowed", the error would be about the download instead.
  const emptyCache = join(root, 'empty-cache');
  const source = { cacheDir: emptyCache, env: {}, url: 'http://127.0.0.1:9/aclImdb_v1.tar.gz' };

  for (const download of ['false', 'no', 0, 1, null]) {
    it(`refuses download: ${JSON.stringify(download)} without trying to download`, async () => {
      const err = await refusal(() => load({ ...source, download: download as never }));
      expect(err.message).toMatch(/^download must be a boolean \(true or false\), got /);
      expect(listDir(emptyCache)).toEqual([]);
    });
  }

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['cache: 0', { cache: 0 }, /^cache must be a boolean \(true or false\), got 0$/],
    ["cache: 'no'", { cache: 'no' }, /^cache must be a boolean .*got 'no' \(a string\)$/],
    ["progress: 'yes'", { progress: 'yes' }, /^progress must be a boolean/],
    ['url: 5', { url: 5 }, /^url must be a non-empty string, got 5$/],
    ["url: ''", { url: '' }, /^url must be a non-empty string/],
    ['expectedSize: -5', { expectedSize: -5 }, /^expectedSize must be an integer >= 1, got -5$/],
    ['expectedSize: 1.5', { expectedSize: 1.5 }, /^expectedSize must be an integer/],
    ["env: 'x'", { env: 'x' }, /^env must be an object of environment variables/],
    ['env: null', { env: null }, /^env must be an object/],
    ['an env value that is a number', { env: { RNNLAB_CACHE: 5 } }, /^env\.RNNLAB_CACHE must be a string/],
    ['path: 123', { path: 123 }, /^path must be a non-empty string, got 123$/],
    ["path: ''", { path: '' }, /^path must be a non-empty string/],
    ['cacheDir: 5', { cacheDir: 5 }, /^cacheDir must be a non-empty string, got 5$/],
  ];
  for (const [what, options, message] of cases) {
    it(`refuses ${what}, naming it`, async () => {
      const err = await refusal(() => load({ path: tar, download: false, env: {}, ...options } as never));
      expect(err.message).toMatch(message);
    });
  }

  it('checks them in loadRaw, resolveImdbTarball and resolveCacheDir too', async () => {
    expect((await refusal(() => loadRaw({ path: tar, download: 'false' as never }))).message).toMatch(/^download must be a boolean/);
    expect((await refusal(() => resolveImdbTarball({ path: 7 as never }))).message).toMatch(/^path must be a non-empty string/);
    expect(() => resolveCacheDir({ cacheDir: 5 as never })).toThrow(/^cacheDir must be a non-empty string, got 5$/);
  });

  it('reads null as not given, as for the Keras options (numWords: null): the defaults apply', async () => {
    expect(resolveCacheDir({ cacheDir: null as never, env: { RNNLAB_CACHE: join(root, 'env-cache') } })).toBe(join(root, 'env-cache'));
    const d = await load({ path: tar, cacheDir: join(root, 'null-url'), url: null as never, download: false, env: {} });
    expect(d.train.x).toHaveLength(4);
    const e = await refusal(() => resolveImdbTarball({ path: null as never, cacheDir: emptyCache, download: false, env: {} }));
    expect(e.message).not.toMatch(/path must be/);
  });

  it('still takes the booleans: cache: false writes no cache file', async () => {
    const cacheDir = join(root, 'no-cache');
    const d = await load({ path: tar, cacheDir, cache: false, download: false, progress: false, env: {} });
    expect(d.train.x).toHaveLength(4);
    expect(listDir(cacheDir)).toEqual([]);
    await load({ path: tar, cacheDir, cache: true, download: false, env: {} });
    expect(listDir(cacheDir)).toHaveLength(1);
  });
});

describe('imdb.getWordIndex', () => {
  it('hands out a fresh Map each call, so shifting it as Keras documents changes nothing else', async () => {
    const base = { path: tar, download: false, env: {} } as const;
    const before = await load({ ...base, cache: false });
    const cacheDir = join(root, 'shifted-cache');
    const wi = getWordIndex();
    for (const [w, r] of wi) wi.set(w, r + 3);
    wi.set('the', 99);
    expect(getWordIndex()).not.toBe(wi);
    expect(getWordIndex().get('the')).toBe(1);
    expect(decode([1, 4])).toBe('<START> the');
    const cold = await load({ ...base, cacheDir });
    const warm = await load({ ...base, cacheDir });
    for (const d of [cold, warm]) expect(d.train.x.map((s) => [...s])).toEqual(before.train.x.map((s) => [...s]));
  });
});

describe('imdb.decode', () => {
  it('decodes with its options as before', () => {
    expect(decode([1, 4, 2, 0], { skipSpecial: true })).toBe('the');
    expect(decode(Int32Array.from([7, 10]), { indexFrom: 9, startChar: 7 })).toBe('<START> the');
    expect(decode([1, 2], { startChar: null, oovChar: null })).toBe('<UNUSED> <UNUSED>');
  });

  it("calls id indexFrom <UNUSED>, as Keras's recipe: ranks start at 1, so rank + indexFrom never gives it", () => {
    expect(decode([0, 1, 2, 3, 4, 5])).toBe('<PAD> <START> <UNK> <UNUSED> the and');
    expect(decode([5, 6], { indexFrom: 5 })).toBe('<UNUSED> the');
  });

  const badOptions: [string, unknown, RegExp][] = [
    ['a Keras snake_case name', { index_from: 0 }, /imdb\.decode: unknown option 'index_from' \(did you mean 'indexFrom'\?\)/],
    ['a wrong case', { skipspecial: true }, /unknown option 'skipspecial' \(did you mean 'skipSpecial'\?\)/],
    ['an indexFrom that is a string', { indexFrom: 'x' }, /^indexFrom must be an integer >= 0, got x$/],
    ['a negative indexFrom', { indexFrom: -3 }, /^indexFrom must be an integer >= 0, got -3$/],
    ['a fractional indexFrom', { indexFrom: 2.5 }, /^indexFrom must be an integer/],
    ['a startChar that is a string', { startChar: 'a' }, /^startChar must be an integer in \[0, 2147483647\], got a$/],
    ['a negative oovChar', { oovChar: -1 }, /^oovChar must be an integer/],
    ['a padChar of null', { padChar: null }, /^padChar must be an integer/],
    ['a skipSpecial that is not a boolean', { skipSpecial: 'yes' }, /^skipSpecial must be a boolean \(true or false\), got "yes"$/],
    ['options that are not an object', 3, /^imdb\.decode: options must be an object/],
  ];
  for (const [what, options, message] of badOptions) {
    it(`refuses ${what}`, () => {
      expect(() => decode([1, 14, 22], options as never)).toThrow(DataError);
      expect(() => decode([1, 14, 22], options as never)).toThrow(message);
    });
  }

  const badInput: [string, unknown, RegExp][] = [
    ['null', null, /^imdb\.decode: the sequence must be an array or typed array of ids, got null$/],
    ['a string', '1 14 22', /the sequence must be an array or typed array of ids, got string/],
    ['a fractional id', [1, 1.5], /^imdb\.decode: sequence\[1\] must be a non-negative integer id, got 1\.5$/],
    ['an id that is a string', [1, 'a'], /sequence\[1\] must be a non-negative integer id, got "a"$/],
    ['a negative id', [-1], /sequence\[0\] must be a non-negative integer id, got -1$/],
    ['a NaN id', Float32Array.from([1, NaN]), /sequence\[1\] must be a non-negative integer id, got NaN$/],
  ];
  for (const [what, input, message] of badInput) {
    it(`refuses ${what} as input, naming it`, () => {
      expect(() => decode(input as never)).toThrow(DataError);
      expect(() => decode(input as never)).toThrow(message);
    });
  }
});
