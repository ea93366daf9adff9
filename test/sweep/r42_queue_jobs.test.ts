/**
 * What a queued job carries besides its run: its path flags made absolute on the sweep's side (a worker's child runs
 * in the worker's own folder), and the rnnlab version that queued it, which a worker of another version refuses.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_FLAG_SPECS } from '../../src/cli/sweep.js';
import { rnnlabVersion } from '../../src/report/environment.js';
import { jobId, redisConnection, runJob, runWorker, versionNote, versionProblem, withAbsolutePaths } from '../../src/sweep/queue.js';
import { expandRuns } from '../../src/sweep/expand.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, learnableTarball, requireFreshDist, run, tempDir, until } from './helpers.js';

requireFreshDist();

const hasRedis = redisAvailable();
let redis: RedisServer;

beforeAll(async () => { if (hasRedis) redis = await startRedis(); });
afterAll(async () => {
  await redis?.stop();
  cleanup();
});

const ADDITION = 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\n';

describe('version check between a sweep and its workers', () => {
  it('refuses versions whose major or minor differ, naming both; a patch apart or no version recorded runs, with a note', () => {
    expect(versionProblem('1.3.0', '1.2.3')).toBe('it was queued by rnnlab 1.3.0 and this worker is rnnlab 1.2.3: run the sweep and its workers with the same rnnlab version (major.minor)');
    expect(versionProblem('2.2.3', '1.2.3')).toMatch(/rnnlab 2\.2\.3 .* rnnlab 1\.2\.3/);
    expect(versionProblem('1.2.9', '1.2.3')).toBeNull();
    expect(versionProblem('1.2.3', '1.2.3')).toBeNull();
    expect(versionNote('1.2.9', '1.2.3')).toBe('it was queued by rnnlab 1.2.9; running it with rnnlab 1.2.3 (a patch apart)');
    expect(versionNote(undefined, '1.2.3')).toMatch(/records no version/);
    expect(versionNote('1.2.3', '1.2.3')).toBeNull();
    expect(versionNote('1.3.0', '1.2.3')).toBeNull();
  });

  it('a job records the version that queued it', () => {
    const [r] = expandRuns(parseSpec(ADDITION));
    expect(runJob('/s', parseSpec(ADDITION), r, 0).data.rnnlab).toBe(rnnlabVersion());
  });
});

describe('path flags of a queued run', () => {
  it('are made absolute against the given base; other flags and absolute paths stay as they are', () => {
    const r = { id: 'x', command: 'imdb' as const, axes: {}, seed: 1, flags: { data: 'aclImdb_v1.tar.gz', model: 'lstm', units: 8 } };
    const abs = withAbsolutePaths(r, { names: ['data'], inputs: ['data'], base: '/sweeps/here' });
    expect(abs.flags).toEqual({ data: path.resolve('/sweeps/here', 'aclImdb_v1.tar.gz'), model: 'lstm', units: 8 });
    expect(r.flags.data).toBe('aclImdb_v1.tar.gz');
    expect(withAbsolutePaths({ ...r, flags: { data: '/d/x.tar.gz' } }, { names: ['data'], inputs: [] }).flags.data).toBe('/d/x.tar.gz');
  });
});

describe.skipIf(!hasRedis)('queued jobs on a real Redis', () => {
  it('rnnlab sweep --queue queues --data resolved against its own working folder, as a local sweep reads it', async () => {
    const root = tempDir();
    const tarball = learnableTarball(root, 4);
    const spec = path.join(root, 'rel.yaml');
    // Relative to the sweep's working folder (the test's), not to the spec file's folder.
    const rel = path.relative(process.cwd(), tarball);
    writeFileSync(spec, `command: imdb\nflags: { data: ${JSON.stringify(rel)}, model: lstm, epochs: 1 }\n`);
    const out = path.join(root, 'sweep');
    const r = await run(['sweep', spec, '--queue', redis.url, '--queue-name', 'r42-paths', '--detach', '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const connection = redisConnection(redis.url);
    const queue = new Queue('r42-paths', { connection });
    try {
      const [only] = expandRuns(parseSpec(`command: imdb\nflags: { data: x, model: lstm, epochs: 1 }\n`));
      const job = await queue.getJob(jobId(out, only.id));
      expect(job?.data.run.flags.data).toBe(tarball);
      expect(job?.data.inputs).toEqual(['data']);
      expect(job?.data.rnnlab).toBe(rnnlabVersion());
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  }, 60_000);

  /** Runs one crafted job through a worker of version `version`; resolves with the worker's log and the job's end. */
  async function throughWorker(name: string, data: Record<string, unknown>, version: string, ended: (log: string[]) => boolean) {
    const connection = redisConnection(redis.url);
    const queue = new Queue(name, { connection });
    await queue.add('job', data, { jobId: 'j1', attempts: 3 });
    const log: string[] = [];
    const w = runWorker({ url: redis.url, name, threads: 1, workerName: 'wX', version, inputProblem: (command, flag, p) => COMMAND_FLAG_SPECS[command]?.[flag]?.whyNot?.(p), log: (l) => log.push(l) });
    try {
      await until('the job ended', () => ended(log), 60_000);
      const job = (await queue.getJob('j1'))!;
      return { log, state: await queue.getJobState('j1'), attemptsMade: job.attemptsMade, failedReason: job.failedReason, refused: job.data.refused };
    } finally {
      await w.stop();
      await queue.close();
      connection.disconnect();
    }
  }

  it('a worker of another major.minor fails the job at once, naming both versions; a patch apart runs it with a note', async () => {
    const spec = parseSpec(ADDITION);
    const [r] = expandRuns(spec);
    const sweepDir = tempDir();
    const data = { ...runJob(sweepDir, spec, r, 0).data };
    const other = await throughWorker('r42-version', { ...data, rnnlab: '7.4.0' }, '7.3.9', (l) => l.some((x) => x.includes('failed')));
    expect(other.state).toBe('failed');
    expect(other.attemptsMade).toBe(1);
    expect(other.failedReason).toBe(`run ${r.id} not run by wX: it was queued by rnnlab 7.4.0 and this worker is rnnlab 7.3.9: run the sweep and its workers with the same rnnlab version (major.minor)`);

    const patch = await throughWorker('r42-patch', { ...data, rnnlab: '7.3.1' }, '7.3.9', (l) => l.some((x) => /finished|failed/.test(x)));
    expect(patch.log).toContain(`wX: note: ${r.id}: it was queued by rnnlab 7.3.1; running it with rnnlab 7.3.9 (a patch apart)`);
    expect(patch.state).toBe('completed');
  }, 120_000);

  it('a worker without a queued input path fails the run at once, naming itself, its host and the absolute path', async () => {
    const spec = parseSpec('command: imdb\nflags: { data: aclImdb_v1.tar.gz, model: lstm, epochs: 1 }\n');
    const [r] = expandRuns(spec);
    const base = tempDir();
    const data = runJob(tempDir(), spec, r, 0, { names: ['data'], inputs: ['data'], base }).data;
    const missing = path.join(base, 'aclImdb_v1.tar.gz');
    const res = await throughWorker('r42-missing', data, rnnlabVersion(), (l) => l.some((x) => x.includes('failed')));
    expect(res.state).toBe('failed');
    expect(res.attemptsMade).toBe(1);
    expect(res.failedReason).toBe(`run ${r.id}: --data: no such file or folder on worker wX (host ${hostname()}): ${missing}; every worker reads the run's paths on its own disk, at the same absolute path`);
  }, 60_000);

  it('a worker whose --data folder lacks the tarball refuses the run by the flag\'s own check, naming itself, its host and the reason', async () => {
    const spec = parseSpec('command: imdb\nflags: { data: empty, model: lstm, epochs: 1 }\n');
    const [r] = expandRuns(spec);
    const base = tempDir();
    mkdirSync(path.join(base, 'empty'));
    const data = runJob(tempDir(), spec, r, 0, { names: ['data'], inputs: ['data'], base }).data;
    const res = await throughWorker('r42-no-tarball', data, rnnlabVersion(), (l) => l.some((x) => x.includes('failed')));
    expect(res.state).toBe('failed');
    // Refused before its run started: not a usage error of the run, which would count an attempt (attemptsOf).
    expect(res.refused).toBe(true);
    expect(res.failedReason).toBe(`run ${r.id}: --data: a folder without aclImdb_v1.tar.gz on worker wX (host ${hostname()}): ${path.join(base, 'empty')}; every worker reads the run's paths on its own disk, at the same absolute path`);
  }, 60_000);
});
