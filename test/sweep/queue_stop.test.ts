/**
 * The queue's edges: a job on the queue that is not an rnnlab run, and Ctrl-C on a sweep waiting for its workers.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConnection, runJobProblem, runWorker } from '../../src/sweep/queue.js';
import { runSweepLocal } from '../../src/sweep/pool.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, requireFreshDist, tempDir, until } from './helpers.js';

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

const SPEC = 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\nseeds: [1, 2]\n';

describe("a queue job's data", () => {
  it('is an rnnlab run only with a run id that is a folder name under the sweep (no climbing out of runs/)', () => {
    const run = { id: 'rnn-lstm_seed-1', command: 'addition', flags: {}, seed: 1, axes: {} };
    expect(runJobProblem({ sweepDir: '/s', run })).toBeNull();
    for (const id of ['../..', '..', 'a/b', 'a\\b', '', 'x'.repeat(300)]) {
      expect(runJobProblem({ sweepDir: '/s', run: { ...run, id } }), id).toMatch(/its run id .* is not a folder name/);
    }
  });
});

describe.skipIf(!hasRedis)('sweep queue edges', () => {
  it('fails a job that is not an rnnlab run once, naming the job, not Redis', async () => {
    const name = 'foreign-test';
    const connection = redisConnection(redis.url);
    const queue = new Queue(name, { connection });
    await queue.add('their-job', { hello: 'world' }, { jobId: 'not-ours', attempts: 3 });
    const log: string[] = [];
    const w = runWorker({ url: redis.url, name, threads: 1, workerName: 'w', log: (l) => log.push(l) });
    try {
      await until('the job failed', () => log.some((l) => l.includes('failed')), 30_000);
      expect(await queue.getJobState('not-ours')).toBe('failed');
      expect((await queue.getJob('not-ours'))?.attemptsMade).toBe(1);
    } finally {
      await w.stop();
      await queue.close();
      connection.disconnect();
    }
    expect(log).toEqual(["w: job not-ours failed: job not-ours ('their-job') is not an rnnlab sweep run: its data has no sweepDir"]);
  }, 60_000);

  it('Ctrl-C on a waiting sweep writes what is done into sweep.json, releases the folder and exits 130', async () => {
    const spec = path.join(root, 'wait.yaml');
    writeFileSync(spec, SPEC);
    // A run done elsewhere, copied in while the sweep waits: as a worker's finished run appears in the folder.
    const done = path.join(root, 'done-elsewhere');
    await runSweepLocal(parseSpec(SPEC), { dir: done, parallel: 1, threads: 1 });
    const dir = path.join(root, 'waiting');
    const child = spawn(process.execPath, [path.join(REPO, 'bin/rnnlab.js'), 'sweep', spec, '--queue', redis.url, '--queue-name', 'stop-test', '--out', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    // The first progress line comes from the waiting loop, whose Ctrl-C handler is in place by then.
    await until('the sweep waits', () => out.includes('0/2 done'), 60_000);
    cpSync(path.join(done, 'runs', 'seed-1'), path.join(dir, 'runs', 'seed-1'), { recursive: true });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(out).toContain('Stopping the wait: the workers go on with the queued runs');
    expect(out).toMatch(/Stopped waiting: 1 of 2 run\(s\) done so far; the same command waits for the rest\./);
    const rec = readSweepRecord(dir)!;
    expect(rec.finishedAt).toBeNull();
    expect(rec.runs.map((r) => `${r.id} ${r.status}`)).toEqual(['seed-1 completed', 'seed-2 pending']);
    expect(existsSync(path.join(dir, '.sweep.lock'))).toBe(false);
  }, 90_000);
});
