import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadFile } from '../../src/data/download.js';
import { Rng } from '../../src/data/random.js';
import { load } from '../../src/data/imdb.js';
import { IMDB_FILE, resolveImdbTarball } from '../../src/data/imdb_source.js';
import { listDir, makeTarGz, removeDir, reviewEntries, tempDir } from './fixtures.js';

// A local server stands in for Stanford: tests never touch the network.
const noise = Buffer.alloc(64 * 1024);
const rng = new Rng(5);
for (let i = 0; i < noise.length; i++) noise[i] = rng.nextInt(256);
const payload = makeTarGz([...reviewEntries(3), { name: 'aclImdb/imdbEr.txt', data: noise }]);
let server: http.Server;
let base = '';
let ranges: (string | undefined)[] = [];
let cutFirstResponseAt: number | undefined;
let ignoreRange = false;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/data.tar.gz' }).end();
      return;
    }
    if (req.url === '/to-file') {
      res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      return;
    }
    if (req.url === '/endless') {
      // No content-length, and no end: only the client can stop it.
      res.writeHead(200);
      const more = () => {
        while (!res.destroyed && res.write(noise));
        if (!res.destroyed) res.once('drain', more);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      more();
      return;
    }
    if (req.url === '/too-long') {
      res.writeHead(200, { 'content-length': payload.length * 1000 });
      res.write(noise);
      return;
    }
    if (req.url !== '/data.tar.gz') {
      res.writeHead(404).end('not found');
      return;
    }
    ranges.push(req.headers.range);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m && !ignoreRange ? Number(m[1]) : 0;
    if (start >= payload.length) {
      res.writeHead(416).end();
      return;
    }
    const headers: http.OutgoingHttpHeaders = { 'content-length': payload.length - start };
    if (start > 0) headers['content-range'] = `bytes ${start}-${payload.length - 1}/${payload.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    if (cutFirstResponseAt !== undefined) {
      const cut = cutFirstResponseAt;
      cutFirstResponseAt = undefined;
      res.write(payload.subarray(start, cut), () => res.destroy());
      return;
    }
    res.end(payload.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let dir = '';
beforeEach(() => {
  ranges = [];
  cutFirstResponseAt = undefined;
  ignoreRange = false;
  dir = tempDir('rnnlab-dl-');
  return () => removeDir(dir);
});

const opts = (over: object = {}) => ({ expectedSize: payload.length, progress: false, ...over });

describe('downloading the tarball', () => {
  it('downloads into the cache folder when nothing else is found, then loads from it', async () => {
    const cacheDir = join(dir, 'cache');
    const found = await resolveImdbTarball({ cacheDir, url: `${base}/moved`, expectedSize: payload.length, env: {}, progress: false });
    expect(found).toBe(join(cacheDir, IMDB_FILE));
    expect(readFileSync(found).equals(payload)).toBe(true);
    expect(listDir(cacheDir)).toEqual([IMDB_FILE]);
    const data = await load({ cacheDir, url: `${base}/data.tar.gz`, expectedSize: payload.length, env: {}, progress: false });
    expect(data.train.x).toHaveLength(6);
    expect(ranges).toEqual([undefined]); // the second call found the file in the cache
  });

  it('resumes a partial download with a Range request', async () => {
    const dest = join(dir, IMDB_FILE);
    writeFileSync(`${dest}.part`, payload.subarray(0, 1000));
    await downloadFile(`${base}/data.tar.gz`, dest, opts());
    expect(ranges).toEqual(['bytes=1000-']);
    expect(readFileSync(dest).equals(payload)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('picks up after a dropped connection', async () => {
    const dest = join(dir, IMDB_FILE);
    cutFirstResponseAt = 20_000;
    await downloadFile(`${base}/data.tar.gz`, dest, opts());
    expect(ranges).toEqual([undefined, 'bytes=20000-']);
    expect(readFileSync(dest).equals(payload)).toBe(true);
  });

  it('starts over when the server ignores Range', async () => {
    const dest = join(dir, IMDB_FILE);
    writeFileSync(`${dest}.part`, Buffer.alloc(500, 1));
    ignoreRange = true;
    await downloadFile(`${base}/data.tar.gz`, dest, opts());
    expect(readFileSync(dest).equals(payload)).toBe(true);
  });

  it('checks the size and never renames a wrong-sized file into place', async () => {
    const dest = join(dir, IMDB_FILE);
    await expect(downloadFile(`${base}/data.tar.gz`, dest, opts({ expectedSize: payload.length + 10 }))).rejects.toThrow(
      new RegExp(`has ${payload.length} bytes, expected ${payload.length + 10}; run again to resume`),
    );
    expect(existsSync(dest)).toBe(false);
    await expect(downloadFile(`${base}/data.tar.gz`, dest, opts({ expectedSize: 100 }))).rejects.toThrow(/partial file was deleted/);
    expect(listDir(dir)).toEqual([]);
  });

  it('stops a server that sends more than the file size, and deletes what it sent', async () => {
    const dest = join(dir, IMDB_FILE);
    for (const path of ['/endless', '/too-long']) {
      await expect(downloadFile(`${base}${path}`, dest, opts())).rejects.toThrow(new RegExp(`sends more than the expected ${payload.length} bytes; stopped, and the partial file was deleted`));
      expect(listDir(dir), path).toEqual([]);
    }
  });

  it('follows redirects only to web URLs', async () => {
    await expect(downloadFile(`${base}/to-file`, join(dir, IMDB_FILE), opts())).rejects.toThrow(/refusing the redirect to file:/);
    expect(listDir(dir)).toEqual([]);
  });

  it('names the four ways when the download fails (HTTP error or no server)', async () => {
    const cacheDir = join(dir, 'cache');
    for (const url of [`${base}/missing`, 'http://127.0.0.1:1/data.tar.gz']) {
      const err = (await resolveImdbTarball({ cacheDir, url, env: {}, progress: false }).catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(/IMDb data not found/);
      expect(err.message).toMatch(/4\. let rnnlab download it from/);
      expect(err.message).toMatch(url.endsWith('missing') ? /HTTP 404/ : /ECONNREFUSED/);
      expect(existsSync(join(cacheDir, IMDB_FILE))).toBe(false);
    }
  });
});
