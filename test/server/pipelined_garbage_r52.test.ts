/**
 * Malformed bytes pipelined behind valid requests (in the same write): each request before them gets its whole
 * answer, in order, and then the 400 closes the connection; behind a request that asked to close, the close alone.
 * Behind an event stream: stream_garbage_r53.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { tempDir, useTestServer } from './helpers.js';

const s = useTestServer(() => ({ dataPath: tempDir('rnnlab-no-imdb-') }));

/** Writes `bytes` in one write; resolves with all that came back once the server closed the connection. */
function exchange(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(s.d.port, '127.0.0.1');
    let text = '';
    c.setEncoding('latin1');
    c.on('data', (t) => (text += t));
    c.on('error', reject);
    c.on('end', () => c.end());
    c.on('close', () => resolve(text));
    c.write(bytes);
  });
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${extra}\r\n`;
const GARBAGE = 'GARBAGE\r\n\r\n';
const REFUSAL = 'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: text/plain\r\n\r\nmalformed HTTP request\n';
const statuses = (text: string) => text.match(/HTTP\/1\.1 \d+/g);

describe('malformed bytes behind a valid request in the same write', () => {
  it('the request is answered whole, then the 400, then the close', async () => {
    const text = await exchange(get('/api/health') + GARBAGE);
    expect(statuses(text)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 400']);
    expect(text.endsWith(`}${REFUSAL}`)).toBe(true);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4, text.indexOf(REFUSAL))).ok).toBe(true);
  });

  it('every request before them is answered in order, one that takes a while included', async () => {
    const text = await exchange(get('/api/health') + get('/api/nothing-here') + get('/api/runs') + GARBAGE);
    expect(statuses(text)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 404', 'HTTP/1.1 200', 'HTTP/1.1 400']);
    expect(text.endsWith(REFUSAL)).toBe(true);
  });

  it('behind a request that asked to close: its answer, then the close, nothing more', async () => {
    const text = await exchange(get('/api/health', 'connection: close\r\n') + GARBAGE);
    expect(statuses(text)).toEqual(['HTTP/1.1 200']);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).ok).toBe(true);
  });
});
