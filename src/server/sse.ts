/**
 * Server-sent events: every connected page gets job updates as they happen. A stream is the general one (no topic:
 * the jobs' summaries, their progress, the lab's runs) or one job's (topic `job:<id>`: that job's epochs and batch
 * points). The hub holds at most `maxClients` streams of either kind (a page opens one, and one for the job it shows;
 * a script opening streams without end gets a 503). A stream is written
 * as fast as its socket takes it, never faster: the frames a page has not taken yet (it reads slowly, or is still
 * reading a large first snapshot) wait in its queue, in order, and the server's stall rule sees it progress with
 * every piece it takes, and a frame is let go once written. A frame that gives a job's (or a lab run's) whole state
 * takes the place of a queued one before it that nothing else about that job followed, at its place in the queue
 * (the page lists jobs in the order it first hears of them), unless that one is the first this stream carries about
 * the job: a job that failed while the page was busy is still seen going on, then ending. A job's `progress` (its
 * place in its training, whole in each frame, a dozen a second) takes the place of its queued one that has not begun
 * to be written: at that one's place when nothing else about the job followed it, else at the end, that one dropped,
 * so a stalled page holds one per job rather than piling them up, and never hears an older place after a newer
 * summary. A frame's id is given as
 * its first byte is written, not as it is queued, so a stream's ids count up from 1 whatever took another's place. A
 * page whose queue holds more than `maxBufferedBytes` beyond its first snapshot is dropped, so a stalled page cannot
 * grow the server's memory for as long as it keeps the connection open.
 * A dropped page reconnects (EventSource does) and gets a fresh snapshot.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BODY_PIECE_BYTES, HttpError } from './http.js';

const HEARTBEAT = ': keep-alive\n\n';
const HEARTBEAT_MS = 15000;
/** How long a page's EventSource waits before it reconnects to a stream that dropped. */
const RETRY = 'retry: 2000\n';

export interface EventHubLimits {
  /** Streams open at once; the next is refused with a 503 until one closes. */
  maxClients: number;
  /** Bytes of frames waiting for one client (not yet handed to its socket), beyond its first snapshot, past which it is dropped. */
  maxBufferedBytes: number;
}

/** Far more streams than tabs anyone keeps open; an epoch's histograms are tens of kilobytes. */
export const EVENT_HUB_LIMITS: EventHubLimits = { maxClients: 32, maxBufferedBytes: 16 << 20 };

/**
 * What the dashboard's events are about (the thing, and the field naming which one). `whole`: the event carries the
 * thing's whole state, so a newer one makes an older one obsolete; the others (new points of a curve, an epoch, a lab
 * run's output) add to what came before and are never dropped. Events not listed are about nothing, and always kept.
 */
const ABOUT = new Map<string, { thing: string; key: string; whole: boolean }>([
  ['job', { thing: 'job', key: 'id', whole: true }],
  ['progress', { thing: 'job', key: 'id', whole: false }],
  ['batches', { thing: 'job', key: 'id', whole: false }],
  ['epoch', { thing: 'job', key: 'id', whole: false }],
  ['lab-status', { thing: 'lab', key: 'run', whole: true }],
  ['lab-output', { thing: 'lab', key: 'run', whole: false }],
]);

/** Events of which only the newest about each thing matters (each gives it whole), however many others came between. */
const LATEST_ONLY = new Set(['progress']);

/**
 * A frame's bytes, shared by every client it is queued for, without its id (each stream numbers its own);
 * `counted`: toward maxBufferedBytes (all but the first snapshot); `event`: an event, which gets an id (not the retry line);
 * `latest`: for a LATEST_ONLY event, the event and its thing, which a newer such frame replaces while it waits.
 */
interface Frame { bytes: Buffer; about: string | null; whole: boolean; counted: boolean; event: boolean; latest?: string }

/**
 * A frame in one client's queue; `frame` null once written whole, or once a newer LATEST_ONLY frame dropped it before it
 * began (skipped when reached). `first`: the first this stream carries about its thing.
 */
interface Queued { frame: Frame | null; started: boolean; first: boolean }

interface Client {
  res: ServerResponse;
  /** null: the general stream; else the one thing (`job:<id>`) whose detail this stream carries. */
  topic: string | null;
  /** The id the next event written gets. */
  nextId: number;
  queue: Queued[];
  /** The queue's first entry not yet written whole, and how many of its bytes were. */
  head: number;
  at: number;
  /** Bytes of the counted frames not yet handed to the socket. */
  queued: number;
  /** The last frame queued about each thing this stream has carried (written or not). */
  last: Map<string, Queued>;
  /** The last LATEST_ONLY frame queued of each event about each thing (Frame.latest). */
  latest: Map<string, Queued>;
  /** A write returned false: the next waits for 'drain'. */
  waiting: boolean;
  /** The hub closed, or its topic ended: the stream takes no more frames, and ends once what is queued is written. */
  ending: boolean;
}

/** The connections an event stream is being written on: nothing can be answered after it on the same connection. */
const streaming = new WeakSet<object>();

/** Whether an event stream's headers went out on this connection and the stream has not ended. */
export function isEventStreamSocket(socket: object): boolean {
  return streaming.has(socket);
}

/** How a stream is opened: about one topic (null: the general stream), and whether it ends after its first frames. */
export interface StreamOptions {
  topic?: string | null;
  /** Sent after the initial events, then the stream ends: the topic is over (a finished job's stream). */
  last?: [string, unknown];
}

export class EventHub {
  private clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout | null = null;

  /** `transform` rewrites each event's JSON text (the server uses it to keep its folders private). */
  constructor(private readonly transform: (json: string) => string = (t) => t, private readonly limits: EventHubLimits = EVENT_HUB_LIMITS) {}

  get size(): number {
    return this.clients.size;
  }

  /** Opens the stream and sends the initial events (a snapshot) to this client only. */
  add(req: IncomingMessage, res: ServerResponse, initial: [string, unknown][], o: StreamOptions = {}): void {
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
    // A request made by hand (a test's) may have no socket: nothing can be pipelined behind it.
    const socket = req.socket as object | null;
    if (socket) {
      streaming.add(socket);
      res.once('finish', () => streaming.delete(socket));
    }
    const c: Client = { res, topic: o.topic ?? null, nextId: 1, queue: [], head: 0, at: 0, queued: 0, last: new Map(), latest: new Map(), waiting: false, ending: false };
    // A long-lived server's snapshot can be large: a page still reading it is not a stalled one. The reconnection
    // delay rides on the first event (an event's block may carry it), or goes alone when there is none.
    const opening = [...initial, ...(o.last ? [o.last] : [])];
    opening.forEach(([event, data], i) => this.enqueue(c, { bytes: Buffer.from((i ? '' : RETRY) + this.frame(event, data)), about: null, whole: false, counted: false, event: true }));
    if (!opening.length) this.enqueue(c, { bytes: Buffer.from(`${RETRY}\n`), about: null, whole: false, counted: false, event: false });
    c.ending = !!o.last;
    // Counted until its socket closes, an ending one too: a client opening finished jobs' streams without reading them is bounded as any.
    this.clients.add(c);
    const drop = () => this.clients.delete(c);
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
    res.on('drain', () => {
      c.waiting = false;
      this.pump(c);
    });
    this.pump(c);
    if (!this.heartbeat) {
      // A stream with frames waiting is busy already: only an idle one needs a sign of life.
      this.heartbeat = setInterval(() => {
        for (const s of this.clients) if (!s.ending && !s.waiting && s.head === s.queue.length) s.waiting = !s.res.write(HEARTBEAT);
      }, HEARTBEAT_MS);
      this.heartbeat.unref();
    }
  }

  private frame(event: string, data: unknown): string {
    const json = this.transform(JSON.stringify(data, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
    return `event: ${event}\ndata: ${json}\n\n`;
  }

  private enqueue(c: Client, f: Frame): void {
    const before = f.about === null ? undefined : c.last.get(f.about);
    const older = f.latest === undefined ? undefined : c.latest.get(f.latest);
    if (older?.frame && !older.started) {
      if (older.frame.counted) c.queued -= older.frame.bytes.length;
      if (f.counted) c.queued += f.bytes.length;
      // In its place when it is still the last about the thing; else moved to the end, behind the summary that followed it.
      if (older === before) {
        older.frame = f;
        return;
      }
      older.frame = null;
    } else if (f.counted) c.queued += f.bytes.length;
    // Only the one just before about the same thing: one followed by an addition to it stays, as that addition's context.
    if (f.whole && before?.frame?.whole && !before.started && !before.first) {
      if (before.frame.counted) c.queued -= before.frame.bytes.length;
      before.frame = f;
    } else {
      const q: Queued = { frame: f, started: false, first: f.about !== null && before === undefined };
      if (f.about !== null) c.last.set(f.about, q);
      if (f.latest !== undefined) c.latest.set(f.latest, q);
      c.queue.push(q);
    }
  }

  /** The queue entries the hub keeps for its pages, and the bytes of the frames they hold (a frame queued for two pages counts twice). */
  backlog(): { entries: number; bytes: number } {
    let entries = 0, bytes = 0;
    for (const c of this.clients) {
      entries += c.queue.length;
      for (const q of c.queue) bytes += q.frame?.bytes.length ?? 0;
    }
    return { entries, bytes };
  }

  /** Hands the client's socket what is queued, a piece at a time, until a write says to wait for 'drain'. */
  private pump(c: Client): void {
    while (!c.waiting && c.head < c.queue.length && !c.res.destroyed) {
      const q = c.queue[c.head];
      if (!q.frame) {
        // Dropped for a newer one before any of it was written.
        c.head++;
        continue;
      }
      const f = q.frame;
      if (!q.started) {
        q.started = true;
        // Numbered as it goes out: a frame that took an older one's place can no longer be behind a later id.
        if (f.event) {
          c.waiting = !c.res.write(`id: ${c.nextId++}\n`);
          continue;
        }
      }
      const piece = f.bytes.subarray(c.at, c.at + BODY_PIECE_BYTES);
      c.at += piece.length;
      if (f.counted) c.queued -= piece.length;
      if (c.at === f.bytes.length) {
        // Written whole: the page's first snapshot can be megabytes, not to be held while the stream stays open.
        q.frame = null;
        c.head++;
        c.at = 0;
      }
      c.waiting = !c.res.write(piece);
    }
    // Drop what was written from the front when all of it was, else now and then, not on every frame.
    if (c.head === c.queue.length) {
      c.queue = [];
      c.head = 0;
    } else if (c.head > 1024 && c.head * 2 > c.queue.length) {
      c.queue.splice(0, c.head);
      c.head = 0;
    }
    if (c.ending && c.head === c.queue.length && !c.res.writableEnded) c.res.end();
  }

  /**
   * Queues for every client of the topic (null: the general stream); one whose queue has grown past the limit is cut
   * off (its socket closed, its queue freed).
   */
  broadcast(event: string, data: unknown, topic: string | null = null): void {
    const to = [...this.clients].filter((c) => c.topic === topic && !c.ending);
    if (!to.length) return;
    const about = ABOUT.get(event);
    const key = about && data && typeof data === 'object' ? (data as Record<string, unknown>)[about.key] : undefined;
    const thing = about && key !== undefined ? `${about.thing}:${String(key)}` : null;
    const f: Frame = { bytes: Buffer.from(this.frame(event, data)), about: thing, whole: !!about?.whole, counted: true, event: true,
      ...(thing !== null && LATEST_ONLY.has(event) ? { latest: `${event} ${thing}` } : {}) };
    for (const c of to) {
      this.enqueue(c, f);
      this.pump(c);
      // Counted once the socket has taken what it would: a frame larger than the bound is no backlog for a page that reads.
      if (c.queued > this.limits.maxBufferedBytes) {
        this.clients.delete(c);
        c.res.destroy();
      }
    }
  }

  /** The topic is over (its job ended): each of its streams gets `last` after what is queued for it, then ends. */
  endTopic(topic: string, last: [string, unknown]): void {
    const to = [...this.clients].filter((c) => c.topic === topic && !c.ending);
    if (!to.length) return;
    const f: Frame = { bytes: Buffer.from(this.frame(...last)), about: null, whole: false, counted: true, event: true };
    for (const c of to) {
      this.enqueue(c, f);
      c.ending = true;
      this.pump(c);
    }
  }

  /**
   * Ends the stream written on this connection once what is queued for it is written (its headers and first snapshot at
   * least), and queues nothing more for it: the client sent bytes behind it that the parser refused, and the answers of
   * requests pipelined behind the stream, then the refusal, can follow only a stream that ended. False when there is none.
   */
  endOn(socket: object): boolean {
    for (const c of this.clients) {
      if (c.res.socket !== socket) continue;
      // Kept in clients until its socket closes, as every ending stream is (counted against the limit).
      c.ending = true;
      this.pump(c);
      return true;
    }
    return false;
  }

  /** Ends every stream once what is queued for it is written (the final frames of the jobs the close cancelled included). */
  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const c of this.clients) {
      c.ending = true;
      this.pump(c);
    }
    this.clients.clear();
  }
}
