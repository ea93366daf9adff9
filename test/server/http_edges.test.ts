/**
 * The dashboard left running: requests Node's parser refuses (too slow, headers too large, garbage on an open event
 * stream), OPTIONS and 405's Allow, query parameters the API would ignore, and the connection cap that keeps a
 * crowd of idle sockets from holding every file descriptor.
 */
import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { SERVER_LIMITS } from '../../src/server/server.js';
import { get, request, useTestServer } from './helpers.js';

const s = useTestServer();

/** Opens a raw connection, writes `text`, and resolves with everything the server sent once it closes the connection. */
function raw(text: string, then?: (sock: net.Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(s.d.port, '127.0.0.1');
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => { got += d; });
    sock.on('close', () => resolve(got));
    sock.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? resolve(got) : reject(e)));
    sock.write(text, () => then?.(sock));
  });
}

describe('methods', () => {
  it('a 405 names the methods the path takes in Allow, and OPTIONS answers 204 with them', async () => {
    const del = await request(s.base, 'DELETE', '/api/runs');
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD, OPTIONS');
    const put = await request(s.base, 'PUT', '/api/jobs');
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
    const opt = await request(s.base, 'OPTIONS', '/api/jobs');
    expect(opt.status).toBe(204);
    expect(opt.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
    expect(opt.text).toBe('');
    const postOnly = await request(s.base, 'OPTIONS', '/api/predict/sum');
    expect(postOnly.headers.allow).toBe('POST, OPTIONS');
    expect((await request(s.base, 'OPTIONS', '/api/nope')).status).toBe(404);
    const page = await request(s.base, 'POST', '/index.html', { body: '{}', headers: { 'content-type': 'application/json' } });
    expect(page.status).toBe(405);
    expect(page.headers.allow).toBe('GET, HEAD, OPTIONS');
    const pageOpt = await request(s.base, 'OPTIONS', '/');
    expect([pageOpt.status, pageOpt.headers.allow]).toEqual([204, 'GET, HEAD, OPTIONS']);
  });
});

describe('query parameters', () => {
  it('the API refuses one it would ignore, naming it; the access token stays allowed', async () => {
    const r = await get(s.base, '/api/jobs?limit=5&limit=6&sort=name');
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("/api/jobs takes no query parameters (got 'limit', 'sort'); send fields in a JSON body");
    // A paged listing takes its page parameters and refuses the rest, naming what it takes.
    const runs = await get(s.base, '/api/runs?limit=5&sort=name');
    expect([runs.status, runs.body.error]).toEqual([400, "/api/runs takes only limit and offset in its query (got 'sort'); send fields in a JSON body"]);
    const odd = await get(s.base, '/api/jobs?%ZZ=%E0%A4%A&&=');
    expect(odd.status).toBe(400);
    expect(odd.body.error).toMatch(/no query parameters/);
    expect((await get(s.base, '/api/runs?token=abc')).status).toBe(200);
    // An unknown path is still a 404, whatever its query.
    expect((await get(s.base, '/api/nope?x=1')).status).toBe(404);
  });
});

/** Resolves once the server holds no connection. */
function drained(): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => s.d.server.getConnections((_e, n) => (n === 0 ? resolve() : setTimeout(poll, 20)));
    poll();
  });
}

describe('a client that hangs up mid-body', () => {
  it('is not logged as an internal error of the server, which keeps serving', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await raw('POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"task":', (sock) => {
        setTimeout(() => sock.destroy(), 100);
      });
      await drained();
      // Handled by now: the aborted body's error settles as the socket closes, before a new connection is served.
      expect((await get(s.base, '/api/health')).status).toBe(200);
      expect(logged).not.toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });
});

describe('requests the parser refuses', () => {
  it('the server runs with its own timeouts and connection cap, not Node\'s defaults', () => {
    expect(s.d.server.headersTimeout).toBe(SERVER_LIMITS.headersTimeoutMs);
    expect(s.d.server.requestTimeout).toBe(SERVER_LIMITS.requestTimeoutMs);
    expect(s.d.server.maxConnections).toBe(SERVER_LIMITS.maxConnections);
    expect(SERVER_LIMITS.headersTimeoutMs).toBeLessThan(60_000);
  });

  it('a request whose headers trickle in (slow loris) is answered 408 and closed, not "malformed"', async () => {
    const saved = s.d.server.headersTimeout;
    s.d.server.headersTimeout = 300;
    try {
      let timer: NodeJS.Timeout | undefined;
      const got = await raw('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n', (sock) => {
        // One more header line now and then, never the blank line that ends them.
        timer = setInterval(() => { if (sock.writable) sock.write('x-slow: 1\r\n'); }, 100);
      });
      clearInterval(timer);
      expect(got).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(got).toContain('the request did not arrive in time');
    } finally {
      s.d.server.headersTimeout = saved;
    }
    expect((await get(s.base, '/api/health')).status).toBe(200);
  });

  it('headers over Node\'s size limit are a 431, not "malformed"', async () => {
    const got = await raw(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nx-big: ${'a'.repeat(40_000)}\r\n\r\n`);
    expect(got).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  });

  it('garbage sent on an open event stream ends the stream, then the 400 follows it: nothing is written into the stream', async () => {
    const got = await raw('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', (sock) => {
      sock.once('data', () => sock.write('NOT HTTP AT ALL\r\n\r\n'));
    });
    expect(got).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(got).toContain('event: snapshot');
    expect(got.match(/HTTP\/1\.1/g)).toHaveLength(2);
    // The stream's last chunk, then the refusal.
    expect(got).toMatch(/\r\n0\r\n\r\nHTTP\/1\.1 400 Bad Request\r\n[^]*\r\n\r\nmalformed HTTP request\n$/);
  });

  it('past the connection cap a new connection is dropped, and served again once others close', async () => {
    const idle: net.Socket[] = [];
    try {
      // Connections that send nothing: each holds a descriptor until the cap.
      for (let i = 0; i < SERVER_LIMITS.maxConnections; i++) {
        idle.push(await new Promise<net.Socket>((resolve, reject) => {
          const c = net.connect(s.d.port, '127.0.0.1', () => resolve(c));
          c.on('error', reject);
        }));
      }
      // The server counts a connection once it has accepted it: wait until it has all of them.
      await new Promise<void>((resolve) => {
        const poll = () => s.d.server.getConnections((_e, n) => (n >= SERVER_LIMITS.maxConnections ? resolve() : setTimeout(poll, 20)));
        poll();
      });
      const over = await raw('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nconnection: close\r\n\r\n');
      expect(over).toBe('');
    } finally {
      for (const c of idle) c.destroy();
    }
    await drained();
    expect((await get(s.base, '/api/health')).status).toBe(200);
  });
});
