/**
 * Ctrl-C on `rnnlab worker` (or a queued sweep) right after "Connecting…": the signal can fire before connectRedis
 * starts listening for it (while the worker still claims its threads). The stop must then be answered at once, not
 * after the connect timeout; and a stop during the connect must not leave ioredis waiting 2 s on a socket that Redis
 * already refused, which kept the stopped process alive.
 */
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectStoppedError, connectRedis } from '../../src/sweep/queue.js';
import { until } from './helpers.js';

/** A local port nothing listens on: connects to it are refused at once. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

afterEach(() => { vi.restoreAllMocks(); });

describe('connectRedis stopped by its signal', () => {
  it('already aborted: stops without waiting out the connect timeout', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const ac = new AbortController();
    ac.abort();
    // A 60 s connect timeout outlasts the test's 20 s: only the signal can settle this in time.
    await expect(connectRedis(url, { timeoutMs: 60_000, signal: ac.signal })).rejects.toBeInstanceOf(ConnectStoppedError);
  }, 20_000);

  it('aborted after Redis refused the connection: leaves no long wait on the dead socket', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const ac = new AbortController();
    const emit = vi.spyOn(Redis.prototype, 'emit');
    const refused = () => emit.mock.calls.some(([event, e]) => event === 'error' && (e as NodeJS.ErrnoException)?.code === 'ECONNREFUSED');
    const connecting = connectRedis(url, { timeoutMs: 60_000, signal: ac.signal });
    connecting.catch(() => undefined);
    await until('Redis refused the connection', refused, 15_000);
    // The timers the stop leaves behind: ioredis used to wait its default 2 s for the refused socket to close.
    const timers = vi.spyOn(globalThis, 'setTimeout');
    ac.abort();
    await expect(connecting).rejects.toBeInstanceOf(ConnectStoppedError);
    const delays = timers.mock.calls.map((c) => Number(c[1] ?? 0));
    timers.mockRestore();
    expect(delays.length).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThan(1000);
  }, 20_000);
});
