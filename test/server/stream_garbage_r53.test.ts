/**
 * Malformed bytes on the connection of an event stream, pipelined behind it in the same write or sent later: the stream
 * is answered as any request is (its headers and first snapshot), then ended cleanly, the requests queued behind it
 * are answered in order, and the 400 follows, as behind a plain request (pipelined_garbage_r52); nothing is written into
 * the stream itself.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { tempDir, useTestServer } from './helpers.js';

const s = useTestServer(() => ({ dataPath: tempDir('rnnlab-no-imdb-') }));

const get = (path: string) => `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`;
const GARBAGE = 'GARBAGE\r\n\r\n';
const REFUSAL = 'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: text/plain\r\n\r\nmalformed HTTP request\n';
const statuses = (text: string) => text.match(/HTTP\/1\.1 \d+/g);

/**
 * Writes `first`; once what came back holds `waitFor` (when given), writes `then`. Resolves with all that came back
 * once the server closed the connection.
 */
function exchange(first: string, waitFor?: string, then = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(s.d.port, '127.0.0.1');
    let text = '';
    let sent = waitFor === undefined;
    c.setEncoding('latin1');
    c.on('data', (t) => {
      text += t;
      if (!sent && text.includes(waitFor!)) {
        sent = true;
        c.write(then);
      }
    });
    c.on('error', reject);
    c.on('end', () => c.end());
    c.on('close', () => resolve(text));
    c.write(first);
  });
}

/** The event stream's answer at the start of `text`: its headers, its body (chunked, decoded) and what follows its last chunk. */
function streamAnswer(text: string): { head: string; body: string; after: string } {
  const end = text.indexOf('\r\n\r\n');
  const head = text.slice(0, end);
  let at = end + 4, body = '';
  for (;;) {
    const line = text.indexOf('\r\n', at);
    const size = parseInt(text.slice(at, line), 16);
    expect(Number.isNaN(size), `a chunk size at byte ${at}`).toBe(false);
    at = line + 2;
    if (size === 0) return { head, body, after: text.slice(at + 2) };
    body += text.slice(at, at + size);
    at += size + 2;
  }
}

/** The stream's snapshot event, parsed: what a page reads first. */
const snapshotOf = (body: string) => JSON.parse(/event: snapshot\ndata: (.*)\n/.exec(body)![1]) as { jobs: unknown[] };

describe('malformed bytes behind an event stream', () => {
  it('in the same write: the stream headers and snapshot, its clean end, then the 400', async () => {
    const text = await exchange(get('/api/events') + GARBAGE);
    expect(statuses(text)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 400']);
    const stream = streamAnswer(text);
    expect(stream.head).toMatch(/\r\ncontent-type: text\/event-stream; charset=utf-8\r\n/);
    expect(stream.head).toMatch(/\r\ntransfer-encoding: chunked(\r\n|$)/i);
    expect(snapshotOf(stream.body)).toEqual({ jobs: [] });
    expect(stream.body).not.toMatch(/HTTP\/1\.1|malformed/);
    expect(stream.after).toBe(REFUSAL);
  }, 10_000);

  it('with a request queued behind the stream: the stream, that answer, then the 400', async () => {
    const text = await exchange(get('/api/events') + get('/api/health') + GARBAGE);
    expect(statuses(text)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 400']);
    const { body, after } = streamAnswer(text);
    expect(snapshotOf(body)).toEqual({ jobs: [] });
    expect(after.endsWith(REFUSAL)).toBe(true);
    const health = after.slice(0, -REFUSAL.length);
    expect(JSON.parse(health.slice(health.indexOf('\r\n\r\n') + 4)).ok).toBe(true);
  }, 10_000);

  it('behind a stream that begins once an answer before it is sent: that answer, the stream, then the 400', async () => {
    const text = await exchange(get('/api/runs') + get('/api/events') + GARBAGE);
    expect(statuses(text)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 400']);
    const runsEnd = text.indexOf('}HTTP/1.1 200') + 1;
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4, runsEnd))).toMatchObject({ runs: [], total: 0 });
    const stream = streamAnswer(text.slice(runsEnd));
    expect(snapshotOf(stream.body)).toEqual({ jobs: [] });
    expect(stream.after).toBe(REFUSAL);
  }, 10_000);

  it('sent on a stream already open: the stream ends cleanly, then the 400', async () => {
    const text = await exchange(get('/api/events'), 'event: snapshot', GARBAGE);
    expect(statuses(text)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 400']);
    const stream = streamAnswer(text);
    expect(snapshotOf(stream.body)).toEqual({ jobs: [] });
    expect(stream.after).toBe(REFUSAL);
  }, 10_000);
});
