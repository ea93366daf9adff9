/**
 * Answers written straight onto the connection (a CONNECT's 405, a malformed request's 400) close it the way every
 * other closing answer does: half-close, read and drop what the client still sends for a moment, then destroy. A
 * socket closed with bytes unread makes the kernel send a reset, and a client still writing then gets ECONNRESET
 * (and, if it had not read the answer yet, loses it) instead of a clean end.
 */
import { execFile } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, useTestServer } from './helpers.js';

const s = useTestServer(() => ({ dataPath: tempDir('rnnlab-no-imdb-') }));

beforeAll(async () => {
  expect((await fetch(`http://127.0.0.1:${s.d.port}/api/health`)).status).toBe(200);
});

// Far more than the kernel's buffers take in while the server does not read: left unread, the close is a reset.
const AFTER = 4 << 20;

/**
 * The client runs in a process of its own (in the server's process its writes and the server's reads take turns on
 * one event loop, and the reset never shows). It writes the request and then AFTER bytes more, reading all the while,
 * and reports what it read and how the connection ended.
 */
const CLIENT = `
const net = require('node:net');
const [port, head, after] = process.argv.slice(1);
const s = net.connect(Number(port), '127.0.0.1');
let text = '', ended = false, error;
s.setEncoding('latin1');
s.on('data', (t) => (text += t));
s.on('end', () => (ended = true));
s.on('error', (e) => (error = e.code ?? String(e)));
s.on('close', () => { process.stdout.write(JSON.stringify({ text, ended, error })); process.exit(0); });
s.write(head);
const piece = Buffer.alloc(64 << 10, 0x20);
for (let i = 0; i < Number(after) / piece.length; i++) s.write(piece);
s.end();`;

function send(head: string): Promise<{ text: string; ended: boolean; error?: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', CLIENT, String(s.d.port), head, String(AFTER)], { timeout: 30_000 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout));
    });
  });
}

describe('an answer written onto the raw connection reaches a client that keeps sending, and the connection ends cleanly', () => {
  it('a CONNECT followed by more bytes gets its whole 405', async () => {
    const r = await send(`CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n`);
    expect(r.error).toBeUndefined();
    expect(r.ended).toBe(true);
    expect(r.text).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    const [, body] = r.text.split('\r\n\r\n');
    expect(JSON.parse(body)).toEqual({ error: 'CONNECT is not allowed here (this is no proxy)', status: 405 });
  });

  it('a malformed request followed by more bytes gets its whole 400', async () => {
    const r = await send(`GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nbad header line\r\n\r\n`);
    expect(r.error).toBeUndefined();
    expect(r.ended).toBe(true);
    expect(r.text).toBe('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: text/plain\r\n\r\nmalformed HTTP request\n');
  });

  it('a request asking to close followed by more bytes gets its whole answer', async () => {
    const r = await send(`GET /api/health HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`);
    expect(r.error).toBeUndefined();
    expect(r.ended).toBe(true);
    expect(r.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(r.text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)).ok).toBe(true);
  });
});
