/**
 * A body over the 1 MiB limit is answered 413 before it has all arrived. Clients that write the whole body before
 * they read (fetch, http.request) must still get that answer, not a reset: the server keeps reading (and dropping) the
 * rest for a moment before it closes.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/server/index.js';
import { tempDir } from './helpers.js';

// No job runs here: the bodies are refused before any handler looks at them.
let d: Dashboard;

beforeAll(async () => {
  d = await startDashboard({ port: 0, runsDir: tempDir(), dataPath: tempDir('rnnlab-no-imdb-') });
  // A fresh server answers its first request slowly, and a body sent meanwhile mostly arrives before the 413 does.
  expect((await fetch(`http://127.0.0.1:${d.port}/api/health`)).status).toBe(200);
});
afterAll(async () => {
  await d.close();
});

const LIMIT = 1 << 20;
const BIG = 16 << 20;
const PIECE = 64 << 10;

/**
 * The client runs in a process of its own, as a real one does: in the server's process its writes and the server's
 * reads take turns on one event loop, and the reset never shows.
 */
const CLIENT = `
const [how, url, big, piece] = process.argv.slice(1);
const n = Number(big), k = Number(piece);
const pieces = Array.from({ length: n / k }, () => Buffer.alloc(k, 0x20));
const done = (status, text) => { process.stdout.write(JSON.stringify({ status, text })); process.exit(0); };
const fail = (e) => { process.stdout.write(JSON.stringify({ error: String(e?.cause?.code ?? e?.code ?? e) })); process.exit(0); };
const headers = { 'content-type': 'application/json' };
if (how.startsWith('fetch')) {
  const body = how === 'fetch' ? Buffer.concat(pieces)
    : new ReadableStream({ pull(c) { const p = pieces.pop(); if (p) c.enqueue(p); else c.close(); } });
  fetch(url, { method: 'POST', headers, body, duplex: 'half' })
    .then(async (r) => done(r.status, await r.text() + ' connection: ' + r.headers.get('connection')), fail);
} else {
  const http = require('node:http');
  if (how === 'http-length') headers['content-length'] = n;
  const req = http.request(url, { method: 'POST', headers }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (t) => (text += t));
    res.on('end', () => done(res.statusCode, text));
  });
  req.on('error', fail);
  for (const p of pieces) req.write(p);
  req.end();
}`;

function send(how: 'fetch' | 'fetch-stream' | 'http-length' | 'http-chunked', path: string): Promise<{ status?: number; text?: string; error?: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', CLIENT, how, `http://127.0.0.1:${d.port}${path}`, String(BIG), String(PIECE)], { timeout: 30_000 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout));
    });
  });
}

describe('an oversized body sent whole before the answer is read gets its 413, not a reset', () => {
  it('fetch with a declared length', async () => {
    const r = await send('fetch', '/api/predict/sum');
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(413);
    expect(r.text).toContain(`request body of ${BIG} bytes is over the limit of ${LIMIT} bytes`);
    expect(r.text).toContain('connection: close');
  });

  it('fetch with a streamed (chunked) body', async () => {
    const r = await send('fetch-stream', '/api/predict/sum');
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(413);
    expect(r.text).toContain(`request body is over the limit of ${LIMIT} bytes`);
  });

  it('http.request writing a declared-length body in full', async () => {
    const r = await send('http-length', '/api/jobs');
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text!).error).toBe(`request body of ${BIG} bytes is over the limit of ${LIMIT} bytes`);
  });

  it('http.request writing a chunked body in full', async () => {
    const r = await send('http-chunked', '/api/jobs');
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text!).error).toBe(`request body is over the limit of ${LIMIT} bytes`);
  });
});
