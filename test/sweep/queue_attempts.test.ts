/**
 * attempts means one thing everywhere: the times a run was started and ran to an end. Through the queue a run that
 * completes first time records 1 and one that failed once then completed records 2, as the local pool does; and a
 * worker whose finished run's job was lost with Redis says so in one sentence, not BullMQ's "Missing lock" line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandRuns } from '../../src/sweep/expand.js';
import { attemptsOf, enqueueSweep, lostJobSentence, runWorker, waitForSweep } from '../../src/sweep/queue.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { envForFile } from '../helpers/env.js';
import { cleanup, learnableTarball, tempDir, requireFreshDist, until, slowImdbSpec } from './helpers.js';

// Its sweeps run real runs, forked from dist/.
requireFreshDist();

const hasRedis = redisAvailable();
let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(cleanup);
envForFile(() => ({ RNNLAB_CACHE: path.join(root, 'cache'), RNNLAB_OFFLINE: '1' }));

describe('attemptsOf (a queued job\'s attempts)', () => {
  it('adds the attempts of the run\'s earlier jobs and does not count a run found complete already', () => {
    const data = { sweepDir: 'x', run: expandRuns(parseSpec('command: addition\n'))[0] };
    expect(attemptsOf({ data, attemptsMade: 0, returnvalue: undefined })).toBe(0);
    expect(attemptsOf({ data, attemptsMade: 1, returnvalue: { how: 'ran' } })).toBe(1);
    expect(attemptsOf({ data: { ...data, attemptsBefore: 2 }, attemptsMade: 1, returnvalue: { how: 'ran' } })).toBe(3);
    expect(attemptsOf({ data: { ...data, attemptsBefore: 1 }, attemptsMade: 1, returnvalue: { how: 'skipped' } })).toBe(1);
  });

  it('names what happened to a run whose job was lost, and what comes next', () => {
    const ok = { runId: 'seed-1', timestamp: 1, ok: true };
    expect(lostJobSentence(ok, 'requeued')).toBe('seed-1 ended, but its job was lost with Redis (restarted empty?) and the sweep has queued it again; its result is in the run folder, so it is not run again');
    expect(lostJobSentence({ ...ok, ok: false }, 'gone')).toBe('seed-1 ended, but its job was lost with Redis (restarted empty?); the waiting rnnlab sweep (or the same sweep run again) queues it again');
    expect(lostJobSentence(ok, 'lapsed')).toMatch(/^seed-1 ended, but its job's lock had lapsed \(not renewed within --lock-seconds\)/);
  });
});

describe.skipIf(!hasRedis)('attempts of runs through the queue', () => {
  let redis: RedisServer;
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => { await redis?.stop(); });

  it('records 1 for a run that completed first time and 2 for one that failed once, in sweep.json as the local pool does', async () => {
    const good = learnableTarball(root, 20);
    const bytes = readFileSync(good);
    // Still being copied when its first attempt reads it: a truncated gzip stream, a data error (exit 1), retried.
    const arriving = path.join(root, 'arriving.tar.gz');
    writeFileSync(arriving, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const spec = parseSpec(`command: imdb
flags: { limit: 20, epochs: 1, maxlen: 8, vocab: 500, embedding_dim: 4, units: 4, model: lstm }
grid: { data: [${JSON.stringify(good)}, ${JSON.stringify(arriving)}] }
attempts: 3
`);
    const [first, second] = expandRuns(spec);
    const dir = path.join(root, 'attempts');
    const opts = { url: redis.url, name: 'test-attempts' };
    await enqueueSweep(spec, dir, opts);
    const log: string[] = [];
    const worker = runWorker({ ...opts, threads: 1, workerName: 'w', log: (l) => {
      log.push(l);
      // The copy completes before the retry (BullMQ waits 1 s before it).
      if (l.startsWith(`w: run ${second.id} failed: `)) writeFileSync(arriving, bytes);
    } });
    try {
      const outcome = await waitForSweep(spec, dir, { ...opts, pollMs: 50 });
      expect(outcome.summary).toMatchObject({ completed: 2, failed: 0 });
      expect(log.filter((l) => / start /.test(l))).toEqual([`w: start ${first.id} (attempt 1)`, `w: start ${second.id} (attempt 1)`, `w: start ${second.id} (attempt 2)`]);
      const byId = new Map(readSweepRecord(dir)!.runs.map((r) => [r.id, r]));
      expect(byId.get(first.id)).toMatchObject({ status: 'completed', attempts: 1 });
      expect(byId.get(second.id)).toMatchObject({ status: 'completed', attempts: 2 });
      // Waiting again on the finished sweep reads the same attempts (the jobs stay in Redis as completed).
      const again = await waitForSweep(spec, dir, { ...opts, pollMs: 50 });
      expect(again.entries.map((e) => e.attempts)).toEqual([1, 2]);
    } finally {
      await worker.stop();
    }
  }, 180_000);
});

describe.skipIf(!hasRedis)('a worker whose run\'s job was lost when Redis restarted empty', () => {
  it('says so in one sentence (no "Missing lock" line), the run is not run again, and it counts one attempt', async () => {
    const first = await startRedis();
    const spec = slowImdbSpec();
    const [run] = expandRuns(spec);
    const dir = path.join(root, 'lost');
    const opts = { url: first.url, name: 'test-lost' };
    await enqueueSweep(spec, dir, opts);
    const log: string[] = [];
    const lost: string[] = [];
    const worker = runWorker({ ...opts, threads: 1, workerName: 'w', log: (l) => log.push(l) });
    let second: { stop: () => Promise<void> } | null = null;
    try {
      let running = false;
      const waiting = waitForSweep(spec, dir, { ...opts, pollMs: 100, onLost: (id) => lost.push(id), onProgress: (p) => { if (p.active.length) running = true; } });
      // The sweep has seen the run under way (so it knows the lost job had been started).
      await until('the sweep sees the run under way', () => running);
      await first.stop();
      second = await startRedis({ port: first.port });
      // The sweep finds the job gone and queues it again while the run still trains on the worker.
      await until('the sweep queues it again', () => lost.length > 0);
      expect(log.some((l) => l.startsWith(`w: finished ${run.id}`))).toBe(false);
      const outcome = await waiting;
      expect(outcome.summary).toMatchObject({ completed: 1, failed: 0 });
      await until('the worker explains the lost job', () => log.some((l) => l.includes('lost with Redis')));
      expect(log).toContain(`w: ${run.id} ended, but its job was lost with Redis (restarted empty?) and the sweep has queued it again; its result is in the run folder, so it is not run again`);
      expect(log.filter((l) => /Missing (lock|key)/.test(l)), log.join("\n")).toEqual([]);
      expect(log.filter((l) => / start /.test(l))).toHaveLength(2);
      expect(readSweepRecord(dir)!.runs[0]).toMatchObject({ status: 'completed', attempts: 1 });
    } finally {
      await worker.stop();
      await second?.stop();
      await first.stop();
    }
  }, 180_000);
});
