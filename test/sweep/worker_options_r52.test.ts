/**
 * Every option runWorker's type offers does something: `signal` stops the worker as its stop() does (while it
 * connects, and mid-run, putting the run back on the queue), `onConnection` hears the lost and regained connection
 * instead of `log`; `pathFlags`, which a worker has no use for (each job carries its run's paths), is refused.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectRedis, enqueueSweep, redisConnection, runWorker, type QueueOptions } from '../../src/sweep/queue.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { WORKER_FILE } from '../../src/sweep/worker_file.js';
import { envForFile } from '../helpers/env.js';
import { freePort, redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, learnableTarball, queuedJob, requireFreshDist, tempDir, until } from './helpers.js';

// Its worker runs a real run, forked from dist/.
requireFreshDist();

const hasRedis = redisAvailable();
const root = tempDir();
envForFile(() => ({ RNNLAB_CACHE: path.join(root, 'cache') }));
const servers: RedisServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  cleanup();
});

describe('runWorker given pathFlags', () => {
  it('throws naming pathFlags, also when they come spread from a sweep\'s options', async () => {
    const sweepOptions: QueueOptions = { url: `redis://127.0.0.1:${await freePort()}`, name: 'r52-paths', pathFlags: { names: ['data'], inputs: ['data'] } };
    let started: ReturnType<typeof runWorker> | undefined;
    try {
      expect(() => { started = runWorker({ ...sweepOptions, threads: 1 }); })
        .toThrow("runWorker does not take pathFlags: a worker runs each job with the path flags the sweep made absolute when it queued it (enqueueSweep's pathFlags)");
    } finally {
      await started?.stop();
    }
    // @ts-expect-error the type does not offer it either
    expect(() => runWorker({ url: sweepOptions.url, threads: 1, pathFlags: sweepOptions.pathFlags })).toThrow(/pathFlags/);
  });
});

describe('runWorker stopped by its signal', () => {
  it('while it waits for a Redis it cannot reach: done resolves, without waiting out the connect timeout', async () => {
    const ac = new AbortController();
    const w = runWorker({ url: `redis://127.0.0.1:${await freePort()}`, name: 'r52-unreached', threads: 1, signal: ac.signal });
    ac.abort();
    // Ignored, the signal left the wait to end in "cannot reach Redis" after RNNLAB_QUEUE_CONNECT_MS.
    await expect(w.done).resolves.toBeUndefined();
  }, 30_000);

  it.skipIf(!hasRedis)('aborted already: closes the connection it was given, and done resolves', async () => {
    const redis = await startRedis();
    servers.push(redis);
    const connection = redisConnection(redis.url);
    await new Promise((r) => connection.once('ready', r));
    const ac = new AbortController();
    ac.abort();
    const w = runWorker({ url: redis.url, name: 'r52-aborted', threads: 1, connection, signal: ac.signal });
    await expect(w.done).resolves.toBeUndefined();
    await until('the connection is closed', () => connection.status === 'end', 10_000);
  }, 30_000);

  it.skipIf(!hasRedis)('mid-run: the run stops and goes back on the queue, no attempt spent, and done resolves', async () => {
    const redis = await startRedis();
    servers.push(redis);
    const data = learnableTarball(tempDir(), 40);
    // Far more epochs than pass before the stop: the run is under way when the signal comes.
    const spec = parseSpec(`command: imdb
flags: { data: ${JSON.stringify(data)}, limit: 80, epochs: 500, maxlen: 20, vocab: 2000, embedding_dim: 8, batch_size: 16, model: lstm, units: 4 }
attempts: 1
`);
    const dir = path.join(root, 'mid-run');
    const opts = { url: redis.url, name: 'r52-mid-run' };
    expect(await enqueueSweep(spec, dir, opts)).toEqual({ queued: 1, done: 0 });
    const ac = new AbortController();
    const log: string[] = [];
    const w = runWorker({ ...opts, threads: 1, workerName: 'w', signal: ac.signal, log: (l) => log.push(l) });
    await until('the run starts', () => existsSync(path.join(dir, 'runs', 'seed-1', WORKER_FILE)));
    ac.abort();
    await w.done;
    expect(log).toContain('w: stopped seed-1; it is back on the queue');
    expect(await queuedJob(redis.url, opts.name, dir, 'seed-1')).toEqual({ state: 'waiting', attemptsMade: 0 });
    expect(existsSync(path.join(dir, 'runs', 'seed-1', 'results.json'))).toBe(false);
  }, 120_000);
});

describe.skipIf(!hasRedis)('runWorker given onConnection', () => {
  it('hears that Redis is lost and that it is back, one sentence each, which log then does not', async () => {
    const first = await startRedis();
    const heard: string[] = [];
    const log: string[] = [];
    let whileUp: string[] = [];
    // Connected before it starts (as the CLI's worker is), so the loss below comes after it is on Redis.
    const connection = await connectRedis(first.url);
    const w = runWorker({ url: first.url, name: 'r52-connection', threads: 1, workerName: 'w', connection, onConnection: (l) => heard.push(l), log: (l) => log.push(l) });
    try {
      await first.stop();
      await until('the loss is heard', () => heard.length >= 1, 30_000);
      const second = await startRedis({ port: first.port });
      servers.push(second);
      await until('the return is heard', () => heard.length >= 2, 30_000);
      whileUp = [...heard];
      // Stopped with Redis down again: a worker stopped while BullMQ's own blocking connection still waits to
      // reconnect (up to 20 s after a restart) waits for that connection's end, which never comes.
      await second.stop();
    } finally {
      await w.stop();
    }
    expect(whileUp).toHaveLength(2);
    expect(whileUp[0]).toBe(`lost the connection to Redis at ${first.url}; reconnecting until it is back (Ctrl-C stops)`);
    // With the reason when a reconnection failed before the restart, as it does on a loaded machine.
    expect(whileUp[1]).toMatch(new RegExp(`^reconnected to Redis at ${first.url}( \\(it had failed with ECONNREFUSED\\))?$`));
    expect(log.filter((l) => /Redis/.test(l))).toEqual([]);
  }, 90_000);
});
