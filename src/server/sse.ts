/**
 * Server-sent events: every connected page gets job updates and training curves as they happen. The hub holds at
 * most `maxClients` streams (a page opens one; a script opening streams without end gets a 503), and drops a
 * client that stops reading once more than `maxBufferedBytes` beyond its first snapshot wait for it, so a stalled
 * page cannot grow the server's memory for as long as it keeps the connection open. A dropped page reconnects (EventSource does)
 * and gets a fresh snapshot.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http.js';

const HEARTBEAT_MS = 15000;

export interface EventHubLimits {
  /** Streams open at once; the next is refused with a 503 until one closes. */
  maxClients: number;
  /** Bytes waiting for one client (written, not yet taken by its socket), beyond its first snapshot, past which it is dropped. */
  maxBufferedBytes: number;
}

/** Far more streams than tabs anyone keeps open; an epoch's histograms are tens of kilobytes. */
export const EVENT_HUB_LIMITS: EventHubLimits = { maxClients: 32, maxBufferedBytes: 16 << 20 };

export class EventHub {
  /** Each client with the backlog it may reach: its first snapshot (however large) plus maxBufferedBytes. */
  private clients = new Map<ServerResponse, number>();
  private heartbeat: NodeJS.Timeout | null = null;
  private nextId = 1;

  /** `transform` rewrites each event's JSON text (the server uses it to keep its folders private). */
  constructor(private readonly transform: (json: string) => string = (t) => t, private readonly limits: EventHubLimits = EVENT_HUB_LIMITS) {}

  get size(): number {
    return this.clients.size;
  }

  /** Opens the stream and sends the initial events (a snapshot of the jobs) to this client only. */
  add(req: IncomingMessage, res: ServerResponse, initial: [string, unknown][]): void {
    const headers = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    };
    // HEAD asks only whether the stream is there: it gets the headers, not a stream that never ends.
    if (req.method === 'HEAD') {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    if (this.clients.size >= this.limits.maxClients) {
      throw new HttpError(503, `${this.clients.size} event streams are open, the most this dashboard serves at once; close a dashboard tab and reload`);
    }
    res.writeHead(200, headers);
    res.write('retry: 2000\n\n');
    for (const [event, data] of initial) res.write(this.frame(event, data));
    // A long-lived server's snapshot can be large: a page still reading it is not a stalled one.
    this.clients.set(res, res.writableLength + this.limits.maxBufferedBytes);
    const drop = () => this.clients.delete(res);
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => this.send(': keep-alive\n\n'), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
  }

  private frame(event: string, data: unknown): string {
    const json = this.transform(JSON.stringify(data, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
    return `id: ${this.nextId++}\nevent: ${event}\ndata: ${json}\n\n`;
  }

  /** Writes to every client; one that has let too much pile up is cut off (its socket closed, its buffer freed). */
  private send(text: string): void {
    for (const [c, limit] of this.clients) {
      c.write(text);
      if (c.writableLength > limit) {
        this.clients.delete(c);
        c.destroy();
      }
    }
  }

  broadcast(event: string, data: unknown): void {
    if (!this.clients.size) return;
    this.send(this.frame(event, data));
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const c of this.clients.keys()) c.end();
    this.clients.clear();
  }
}
