/**
 * The first Ctrl-C while Redis is down: ioredis holds every command until Redis is back, so a stop that awaited one
 * would not stop. A waiting `sweep --queue` still writes sweep.json, releases its folder and exits 130; a worker,
 * idle or with a run under way, exits 0 (the run, which cannot go back on the queue, is said so on stderr).
 * Real processes from dist/, a real redis-server shut down while they wait.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweepLocal } from '../../src/sweep/pool.js';
import { expandRuns } from '../../src/sweep/expand.js';
import { enqueueSweep } from '../../src/sweep/queue.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { WORKER_FILE } from '../../src/sweep/worker_file.js';
import { redisAvailable, startRedis } from '../helpers/redis.js';
import { cleanup, rnnlabProcess, requireFreshDist, slowImdbSpec, tempDir, until } from './helpers.js';

requireFreshDist();

const SPEC = 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\nseeds: [1, 2]\n';
const children: ChildProcess[] = [];
let root: string;

beforeAll(() => { root = tempDir(); });
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  cleanup();
});

/** rnnlab as its own process (it gets the signal as a user's would), with what it prints and how it exits. */
const rnnlab = (args: string[]) => rnnlabProcess(args, children);

describe.skipIf(!redisAvailable())('the first Ctrl-C while Redis is down', () => {
  it('stops a waiting sweep --queue: sweep.json from what is known, the folder released, exit 130', async () => {
    const redis = await startRedis();
    const spec = path.join(root, 'wait.yaml');
    writeFileSync(spec, SPEC);
    const done = path.join(root, 'done-elsewhere');
    await runSweepLocal(parseSpec(SPEC), { dir: done, parallel: 1, threads: 1 });
    const dir = path.join(root, 'waiting');
    const s = rnnlab(['sweep', spec, '--queue', redis.url, '--queue-name', 'outage-wait', '--out', dir]);
    try {
      await until('the sweep waits', () => s.out.includes('0/2 done'), 60_000);
      await redis.stop();
      await until('the sweep says Redis is lost', () => s.out.includes('lost the connection to Redis'), 60_000);
      // A run a worker finished meanwhile: the stopped sweep reads it from its folder.
      cpSync(path.join(done, 'runs', 'seed-1'), path.join(dir, 'runs', 'seed-1'), { recursive: true });
      s.child.kill('SIGINT');
      expect(await s.exited).toBe(130);
    } finally {
      await redis.stop();
    }
    expect(s.out).toContain('Stopping the wait: the workers go on with the queued runs');
    expect(s.out).toContain(`Stopped waiting: 1 of 2 run(s) done so far; the same command waits for the rest. Wrote ${path.join(dir, 'sweep.json')}.`);
    expect(s.out).not.toContain('Stopped at once');
    const rec = readSweepRecord(dir)!;
    expect(rec.finishedAt).toBeNull();
    expect(rec.runs.map((r) => `${r.id} ${r.status}`)).toEqual(['seed-1 completed', 'seed-2 pending']);
    expect(existsSync(path.join(dir, '.sweep.lock'))).toBe(false);
  }, 120_000);

  it('stops an idle worker with exit 0', async () => {
    const redis = await startRedis();
    const w = rnnlab(['worker', '--queue', redis.url, '--queue-name', 'outage-idle', '--threads', '1', '--name', 'wz']);
    try {
      await until('the worker is up', () => w.out.includes('Worker on'), 60_000);
      await redis.stop();
      await until('the worker says Redis is lost', () => w.out.includes('wz: lost the connection to Redis'), 60_000);
      w.child.kill('SIGINT');
      expect(await w.exited).toBe(0);
    } finally {
      await redis.stop();
    }
    expect(w.out).toContain('Stopping: each run under way');
    expect(w.err).toBe('');
  }, 120_000);

  it('stops a worker with a run under way with exit 0: the run stops, and stderr says it could not go back on the queue', async () => {
    const redis = await startRedis();
    const spec = slowImdbSpec();
    const dir = path.join(root, 'mid-run');
    const [run] = expandRuns(spec);
    await enqueueSweep(spec, dir, { url: redis.url, name: 'outage-run' });
    const w = rnnlab(['worker', '--queue', redis.url, '--queue-name', 'outage-run', '--threads', '1', '--name', 'wr']);
    const stamp = path.join(dir, 'runs', run.id, WORKER_FILE);
    try {
      await until('the run is under way', () => existsSync(stamp), 60_000);
      await redis.stop();
      await until('the worker says Redis is lost', () => w.out.includes('wr: lost the connection to Redis'), 60_000);
      w.child.kill('SIGINT');
      expect(await w.exited).toBe(0);
    } finally {
      await redis.stop();
    }
    expect(w.err).toBe(`wr: stopped ${run.id}, but Redis is down, so it could not be put back on the queue; its lock lapses (--lock-seconds) and another worker takes it over, as after a killed worker\n`);
    expect(w.out).not.toContain('back on the queue\n');
    // Stopped as Ctrl-C stops a run: not a failed attempt, resumed by the worker that takes it over.
    expect(JSON.parse(readFileSync(stamp, 'utf8'))).toMatchObject({ state: 'interrupted', worker: 'wr' });
  }, 120_000);
});
