/**
 * `rnnlab serve` left running on a shared machine: a runs folder that cannot be made is reported as such (not as a
 * port problem), and a crowd of "Try it" requests for models not yet loaded reads each model once, one at a time,
 * instead of holding as many copies in memory as there are requests, and gradient measurements on test reviews load
 * the corpus once, not once per request; a request body that stops arriving is answered 408 and its connection closed.
 * A results.json swapped for a FIFO after its check is still not read, and a large report is streamed to each client
 * rather than read whole into memory once per request. In-process (no dist/ needed).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imdbModel } from '../../src/experiments/lab_models.js';
import { saveImdbModel } from '../../src/experiments/model_store.js';
import { runServe, startDashboard } from '../../src/server/index.js';
import { SERVER_LIMITS } from '../../src/server/server.js';
import { ModelRegistry } from '../../src/server/models.js';
import { readRecordText, RunStore } from '../../src/server/runs.js';
import { MAX_SEGMENT_CHARS, Router } from '../../src/server/http.js';
import { datasets, padSequences } from '../../src/data/index.js';
import { MAX_TEST_SAMPLES, TestReviews } from '../../src/server/inference.js';
import { imdbDataPath, tempDir, until } from './helpers.js';

function capture() {
  const out: string[] = [], err: string[] = [];
  return { io: { out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t) } }, out, err };
}

describe('a runs folder that cannot be made', () => {
  it('is an exit 1 naming the folder and why, not a port error, and nothing is bound', async () => {
    const parent = tempDir();
    writeFileSync(join(parent, 'a-file'), 'not a folder');
    const c = capture();
    let ready = false;
    const code = await runServe({ port: 0, runsDir: join(parent, 'a-file', 'runs') }, c.io, { onReady: () => { ready = true; } });
    expect(code).toBe(1);
    expect(ready).toBe(false);
    const err = c.err.join('');
    expect(err).toMatch(/^rnnlab serve: cannot make the runs folder \S*a-file\/runs: a part of its path is a file; choose another --runs\n$/);
    expect(err).not.toMatch(/listen|port/);
    expect(c.out.join('')).toBe('');
    const onFile = capture();
    expect(await runServe({ port: 0, runsDir: join(parent, 'a-file') }, onFile.io)).toBe(1);
    expect(onFile.err.join('')).toMatch(/^rnnlab serve: cannot make the runs folder \S*a-file: a file of that name is in the way; choose another --runs\n$/);
  });

  it('is made with the missing folders above it', async () => {
    const parent = tempDir();
    let made = '';
    const code = await runServe({ port: 0, runsDir: join(parent, 'a', 'b', 'runs') }, capture().io, { stop: Promise.resolve(), onReady: (d) => { made = d.runs.dir; } });
    expect(code).toBe(0);
    expect(made).toBe(join(parent, 'a', 'b', 'runs'));
  });
});

/** A completed IMDb run with a tiny saved model, as `rnnlab imdb` leaves it. */
async function imdbRun(runsDir: string, id: string): Promise<string> {
  const dir = join(runsDir, id);
  mkdirSync(dir, { recursive: true });
  const startedAt = new Date().toISOString();
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ command: 'imdb', status: 'completed', pid: null, startedAt, finishedAt: startedAt,
    config: { model: 'lstm', vocab: 50, maxlen: 6 }, history: { loss: [0.5] }, metrics: { testAccuracy: 0.5 } }));
  const options = { vocab: 50, maxlen: 6, embeddingDim: 3, units: 2 };
  await saveImdbModel(join(dir, 'model'), imdbModel('lstm', options), 'lstm', options);
  return dir;
}

/** The store with its model loads counted: how many, and the most under way at once. */
function countingStore(runsDir: string) {
  const runs = new RunStore(runsDir);
  const seen = { calls: [] as string[], active: 0, maxActive: 0 };
  const real = runs.loadModel.bind(runs);
  runs.loadModel = async (id: string) => {
    seen.calls.push(id);
    seen.maxActive = Math.max(seen.maxActive, ++seen.active);
    try {
      return await real(id);
    } finally {
      seen.active--;
    }
  };
  return { runs, seen };
}

describe('many "Try it" requests at once', () => {
  it('read each model once and one model at a time, and every request gets its own run\'s model', async () => {
    const runsDir = tempDir();
    const ids = ['run-a', 'run-b', 'run-c'];
    for (const id of ids) await imdbRun(runsDir, id);
    const { runs, seen } = countingStore(runsDir);
    const models = new ModelRegistry(runs);
    const asked = Array.from({ length: 30 }, (_, i) => ids[i % 3]);
    const got = await Promise.all(asked.map((id) => models.get(id, 'imdb')));
    expect(got.map((e) => e.id)).toEqual(asked);
    expect(seen.calls.sort()).toEqual(ids);
    expect(seen.maxActive).toBe(1);
    // One model object per run, shared by all its requests.
    for (const id of ids) expect(new Set(got.filter((e) => e.id === id).map((e) => e.model)).size).toBe(1);
    // Loaded now: further requests read nothing.
    await models.get('run-b');
    expect(seen.calls).toHaveLength(3);
  });

  it('share a failed load\'s error, leave the queue free for other models, and try again on the next request', async () => {
    const runsDir = tempDir();
    const cut = await imdbRun(runsDir, 'cut-run');
    await imdbRun(runsDir, 'good-run');
    const weights = join(cut, 'model', 'weights.bin');
    truncateSync(weights, Math.floor(readFileSync(weights).length / 2));
    const { runs, seen } = countingStore(runsDir);
    const models = new ModelRegistry(runs);
    const results = await Promise.allSettled([models.get('cut-run'), models.get('cut-run'), models.get('good-run'), models.get('nope')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'rejected']);
    const [first, second, , missing] = results as PromiseRejectedResult[];
    expect(first.reason.status).toBe(422);
    expect(first.reason.message).toMatch(/^the model saved in run 'cut-run' cannot be loaded: /);
    expect(second.reason).toBe(first.reason);
    expect([missing.reason.status, missing.reason.message]).toEqual([404, "no trained model 'nope': pick one from GET /api/models"]);
    expect(seen.calls.sort()).toEqual(['cut-run', 'good-run', 'nope']);
    await expect(models.get('cut-run')).rejects.toMatchObject({ status: 422 });
    expect(seen.calls.filter((id) => id === 'cut-run')).toHaveLength(2);
  });
});

describe('gradients measured on test reviews', () => {
  const model = imdbModel('lstm', { vocab: 50, maxlen: 6, embeddingDim: 3, units: 2 });
  const meta = (vocab: number) => ({ task: 'imdb' as const, kind: 'lstm', vocab, maxlen: 6 });

  it('load the corpus once per vocabulary for all requests, and give the first test reviews as Keras orders them', async () => {
    const data = imdbDataPath() ?? tempDir('rnnlab-no-imdb-');
    let loads = 0;
    const set = new TestReviews(data, (o) => { loads++; return datasets.imdb.load(o); });
    if (imdbDataPath() === undefined) {
      // Without the tarball every request says why, and none is kept: each tries again.
      await expect(set.batch(model, meta(50), 4)).rejects.toThrow(/aclImdb_v1\.tar\.gz/);
      await expect(set.batch(model, meta(50), 4)).rejects.toThrow(/aclImdb_v1\.tar\.gz/);
      expect(loads).toBe(2);
      return;
    }
    const batches = await Promise.all([4, 32, MAX_TEST_SAMPLES, 4].map((n) => set.batch(model, meta(50), n)));
    expect(loads).toBe(1);
    const direct = await datasets.imdb.load({ numWords: 50, path: data });
    for (const b of batches) {
      const k = b.x.shape[0];
      expect(b.x.shape).toEqual([k, 6]);
      expect(Array.from(b.x.values as Int32Array)).toEqual(Array.from(padSequences(direct.test.x.slice(0, k).map((r) => Array.from(r)), { maxlen: 6 }).data));
      expect(Array.from(b.y.values)).toEqual(Array.from(direct.test.y.subarray(0, k)));
    }
    expect(batches.map((b) => b.x.shape[0])).toEqual([4, 32, Math.min(MAX_TEST_SAMPLES, direct.test.x.length), 4]);
    await set.batch(model, meta(80), 4);
    expect(loads).toBe(2);
    await expect(set.batch(model, meta(50), MAX_TEST_SAMPLES + 1)).rejects.toThrow(`samples must be an integer from 1 to ${MAX_TEST_SAMPLES}, got ${MAX_TEST_SAMPLES + 1}`);
  });

  it('do not keep a failed load: the next request tries again', async () => {
    const empty = tempDir('rnnlab-no-imdb-');
    let loads = 0;
    const set = new TestReviews(empty, (o) => { loads++; return datasets.imdb.load(o); });
    const both = await Promise.allSettled([set.batch(model, meta(50), 4), set.batch(model, meta(50), 4)]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(loads).toBe(1);
    await expect(set.batch(model, meta(50), 4)).rejects.toThrow(/aclImdb_v1\.tar\.gz/);
    expect(loads).toBe(2);
  });
});

describe('a request body that stops arriving', () => {
  it('is answered 408 naming the limit once the request timeout passes, the connection closes, and nothing is queued', async () => {
    const saved = { ...SERVER_LIMITS };
    // Node reads its request timeout when the server is made: a short one for this server only.
    Object.assign(SERVER_LIMITS, { headersTimeoutMs: 1000, requestTimeoutMs: 1500, checkEveryMs: 200 });
    const d = await startDashboard({ port: 0, runsDir: tempDir() }).finally(() => Object.assign(SERVER_LIMITS, saved));
    try {
      let trickle: NodeJS.Timeout | undefined;
      const got = await new Promise<string>((resolve, reject) => {
        const sock = net.connect(d.port, '127.0.0.1');
        let text = '';
        sock.setEncoding('utf8');
        sock.on('data', (c: string) => { text += c; });
        sock.on('close', () => resolve(text));
        sock.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(text) : reject(e)));
        sock.write('POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{"tas\r\n');
        // A byte now and then, never the end of the body.
        trickle = setInterval(() => { if (sock.writable) sock.write('1\r\n \r\n'); }, 100);
      });
      clearInterval(trickle);
      expect(got).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(got).toMatch(/\r\nconnection: close\r\n/i);
      expect(got.slice(got.indexOf('\r\n\r\n') + 4)).toBe(JSON.stringify({ error: 'the request body did not arrive within 1.5 s', status: 408 }));
      expect(d.jobs.list()).toEqual([]);
      const health = await fetch(`http://127.0.0.1:${d.port}/api/health`);
      expect(health.status).toBe(200);
    } finally {
      await d.close();
    }
  });
});

describe('a results.json swapped for something else after its check', () => {
  it.skipIf(process.platform === 'win32')('is refused on the open file: a FIFO is not read (it would block the server), nor a link', () => {
    const dir = tempDir();
    const fifo = join(dir, 'fifo', 'results.json');
    mkdirSync(join(dir, 'fifo'));
    execFileSync('mkfifo', [fifo]);
    expect(readRecordText(fifo)).toEqual({ error: 'results.json is not a regular file' });
    mkdirSync(join(dir, 'link'));
    writeFileSync(join(dir, 'elsewhere.json'), '{}');
    symlinkSync(join(dir, 'elsewhere.json'), join(dir, 'link', 'results.json'));
    expect(readRecordText(join(dir, 'link', 'results.json'))).toEqual({ error: 'results.json is not a regular file' });
    expect(readRecordText(join(dir, 'none', 'results.json'))).toEqual({ error: 'no results.json' });
    writeFileSync(join(dir, 'results.json'), '{"a":1}');
    expect(readRecordText(join(dir, 'results.json'))).toEqual({ text: '{"a":1}' });
  });
});

describe('a very long id in the path', () => {
  it('is a 404 that says how long it is instead of echoing it; an id as long as a file name still reaches its route', () => {
    const r = new Router().get('/api/runs/:id', () => null);
    const long = 'a'.repeat(5000);
    expect(() => r.match('GET', `/api/runs/${long}`)).toThrow(expect.objectContaining({
      status: 404, message: `no such endpoint: a path segment of 5000 characters (ids and names here have at most ${MAX_SEGMENT_CHARS})`,
    }));
    // Counted after decoding: 256 encoded dots are 256 characters.
    expect(() => r.match('GET', `/api/runs/${'%2E'.repeat(MAX_SEGMENT_CHARS + 1)}`)).toThrow(/a path segment of 256 characters/);
    expect(r.match('GET', `/api/runs/${'b'.repeat(MAX_SEGMENT_CHARS)}`).params.id).toBe('b'.repeat(MAX_SEGMENT_CHARS));
  });
});

/** How many of this process's file descriptors are open on `file`. */
function openHandlesOf(file: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch { /* closed meanwhile */ }
  }
  return n;
}

describe('a large report fetched by many clients at once', () => {
  it('is streamed as each client reads it, not held whole in memory per request, and arrives intact', async () => {
    const runsDir = tempDir();
    mkdirSync(join(runsDir, 'big-run'));
    // Its real path: /proc/self/fd names open files by it.
    const file = join(realpathSync(runsDir), 'big-run', 'report.html');
    const MiB = 1 << 20, sizeMiB = 16, clients = 16;
    const fd = openSync(file, 'w');
    for (let i = 0; i < sizeMiB; i++) writeSync(fd, Buffer.alloc(MiB, 97 + (i % 26)));
    closeSync(fd);
    const d = await startDashboard({ port: 0, runsDir });
    const paused: http.ClientRequest[] = [];
    try {
      const before = process.memoryUsage().arrayBuffers;
      // Clients that take the headers and then read nothing: each holds its answer open.
      await Promise.all(Array.from({ length: clients }, () => new Promise<void>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: d.port, path: '/api/runs/big-run/report.html', agent: false }, (res) => {
          expect([res.statusCode, res.headers['content-length']]).toEqual([200, String(sizeMiB * MiB)]);
          res.pause();
          resolve();
        });
        req.on('error', reject);
        paused.push(req);
      })));
      const grown = (process.memoryUsage().arrayBuffers - before) / MiB;
      // Read whole per request, the server would hold clients × 16 MiB (256 MiB) here.
      expect(grown).toBeLessThan(3 * sizeMiB);
      const onProc = existsSync('/proc/self/fd');
      if (onProc) expect(openHandlesOf(file)).toBe(clients);
      for (const req of paused) req.destroy();
      // Each client gone mid-answer closes its file: none stays open (Linux lists them in /proc/self/fd).
      if (onProc) await until(() => openHandlesOf(file) === 0, 10_000, 'the report\'s files to close');
      // One client that reads gets every byte.
      const body = await new Promise<Buffer>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: d.port, path: '/api/runs/big-run/report.html', agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
          res.on('error', reject);
        }).on('error', reject);
      });
      expect(body.equals(readFileSync(file))).toBe(true);
      const head = await fetch(`http://127.0.0.1:${d.port}/api/runs/big-run/report.html`, { method: 'HEAD' });
      expect([head.status, head.headers.get('content-length'), (await head.arrayBuffer()).byteLength]).toEqual([200, String(sizeMiB * MiB), 0]);
    } finally {
      for (const req of paused) req.destroy();
      await d.close();
    }
  });
});
