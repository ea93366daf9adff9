/**
 * An event stream read frame by frame, with each frame's id, for the tests of how streams are written (the page's
 * /api/events and a job's /api/jobs/:id/events alike).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EVENT_HUB_LIMITS, EventHub, type EventHubLimits } from '../../src/server/sse.js';
import type { TestServer } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Frame { id: number; event: string; data: any }
/** ended: the server ended the stream (its last byte came); closed: the connection is gone, either way. */
export interface Stream { frames: Frame[]; res: http.IncomingMessage; ended: boolean; closed: boolean }

/**
 * The stream at `path` (/api/events unless given) read frame by frame. paused: nothing is read until res.resume().
 * burst/pauseMs: a page reading slowly, stopping for pauseMs after every burst characters.
 */
export function openStream(base: string, o: { path?: string; paused?: boolean; burst?: number; pauseMs?: number } = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${o.path ?? '/api/events'}`, { agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`the stream answered ${res.statusCode}`));
      if (o.paused) res.pause();
      const s: Stream = { frames: [], res, ended: false, closed: false };
      // Chunks of a frame not yet ended; joined once its end arrives (a 24 MiB snapshot comes in hundreds of chunks).
      let parts: string[] = [];
      let quota = 0;
      res.setEncoding('utf8');
      res.on('data', (t: string) => {
        const before = parts.at(-1)?.at(-1) ?? '';
        if (!(before + t).includes('\n\n')) {
          parts.push(t);
        } else {
          let buf = parts.join('') + t;
          parts = [];
          let at: number;
          while ((at = buf.indexOf('\n\n')) >= 0) {
            const lines = buf.slice(0, at).split('\n');
            buf = buf.slice(at + 2);
            const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
            const data = field('data');
            if (data !== undefined) s.frames.push({ id: Number(field('id')), event: field('event')!, data: JSON.parse(data) });
          }
          if (buf) parts.push(buf);
        }
        if (o.burst && (quota += t.length) >= o.burst) {
          quota = 0;
          res.pause();
          setTimeout(() => res.resume(), o.pauseMs);
        }
      });
      res.on('end', () => { s.ended = true; });
      res.on('close', () => { s.closed = true; });
      resolve(s);
    });
    req.on('error', () => {});
  });
}

/** The server's end of the next connection made. */
export function nextServerSocket(t: TestServer): Promise<Socket> {
  return new Promise((resolve) => t.d.server.once('connection', resolve));
}

/**
 * A hub on a server of its own: a request opens a job's stream (`?job=X`) or else the page's, with a first snapshot of
 * `snapshotChars` (the page's with an empty job list), then runs `opened` at once: the socket has not taken the
 * snapshot's first piece yet (a piece is more than a socket's buffer holds before it says to wait), so what `opened`
 * broadcasts waits in the stream's queue.
 */
export async function hubServer(snapshotChars: number, opened: (hub: EventHub) => void = () => {}, limits: EventHubLimits = { ...EVENT_HUB_LIMITS }): Promise<{ hub: EventHub; base: string; close(): Promise<void> }> {
  const hub = new EventHub((t) => t, limits);
  const server = http.createServer((req, res) => {
    const job = new URL(req.url!, 'http://x').searchParams.get('job');
    const pad = 'p'.repeat(snapshotChars);
    hub.add(req, res, [['snapshot', job === null ? { jobs: [], pad } : { pad }]], { topic: job === null ? null : `job:${job}` });
    opened(hub);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    hub, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      hub.close();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
