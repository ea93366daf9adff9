/**
 * A run's attempts survive a job lost with Redis even when the waiting sweep never saw the job: the run folder's
 * worker.json counts every start that ran to an end (BullMQ's count goes with the job), and sweep.json's attempts
 * is never less than that count.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandRuns } from '../../src/sweep/expand.js';
import { enqueueSweep, runWorker, waitForSweep } from '../../src/sweep/queue.js';
import { collectEntries, readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { readWorkerStamp, stampAttempts, workerLog, WORKER_FILE } from '../../src/sweep/worker_file.js';
import { envForFile } from '../helpers/env.js';
import { redisAvailable, startRedis } from '../helpers/redis.js';
import { cleanup, requireFreshDist, tempDir, until, slowImdbSpec } from './helpers.js';

requireFreshDist();
const hasRedis = redisAvailable();
let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(cleanup);
envForFile(() => ({ RNNLAB_CACHE: path.join(root, 'cache'), RNNLAB_OFFLINE: '1' }));

describe("a run folder's count of ended starts", () => {
  it('counts completed and failed starts, not one stopped by Ctrl-C, and carries the count to the next worker', () => {
    const dir = path.join(tempDir(), 'run');
    mkdirSync(dir);
    expect(stampAttempts(dir)).toBe(0);
    workerLog(dir, 'a').end('failed');
    expect(stampAttempts(dir)).toBe(1);
    workerLog(dir, 'b').end('interrupted');
    expect(readWorkerStamp(dir)).toMatchObject({ worker: 'b', state: 'interrupted', attempts: 1 });
    const third = workerLog(dir, 'c');
    // While it runs, the start under way is not counted yet (it may still be stopped without spending an attempt).
    expect(stampAttempts(dir)).toBe(1);
    third.end('completed');
    expect(stampAttempts(dir)).toBe(2);
  });

  it('reads 0 from an older stamp without the count, or a damaged one', () => {
    const dir = path.join(tempDir(), 'run');
    mkdirSync(dir);
    const old = { worker: 'w', runId: 'run', host: 'h', pid: 1, state: 'completed', startedAt: 'x', updatedAt: 'x', epoch: 1, epochs: 1 };
    writeFileSync(path.join(dir, WORKER_FILE), JSON.stringify(old));
    expect(stampAttempts(dir)).toBe(0);
    writeFileSync(path.join(dir, WORKER_FILE), JSON.stringify({ ...old, attempts: -3 }));
    expect(stampAttempts(dir)).toBe(0);
  });

  it("raises sweep.json's attempts to the folder's count when the caller knew fewer", () => {
    const spec = parseSpec('command: addition\nseeds: [1, 2]\n');
    const dir = tempDir();
    const [a, b] = expandRuns(spec);
    const runDir = path.join(dir, 'runs', a.id);
    mkdirSync(runDir, { recursive: true });
    workerLog(runDir, 'w').end('failed');
    workerLog(runDir, 'w').end('failed');
    const known = new Map([[a.id, { attempts: 1 }], [b.id, { attempts: 3 }]]);
    expect(collectEntries(dir, spec, [a, b], known).map((e) => e.attempts)).toEqual([2, 3]);
  });
});

describe.skipIf(!hasRedis)('a job lost with Redis before the waiting sweep saw it', () => {
  it('still counts the start: attempts 1 in sweep.json, not 0', async () => {
    const first = await startRedis();
    const spec = slowImdbSpec();
    const [run] = expandRuns(spec);
    const dir = path.join(root, 'unseen');
    const opts = { url: first.url, name: 'test-unseen' };
    await enqueueSweep(spec, dir, opts);
    const runDir = path.join(dir, 'runs', run.id);
    const log: string[] = [];
    // A short lock: the job queued again finds the run busy and is put back for this long.
    const worker = runWorker({ ...opts, threads: 1, workerName: 'w', lockMs: 2000, log: (l) => log.push(l) });
    let second: { stop: () => Promise<void> } | null = null;
    try {
      // Nobody waits on the sweep yet: the run starts and Redis restarts empty under it.
      await until('the run is under way', () => (readWorkerStamp(runDir)?.epoch ?? 0) >= 1);
      await first.stop();
      second = await startRedis({ port: first.port });
      const lost: string[] = [];
      const outcome = await waitForSweep(spec, dir, { ...opts, pollMs: 100, onLost: (id) => lost.push(id) });
      expect(lost).toEqual([run.id]);
      expect(outcome.summary).toMatchObject({ completed: 1, failed: 0 });
      expect(log.filter((l) => / start /.test(l))).toContain(`w: start ${run.id} (attempt 1)`);
      expect(readWorkerStamp(runDir)).toMatchObject({ state: 'completed', attempts: 1 });
      expect(readSweepRecord(dir)!.runs[0]).toMatchObject({ status: 'completed', attempts: 1 });
      expect(readdirSync(path.join(dir, 'runs'))).toEqual([run.id]);
      expect(JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8')).models[0].history.loss).toHaveLength(40);
    } finally {
      await worker.stop();
      await second?.stop();
      await first.stop();
    }
  }, 180_000);
});

describe('the sweep tests that run real runs', () => {
  it('each check that dist/ is current first (requireFreshDist)', () => {
    const here = path.dirname(new URL(import.meta.url).pathname);
    const forks = /\b(runSweepLocal|runWorker|executeRun)\(|bin\/rnnlab\.js/;
    const missing = readdirSync(here).filter((f) => f.endsWith('.test.ts'))
      .filter((f) => { const s = readFileSync(path.join(here, f), 'utf8'); return forks.test(s) && !/^requireFreshDist\(\);$/m.test(s); });
    expect(missing).toEqual([]);
  });
});
