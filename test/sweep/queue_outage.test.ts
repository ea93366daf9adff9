/**
 * The queue as an operator meets it: Redis going away and coming back, a run's job queued again while a worker
 * still trains it, a password in --queue, a wrong password. A real redis-server on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ownProcessStart, processStartTicks } from '../../src/io/process_alive.js';
import { executeRun, RunBusyError } from '../../src/sweep/execute.js';
import { expandRuns } from '../../src/sweep/expand.js';
import { connectRedis, enqueueSweep, runWorker, waitForSweep } from '../../src/sweep/queue.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { WORKER_FILE } from '../../src/sweep/worker_file.js';
import { freePort, redisAvailable, startRedis } from '../helpers/redis.js';
import { cleanup, tempDir, requireFreshDist } from './helpers.js';

// Its sweeps run real runs, forked from dist/.
requireFreshDist();

const hasRedis = redisAvailable();
let root: string;
const servers: { stop: () => Promise<void> }[] = [];
/** Stand-ins for live workers, ended at the end. */
const children: ChildProcess[] = [];

/** A redis-server the file stops at the end (one restarted on a port, or one with a password). */
async function redisOn(port: number, extra: string[] = []): Promise<{ stop: () => Promise<void> }> {
  const server = await startRedis({ port, extra });
  servers.push(server);
  return server;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 3000 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!ok()) throw new Error(`never happened: ${what}`);
}

const quick = (extra = '') => parseSpec(`command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0, rnn: gru }\n${extra}`);

beforeAll(() => { root = tempDir(); });
afterEach(() => { vi.restoreAllMocks(); });
afterAll(async () => {
  for (const c of children) c.kill();
  for (const s of servers) await s.stop();
  cleanup();
});

describe.skipIf(!hasRedis)('the queue when Redis goes away', () => {
  it('worker and waiting sweep each say once that Redis is lost and that it is back, print no stack dumps, and the sweep finishes', async () => {
    const first = await startRedis();
    const url = first.url;
    const dumps = vi.spyOn(console, 'error');
    const workerLog: string[] = [];
    // A worker on another queue: idle, so only the outage reaches its log.
    const idle = runWorker({ url, name: 'test-idle', threads: 1, log: (l) => workerLog.push(l), workerName: 'idle' });
    const spec = quick();
    const dir = path.join(root, 'outage');
    await enqueueSweep(spec, dir, { url, name: 'test-outage' });
    const sweepLog: string[] = [];
    const lost: string[] = [];
    let polls = 0;
    const waiting = waitForSweep(spec, dir, { url, name: 'test-outage', pollMs: 100, onConnection: (l) => sweepLog.push(l), onLost: (id) => lost.push(id), onProgress: () => polls++ });
    // The sweep is inside its wait (it has looked at the queue) when Redis goes.
    await until('the sweep polls', () => polls >= 2);
    await first.stop();
    await until('both report the loss', () => workerLog.some((l) => /lost the connection to Redis/.test(l)) && sweepLog.some((l) => /lost the connection to Redis/.test(l)));
    const second = await redisOn(first.port);
    await until('both report it back', () => workerLog.some((l) => /reconnected to Redis/.test(l)) && sweepLog.some((l) => /reconnected to Redis/.test(l)));
    // The restarted Redis is empty: the sweep queues its run again, and a worker finishes it.
    const worker = runWorker({ url, name: 'test-outage', threads: 1 });
    try {
      const outcome = await waiting;
      expect(outcome.summary).toMatchObject({ completed: 1, failed: 0, pending: 0 });
      expect(lost).toEqual([expandRuns(spec)[0].id]);
    } finally {
      await worker.stop();
      await idle.stop();
      await second.stop();
    }
    expect(workerLog.filter((l) => /lost the connection/.test(l))).toEqual([`idle: lost the connection to Redis at ${url}; reconnecting until it is back (Ctrl-C stops)`]);
    expect(sweepLog.filter((l) => /lost the connection/.test(l))).toHaveLength(1);
    expect(dumps.mock.calls.map((c) => String(c[0]))).not.toContainEqual(expect.stringMatching(/ECONNREFUSED/));
  }, 120_000);
});

describe.skipIf(!hasRedis)('a run that a live worker is training', () => {
  it('is not started a second time: executeRun refuses it, and a queue worker puts its job back until the run is free', async () => {
    const redis = await startRedis();
    servers.push(redis);
    // One attempt: a busy start that spent it would fail the run for good.
    const spec = quick('attempts: 1\n');
    const dir = path.join(root, 'busy');
    const [run] = expandRuns(spec);
    const runDir = path.join(dir, 'runs', run.id);
    mkdirSync(runDir, { recursive: true });
    // The stamp a live worker keeps while it trains the run: a live process of this machine, by its start where /proc
    // tells it. Not this process: a stamp of its own for a run it is not running was left by a failed write, and is stale.
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(other);
    const ticks = processStartTicks(other.pid!);
    const boot = ownProcessStart()?.bootId;
    const stamp = { worker: 'elsewhere', runId: run.id, host: hostname(), pid: other.pid!, writer: ticks !== null && boot ? { bootId: boot, startTicks: ticks } : undefined,
      state: 'running', startedAt: new Date().toISOString(), updatedAt: new Date().toISOString(), epoch: 1, epochs: 9 };
    writeFileSync(path.join(runDir, WORKER_FILE), JSON.stringify(stamp));
    const err = await executeRun(run, { sweepDir: dir, threads: 1 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RunBusyError);
    expect((err as Error).message).toBe(`run ${run.id} is being run by elsewhere (pid ${other.pid} on ${hostname()})`);

    await enqueueSweep(spec, dir, { url: redis.url, name: 'test-busy' });
    const log: string[] = [];
    const worker = runWorker({ url: redis.url, name: 'test-busy', threads: 1, lockMs: 1000, workerName: 'w', log: (l) => log.push(l) });
    try {
      await until('the worker finds the run busy', () => log.some((l) => l.includes('is being run by elsewhere')));
      expect(JSON.parse(readFileSync(path.join(runDir, WORKER_FILE), 'utf8')).worker).toBe('elsewhere');
      // The other worker stops (its run failed there): the job, put back without spending an attempt, runs here.
      writeFileSync(path.join(runDir, WORKER_FILE), JSON.stringify({ ...stamp, state: 'failed' }));
      const outcome = await waitForSweep(spec, dir, { url: redis.url, name: 'test-busy', pollMs: 100 });
      expect(outcome.summary).toMatchObject({ completed: 1, failed: 0 });
      expect(log.filter((l) => / failed: /.test(l))).toEqual([]);
      expect(log.some((l) => l.includes(`w: finished ${run.id}`))).toBe(true);
    } finally {
      await worker.stop();
    }
  }, 120_000);
});

describe.skipIf(!hasRedis)('rnnlab sweep --queue with credentials', () => {
  it('never prints the password, names a non-default --queue-name in the worker hint, and refuses a wrong password at once', async () => {
    const port = await freePort();
    await redisOn(port, ['--requirepass', 's3cret']);
    const spec = path.join(root, 'cred.yaml');
    writeFileSync(spec, 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\ngrid: { rnn: [lstm, gru] }\n');
    for (const [i, url] of [`redis://:s3cret@127.0.0.1:${port}`, `redis://127.0.0.1:${port}?password=s3cret`].entries()) {
      let out = '', err = '';
      const code = await main(['sweep', spec, '--queue', url, '--queue-name', 'test-cred', '--detach', '--out', path.join(root, `cred-${i}`)],
        { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(out).toMatch(/^Queued 2 run\(s\) on redis:\/\/.*\*\*\*/);
      expect(out).toContain('--queue-name test-cred;');
      expect(out).not.toContain('s3cret');
    }
    // A wrong password is an answer, not an outage: no waiting out the (here long) connect timeout.
    const wrong = await connectRedis(`redis://:nope@127.0.0.1:${port}`, { timeoutMs: 600_000 }).then(() => null, (e: Error) => e.message);
    expect(wrong).toMatch(/^--queue: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ refused the credentials \(WRONGPASS/);
    const none = await connectRedis(`redis://127.0.0.1:${port}`, { timeoutMs: 600_000 }).then(() => null, (e: Error) => e.message);
    expect(none).toMatch(/refused the credentials \(NOAUTH/);
  }, 120_000);
});
