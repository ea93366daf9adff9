/**
 * A worker's refusals (another rnnlab version, an input path it lacks) come after the run's own answers: a run
 * complete already is skipped and one trained elsewhere is put back, whatever the worker would refuse. A refused run
 * was never started, so it spends no attempt. A path flag given as a YAML number is a path like any other, and a
 * worker that cannot tell its own version runs what it is given.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rnnlabVersion } from '../../src/report/environment.js';
import { runDirOf } from '../../src/sweep/execute.js';
import { expandRuns } from '../../src/sweep/expand.js';
import { attemptsOf, enqueueSweep, redisConnection, runJob, runWorker, versionNote, versionProblem, waitForSweep, withAbsolutePaths } from '../../src/sweep/queue.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { WORKER_FILE } from '../../src/sweep/worker_file.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, requireFreshDist, tempDir, until } from './helpers.js';

requireFreshDist();

const hasRedis = redisAvailable();
let redis: RedisServer;

beforeAll(async () => { if (hasRedis) redis = await startRedis(); });
afterAll(async () => {
  await redis?.stop();
  cleanup();
});

const ADDITION = 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\n';
const DATA_FLAGS = { names: ['data'], inputs: ['data'] };

describe('a path flag given as a YAML number', () => {
  it('is made absolute as the file of that name, as a local run reads String(value), and listed as an input', () => {
    const spec = parseSpec('command: imdb\nflags: { model: lstm, epochs: 1 }\ngrid: { data: [2024, "x/a.tar.gz"] }\n');
    const jobs = expandRuns(spec).map((r) => runJob('/s', spec, r, 0, { ...DATA_FLAGS, base: '/base' }).data);
    expect(jobs.map((j) => j.run.flags.data)).toEqual([path.resolve('/base', '2024'), path.resolve('/base', 'x/a.tar.gz')]);
    expect(jobs.map((j) => j.inputs)).toEqual([['data'], ['data']]);
    // Switches are no paths: left as they are.
    const r = { id: 'x', command: 'imdb' as const, axes: {}, seed: 1, flags: { data: true, units: 8 } };
    expect(withAbsolutePaths(r, { ...DATA_FLAGS, base: '/base' }).flags).toEqual({ data: true, units: 8 });
  });
});

describe('a version that cannot be told', () => {
  // rnnlabVersion() says 0.0.0 when it cannot read its package.json.
  it('refuses nothing, on either side, and says so in the note', () => {
    expect(versionProblem('0.5.0', '0.0.0')).toBeNull();
    expect(versionProblem('0.0.0', '0.5.0')).toBeNull();
    expect(versionNote('0.5.0', '0.0.0')).toBe("this worker cannot tell its rnnlab version (its package.json is unreadable), so it cannot compare it with the sweep's (rnnlab 0.5.0); running it");
    expect(versionNote(undefined, '0.0.0')).toBe("this worker cannot tell its rnnlab version (its package.json is unreadable), so it cannot compare it with the sweep's; running it");
    expect(versionNote('0.0.0', '0.5.0')).toBe('it was queued by an rnnlab that could not tell its version (its package.json was unreadable); running it with rnnlab 0.5.0');
    // A known version of another minor is still refused.
    expect(versionProblem('0.5.0', '0.4.2')).toMatch(/^it was queued by rnnlab 0\.5\.0 and this worker is rnnlab 0\.4\.2/);
  });
});

describe("a refused job's attempts", () => {
  it('counts the finish of a refused or skipped job as no start; any other finish as one', () => {
    const data = { sweepDir: '/s', run: { id: 'r', command: 'addition' as const, axes: {}, flags: {}, seed: 1 }, attemptsBefore: 2 };
    expect(attemptsOf({ data: { ...data, refused: true }, attemptsMade: 1, returnvalue: null })).toBe(2);
    expect(attemptsOf({ data, attemptsMade: 1, returnvalue: { how: 'skipped' } })).toBe(2);
    expect(attemptsOf({ data, attemptsMade: 1, returnvalue: null })).toBe(3);
  });
});

describe.skipIf(!hasRedis)('refusals on a real Redis', () => {
  /** Queues `data` as job j1 on a fresh queue and runs a worker of `version` until `ended` says so. */
  async function throughWorker(name: string, data: object, version: string, ended: (log: string[]) => boolean) {
    const connection = redisConnection(redis.url);
    const queue = new Queue(name, { connection });
    await queue.add('job', data, { jobId: 'j1', attempts: 3 });
    const log: string[] = [];
    const w = runWorker({ url: redis.url, name, threads: 1, workerName: 'wX', version, log: (l) => log.push(l) });
    try {
      await until('the job ended', () => ended(log), 60_000);
      // The log line comes from inside the job, before the worker records how it ended (its state and return value).
      const deadline = Date.now() + 60_000;
      let state = await queue.getJobState('j1');
      while ((state === 'active' || state === 'waiting') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        state = await queue.getJobState('j1');
      }
      const job = (await queue.getJob('j1'))!;
      return { log, state, returnvalue: job.returnvalue as { how?: string } | null };
    } finally {
      await w.stop();
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  }

  it('a run complete already is skipped by a worker of another version, not failed', async () => {
    const spec = parseSpec(ADDITION);
    const [r] = expandRuns(spec);
    const sweepDir = tempDir();
    const data = runJob(sweepDir, spec, r, 0).data;
    const first = await throughWorker('r42r-complete-1', data, rnnlabVersion(), (l) => l.some((x) => /finished|failed/.test(x)));
    expect(first.state).toBe('completed');
    const other = await throughWorker('r42r-complete-2', { ...data, rnnlab: '7.4.0' }, '7.3.9', (l) => l.some((x) => /already complete|failed/.test(x)));
    expect(other.log).toContain(`wX: already complete ${r.id}`);
    expect(other.state).toBe('completed');
    expect(other.returnvalue?.how).toBe('skipped');
  }, 120_000);

  it('a run trained elsewhere is put back, not failed, by a worker without its input or of another version', async () => {
    const spec = parseSpec('command: imdb\nflags: { data: gone.tar.gz, model: lstm, epochs: 1 }\n');
    const [r] = expandRuns(spec);
    const sweepDir = tempDir();
    const runDir = runDirOf(sweepDir, r);
    mkdirSync(runDir, { recursive: true });
    // Another machine's worker, its heartbeat fresh: the run is under way there.
    const now = new Date().toISOString();
    writeFileSync(path.join(runDir, WORKER_FILE), JSON.stringify({ worker: 'elsewhere', runId: r.id, host: 'another-host', pid: 1, state: 'running', startedAt: now, updatedAt: now, epoch: 1, epochs: 1, attempts: 0 }));
    const data = runJob(sweepDir, spec, r, 0, { ...DATA_FLAGS, base: tempDir() }).data;
    const busy = (l: string[]) => l.some((x) => /is being run by|failed/.test(x));
    const missing = await throughWorker('r42r-busy-1', data, rnnlabVersion(), busy);
    expect(missing.log.find((x) => /is being run by|failed/.test(x))).toMatch(new RegExp(`^wX: run ${r.id} is being run by elsewhere \\(pid 1 on another-host\\); trying`));
    expect(missing.state).toBe('delayed');
    const other = await throughWorker('r42r-busy-2', { ...data, rnnlab: '7.4.0' }, '7.3.9', busy);
    expect(other.state).toBe('delayed');
  }, 120_000);

  it('a run refused for its input spends no attempt: sweep.json records it failed with attempts 0', async () => {
    const spec = parseSpec('command: imdb\nflags: { data: 2024, model: lstm, epochs: 1 }\n');
    const [r] = expandRuns(spec);
    const dir = tempDir();
    const base = tempDir();
    const opts = { url: redis.url, name: 'r42r-refused', pathFlags: { ...DATA_FLAGS, base } };
    await enqueueSweep(spec, dir, opts);
    const log: string[] = [];
    // The worker takes the paths from the job (runWorker refuses pathFlags).
    const w = runWorker({ url: opts.url, name: opts.name, threads: 1, workerName: 'wX', log: (l) => log.push(l) });
    try {
      const outcome = await waitForSweep(spec, dir, { ...opts, pollMs: 100 });
      expect(outcome.summary).toMatchObject({ completed: 0, failed: 1 });
      const entry = readSweepRecord(dir)!.runs[0];
      expect(entry).toMatchObject({ status: 'failed', attempts: 0 });
      expect(entry.error).toBe(`run ${r.id}: --data: no such file or folder on worker wX (host ${hostname()}): ${path.join(base, '2024')}; every worker reads the run's paths on its own disk, at the same absolute path`);
      await until('the worker says why', () => log.includes(`wX: run ${r.id} failed: ${entry.error}`));
    } finally {
      await w.stop();
    }
  }, 120_000);
});
