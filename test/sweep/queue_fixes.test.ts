import { spawn } from 'node:child_process';
import { rmSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandRuns } from '../../src/sweep/expand.js';
import { connectRedis, enqueueSweep, redisConnection, runWorker, shownUrl, waitForSweep } from '../../src/sweep/queue.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, tempDir, requireFreshDist } from './helpers.js';

// Its sweeps run real runs, forked from dist/.
requireFreshDist();

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hasRedis = redisAvailable();
let redis: RedisServer;
let root: string;

beforeAll(async () => {
  root = tempDir();
  if (hasRedis) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  cleanup();
});

const spec = (extra = '') => parseSpec(`command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\ngrid: { rnn: [lstm, gru] }\n${extra}`);

describe.skipIf(!hasRedis)('sweep queue: lost and failed jobs', () => {
  it('re-queues runs whose jobs vanished from Redis instead of counting them as done', async () => {
    const s = spec();
    const dir = path.join(root, 'flushed');
    const name = 'flush-test';
    expect(await enqueueSweep(s, dir, { url: redis.url, name })).toEqual({ queued: 2, done: 0 });
    const conn = redisConnection(redis.url);
    await conn.flushall();
    conn.disconnect();
    const lost: string[] = [];
    const w = runWorker({ url: redis.url, name, threads: 1, concurrency: 2 });
    try {
      const o = await waitForSweep(s, dir, { url: redis.url, name, pollMs: 200, onLost: (id) => lost.push(id) });
      expect(lost.sort()).toEqual(expandRuns(s).map((r) => r.id).sort());
      expect(o.summary).toMatchObject({ completed: 2, failed: 0, pending: 0 });
      expect(o.entries.every((e) => e.status === 'completed')).toBe(true);
    } finally {
      await w.stop();
    }
  }, 90_000);

  it('retries a run that failed for good when the sweep is queued again', async () => {
    const s = spec('attempts: 1\n');
    const dir = path.join(root, 'retry');
    const name = 'retry-test';
    const [bad] = expandRuns(s);
    // The run's folder path is taken by a file: the run fails until it is moved away.
    mkdirSync(path.join(dir, 'runs'), { recursive: true });
    writeFileSync(path.join(dir, 'runs', bad.id), 'in the way');
    await enqueueSweep(s, dir, { url: redis.url, name });
    const w = runWorker({ url: redis.url, name, threads: 1, concurrency: 2 });
    try {
      const first = await waitForSweep(s, dir, { url: redis.url, name, pollMs: 200 });
      expect(first.summary).toMatchObject({ completed: 1, failed: 1 });
      rmSync(path.join(dir, 'runs', bad.id));
      expect(await enqueueSweep(s, dir, { url: redis.url, name })).toEqual({ queued: 1, done: 1 });
      const second = await waitForSweep(s, dir, { url: redis.url, name, pollMs: 200 });
      expect(second.summary).toMatchObject({ completed: 2, failed: 0 });
      expect(readSweepRecord(dir)?.runs.map((r) => r.status)).toEqual(['completed', 'completed']);
    } finally {
      await w.stop();
    }
  }, 90_000);
});

describe('rnnlab worker without Redis', () => {
  // SIGHUP: a closed terminal stops it as Ctrl-C does.
  it.each(['SIGINT', 'SIGHUP'] as const)('stops on %s while it is still connecting', async (sig) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/rnnlab.js'), 'worker', '--queue', 'redis://127.0.0.1:1'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RNNLAB_QUEUE_CONNECT_MS: '60000' },
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    // SIGINT only once the handler is there (it is installed before this line is printed): a loaded machine can take
    // seconds to start node.
    await new Promise<void>((r) => { const on = () => { if (out.includes('Connecting to')) { child.stdout!.off('data', on); r(); } }; child.stdout!.on('data', on); });
    const t = Date.now();
    child.kill(sig);
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(Date.now() - t).toBeLessThan(5000);
    expect(code).toBe(0);
    expect(out).toContain('Stopped before Redis was reached.');
    expect(out).not.toMatch(/ECONNREFUSED/);
  }, 20_000);
});

describe('--queue URLs in messages', () => {
  it('mask a password and keep everything else', async () => {
    expect(shownUrl('redis://:s3cret@10.0.0.5:6379/2')).toBe('redis://:***@10.0.0.5:6379/2');
    expect(shownUrl('redis://app:s3cret@host:6379')).toBe('redis://app:***@host:6379');
    expect(shownUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    const err = await connectRedis('redis://:s3cret@127.0.0.1:1', { timeoutMs: 300 }).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    expect(err?.message).not.toContain('s3cret');
  });
});
