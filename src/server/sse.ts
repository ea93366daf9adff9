/** Server-sent events: every connected page gets job updates and training curves as they happen. */
import type { IncomingMessage, ServerResponse } from 'node:http';

const HEARTBEAT_MS = 15000;

export class EventHub {
  private clients = new Set<ServerResponse>();
  private heartbeat: NodeJS.Timeout | null = null;
  private nextId = 1;

  /** `transform` rewrites each event's JSON text (the server uses it to keep its folders private). */
  constructor(private readonly transform: (json: string) => string = (t) => t) {}

  get size(): number {
    return this.clients.size;
  }

  /** Opens the stream and sends the initial events (a snapshot of the jobs) to this client only. */
  add(req: IncomingMessage, res: ServerResponse, initial: [string, unknown][]): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    for (const [event, data] of initial) res.write(this.frame(event, data));
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => {
        for (const c of this.clients) c.write(': keep-alive\n\n');
      }, HEARTBEAT_MS);
      this.heartbeat.unref();
    }
  }

  private frame(event: string, data: unknown): string {
    const json = this.transform(JSON.stringify(data, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
    return `id: ${this.nextId++}\nevent: ${event}\ndata: ${json}\n\n`;
  }

  broadcast(event: string, data: unknown): void {
    if (!this.clients.size) return;
    const f = this.frame(event, data);
    for (const c of this.clients) c.write(f);
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
