/**
 * A body over the 1 MiB limit is answered 413 before it has all arrived. Clients that write the whole body before
 * they read (fetch, http.request) must still get that answer, not a reset: the server keeps reading (and dropping) the
 * rest for a moment before it closes.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERVER_LIMITS } from '../../src/server/server.js';
import { tempDir, useTestServer } from './helpers.js';

// No job runs here: the bodies are refused before any handler looks at them, and so is a job request behind one.
const server = useTestServer(() => ({ dataPath: tempDir('rnnlab-no-imdb-') }));

beforeAll(async () => {
  // A fresh server answers its first request slowly, and a body sent meanwhile mostly arrives before the 413 does.
  expect((await fetch(`http://127.0.0.1:${server.d.port}/api/health`)).status).toBe(200);
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
    execFile(process.execPath, ['-e', CLIENT, how, `http://127.0.0.1:${server.d.port}${path}`, String(BIG), String(PIECE)], { timeout: 30_000 }, (err, stdout) => {
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

/** Writes `first` and then a job request on one connection; resolves with the status lines received once it closes. */
function pipelineJob(first: Buffer, name: string, oneWrite: boolean): Promise<string[]> {
  const job = JSON.stringify({ task: 'addition', name, epochs: 1, digits: 2, trainingSize: 100 });
  const second = Buffer.from(`POST /api/jobs HTTP/1.1\r\nhost: 127.0.0.1:${server.d.port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(job)}\r\n\r\n${job}`);
  return new Promise((resolve, reject) => {
    const s = net.connect(server.d.port, '127.0.0.1');
    let got = '';
    s.on('data', (b) => (got += b.toString('latin1')));
    s.on('error', reject);
    s.on('close', () => resolve(got.match(/HTTP\/1\.1 \d+/g) ?? []));
    if (oneWrite) s.write(Buffer.concat([first, second]));
    else {
      s.write(first);
      s.write(second);
    }
    // The server closes the connection; the client never sends more.
    s.end();
  });
}

const head = (path: string, headers: string) => `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${server.d.port}\r\ncontent-type: application/json\r\n${headers}\r\n`;

async function jobNames(): Promise<string[]> {
  // Longer than the moment the refused connection is kept reading: anything parsed in it has been handled by now.
  await sleep(SERVER_LIMITS.unreadLingerMs + 500);
  const r = await fetch(`http://127.0.0.1:${server.d.port}/api/jobs`);
  return ((await r.json()) as { jobs: { name: string }[] }).jobs.map((j) => j.name);
}

describe('a request pipelined behind one answered with connection: close is not acted on (its answer is never sent)', () => {
  const big = Buffer.alloc(2 << 20, 0x20);

  it('behind an oversized body with a declared length', async () => {
    const first = Buffer.concat([Buffer.from(head('/api/predict/sum', `content-length: ${big.length}\r\n`)), big]);
    expect(await pipelineJob(first, 'pipelined-after-413-length', false)).toEqual(['HTTP/1.1 413']);
    expect(await jobNames()).not.toContain('pipelined-after-413-length');
  });

  it('behind an oversized chunked body', async () => {
    const first = Buffer.concat([Buffer.from(head('/api/predict/sum', `transfer-encoding: chunked\r\n`) + `${big.length.toString(16)}\r\n`), big, Buffer.from('\r\n0\r\n\r\n')]);
    expect(await pipelineJob(first, 'pipelined-after-413-chunked', false)).toEqual(['HTTP/1.1 413']);
    expect(await jobNames()).not.toContain('pipelined-after-413-chunked');
  });

  it('behind a 415 sent in the same write', async () => {
    const first = Buffer.from(`POST /api/predict/sum HTTP/1.1\r\nhost: 127.0.0.1:${server.d.port}\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello`);
    expect(await pipelineJob(first, 'pipelined-after-415', true)).toEqual(['HTTP/1.1 415']);
    expect(await jobNames()).not.toContain('pipelined-after-415');
  });

  it('requests pipelined on a connection kept open are all answered, in order', async () => {
    const get = (path: string) => `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${server.d.port}\r\n\r\n`;
    const got = await new Promise<string>((resolve, reject) => {
      const s = net.connect(server.d.port, '127.0.0.1');
      let text = '';
      s.on('data', (b) => {
        text += b.toString('latin1');
        if ((text.match(/HTTP\/1\.1 /g) ?? []).length === 3 && text.endsWith('}')) s.end();
      });
      s.on('error', reject);
      s.on('close', () => resolve(text));
      s.write(get('/api/health') + get('/api/nothing-here') + get('/api/jobs'));
    });
    expect(got.match(/HTTP\/1\.1 \d+/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 404', 'HTTP/1.1 200']);
    expect(got).toContain('{"jobs":[');
  });
});

describe('a request carrying connection: close with more bytes behind it', () => {
  it('is answered once, and the connection then closes with nothing after it processed', async () => {
    const get = (path: string, extra: string) => `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${server.d.port}\r\n${extra}\r\n`;
    const got = await new Promise<string>((resolve, reject) => {
      const s = net.connect(server.d.port, '127.0.0.1');
      let text = '';
      s.on('data', (b) => (text += b.toString('latin1')));
      s.on('error', reject);
      // Resolves only once the server closes the connection: the client never ends its side.
      s.on('close', () => resolve(text));
      s.write(get('/api/health', 'connection: close\r\n') + get('/api/nothing-here', ''));
    });
    expect(got.match(/HTTP\/1\.1 \d+/g)).toEqual(['HTTP/1.1 200']);
    expect(got).toContain('"ok"');
  });
});
