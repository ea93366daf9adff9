/**
 * What the queue says matches what happened: a worker whose job Redis lost says so once (not at every lock renewal),
 * a queued run that completes without the metric is counted failed in the progress, and `Queued N run(s)` counts the
 * jobs added, not those already on the queue. A real redis-server on a free loopback port.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandRuns } from '../../src/sweep/expand.js';
import { enqueueSweep, jobId, redisConnection, runWorker, unrenewedSentence, waitForSweep } from '../../src/sweep/queue.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { envForFile } from '../helpers/env.js';
import { cleanup, run, slowImdbSpec, tempDir, until, requireFreshDist } from './helpers.js';

// Its sweeps run real runs, forked from dist/.
requireFreshDist();

const hasRedis = redisAvailable();
let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(cleanup);
envForFile(() => ({ RNNLAB_CACHE: path.join(root, 'cache'), RNNLAB_OFFLINE: '1' }));

describe.skipIf(!hasRedis)('a worker whose running job was lost when Redis restarted empty', () => {
  it('says once that it could not renew the job\'s lock, however many renewals fail before the run ends', async () => {
    const first = await startRedis();
    let second: RedisServer | null = null;
    const spec = slowImdbSpec();
    const [r] = expandRuns(spec);
    const dir = path.join(root, 'unrenewed');
    const opts = { url: first.url, name: 'test-unrenewed' };
    await enqueueSweep(spec, dir, opts);
    const log: string[] = [];
    // A lock of 1 s is renewed every 0.5 s: over the run's remaining epochs BullMQ fails to renew it many times.
    const worker = runWorker({ ...opts, threads: 1, lockMs: 1000, workerName: 'w', log: (l) => log.push(l) });
    try {
      await until('the run starts', () => log.some((l) => l.startsWith(`w: start ${r.id}`)));
      await first.stop();
      second = await startRedis({ port: first.port });
      await until('the run ends', () => log.some((l) => l.includes(`${r.id} ended, but its job was lost with Redis`)), 150_000);
    } finally {
      await worker.stop();
      await second?.stop();
      await first.stop();
    }
    expect(log.some((l) => /reconnected to Redis/.test(l)), log.join('\n')).toBe(true);
    expect(log.filter((l) => /renew/.test(l)), log.join('\n')).toEqual([`w: ${unrenewedSentence(r.id)}`]);
    expect(unrenewedSentence(r.id)).toBe(`${r.id}: could not renew its job's lock (the job was lost with Redis, or the lock lapsed); the run goes on here, and its end says what became of the job`);
  }, 200_000);
});

describe.skipIf(!hasRedis)('sweep --queue progress and Queued lines', () => {
  let redis: RedisServer;
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => { await redis?.stop(); });

  // lr 1e38 makes the loss NaN: that run completes (exit 0) with val_loss written as null (under 1e30 the loss only
  // grows huge, since the recurrent kernels' tanh reaches ±1 and saturated units pass no gradient).
  const nanSpec = 'command: addition\nflags: { digits: 1, training-size: 50, epochs: 2, optimizer: sgd }\ngrid: { lr: [1e38, 0.01] }\nseeds: [1]\nmetric: val_loss\n';

  it('counts a run that completed without the metric as failed in the progress, as the record does', async () => {
    const file = path.join(root, 'nan.yaml');
    writeFileSync(file, nanSpec);
    const name = 'test-nan';
    const out = path.join(root, 'nan');
    const worker = runWorker({ url: redis.url, name, threads: 1, concurrency: 2 });
    let res: Awaited<ReturnType<typeof run>>;
    try {
      res = await run(['sweep', file, '--queue', redis.url, '--queue-name', name, '--out', out]);
    } finally {
      await worker.stop();
    }
    expect(res.code, res.out + res.err).toBe(1);
    const progress = res.out.split('\n').filter((l) => /^\d+\/2 done, \d+ failed/.test(l));
    expect(progress.at(-1)).toBe('1/2 done, 1 failed');
    expect(progress.filter((l) => l.startsWith('2/2 done'))).toEqual([]);
    expect(res.out).toContain('lr-1e_38_seed-1 (1 attempt(s)): run lr-1e_38_seed-1 reports val_loss = null (not a finite number)');
    expect(readSweepRecord(out)!.runs.map((x) => [x.id, x.status])).toEqual([['lr-1e_38_seed-1', 'failed'], ['lr-0.01_seed-1', 'completed']]);

    // With the jobs gone from Redis the folder alone tells: the run without its metric is still counted failed.
    const conn = redisConnection(redis.url);
    await conn.flushall();
    conn.disconnect();
    const seen: { completed: number; failed: number }[] = [];
    const lost: string[] = [];
    const again = await waitForSweep(parseSpec(nanSpec), out, { url: redis.url, name, pollMs: 50, onLost: (id) => lost.push(id), onProgress: (p) => seen.push({ completed: p.completed, failed: p.failed }) });
    expect(lost).toEqual([]);
    expect(seen).toEqual([{ completed: 1, failed: 1 }]);
    expect(again.summary).toMatchObject({ completed: 1, failed: 1, pending: 0 });
  }, 120_000);

  it('says how many jobs it added and how many were on the queue already', async () => {
    const file = path.join(root, 'twice.yaml');
    writeFileSync(file, 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\ngrid: { rnn: [lstm, gru] }\nseeds: [1, 2]\n');
    const out = path.join(root, 'twice');
    const argv = ['sweep', file, '--queue', redis.url, '--queue-name', 'test-twice', '--detach', '--out', out];
    const a = await run(argv);
    expect(a.code, a.err).toBe(0);
    expect(a.out.split('\n')[0]).toBe(`Queued 4 run(s) on ${redis.url} (0 already complete) for the sweep in ${out}.`);
    const b = await run(argv);
    expect(b.code, b.err).toBe(0);
    expect(b.out.split('\n')[0]).toBe(`Queued 0 run(s) on ${redis.url} (4 already on the queue, 0 already complete) for the sweep in ${out}.`);
    const conn = redisConnection(redis.url);
    const queue = new Queue('test-twice', { connection: conn });
    try {
      expect(await conn.llen('bull:test-twice:wait')).toBe(4);
      // One job removed by hand: queueing again adds that one only.
      const [gone] = expandRuns(readSweepRecord(out)!.spec);
      await (await queue.getJob(jobId(out, gone.id)))!.remove();
    } finally {
      await queue.close();
      conn.disconnect();
    }
    const c = await run(argv);
    expect(c.code, c.err).toBe(0);
    expect(c.out.split('\n')[0]).toBe(`Queued 1 run(s) on ${redis.url} (3 already on the queue, 0 already complete) for the sweep in ${out}.`);
    const check = redisConnection(redis.url);
    try {
      expect(await check.llen('bull:test-twice:wait')).toBe(4);
    } finally {
      check.disconnect();
    }
  }, 60_000);
});
