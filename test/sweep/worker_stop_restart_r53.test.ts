/**
 * A worker stopped after a Redis restart while BullMQ's blocking connection is still reconnecting: BullMQ's own close
 * would wait for that connection's end, which never comes. The stop is bounded: past its grace it closes by force and
 * says so, the runs under way back on the queue. Real redis-servers, restarted on their port; the workers reach them
 * through a TCP proxy that, after the restart, turns away the blocking connections only, as a restart leaves one of two
 * connections not back yet. Only its name tells a blocking connection apart on the wire (it sends it as it connects):
 * BullMQ chooses it, so the test asks BullMQ (Queue#getWorkers, which lists a queue's workers by that name) rather
 * than building it itself. rnnlab cannot name it: BullMQ's Worker option `name` only adds ':w:<name>' to it, and a
 * worker's --name may hold spaces, which Redis refuses in a connection's name.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandRuns } from '../../src/sweep/expand.js';
import { enqueueSweep, redisConnection, runWorker, STOP_GRACE_MS } from '../../src/sweep/queue.js';
import { WORKER_FILE } from '../../src/sweep/worker_file.js';
import { freePort, redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, redisProxy, rnnlabProcess, queuedJob, requireFreshDist, slowImdbSpec, tempDir, until } from './helpers.js';

requireFreshDist();

const children: ChildProcess[] = [];
const closers: (() => Promise<void>)[] = [];
let root: string;

beforeAll(() => { root = tempDir(); });
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const close of closers.splice(0)) await close();
  cleanup();
});

/** The name of the worker of `queue` connected to Redis at `url` (its blocking connection's, as sent), once it is there. */
async function workerName(url: string, queue: string): Promise<string> {
  const connection = redisConnection(url);
  const q = new Queue(queue, { connection });
  try {
    for (let i = 0; i < 600; i++) {
      // rawname: the connection's name as it sends it (getWorkers gives `name` as the queue's name, decoded).
      const names = (await q.getWorkers()).map((w) => w.rawname).filter((n) => n);
      if (names.length > 1) throw new Error(`more than one worker on ${queue}: ${names.join(', ')}`);
      if (names.length === 1) return names[0];
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no worker ever connected on ${queue}`);
  } finally {
    await q.close();
    connection.disconnect();
  }
}

/** A proxy to Redis on `port`; after turnAway(names), a connection that sends one of them is dropped. */
async function proxyTo(port: number) {
  let names: string[] = [];
  const dropped = new Map<string, number>();
  // Any packet: ioredis may send its HELLO alone, the name in the next one.
  const url = await redisProxy(port, closers, (chunk, client) => {
    const name = names.find((n) => chunk.includes(n));
    if (!name) return true;
    dropped.set(name, (dropped.get(name) ?? 0) + 1);
    client.destroy();
    return false;
  });
  return {
    url,
    turnAway: (n: string[]) => { names = n; },
    dropped: (n: string) => dropped.get(n) ?? 0,
  };
}

/** Redis on a free port, restartable there with its data (an append-only file in a folder of the test's). */
async function restartableRedis() {
  const port = await freePort();
  const extra = ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', tempDir('rnnlab-aof-')];
  let server: RedisServer = await startRedis({ port, extra });
  closers.push(() => server.stop());
  return {
    url: server.url,
    port,
    restart: async () => {
      await server.stop();
      server = await startRedis({ port, extra });
    },
  };
}

/** How a wait ended: 'done', or 'still waiting' after ms (the old stop waited forever). */
async function within(ms: number, p: Promise<unknown>): Promise<'done' | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still waiting'>((resolve) => { timer = setTimeout(() => resolve('still waiting'), ms); });
  try {
    return await Promise.race([p.then(() => 'done' as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** rnnlab as its own process, with what it prints and how it exits. */
const rnnlab = (args: string[]) => rnnlabProcess(args, children);

const FORCED = (seconds: number) => new RegExp(`: stopping: BullMQ's close did not end within ${seconds} s once no run was under way \\(its blocking connection to Redis is (reconnecting|connecting|connect)\\); closed it by force, so the stop no longer waits on Redis$`);

describe.skipIf(!redisAvailable())('a worker stopped while its blocking connection is not back from a Redis restart', () => {
  it('stops within its grace, closing by force and saying so; the run under way is back on the queue, its attempt unspent', async () => {
    const redis = await restartableRedis();
    const proxy = await proxyTo(redis.port);
    const queue = 'restart-run-r53';
    const spec = slowImdbSpec();
    const dir = path.join(root, 'mid-run');
    const [run] = expandRuns(spec);
    await enqueueSweep(spec, dir, { url: redis.url, name: queue });
    const log: string[] = [], warn: string[] = [];
    const w = runWorker({ url: proxy.url, name: queue, threads: 1, workerName: 'wr', stopGraceMs: 1000, log: (l) => log.push(l), warn: (l) => warn.push(l) });
    const stamp = path.join(dir, 'runs', run.id, WORKER_FILE);
    await until('the run is under way', () => existsSync(stamp), 60_000);
    const blocking = await workerName(redis.url, queue);
    proxy.turnAway([blocking]);
    await redis.restart();
    await until('the worker is back on Redis, its blocking connection turned away', () => log.some((l) => l.startsWith(`wr: reconnected to Redis at ${proxy.url}`)) && proxy.dropped(blocking) >= 3, 60_000);
    expect(await within(60_000, w.stop())).toBe('done');
    await w.done;
    expect(warn, `warnings:\n${warn.join('\n')}\nlog:\n${log.join('\n')}`).toHaveLength(1);
    expect(warn[0]).toMatch(FORCED(1));
    expect(warn[0].startsWith('wr: ')).toBe(true);
    expect(log).toContain(`wr: stopped ${run.id}; it is back on the queue`);
    // As after any stop: waiting for the next worker, which resumes it, with no attempt spent.
    expect(await queuedJob(redis.url, queue, dir, run.id)).toEqual({ state: 'waiting', attemptsMade: 0 });
    expect(JSON.parse(readFileSync(stamp, 'utf8'))).toMatchObject({ state: 'interrupted', worker: 'wr' });
  }, 180_000);

  it('rnnlab worker: SIGTERM exits 0 past the grace, saying so on stderr; a second Ctrl-C still exits 130 at once', async () => {
    const redis = await restartableRedis();
    const proxy = await proxyTo(redis.port);
    const termed = rnnlab(['worker', '--queue', proxy.url, '--queue-name', 'restart-term-r53', '--threads', '1', '--name', 'wt']);
    const twice = rnnlab(['worker', '--queue', proxy.url, '--queue-name', 'restart-int-r53', '--threads', '1', '--name', 'wi']);
    await until('both workers are up', () => termed.out.includes('Worker on') && twice.out.includes('Worker on'), 60_000);
    const names = [await workerName(redis.url, 'restart-term-r53'), await workerName(redis.url, 'restart-int-r53')];
    proxy.turnAway(names);
    await redis.restart();
    await until('both are back on Redis, their blocking connections turned away', () =>
      termed.out.includes('wt: reconnected to Redis') && twice.out.includes('wi: reconnected to Redis') && names.every((n) => proxy.dropped(n) >= 3), 60_000);
    termed.child.kill('SIGTERM');
    twice.child.kill('SIGINT');
    await until('the second worker is stopping', () => twice.out.includes('Stopping:'), 30_000);
    twice.child.kill('SIGINT');
    expect(await twice.exited).toBe(130);
    expect(twice.err).toBe('rnnlab worker: stopped at once; the run(s) under way go back to the queue once their lock lapses.\n');
    expect(await within(STOP_GRACE_MS + 60_000, termed.exited)).toBe('done');
    expect(await termed.exited).toBe(0);
    expect(termed.out).toContain('Stopping: each run under way saves a checkpoint');
    expect(termed.err.trimEnd().split('\n')).toHaveLength(1);
    expect(termed.err.trimEnd()).toMatch(FORCED(STOP_GRACE_MS / 1000));
    expect(termed.err.startsWith('wt: ')).toBe(true);
  }, 180_000);
});
