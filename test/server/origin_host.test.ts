/**
 * Who counts as the dashboard's own page when it sits behind a TLS proxy (an https Origin for the Host the request
 * names, any other scheme, host or port refused), and a request with more than one Host header (a 400: which one
 * counts must not be a guess).
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkSameOrigin } from '../../src/server/request_guard.js';
import { get, request, useTestServer } from './helpers.js';

const s = useTestServer();

const json = { 'content-type': 'application/json' };
/** A request that changes nothing but goes through the same-origin check as every POST. */
const predict = (headers: Record<string, string>) =>
  request(s.base, 'POST', '/api/predict/sentiment', { body: JSON.stringify({ model: 'fresh:lstm', text: 'a good film' }), headers: { ...json, ...headers } });

/** checkSameOrigin's answer for a POST with these headers: null when allowed, else the refusal's message. */
function originCheck(headers: Record<string, string>): string | null {
  try {
    checkSameOrigin({ method: 'POST', headers } as unknown as IncomingMessage);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('the same-origin check behind a TLS proxy', () => {
  it('lets a POST through from the http or https page of the host and port the request names', async () => {
    const host = `127.0.0.1:${s.d.port}`;
    for (const origin of [`http://${host}`, `https://${host}`, `HTTPS://${host}`]) {
      const r = await predict({ origin });
      expect(r.status, `${origin}: ${r.text}`).toBe(200);
    }
  });

  it('refuses another port, host or scheme, and names both schemes of its own origin', async () => {
    const host = `127.0.0.1:${s.d.port}`;
    for (const origin of [`https://127.0.0.1:${s.d.port + 1}`, `https://localhost:${s.d.port}`, `ftp://${host}`, `https://${host}.evil.example`, `https://evil.example`, 'null']) {
      const r = await predict({ origin });
      expect([r.status, r.body.error], origin).toEqual([403, `requests from other origins may not change anything here (Origin '${origin}' is not http://${host} or https://${host})`]);
    }
  });

  it("off loopback, takes the proxy's https origin for the Host it forwards, a default port written or not", () => {
    expect(originCheck({ host: 'lab.example.com', origin: 'https://lab.example.com' })).toBeNull();
    expect(originCheck({ host: 'lab.example.com', origin: 'http://lab.example.com' })).toBeNull();
    expect(originCheck({ host: 'lab.example.com:443', origin: 'https://lab.example.com' })).toBeNull();
    expect(originCheck({ host: 'lab.example.com:8443', origin: 'https://lab.example.com:8443' })).toBeNull();
    // A port written names one server: the other scheme's default port is another one, and another site.
    expect(originCheck({ host: 'lab.example.com:443', origin: 'http://lab.example.com' })).toMatch(/^requests from other origins/);
    expect(originCheck({ host: 'lab.example.com', origin: 'https://lab.example.com:8443' })).toMatch(/^requests from other origins/);
    expect(originCheck({ host: 'lab.example.com', origin: 'https://evil.example.com' })).toMatch(/^requests from other origins/);
    expect(originCheck({ host: 'lab.example.com', origin: 'https://lab.example.com.evil.example' })).toMatch(/^requests from other origins/);
    expect(originCheck({ host: 'lab.example.com', origin: 'https://lab.example.com', 'sec-fetch-site': 'cross-site' })).toMatch(/^cross-site requests/);
  });
});

/** Sends raw request text and resolves with the status line of the answer. */
function rawStatus(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(s.d.port, '127.0.0.1', () => sock.write(text));
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => { got += d; });
    sock.on('close', () => resolve(got));
    sock.on('error', reject);
  });
}

describe('the Host header', () => {
  it('is a 400 when sent twice, whichever comes first, and a single one still answers', async () => {
    const port = s.d.port;
    for (const [first, second] of [[`127.0.0.1:${port}`, 'evil.example'], ['evil.example', `127.0.0.1:${port}`], [`127.0.0.1:${port}`, `127.0.0.1:${port}`]]) {
      const answer = await rawStatus(`GET /api/health HTTP/1.1\r\nHost: ${first}\r\nhost: ${second}\r\nConnection: close\r\n\r\n`);
      expect(answer.split('\r\n')[0], `${first} then ${second}`).toBe('HTTP/1.1 400 Bad Request');
      expect(answer).toContain('"error":"more than one Host header"');
    }
    expect((await get(s.base, '/api/health')).status).toBe(200);
  });
});
