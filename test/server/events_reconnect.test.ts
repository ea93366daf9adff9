/**
 * The dashboard's event streams after a refusal: a browser does not retry an EventSource whose answer was not a 200
 * (the server's 503 when too many streams are open), so web/js/api.js makes a new one after a growing, capped delay
 * and reports the wait, unless the stream is gone for good (a job's, once the server no longer keeps the job); a
 * connection that drops is left to the browser's own retry.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error plain browser JavaScript, no types
import { connectEvents, reconnectDelayMs } from '../../web/js/api.js';

/** An EventSource stand-in with the states and handlers api.js uses. */
class FakeEventSource {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 2;
  static made: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  listeners = new Map<string, (e: { data: string }) => void>();
  constructor(readonly url: string) {
    FakeEventSource.made.push(this);
  }
  addEventListener(name: string, fn: (e: { data: string }) => void) {
    this.listeners.set(name, fn);
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
  /** What a browser does on a 503: the source is closed, then error fires. */
  refused() {
    this.readyState = FakeEventSource.CLOSED;
    this.onerror!();
  }
}

beforeEach(() => {
  FakeEventSource.made = [];
  vi.useFakeTimers();
  vi.stubGlobal('EventSource', FakeEventSource);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('connectEvents', () => {
  it('opens a new stream after a refusal, waiting 1, 2, 4 ... s up to 30 s, and starts over once connected', () => {
    const states: unknown[][] = [];
    const got: unknown[] = [];
    connectEvents({ job: (d: unknown) => got.push(d) }, (...a: unknown[]) => states.push(a));
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const es = FakeEventSource.made.at(-1)!;
      es.refused();
      const wait = states.at(-1)![1] as number;
      waits.push(wait);
      expect(states.at(-1)![0]).toBe(false);
      vi.advanceTimersByTime(wait - 1);
      expect(FakeEventSource.made).toHaveLength(i + 1);
      vi.advanceTimersByTime(1);
      expect(FakeEventSource.made).toHaveLength(i + 2);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    // The new stream carries the handlers, and connecting resets the delay.
    const es = FakeEventSource.made.at(-1)!;
    es.readyState = FakeEventSource.OPEN;
    es.onopen!();
    expect(states.at(-1)).toEqual([true]);
    es.listeners.get('job')!({ data: '{"id":"job-1"}' });
    expect(got).toEqual([{ id: 'job-1' }]);
    es.refused();
    expect(states.at(-1)).toEqual([false, 1000]);
    expect(reconnectDelayMs(0)).toBe(1000);
  });

  it('opens the stream it is given, and after a refusal asks gone() first: a stream gone for good is not asked for again', async () => {
    const states: unknown[][] = [];
    const answers = [false, true];
    const asked: string[] = [];
    connectEvents({}, (...a: unknown[]) => states.push(a), { url: '/api/jobs/j1/events', gone: async () => { asked.push('gone?'); return answers.shift(); } });
    expect(FakeEventSource.made.map((es) => es.url)).toEqual(['/api/jobs/j1/events']);
    // Refused, not gone (a 503): tried again after the first delay.
    FakeEventSource.made[0].refused();
    await vi.advanceTimersByTimeAsync(0);
    expect(states).toEqual([[false, 1000]]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeEventSource.made.map((es) => es.url)).toEqual(['/api/jobs/j1/events', '/api/jobs/j1/events']);
    // Refused and gone (a 404): left closed.
    FakeEventSource.made[1].refused();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asked).toEqual(['gone?', 'gone?']);
    expect(FakeEventSource.made).toHaveLength(2);
    expect(states).toEqual([[false, 1000]]);
  });

  it('leaves a dropped connection to the browser (no second stream), and close() stops a pending retry', () => {
    const states: unknown[][] = [];
    const conn = connectEvents({}, (...a: unknown[]) => states.push(a));
    const es = FakeEventSource.made[0];
    es.readyState = FakeEventSource.CONNECTING;
    es.onerror!();
    expect(states).toEqual([[false]]);
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.made).toHaveLength(1);
    es.refused();
    conn.close();
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.made).toHaveLength(1);
  });
});
