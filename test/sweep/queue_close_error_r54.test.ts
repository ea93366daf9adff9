/**
 * enqueueSweep and waitForSweep close their queue whatever happened; a close that fails after the queue's work failed
 * must not hide why the work failed: that error leads, the close's follows on a line of its own.
 * The work fails for real (a real redis-server holding a key of the wrong type where BullMQ keeps the queue's records).
 * A real failing close cannot be had from BullMQ 6.7: a Queue given the caller's connection closes nothing of it, and
 * its close resolves whether Redis is killed, the connection cut before or after the queue is ready (tried); it is
 * made to fail here, as a later BullMQ's close may (its own connections, a QUIT to a Redis gone).
 */
import { Queue } from 'bullmq';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expandRuns } from '../../src/sweep/expand.js';
import { enqueueSweep, jobId, redisConnection, waitForSweep } from '../../src/sweep/queue.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, tempDir, TINY_ADDITION } from './helpers.js';

let redis: RedisServer;
let root: string;
beforeAll(async () => {
  root = tempDir();
  if (redisAvailable()) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  cleanup();
});
afterEach(() => { vi.restoreAllMocks(); });

const CLOSE_FAILED = 'Connection is closed.';

/** Sets `key` to a string, where BullMQ keeps a hash or a sorted set: its next command on it fails with WRONGTYPE. */
async function wrongType(key: string): Promise<void> {
  const c = redisConnection(redis.url);
  try {
    await c.set(key, 'not a job');
  } finally {
    c.disconnect();
  }
}

/** What `p` rejects with (it must reject). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  const r = await p.then(() => null, (e: unknown) => e);
  if (!(r instanceof Error)) throw new Error(`expected a rejection with an Error, got ${String(r)}`);
  return r;
}

describe.skipIf(!redisAvailable())('a failing queue.close() after the queue\'s work failed', () => {
  it('enqueueSweep: the work\'s error first, the close\'s on the next line', async () => {
    const spec = parseSpec(TINY_ADDITION);
    const dir = path.join(root, 'enqueue');
    const [run] = expandRuns(spec);
    await wrongType(`bull:close-enqueue-r54:${jobId(dir, run.id)}`);
    // Unspied, the same work shows the error the spied one must lead with.
    const alone = await rejection(enqueueSweep(spec, dir, { url: redis.url, name: 'close-enqueue-r54' }));
    expect(alone.message).toMatch(/^WRONGTYPE /);
    vi.spyOn(Queue.prototype, 'close').mockRejectedValue(new Error(CLOSE_FAILED));
    const e = await rejection(enqueueSweep(spec, dir, { url: redis.url, name: 'close-enqueue-r54' }));
    expect(e.message.split('\n')).toEqual([alone.message, `Then the queue on Redis could not be closed either: ${CLOSE_FAILED}`]);
    expect((e.cause as Error).message).toBe(alone.message);
  });

  it('waitForSweep: the work\'s error first, the close\'s on the next line', async () => {
    const spec = parseSpec(TINY_ADDITION);
    const dir = path.join(root, 'wait');
    await enqueueSweep(spec, dir, { url: redis.url, name: 'close-wait-r54' });
    // BullMQ reads a job's state from this sorted set: its state lookup now fails with WRONGTYPE.
    await wrongType('bull:close-wait-r54:completed');
    const alone = await rejection(waitForSweep(spec, dir, { url: redis.url, name: 'close-wait-r54', pollMs: 10 }));
    expect(alone.message).toMatch(/WRONGTYPE/);
    vi.spyOn(Queue.prototype, 'close').mockRejectedValue(new Error(CLOSE_FAILED));
    const e = await rejection(waitForSweep(spec, dir, { url: redis.url, name: 'close-wait-r54', pollMs: 10 }));
    expect(e.message.split('\n')).toEqual([...alone.message.split('\n'), `Then the queue on Redis could not be closed either: ${CLOSE_FAILED}`]);
    expect((e.cause as Error).message).toBe(alone.message);
  });

  it('a close that fails after the work succeeded still fails the call, with its own error', async () => {
    const spec = parseSpec(TINY_ADDITION);
    const dir = path.join(root, 'fine');
    vi.spyOn(Queue.prototype, 'close').mockRejectedValue(new Error(CLOSE_FAILED));
    expect((await rejection(enqueueSweep(spec, dir, { url: redis.url, name: 'close-fine-r54' }))).message).toBe(CLOSE_FAILED);
  });
});
