/**
 * A run's page is answered without holding up the server: its record is read asynchronously, a large one parsed in a
 * worker thread, and kept by the file's stamps so that asking again reads nothing. An unfinished sweep's pending
 * runs' records are kept the same way.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunStore } from '../../src/server/runs.js';
import { SweepStore } from '../../src/server/sweeps.js';
import { WORKER_PARSE_BYTES } from '../../src/server/record_reader.js';
import { startTestServer, tempDir, type TestServer } from './helpers.js';

const SAMPLE = { question: '12+34', truth: '46', guess: '46', correct: true };

/** A valid record whose details hold `samples` decoded examples (about 70 bytes each), finished with the given status. */
function writeRecord(file: string, samples: number, o: { accuracy?: number; status?: string } = {}): void {
  const at = '2025-01-01T10:00:00.000Z';
  writeFileSync(file, JSON.stringify({ command: 'imdb', ...(o.status ? { status: o.status } : {}), startedAt: at, finishedAt: at, config: { model: 'lstm' }, history: { loss: [0.5, 0.25] },
    metrics: { testAccuracy: o.accuracy ?? 0.5 }, details: { samplesPerEpoch: [Array.from({ length: samples }, () => SAMPLE)] } }));
}

let servers: TestServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** GET on a fresh connection: its status and body, once the whole answer has arrived; onHeaders when its head did. */
function fetchWhole(base: string, path: string, onSent?: () => void, onHeaders?: () => void): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${path}`, { agent: false }, (res) => {
      onHeaders?.();
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (onSent) req.on('finish', onSent);
  });
}

describe("a run's page", () => {
  it('is what get() says, and is read again only when its results.json changes', async () => {
    const dir = tempDir();
    dirs.push(dir);
    mkdirSync(join(dir, 'run'));
    writeRecord(join(dir, 'run', 'results.json'), 10);
    const store = new RunStore(dir);
    const first = await store.detailJson('run');
    expect(JSON.parse(first.toString('utf8'))).toEqual(JSON.parse(JSON.stringify(store.get('run'))));
    expect(store.servedRecords.parses).toBe(1);
    expect((await store.detailJson('run')).equals(first)).toBe(true);
    expect(store.servedRecords.parses).toBe(1);

    writeRecord(join(dir, 'run', 'results.json'), 10, { accuracy: 0.75 });
    expect(JSON.parse((await store.detailJson('run')).toString('utf8')).summary.testAccuracy).toBe(0.75);
    expect(store.servedRecords.parses).toBe(2);
  });

  it('holding a large record: /api/health is answered while it is read, and the record comes whole', async () => {
    const runsDir = tempDir();
    dirs.push(runsDir);
    mkdirSync(join(runsDir, 'big'));
    // Several times the size parsed in a worker: parsed in the server's thread, it would stall it for a while.
    const samples = Math.ceil((16 * WORKER_PARSE_BYTES) / JSON.stringify(SAMPLE).length);
    writeRecord(join(runsDir, 'big', 'results.json'), samples);
    const t = await startTestServer({ runsDir });
    servers.push(t);
    const order: string[] = [];
    let health: Promise<unknown> = Promise.resolve();
    const big = fetchWhole(t.base, '/api/runs/big', () => {
      // Asked once the server has had the page's request a moment, so that it is busy with it.
      setTimeout(() => {
        health = fetchWhole(t.base, '/api/health').then((r) => order.push(`health ${r.status}`));
      }, 150);
      // The page's answer begins only once its record is read and parsed: the health check's must not wait for that.
    }, () => order.push('big begins'));
    const r = await big;
    await health;
    expect(r.status).toBe(200);
    const detail = JSON.parse(r.body);
    expect(detail.results.details.samplesPerEpoch[0]).toHaveLength(samples);
    expect(detail.summary).toMatchObject({ id: 'big', status: 'completed', testAccuracy: 0.5 });
    expect(detail.curves).toHaveLength(1);
    expect(order).toEqual(['health 200', 'big begins']);
  }, 60_000);

  it('a large record the listing reads first is read in a worker, once, for the listing and the page alike', async () => {
    const dir = tempDir();
    dirs.push(dir);
    mkdirSync(join(dir, 'big'));
    writeRecord(join(dir, 'big', 'results.json'), Math.ceil((2 * WORKER_PARSE_BYTES) / JSON.stringify(SAMPLE).length), { accuracy: 0.75 });
    const store = new RunStore(dir);
    expect(await store.list()).toMatchObject([{ id: 'big', status: 'completed', testAccuracy: 0.75 }]);
    expect(store.servedRecords.parses).toBe(1);
    expect(JSON.parse((await store.detailJson('big')).toString('utf8')).summary).toMatchObject({ id: 'big', testAccuracy: 0.75 });
    await store.list();
    expect(store.servedRecords.parses).toBe(1);
  }, 30_000);

  it('holding a large damaged record: the error the worker found, for the run, not a request left waiting', async () => {
    const dir = tempDir();
    dirs.push(dir);
    mkdirSync(join(dir, 'bad'));
    const filler = 'x'.repeat(2 * WORKER_PARSE_BYTES);
    writeFileSync(join(dir, 'bad', 'results.json'), `{"command":"imdb","command":"imdb","note":"${filler}"}`);
    const store = new RunStore(dir);
    const detail = JSON.parse((await store.detailJson('bad')).toString('utf8'));
    expect(detail.results).toBeNull();
    expect(detail.summary.status).toBe('invalid');
    expect(detail.summary.error).toMatch(/results\.json .*"command"/);
    expect(store.servedRecords.parses).toBe(1);
  }, 30_000);
});

describe("an unfinished sweep's pending runs", () => {
  it('are read once per version of their results.json, a large one in a worker', async () => {
    const dir = tempDir();
    dirs.push(dir);
    mkdirSync(join(dir, 'sw', 'runs', 'a'), { recursive: true });
    mkdirSync(join(dir, 'sw', 'runs', 'b'), { recursive: true });
    const at = '2025-01-02T00:00:00.000Z';
    const spec = { command: 'addition', metric: 'testAccuracy', goal: 'max', axes: { hidden: [4, 8] }, seeds: [1], flags: {} };
    writeFileSync(join(dir, 'sw', 'sweep.json'), JSON.stringify({ schemaVersion: 1, kind: 'sweep', spec, createdAt: at, updatedAt: at, finishedAt: null,
      runs: [{ id: 'a', axes: { hidden: 4 }, seed: 1, status: 'pending', attempts: 0 }, { id: 'b', axes: { hidden: 8 }, seed: 1, status: 'pending', attempts: 0 }], summary: null }));
    writeRecord(join(dir, 'sw', 'runs', 'a', 'results.json'), 10, { accuracy: 0.5 });
    writeRecord(join(dir, 'sw', 'runs', 'b', 'results.json'), Math.ceil((2 * WORKER_PARSE_BYTES) / JSON.stringify(SAMPLE).length), { accuracy: 0.75 });
    const store = new SweepStore(dir);
    const [first] = await store.list();
    expect(first).toMatchObject({ id: 'sw', total: 2, completed: 2, pending: 0, unrecorded: 2 });
    expect(store.outlines.parses).toBe(2);
    expect(await store.list()).toEqual([first]);
    expect(store.outlines.parses).toBe(2);
  }, 30_000);
});
