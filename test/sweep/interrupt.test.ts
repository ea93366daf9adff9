/**
 * A sweep or a worker stopped mid-run (Ctrl-C): each run under way is stopped once, as Ctrl-C stops a training run
 * (an imdb run saves a checkpoint), is not counted as a failed attempt, and resumes from its checkpoint later: on the
 * local pool when the sweep runs again, on a queue with the next worker. Runs are in their own process group, so
 * that a Ctrl-C typed in the terminal reaches only the sweep or worker, which passes it on once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweepLocal, type SweepEvent } from '../../src/sweep/pool.js';
import { enqueueSweep, runWorker, waitForSweep } from '../../src/sweep/queue.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { WORKER_FILE } from '../../src/sweep/worker_file.js';
import { envForFile } from '../helpers/env.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, learnableTarball, queuedJob, tempDir, requireFreshDist } from './helpers.js';

// Its sweeps run real runs, forked from dist/.
requireFreshDist();

const root = tempDir();
const data = learnableTarball(root, 80);
envForFile(() => ({ RNNLAB_CACHE: path.join(root, 'cache') }));
afterAll(cleanup);

// The local sweep's runs are long enough that one run cannot finish while the other, started late on a loaded
// machine, has yet to write its first checkpoint (epochs take ~60 ms; a lag of 13 epochs has been seen).
const spec = (seeds: string, epochs = 30) => parseSpec(`command: imdb
flags: { data: ${JSON.stringify(data)}, limit: 160, epochs: ${epochs}, maxlen: 20, vocab: 2000, embedding_dim: 8, batch_size: 16, model: lstm, units: 4 }
seeds: [${seeds}]
metric: test_accuracy
attempts: 1
`);

const LOCAL_EPOCHS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stamp = (dir: string, run: string) => JSON.parse(readFileSync(path.join(dir, 'runs', run, WORKER_FILE), 'utf8'));
const hasCheckpoint = (dir: string, run: string) => existsSync(path.join(dir, 'runs', run, 'checkpoint', 'checkpoint.json'));

/** The process group of a process, from /proc (Linux). */
function processGroup(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** The pids of this process's children running the sweep's child entry point. */
function runChildren(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sweep_child');
    } catch {
      return false;
    }
  });
}

describe('a local sweep stopped mid-run', () => {
  it('stops its runs once, records them as pending with no attempt spent, and the same sweep resumes them from their checkpoints', async () => {
    const dir = path.join(root, 'local');
    const stop = new AbortController();
    const events: SweepEvent[] = [];
    const groups: number[] = [];
    const first = await runSweepLocal(spec('1, 2', LOCAL_EPOCHS), {
      dir, parallel: 2, threads: 1, signal: stop.signal,
      onEvent: (e) => {
        events.push(e);
        // Past the first epochs, with a checkpoint written: stop the sweep as Ctrl-C would.
        if (e.type === 'epoch' && e.epoch >= 3 && !stop.signal.aborted && hasCheckpoint(dir, 'seed-1') && hasCheckpoint(dir, 'seed-2')) {
          if (existsSync('/proc/self/stat')) groups.push(...runChildren().map(processGroup));
          stop.abort();
        }
      },
    });
    expect(stop.signal.aborted).toBe(true);
    // Each run in a process group of its own, not the sweep's (a terminal's Ctrl-C would otherwise hit them too).
    if (existsSync('/proc/self/stat')) {
      expect(groups).toHaveLength(2);
      expect(groups).not.toContain(processGroup(process.pid));
    }
    expect(events.filter((e) => e.type === 'failed')).toEqual([]);
    expect(events.filter((e) => e.type === 'interrupted').map((e) => e.run.id).sort()).toEqual(['seed-1', 'seed-2']);
    expect(first.summary).toMatchObject({ completed: 0, failed: 0, pending: 2 });
    expect(readSweepRecord(dir)!.runs.map((r) => [r.id, r.status, r.attempts])).toEqual([['seed-1', 'pending', 0], ['seed-2', 'pending', 0]]);
    for (const run of ['seed-1', 'seed-2']) {
      expect(stamp(dir, run).state).toBe('interrupted');
      expect(hasCheckpoint(dir, run)).toBe(true);
      expect(existsSync(path.join(dir, 'runs', run, 'results.json'))).toBe(false);
    }

    const again: SweepEvent[] = [];
    const second = await runSweepLocal(spec('1, 2', LOCAL_EPOCHS), { dir, parallel: 2, threads: 1, onEvent: (e) => again.push(e) });
    expect(second.summary).toMatchObject({ completed: 2, failed: 0, pending: 0 });
    expect(again.filter((e) => e.type === 'done').map((e) => e.type === 'done' && e.how)).toEqual(['resumed', 'resumed']);
    expect(readSweepRecord(dir)!.runs.map((r) => r.attempts)).toEqual([1, 1]);
    for (const run of ['seed-1', 'seed-2']) {
      expect(JSON.parse(readFileSync(path.join(dir, 'runs', run, 'results.json'), 'utf8')).models[0].history.loss).toHaveLength(LOCAL_EPOCHS);
    }
  }, 180_000);
});

const hasRedis = redisAvailable();
describe.skipIf(!hasRedis)('a queue worker stopped mid-run', () => {
  let redis: RedisServer;
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => { await redis?.stop(); });

  it('puts the run back on the queue with no attempt spent (attempts: 1), and the next worker resumes and finishes it', async () => {
    const dir = path.join(root, 'queued');
    const s = spec('1');
    const opts = { url: redis.url, name: 'test-stop' };
    expect(await enqueueSweep(s, dir, opts)).toEqual({ queued: 1, done: 0 });
    const first = runWorker({ ...opts, concurrency: 1, threads: 1, workerName: 'first' });
    const deadline = Date.now() + 90_000;
    // Stopped at its first checkpoint: the stamp shows epochs up to a second late (src/sweep/worker_file.ts), by when
    // this short run could have ended.
    while (!(existsSync(path.join(dir, 'runs', 'seed-1', WORKER_FILE)) && hasCheckpoint(dir, 'seed-1')) && Date.now() < deadline) await sleep(50);
    expect(hasCheckpoint(dir, 'seed-1')).toBe(true);
    await first.stop();
    await first.done;

    expect(await queuedJob(redis.url, opts.name, dir, 'seed-1')).toEqual({ state: 'waiting', attemptsMade: 0 });
    expect(stamp(dir, 'seed-1')).toMatchObject({ state: 'interrupted', worker: 'first' });
    expect(existsSync(path.join(dir, 'runs', 'seed-1', 'results.json'))).toBe(false);

    const log: string[] = [];
    const next = runWorker({ ...opts, concurrency: 1, threads: 1, workerName: 'next', log: (l) => log.push(l) });
    const outcome = await waitForSweep(s, dir, { ...opts, pollMs: 200 });
    await next.stop();
    expect(outcome.summary).toMatchObject({ completed: 1, failed: 0 });
    expect(log).toContain('next: resumed and finished seed-1');
    expect(JSON.parse(readFileSync(path.join(dir, 'runs', 'seed-1', 'results.json'), 'utf8')).models[0].history.loss).toHaveLength(30);
  }, 180_000);
});
