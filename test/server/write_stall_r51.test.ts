/**
 * A client that asks for a large answer and then never reads it fills the kernel's buffers: the answer never finishes,
 * so neither the close rule's linger nor keep-alive's timeout ever starts, and Node's request timeouts are over once
 * the request has arrived. Such a connection is dropped once its pending answer has made no progress for
 * SERVER_LIMITS.writeStallMs, which frees its slot; a client that reads slowly, or an event stream with nothing to
 * send, is left alone. In-process with short limits (no dist/ needed).
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDashboard } from '../../src/server/index.js';
import { SERVER_LIMITS } from '../../src/server/server.js';
import { imdbRunId, tempDir, until, writeImdbRuns } from './helpers.js';

type Dashboard = Awaited<ReturnType<typeof startDashboard>>;
const CAP = 2;
const STALL_MS = 1500;
// Far more than the kernel's buffers on both ends take in for a client that does not read.
const SIZE = 24 << 20;
// A run record's note this long makes its JSON answer many times what the kernel's buffers hold.
const NOTE = 16 << 20;
let d: Dashboard;

beforeAll(async () => {
  const runsDir = tempDir();
  writeImdbRuns(runsDir, 2);
  const at = new Date(Date.UTC(2025, 0, 1, 10, 0, 1)).toISOString();
  const record = { command: 'imdb', startedAt: at, finishedAt: at, config: { model: 'lstm' }, history: { loss: [0.5] }, metrics: {}, details: { notes: ['n'.repeat(NOTE)] } };
  writeFileSync(join(runsDir, imdbRunId(1), 'results.json'), JSON.stringify(record));
  const page = Buffer.alloc(SIZE, 'x');
  page.write('<!doctype html>');
  writeFileSync(join(runsDir, imdbRunId(0), 'report.html'), page);
  const saved = { ...SERVER_LIMITS };
  // Node reads its timeouts and the cap when the server is made, and the server its stall bound: short ones for this server only.
  Object.assign(SERVER_LIMITS, { headersTimeoutMs: 1000, requestTimeoutMs: 1500, checkEveryMs: 250, maxConnections: CAP, writeStallMs: STALL_MS });
  d = await startDashboard({ port: 0, runsDir, dataPath: tempDir('rnnlab-no-imdb-') }).finally(() => Object.assign(SERVER_LIMITS, saved));
});
afterAll(async () => {
  await d.close();
});

const connections = () => new Promise<number>((resolve, reject) => d.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
const request = (extra: string, path = `/api/runs/${imdbRunId(0)}/report.html`) => `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${extra}\r\n`;

/** A client that sends its request and never reads the answer (what arrives stays in the kernel's buffers). */
function neverReads(head: string): net.Socket {
  const sock = net.connect({ port: d.port, host: '127.0.0.1', allowHalfOpen: true });
  sock.on('error', () => {});
  sock.pause();
  sock.write(head);
  return sock;
}

/**
 * A client that reads `burst` bytes, then stops reading for `pauseMs`, and so on until the server ends the
 * connection; resolves with all it read and whether the server ended it cleanly.
 */
function readsSlowly(head: string, burst: number, pauseMs: number): Promise<{ data: Buffer; ended: boolean }> {
  return new Promise((resolve) => {
    const sock = net.connect({ port: d.port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let quota = 0;
    let ended = false;
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      quota += c.length;
      if (quota >= burst) {
        quota = 0;
        sock.pause();
        setTimeout(() => sock.resume(), pauseMs);
      }
    });
    sock.on('end', () => { ended = true; });
    sock.on('error', () => {});
    sock.on('close', () => resolve({ data: Buffer.concat(chunks), ended }));
    sock.write(head);
  });
}

describe('a client that stops reading its answer', () => {
  it('is dropped once the answer makes no progress, with connection: close or kept alive, and its slot is free again', async () => {
    const stalled = [neverReads(request('connection: close\r\n')), neverReads(request(''))];
    try {
      await until(async () => (await connections()) === CAP, 10_000, 'the server to take both connections');
      // Long past every timeout Node has (headers, request) and the close rule's linger: only the stall bound ends them.
      await until(async () => (await connections()) === 0, 20_000, 'the server to drop the stalled connections');
      const health = await fetch(`http://127.0.0.1:${d.port}/api/health`);
      expect(health.status).toBe(200);
    } finally {
      for (const s of stalled) s.destroy();
    }
  }, 40_000);

  it('a client that reads slowly, pausing for less than the bound, gets the whole answer', async () => {
    // 1 MiB at a time with a pause after each: the answer takes many times the bound to arrive.
    const r = await readsSlowly(request('connection: close\r\n'), 1 << 20, 400);
    const split = r.data.indexOf('\r\n\r\n');
    const head = r.data.subarray(0, split).toString('latin1');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toContain(`content-length: ${SIZE}`);
    const body = r.data.subarray(split + 4);
    expect(body.length).toBe(SIZE);
    expect(body.subarray(0, 15).toString()).toBe('<!doctype html>');
    expect(body.subarray(15).every((b) => b === 0x78)).toBe(true);
    expect(r.ended).toBe(true);
  }, 120_000);

  it('a client that reads a large JSON answer slowly gets all of it (the answer is written a piece at a time)', async () => {
    const r = await readsSlowly(request('connection: close\r\n', `/api/runs/${imdbRunId(1)}`), 1 << 20, 400);
    const split = r.data.indexOf('\r\n\r\n');
    const head = r.data.subarray(0, split).toString('latin1');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const length = Number(/\r\ncontent-length: (\d+)\r\n/.exec(head)?.[1]);
    const body = r.data.subarray(split + 4);
    expect(length).toBeGreaterThan(NOTE);
    expect(body.length).toBe(length);
    const detail = JSON.parse(body.toString('utf8')) as { results: { details: { notes: string[] } } };
    expect(detail.results.details.notes[0]).toBe('n'.repeat(NOTE));
    expect(r.ended).toBe(true);
  }, 120_000);

  it('an event stream the client reads is not cut while the server has nothing to send', async () => {
    const sock = net.connect({ port: d.port, host: '127.0.0.1' });
    let text = '';
    let closed = false;
    sock.setEncoding('utf8');
    sock.on('data', (t: string) => { text += t; });
    sock.on('error', () => {});
    sock.on('close', () => { closed = true; });
    try {
      sock.write('GET /api/events HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
      await until(() => text.includes('retry: 2000'), 10_000, 'the stream to open');
      // Three times the bound with nothing sent either way (the heartbeat comes every 15 s).
      await new Promise((r) => setTimeout(r, 3 * STALL_MS));
      expect(closed).toBe(false);
      expect(await connections()).toBe(1);
    } finally {
      sock.destroy();
    }
  }, 30_000);
});

describe('a server that fails to listen', () => {
  it('leaves no stall-check timer behind; one that listened clears its timer when it closes', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as net.AddressInfo).port;
    // The stall check's timer told from any other by its period, one no other timer here has.
    const every = 7_777;
    const live = new Set<unknown>();
    const { setInterval: realSet, clearInterval: realClear } = globalThis;
    const set = vi.spyOn(globalThis, 'setInterval').mockImplementation(((f: () => void, ms?: number) => {
      const t = realSet(f, ms);
      if (ms === every) live.add(t);
      return t;
    }) as typeof setInterval);
    const clear = vi.spyOn(globalThis, 'clearInterval').mockImplementation(((t?: NodeJS.Timeout) => {
      live.delete(t);
      realClear(t);
    }) as typeof clearInterval);
    const saved = { ...SERVER_LIMITS };
    Object.assign(SERVER_LIMITS, { checkEveryMs: every });
    try {
      for (let i = 0; i < 2; i++) {
        await expect(startDashboard({ port, host: '127.0.0.1', runsDir: tempDir(), dataPath: tempDir('rnnlab-no-imdb-') })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      }
      expect(live.size).toBe(0);
      const ok = await startDashboard({ port: 0, runsDir: tempDir(), dataPath: tempDir('rnnlab-no-imdb-') });
      expect(live.size).toBe(1);
      await ok.close();
      expect(live.size).toBe(0);
    } finally {
      Object.assign(SERVER_LIMITS, saved);
      set.mockRestore();
      clear.mockRestore();
      blocker.close();
    }
  });
});
