import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SweepStore } from '../../src/server/sweeps.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueSweep, jobId, redisConnection, waitForSweep } from '../../src/sweep/queue.js';
import { expandRuns } from '../../src/sweep/expand.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, learnableTarball, tempDir, requireFreshDist } from './helpers.js';

// Its sweeps run real runs, forked from dist/.
requireFreshDist();

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hasRedis = redisAvailable();
let redis: RedisServer;
let root: string;
let data: string;
const savedCache = process.env.RNNLAB_CACHE;

beforeAll(async () => {
  if (!hasRedis) return;
  redis = await startRedis();
  root = tempDir();
  data = learnableTarball(root, 80);
  process.env.RNNLAB_CACHE = path.join(root, 'cache');
});
afterAll(async () => {
  if (savedCache === undefined) delete process.env.RNNLAB_CACHE;
  else process.env.RNNLAB_CACHE = savedCache;
  await redis?.stop();
  cleanup();
});

interface WorkerProc { child: ChildProcess; log: string[] }

function startWorker(url: string, name: string): WorkerProc {
  const child = spawn(process.execPath, [path.join(REPO, 'bin/rnnlab.js'), 'worker', '--queue', url, '--threads', '1', '--lock-seconds', '2', '--queue-name', 'test-sweeps', '--name', name], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const w: WorkerProc = { child, log: [] };
  const take = (c: Buffer) => w.log.push(...c.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  return w;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Redis is Debian's redis-server, which .ci/run installs; without it the queue cannot be exercised.
describe.skipIf(!hasRedis)('rnnlab sweep through Redis and two workers', () => {
  it('completes 12 runs exactly once although one worker is killed (kill -9) mid-run', async () => {
    const spec = parseSpec(`command: imdb
flags: { data: ${JSON.stringify(data)}, limit: 160, epochs: 30, maxlen: 20, vocab: 2000, embedding_dim: 8, batch_size: 16 }
grid: { model: [lstm, gru], units: [4, 8] }
seeds: [1, 2, 3]
metric: test_accuracy
attempts: 2
`);
    const dir = path.join(root, 'sweep');
    const q = await enqueueSweep(spec, dir, { url: redis.url, name: 'test-sweeps' });
    expect(q).toEqual({ queued: 12, done: 0 });
    // Queueing again adds nothing: the job ids are the runs' own.
    expect((await enqueueSweep(spec, dir, { url: redis.url, name: 'test-sweeps' })).queued).toBe(0);
    const conn = redisConnection(redis.url);
    const waiting = await conn.llen('bull:test-sweeps:wait');
    conn.disconnect();
    expect(waiting).toBe(12);

    const a = startWorker(redis.url, 'a');
    const b = startWorker(redis.url, 'b');
    const done = waitForSweep(spec, dir, { url: redis.url, name: 'test-sweeps', pollMs: 200 });

    // Kill worker a while one of its runs is between its first checkpoint and its results.
    let killed: string | null = null;
    const deadline = Date.now() + 60_000;
    while (!killed && Date.now() < deadline) {
      const started = a.log.map((l) => /start (\S+)/.exec(l)?.[1]).filter(Boolean) as string[];
      const current = started.at(-1);
      if (current) {
        const runDir = path.join(dir, 'runs', current);
        if (existsSync(path.join(runDir, 'checkpoint', 'checkpoint.json')) && !existsSync(path.join(runDir, 'results.json'))) {
          a.child.kill('SIGKILL');
          killed = current;
        }
      }
      await sleep(10);
    }
    expect(killed).not.toBeNull();

    const outcome = await done;
    b.child.kill('SIGTERM');
    await new Promise((r) => b.child.once('exit', r));

    expect(outcome.summary).toMatchObject({ completed: 12, failed: 0 });
    const folders = readdirSync(path.join(dir, 'runs')).sort();
    expect(folders).toEqual(expandRuns(spec).map((r) => r.id).sort());
    for (const f of folders) {
      const rec = JSON.parse(readFileSync(path.join(dir, 'runs', f, 'results.json'), 'utf8'));
      expect(rec.status).toBe('completed');
      expect(rec.models[0].history.loss).toHaveLength(30);
    }
    // The killed run was taken over by worker b and resumed from its checkpoint.
    expect(b.log.some((l) => l.includes(`resumed and finished ${killed}`))).toBe(true);
    expect(jobId(dir, killed!)).toMatch(/^[0-9a-f]{12}-/);
    // The dashboard's view of it, per worker: b finished the killed run; both workers are gone now.
    const view = await new SweepStore(root).get('sweep');
    expect(view.runs.find((r) => r.id === killed)).toMatchObject({ worker: 'b', takenOverFrom: 'a' });
    expect(view.runs.every((r) => r.worker === 'a' || r.worker === 'b')).toBe(true);
    expect(view.workers.every((w) => !w.alive && w.current === null)).toBe(true);
    expect(view.workers.reduce((n, w) => n + w.completed, 0)).toBe(12);
    // 12 runs of 30 epochs in child processes: about 2 minutes on 2 busy cores, so the limit leaves room.
  }, 300_000);
});
