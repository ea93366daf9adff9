/** Bad IMDb tarballs and reviews: each is a DataError that names the file and what is wrong, never a crash. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { load, loadRaw } from '../../src/data/imdb.js';
import { makeTar, makeTarGz, removeDir, reviewEntries, tempDir, writeFixture, type FixtureEntry } from '../data/fixtures.js';
import * as rl from '../../src/index.js';
import { expectClean } from './helpers.js';

const dir = tempDir('rnnlab-bad-tar-');
afterAll(() => removeDir(dir));
// loadRaw reads the texts and keeps no derived cache, so it takes no cache option (it would refuse one).
const rawOffline = { download: false, env: {}, cacheDir: join(dir, 'cache') } as const;
const offline = { ...rawOffline, cache: false } as const;
let n = 0;
const file = (data: Buffer, ext = '.tar.gz') => writeFixture(dir, `case${n++}${ext}`, data);
const good = reviewEntries(2);
const replace = (suffix: string, data: string | Buffer): FixtureEntry[] => good.map((e) => (e.name.endsWith(suffix) ? { ...e, data } : e));

/** Both readers (ids and raw text) reject the tarball with the same clear DataError. */
async function rejects(path: string, message: RegExp): Promise<void> {
  await expectClean(() => load({ path, ...offline }), DataError, message);
  await expectClean(() => loadRaw({ path, ...rawOffline }), DataError, message);
}

describe('bad tarballs', () => {
  it('an empty file', async () => {
    await rejects(file(Buffer.alloc(0)), /is truncated: no end-of-archive marker after byte 0/);
  });

  it('a gzip stream cut in half', async () => {
    const gz = makeTarGz(good);
    await rejects(file(gz.subarray(0, gz.length >> 1)), /is corrupt or truncated \(gzip: unexpected end of file\)/);
  });

  it('a plain tar cut inside a header and inside a member', async () => {
    const tar = makeTar(good);
    await rejects(file(tar.subarray(0, 700), '.tar'), /is truncated: the archive ends inside a header/);
    // Cut in the middle of a review's data block.
    const at = tar.indexOf(Buffer.from('The End!')) - 5;
    await rejects(file(tar.subarray(0, at), '.tar'), /is truncated: the archive ends inside member aclImdb\//);
  });

  it('corrupt gzip data', async () => {
    const gz = Buffer.from(makeTarGz(good));
    for (let i = 30; i < 60; i++) gz[i] ^= 0x5a;
    await rejects(file(gz), /is corrupt or truncated \(gzip: /);
  });

  it('a corrupt tar header (bad checksum), and text that is not a tarball at all', async () => {
    const tar = Buffer.from(makeTar(good));
    tar[10] ^= 0xff;
    await rejects(file(tar, '.tar'), /is corrupt: header checksum mismatch at byte 0/);
    await rejects(file(Buffer.from('this is not a tarball\n'.repeat(50)), '.tar'), /is corrupt: header checksum mismatch/);
    await rejects(file(gzipSync(Buffer.from('plain text inside gzip'))), /is truncated: the archive ends inside a header/);
  });

  it('wrongly laid out archives: no aclImdb/<split>/<pos|neg>, missing splits, badly named members', async () => {
    await rejects(file(makeTarGz([{ name: 'reviews/a.txt', data: 'good' }])), /has no reviews under aclImdb\/train\/neg\/: the train split is missing/);
    await rejects(file(makeTarGz(reviewEntries(2, ['test/pos']))), /has no reviews under aclImdb\/test\/pos\//);
    await rejects(file(makeTarGz(good.map((e) => ({ ...e, name: e.name.replace('/pos/', '/positive/') })))), /has no reviews under aclImdb\/train\/pos\//);
    await rejects(file(makeTarGz([...good, { name: 'aclImdb/train/pos/review.txt', data: 'x' }])), /review\.txt .*the name does not follow <id>_<rating>\.txt/);
    await rejects(file(makeTarGz([...good, { name: 'aclImdb/train/pos/99_2.txt', data: 'x' }])), /rating 2 contradicts the folder pos/);
    await rejects(file(makeTarGz([...good, { ...good.find((e) => e.name.endsWith('.txt') && e.name.includes('/pos/'))! }])), /holds this review twice/);
    await rejects(file(makeTarGz([...good, { name: 'aclImdb/train/pos/77_8.txt', type: '5' }])), /not a regular file/);
  });

  it('a folder or a missing path instead of a tarball', async () => {
    await expectClean(() => load({ path: join(dir, 'nope.tar.gz'), ...offline }), DataError, /IMDb data not found/);
    await expectClean(() => load({ path: join(dir, 'cache'), ...offline }), DataError, /IMDb data not found/);
  });
});

/** Rewrites the size field of the header at `at` (base-256 when octal cannot hold it, as GNU tar does) and its checksum. */
function declareSize(tar: Buffer, at: number, size: number): Buffer {
  const h = tar.subarray(at, at + 512);
  if (size < 8 ** 11) h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  else {
    h.fill(0, 124, 136);
    h[124] = 0x80;
    for (let i = 135, v = size; i > 124; i--, v = Math.floor(v / 256)) h[i] = v % 256;
  }
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return tar;
}

/** The good reviews, then one review member of `size` zero bytes, gzipped as a stream (never whole in memory). */
async function zeroBomb(name: string, size: number): Promise<string> {
  const head = makeTar(good);
  const bomb = declareSize(makeTar([{ name, data: '' }]).subarray(0, 512), 0, size);
  const path = join(dir, `bomb${n++}.tar.gz`);
  const gz = createGzip({ level: 1 });
  const done = once(gz.pipe(createWriteStream(path)), 'finish');
  gz.write(head.subarray(0, head.length - 1024));
  gz.write(bomb);
  const zeros = Buffer.alloc(1 << 20);
  for (let left = size; left > 0; left -= zeros.length) {
    if (!gz.write(left >= zeros.length ? zeros : zeros.subarray(0, left))) await once(gz, 'drain');
  }
  gz.end(Buffer.alloc(1024));
  await done;
  return path;
}

describe('members that would expand beyond reason', () => {
  it('a review declaring 1 TiB says what is wrong (not a gzip error)', async () => {
    const tar = makeTar([...good, { name: 'aclImdb/train/pos/99_9.txt', data: '' }]);
    const at = makeTar(good).length - 1024;
    await rejects(file(gzipSync(declareSize(tar, at, 2 ** 40))), /is corrupt: member aclImdb\/train\/pos\/99_9\.txt declares 1099511627776 bytes, more than the \d+ bytes a member may expand to/);
  });

  it('a 200 MB review of zeros is refused at its header, with memory that stays bounded', async () => {
    const path = await zeroBomb('aclImdb/train/neg/98_1.txt', 200 << 20);
    let peak = 0;
    const base = process.memoryUsage().arrayBuffers;
    const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 5);
    try {
      await expectClean(() => load({ path, ...offline }), DataError, /member aclImdb\/train\/neg\/98_1\.txt declares 209715200 bytes/);
    } finally {
      clearInterval(watch);
    }
    // Loosely: far below the member's 200 MB (the old reader allocated it whole).
    expect(peak).toBeLessThan(64 << 20);
  });
});

describe('bad reviews', () => {
  it('a review that is not UTF-8 names the member', async () => {
    await rejects(file(makeTarGz(replace('0_1.txt', Buffer.from([0x66, 0xff, 0xfe, 0x20])))), /unreadable review aclImdb\/train\/neg\/0_1\.txt .*: not valid UTF-8/);
  });

  it('an empty (or blank) review is read as Keras reads it: only the start id, and the model still predicts on it', async () => {
    for (const text of ['', '  \n\t ']) {
      const path = file(makeTarGz(replace('0_1.txt', text)));
      const d = await load({ path, ...offline });
      const i = d.train.x.findIndex((s) => s.length === 1);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(Array.from(d.train.x[i])).toEqual([1]);
      const raw = await loadRaw({ path, ...rawOffline });
      expect(raw.train.texts[raw.train.files.indexOf('aclImdb/train/neg/0_1.txt')]).toBe(text);
      // Padded to a fixed length it is a row of zeros and the start id; a model predicts a finite probability.
      const x = rl.tensor(Int32Array.from([0, 0, 0, 1]), [1, 4], 'int32');
      rl.setSeed(1);
      const m = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 4, maskZero: true }), rl.layers.lstm({ units: 2 }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
      const p = m.predict(x).values[0];
      expect(p > 0 && p < 1).toBe(true);
    }
  });

  it('maxlen 0 (and other impossible maxlens) are refused before any reading', async () => {
    const path = file(makeTarGz(good));
    await expectClean(() => load({ path, ...offline, maxlen: 0 }), DataError, /maxlen must be an integer >= 1, got 0/);
    await expectClean(() => load({ path, ...offline, maxlen: -3 }), DataError, /maxlen must be an integer >= 1, got -3/);
    await expectClean(() => load({ path, ...offline, maxlen: 2.5 }), DataError, /maxlen must be an integer >= 1, got 2.5/);
    await expectClean(() => load({ path, ...offline, maxlen: 1 }), DataError, /maxlen=1 keeps no review/);
    await expectClean(() => rl.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 0 }), Error, /inputLength must be a positive integer, got 0/);
  });
});
