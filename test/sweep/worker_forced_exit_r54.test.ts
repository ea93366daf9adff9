/**
 * A worker stopped by force (Redis down, or its blocking connection not back from a restart past the grace) leaves
 * BullMQ's wait for the next job (BZPOPMIN) pending on a connection that never closes; BullMQ races that wait against
 * a watchdog timer of its own, 6 s from when the wait was sent (drainDelay 5 s + 1 s), which kept the process alive
 * until it fired. The stop now fails the pending wait, so the process ends without waiting for that timer: the test
 * sees the BZPOPMIN pass its proxy and requires the exit before the watchdog could have fired.
 * A real `rnnlab worker` from dist/, a real redis-server shut down under it.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAvailable, startRedis } from '../helpers/redis.js';
import { cleanup, redisProxy, requireFreshDist, rnnlabProcess, until } from './helpers.js';

requireFreshDist();

const children: ChildProcess[] = [];
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const close of closers.splice(0)) await close();
  cleanup();
});

/** BullMQ's watchdog on a BZPOPMIN: drainDelay (5 s, BullMQ's default, which rnnlab keeps) + 1 s. */
const WATCHDOG_MS = 6000;

/** A proxy to Redis on `port` that notes when the last BZPOPMIN passed it. */
async function proxyTo(port: number) {
  let lastWait = 0;
  const url = await redisProxy(port, closers, (chunk) => {
    if (/bzpopmin/i.test(chunk.toString('latin1'))) lastWait = Date.now();
    return true;
  });
  return { url, lastWait: () => lastWait };
}

describe.skipIf(!redisAvailable())('a worker stopped by force while BullMQ waits for a job', () => {
  it('rnnlab worker: SIGTERM with Redis down exits 0 before BullMQ\'s watchdog on its pending BZPOPMIN fires', async () => {
    const redis = await startRedis();
    closers.push(() => redis.stop());
    const proxy = await proxyTo(redis.port);
    const w = rnnlabProcess(['worker', '--queue', proxy.url, '--queue-name', 'forced-exit-r54', '--threads', '1', '--name', 'wx'], children);
    await until('the worker is up', () => w.out.includes('Worker on'), 60_000);
    // A fresh wait (an idle worker sends one every 5 s), so that its watchdog is due well after the stop.
    const before = proxy.lastWait();
    await until('the worker sends a fresh BZPOPMIN', () => proxy.lastWait() > before, 30_000);
    const sent = proxy.lastWait();
    await redis.stop();
    await until('the worker says Redis is lost', () => w.out.includes('wx: lost the connection to Redis'), 30_000);
    w.child.kill('SIGTERM');
    // Due 1 s before the watchdog: the old stop's process ended only when the watchdog fired.
    let timer: NodeJS.Timeout | undefined;
    const watchdogDue = new Promise<'watchdog due'>((resolve) => { timer = setTimeout(() => resolve('watchdog due'), sent + WATCHDOG_MS - 1000 - Date.now()); });
    const first = await Promise.race([w.exited.then(() => 'exited' as const), watchdogDue]);
    clearTimeout(timer);
    expect(first, `stdout:\n${w.out}\nstderr:\n${w.err}`).toBe('exited');
    expect(await w.exited).toBe(0);
    expect(w.out).toContain('Stopping: each run under way saves a checkpoint');
  }, 120_000);
});
