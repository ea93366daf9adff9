/**
 * Heavy work that the server starts on a client's behalf (a gradient measurement, each in a process of its own) runs
 * one request at a time: several at once would share the machine's cores and each take as long as all of them. A
 * bounded line waits without holding anything; a request that finds the line full is a 429 at once, as a job that
 * finds the job queue full.
 */
import { HttpError } from './http.js';

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
