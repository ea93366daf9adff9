/**
 * Work that holds the event loop while it computes (a gradient measurement) runs one request at a time: several
 * at once would hold it for their sum in one stretch. A bounded line waits without holding anything; a request that
 * finds the line full is a 429 at once, as a job that finds the job queue full.
 */
import { HttpError } from './http.js';

/** How long work that holds the event loop pauses between two stretches of it. */
export const PAUSE_MS = 10;

/**
 * A pause between two stretches of such work. Answering a request that arrived meanwhile takes several turns of the
 * event loop (accept the connection, then read it, then the handler's own awaits), and one setImmediate gives one
 * turn: a few milliseconds give as many as it needs.
 */
export function letOthersIn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
}

export class ComputeQueue {
  private busy = false;
  private readonly waiting: (() => void)[] = [];

  /** what: the work in the plural, as the 429 names it. */
  constructor(private readonly maxWaiting: number, private readonly what: string) {}

  /** Requests waiting behind the running one. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new HttpError(429, `${this.waiting.length} ${this.what} are already waiting behind the one running (at most ${this.maxWaiting}); try again when they have finished`);
      }
      // The slot is handed over by the one finishing, so nothing can slip in between.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.busy = true;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy = false;
    }
  }
}
