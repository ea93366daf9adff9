/**
 * A `serve` start that fails to bind leaves nothing of its making on disk (the folders it made for --runs, and no
 * folder that was there before is touched); a CONNECT gets a 405 with `allow` like any other method the dashboard does
 * not serve; and a request path starting with `//` is looked up as that path, not read as a host name. In-process.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServe, startDashboard, type Dashboard } from '../../src/server/index.js';
import { request, tempDir } from './helpers.js';

function capture() {
  const out: string[] = [], err: string[] = [];
  return { io: { out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t) } }, out, err };
}

let d: Dashboard;
let base: string;
beforeAll(async () => {
  d = await startDashboard({ port: 0, runsDir: tempDir() });
  base = `http://127.0.0.1:${d.port}`;
});
afterAll(async () => {
  await d.close();
});

describe('a serve start that cannot bind', () => {
  it('removes the runs folder and the folders above it that it made, on a port in use', async () => {
    const parent = tempDir();
    const c = capture();
    expect(await runServe({ port: d.port, runsDir: join(parent, 'fresh', 'deep', 'runs') }, c.io)).toBe(1);
    expect(c.err.join('')).toMatch(/already in use/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('keeps the folders that were there before, and whatever they hold', async () => {
    const parent = tempDir();
    mkdirSync(join(parent, 'kept', 'old-run'), { recursive: true });
    expect(await runServe({ port: d.port, runsDir: join(parent, 'kept', 'runs') }, capture().io)).toBe(1);
    expect(readdirSync(join(parent, 'kept'))).toEqual(['old-run']);
    expect(await runServe({ port: d.port, runsDir: join(parent, 'kept') }, capture().io)).toBe(1);
    expect(existsSync(join(parent, 'kept', 'old-run'))).toBe(true);
  });

  it('removes them on a host that is no interface of this machine', async () => {
    const parent = tempDir();
    const c = capture();
    expect(await runServe({ port: 0, host: 'nonexistent.invalid', runsDir: join(parent, 'runs') }, c.io)).toBe(1);
    expect(c.err.join('')).toMatch(/^rnnlab serve: cannot (bind|listen on) nonexistent\.invalid:0/);
    expect(readdirSync(parent)).toEqual([]);
  });
});

/** Sends `text` on a raw connection and resolves with everything the server sent once it closed the connection. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(d.port, '127.0.0.1', () => sock.write(text));
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => { got += chunk; });
    sock.on('end', () => resolve(got));
    sock.on('error', reject);
  });
}

describe('request targets', () => {
  it('answers CONNECT with a 405 and what is allowed, then closes', async () => {
    const got = await raw(`CONNECT 127.0.0.1:${d.port} HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\n\r\n`);
    const [head, body] = got.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(head).toMatch(/\r\nallow: GET, HEAD, OPTIONS\r\n/);
    expect(JSON.parse(body)).toEqual({ error: 'CONNECT is not allowed here (this is no proxy)', status: 405 });
  });

  it('looks a path starting with // up as that path, not as a host', async () => {
    const passwd = await request(base, 'GET', '//etc/passwd');
    expect([passwd.status, passwd.body.error]).toEqual([404, 'no such file: //etc/passwd']);
    const index = await request(base, 'GET', '//x/');
    expect([index.status, index.body.error]).toEqual([404, 'no such file: //x/']);
    expect((await request(base, 'GET', '/')).status).toBe(200);
  });
});
