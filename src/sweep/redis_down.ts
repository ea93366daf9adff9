/**
 * Waits that Redis being down must not hold. ioredis keeps a command sent while Redis is away until it is back
 * (the queue's connections reconnect for as long as it takes), so a stop (Ctrl-C) that awaited one would not stop
 * during an outage: these race such a command against the outage, or against the stop itself.
 */
import type { Redis } from 'ioredis';

/** What whenReady reads of a client: ioredis's, or BullMQ's wrapper of it (a worker's blocking connection). */
interface StatusClient { status: string; once(event: 'ready', f: () => void): unknown; off(event: 'ready', f: () => void): unknown }

/** Resolves once the connection is not ready: at once when it is down already, else when it is lost. */
export function whenDown(connection: Redis): { down: Promise<void>; dispose: () => void } {
  let onClose = () => {};
  const down = new Promise<void>((resolve) => {
    if (connection.status !== 'ready') { resolve(); return; }
    onClose = () => resolve();
    connection.once('close', onClose);
  });
  return { down, dispose: () => connection.off('close', onClose) };
}

/**
 * True once `command` has been answered; false when Redis is (or goes) down first. The command is then left to
 * ioredis, which fails it when the connection is closed: that failure is nobody's news, so it is caught here.
 */
export async function answeredUnlessDown(connection: Redis, command: Promise<unknown>): Promise<boolean> {
  command.catch(() => undefined);
  const { down, dispose } = whenDown(connection);
  try {
    return await Promise.race([command.then(() => true), down.then(() => false)]);
  } finally {
    dispose();
  }
}

/** True once `work` is done; false when `signal` aborts first (work, left running, may fail later: caught here). */
export async function doneUnlessAborted(work: Promise<unknown>, signal: AbortSignal | undefined): Promise<boolean> {
  if (!signal) { await work; return true; }
  work.catch(() => undefined);
  if (signal.aborted) return false;
  let onAbort = () => {};
  const aborted = new Promise<boolean>((resolve) => { onAbort = () => resolve(false); signal.addEventListener('abort', onAbort, { once: true }); });
  try {
    return await Promise.race([work.then(() => true), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Waits ms, or less when `signal` aborts meanwhile (its timer cleared: a stopped sweep's process need not linger). */
export function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) { resolve(); return; }
    const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * True once `client` is ready (at once when it is), false when `signal` aborts first. A client between two reconnection
 * attempts has no socket: ioredis's disconnect() then clears its retry timer and never ends it (no 'end' event ever
 * comes), so whoever waits for that 'end' waits forever. Disconnected once ready, it ends.
 */
export async function whenReady(client: StatusClient, signal: AbortSignal): Promise<boolean> {
  while (client.status !== 'ready') {
    if (signal.aborted) return false;
    await new Promise<void>((resolve) => {
      const done = () => { client.off('ready', done); signal.removeEventListener('abort', done); resolve(); };
      client.once('ready', done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
  return true;
}
