/** The HTTP surface: the app's files, bad requests of every kind, the Host check, and `rnnlab serve` itself. */
import net from 'node:net';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { isLoopback, runServe, type Dashboard } from '../../src/server/index.js';
import { get, post, request, tempDir, useTestServer } from './helpers.js';

const s = useTestServer();


function capture() {
  const out: string[] = [], err: string[] = [];
  return { io: { out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t) } }, out, err };
}

describe('the single-page app', () => {
  it('serves index.html, the scripts, the styles and Chart.js from the installed package, with a strict CSP', async () => {
    const page = await get(s.base, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.text).toContain('<script src="/vendor/chart.umd.min.js"></script>');
    // Offline: no absolute URL to any other host.
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const [path, type] of [['/js/main.js', 'javascript'], ['/js/charts.js', 'javascript'], ['/app.css', 'text/css'], ['/favicon.svg', 'svg'], ['/favicon.ico', 'svg']]) {
      const r = await get(s.base, path);
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type'], path).toContain(type);
    }
    const chart = await get(s.base, '/vendor/chart.umd.min.js');
    expect(chart.status).toBe(200);
    expect(chart.text.length).toBeGreaterThan(100000);
    expect(chart.text).toMatch(/Chart\.js v4\.6/);
    const head = await request(s.base, 'HEAD', '/app.css');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('does not serve files outside web/, nor unknown files', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/js/../../package.json', '/js/%2e%2e/%2e%2e/src/server/index.ts', '/vendor/../../package.json', '/vendor/nope.js', '/nope.html', '/index.html%00.js', '/web/index.html']) {
      const r = await request(s.base, 'GET', path);
      expect(r.status, path).toBe(404);
    }
  });

  it('refuses writes to the static files', async () => {
    const r = await request(s.base, 'POST', '/index.html', { body: '{}', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(405);
  });
});

describe('bad requests get a 4xx with a message and the server keeps going', () => {
  it('unknown endpoints and wrong methods', async () => {
    const a = await get(s.base, '/api/nope');
    expect(a.status).toBe(404);
    expect(a.body.error).toMatch(/no such endpoint/);
    const b = await request(s.base, 'DELETE', '/api/runs');
    expect(b.status).toBe(405);
    expect(b.body.error).toMatch(/use GET/);
    const c = await get(s.base, '/api/predict/sum');
    expect(c.status).toBe(405);
  });

  it('bad JSON, a JSON body that is not an object, the wrong content type, an oversized body', async () => {
    const bad = await request(s.base, 'POST', '/api/jobs', { body: '{"task": "imdb",', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/not valid JSON/);
    const arr = await request(s.base, 'POST', '/api/jobs', { body: '[1,2]', headers: { 'content-type': 'application/json' } });
    expect(arr.status).toBe(400);
    expect(arr.body.error).toMatch(/JSON object/);
    const text = await request(s.base, 'POST', '/api/jobs', { body: 'task=imdb', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
    const big = await request(s.base, 'POST', '/api/predict/sum', { body: JSON.stringify({ model: 'x', query: 'y'.repeat(2 << 20) }), headers: { 'content-type': 'application/json' } });
    expect(big.status).toBe(413);
    const badPath = await request(s.base, 'GET', '/api/runs/%E0%A4%A');
    expect(badPath.status).toBe(400);
  });

  it('a POST to a route that takes none is a 404 or 405 whatever its content type; a hidden folder is no run', async () => {
    const plain = { body: 'x', headers: { 'content-type': 'text/plain' } };
    expect((await request(s.base, 'POST', '/api/nope', plain)).status).toBe(404);
    const health = await request(s.base, 'POST', '/api/health', plain);
    expect(health.status).toBe(405);
    expect((await request(s.base, 'POST', '/api/jobs', plain)).status).toBe(415);
    expect((await get(s.base, '/api/runs/.hidden')).status).toBe(404);
    const lab = await request(s.base, 'POST', '/api/lab/run', { body: '{}', headers: { 'content-type': 'application/json' } });
    expect(lab.status).toBe(400);
    expect(lab.body.error).toMatch(/^section is required/);
  });

  it('an oversized body still arriving gets its 413 with connection: close, and the connection is dropped, not drained', async () => {
    const { head, sent, declared } = await new Promise<{ head: string; sent: number; declared: number }>((resolve, reject) => {
      const declared = 64 << 20;
      const sock = net.connect(s.d.port, '127.0.0.1');
      let head = '', sent = 0;
      const chunk = Buffer.alloc(256 << 10, 0x20);
      const pump = () => { while (sent < declared && !sock.destroyed && sock.write(chunk)) sent += chunk.length; };
      sock.on('connect', () => {
        sock.write(`POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:${s.d.port}\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\nConnection: keep-alive\r\n\r\n`);
        pump();
      });
      sock.on('drain', pump);
      sock.on('data', (d) => { head += d.toString(); });
      sock.on('close', () => resolve({ head, sent, declared }));
      sock.on('error', () => undefined);
      setTimeout(() => reject(new Error('the connection stayed open')), 60_000).unref();
    });
    expect(head).toMatch(/^HTTP\/1.1 413/);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(sent).toBeLessThan(declared);
  });

  it('an oversized chunked body (no length declared) gets its 413, and the server lives on once the connection is dropped', async () => {
    const head = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(s.d.port, '127.0.0.1');
      let got = '';
      sock.on('connect', () => {
        sock.write(`POST /api/predict/sum HTTP/1.1\r\nHost: 127.0.0.1:${s.d.port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
        const chunk = Buffer.alloc(64 << 10, 0x20);
        for (let i = 0; i < 32; i++) sock.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      });
      sock.on('data', (d) => { got += d.toString(); });
      sock.on('close', () => resolve(got));
      sock.on('error', () => undefined);
      setTimeout(() => reject(new Error('the connection stayed open')), 30_000).unref();
    });
    expect(head).toMatch(/^HTTP\/1.1 413/);
    // The connection is dropped a moment after the answer; doing so once crashed the server (the request had let go
    // of its socket by then).
    await new Promise((r) => setTimeout(r, 1500));
    expect((await get(s.base, '/api/health')).status).toBe(200);
  });

  it('a malformed HTTP request line', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(s.d.port, '127.0.0.1', () => sock.write('THIS IS NOT HTTP\r\n\r\n'));
      let got = '';
      sock.on('data', (d) => (got += d.toString()));
      sock.on('end', () => resolve(got));
      sock.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1.1 400/);
  });

  it('answers only to loopback host names (no DNS rebinding)', async () => {
    const evil = await request(s.base, 'GET', '/api/health', { headers: { host: 'evil.example:80' } });
    expect(evil.status).toBe(403);
    expect(evil.body.error).toMatch(/localhost/);
    for (const host of [`localhost:${s.d.port}`, `127.0.0.1:${s.d.port}`, `[::1]:${s.d.port}`]) {
      expect((await request(s.base, 'GET', '/api/health', { headers: { host } })).status, host).toBe(200);
    }
  });

  it('is still healthy afterwards', async () => {
    const r = await get(s.base, '/api/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true });
    expect(r.body.backend.backend).toMatch(/native|reference/);
  });
});

describe('GET /api/config', () => {
  it('describes the forms: models, defaults, limits, demo jobs, data availability', async () => {
    const r = await get(s.base, '/api/config');
    expect(r.status).toBe(200);
    expect(r.body.imdbModels).toContain('lstm');
    expect(r.body.imdbDefaults.simple_rnn).toEqual({ epochs: 20, batchSize: 16 });
    expect(r.body.limits.epochs).toEqual([1, 200]);
    expect(r.body.demo.imdb).toMatchObject({ limit: 4000, epochs: 2, maxlen: 100 });
    expect(r.body.demo.addition).toMatchObject({ reverse: true, trainingSize: 30000, epochs: 20 });
    expect(typeof r.body.imdbData.available).toBe('boolean');
    // Only the folder's own name: an answer never carries an absolute path of this machine.
    expect(r.body.runsDir).toBe(basename(s.runsDir));
  });
});

describe('rnnlab serve', () => {
  it('binds 127.0.0.1 by default, prints the URL, and stops cleanly', async () => {
    const c = capture();
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let dash: Dashboard | undefined;
    const code = runServe({ port: 0, runsDir: tempDir() }, c.io, {
      stop: stopped,
      onReady: (d) => {
        dash = d;
        stop();
      },
    });
    expect(await code).toBe(0);
    expect(dash!.host).toBe('127.0.0.1');
    expect(c.out.join('')).toMatch(/rnnlab dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    expect(dash!.server.listening).toBe(false);
  });

  it('says so and exits non-zero when the port is busy', async () => {
    const c = capture();
    const code = await main(['serve', '--port', String(s.d.port), '--runs', tempDir()], c.io);
    expect(code).toBe(1);
    expect(c.err.join('')).toMatch(new RegExp(`port ${s.d.port} on 127\\.0\\.0\\.1 is already in use`));
  });

  it('is a command of rnnlab', async () => {
    const { main } = await import('../../src/cli/main.js');
    const c = capture();
    expect(await main(['serve', '--help'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/Usage: rnnlab serve/);
    const busy = capture();
    expect(await main(['serve', '--port', String(s.d.port), '--runs', tempDir()], busy.io)).toBe(1);
    expect(busy.err.join('')).toMatch(/already in use/);
  });

  it('checks its flags and has help', async () => {
    const bad = capture();
    expect(await main(['serve', '--port', '70000'], bad.io)).toBe(2);
    expect(bad.err.join('')).toMatch(/--port must be an integer from 0 to 65535/);
    const unknown = capture();
    expect(await main(['serve', '--bogus'], unknown.io)).toBe(2);
    const help = capture();
    expect(await main(['serve', '--help'], help.io)).toBe(0);
    expect(help.out.join('')).toMatch(/--host/);
    expect(help.out.join('')).toMatch(/127\.0\.0\.1/);
  });

  it('binds the interface --host names', async () => {
    const c = capture();
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let addr = '';
    const code = await runServe({ port: 0, host: '127.0.0.2', runsDir: tempDir() }, c.io, {
      stop: stopped,
      onReady: (d) => {
        addr = (d.server.address() as net.AddressInfo).address;
        stop();
      },
    });
    expect(code).toBe(0);
    expect(addr).toBe('127.0.0.2');
    // Which addresses count as private to this machine (anything else gets a warning when bound).
    for (const h of ['127.0.0.1', '127.3.4.5', 'localhost', '::1', '[::1]']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) expect(isLoopback(h), h).toBe(false);
  });

  it('rejects a demo request for an unknown task', async () => {
    const r = await post(s.base, '/api/demo', { task: 'nope' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/task must be one of imdb, addition, both/);
  });
});
