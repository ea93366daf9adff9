/**
 * A run's worker.json that cannot be read (a key given twice, not JSON) counts as no stamp: no worker, no attempts
 * counted from it, not running elsewhere. The local pool, the queue's sweep and its worker now say so, once per file
 * and problem, naming the file and why; before, the run was silently shown as taken by no worker.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unreadStampWarning } from '../../src/sweep/execute.js';
import { expandRuns } from '../../src/sweep/expand.js';
import { runSweepLocal, type SweepEvent } from '../../src/sweep/pool.js';
import { enqueueSweep, runWorker, waitForSweep } from '../../src/sweep/queue.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { readWorkerStamp, WORKER_FILE } from '../../src/sweep/worker_file.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, requireFreshDist, tempDir, TINY_ADDITION } from './helpers.js';

requireFreshDist();

let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(cleanup);

const OLD = '2025-01-02T00:00:00.000Z';
/** A gone worker's stamp whose state is given twice: JSON.parse would read it as "running". */
const TWICE = (runId: string) => `{"worker":"gone","runId":"${runId}","host":"elsewhere","pid":1,"state":"completed","state":"running","startedAt":"${OLD}","updatedAt":"${OLD}","epoch":null,"epochs":null,"attempts":2}\n`;
const COUNTS_AS_NONE = ', so the run counts as having no worker stamp (no worker shown, no attempts counted from it, not taken as running elsewhere) until a worker starts it and writes a whole one';

function damage(sweepDir: string, runId: string, text: string): string {
  const dir = path.join(sweepDir, 'runs', runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, WORKER_FILE), text);
  return path.join(dir, WORKER_FILE);
}

describe('unreadStampWarning', () => {
  it('says why, naming the file by its path, once per file and problem; nothing for a missing or whole stamp', () => {
    const sweepDir = path.join(root, 'unit');
    const file = damage(sweepDir, 'a', TWICE('a'));
    const dir = path.dirname(file);
    expect(unreadStampWarning(dir)).toBe(`${file} gives the key "state" more than once; it is not read${COUNTS_AS_NONE}`);
    expect(unreadStampWarning(dir)).toBeNull();
    writeFileSync(file, '{"worker": "w", ');
    expect(unreadStampWarning(dir)).toBe(`${file} is not valid JSON${COUNTS_AS_NONE}`);
    writeFileSync(file, '{"state": "running"}');
    expect(unreadStampWarning(dir)).toBe(`${file} is not a worker stamp (it needs "worker" and "updatedAt")${COUNTS_AS_NONE}`);
    writeFileSync(file, JSON.stringify({ worker: 'w', updatedAt: OLD }));
    expect(unreadStampWarning(dir)).toBeNull();
    expect(unreadStampWarning(path.join(sweepDir, 'runs', 'none'))).toBeNull();
  });
});

describe('the local pool', () => {
  it('warns once of a run whose worker.json it cannot read, runs it, and then the stamp is whole', async () => {
    const spec = parseSpec(`${TINY_ADDITION}grid: { hidden: [4, 8] }\n`);
    const [a, b] = expandRuns(spec);
    const dir = path.join(root, 'pool');
    const file = damage(dir, a.id, TWICE(a.id));
    const sweep = async () => {
      const events: SweepEvent[] = [];
      const o = await runSweepLocal(spec, { dir, parallel: 1, threads: 1, onEvent: (e) => events.push(e) });
      return { o, warnings: events.flatMap((e) => (e.type === 'warning' ? [e.message] : [])) };
    };
    const first = await sweep();
    expect(first.warnings).toEqual([`run ${a.id}: ${file} gives the key "state" more than once; it is not read${COUNTS_AS_NONE}`]);
    expect(first.o.summary).toMatchObject({ completed: 2, failed: 0 });
    expect(readWorkerStamp(path.dirname(file))).toMatchObject({ state: 'completed', runId: a.id });
    // Damaged again once the run completed: said again (another problem), and not a third time.
    writeFileSync(file, '{');
    damage(dir, b.id, '');
    const second = await sweep();
    expect(second.warnings).toEqual([
      `run ${a.id}: ${file} is not valid JSON${COUNTS_AS_NONE}`,
      `run ${b.id}: ${path.join(dir, 'runs', b.id, WORKER_FILE)} is not valid JSON${COUNTS_AS_NONE}`,
    ]);
    expect((await sweep()).warnings).toEqual([]);
  }, 120_000);
});

describe.skipIf(!redisAvailable())('through the queue', () => {
  let redis: RedisServer;
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => { await redis?.stop(); });

  it('the queued sweep warns (a process warning, on stderr, unless told where), and the worker through warn', async () => {
    const spec = parseSpec(TINY_ADDITION);
    const [run] = expandRuns(spec);
    const dir = path.join(root, 'queued');
    const file = damage(dir, run.id, 'not json');
    const opts = { url: redis.url, name: 'unread-stamp-r55' };
    const processWarnings: string[] = [];
    const onProcessWarning = (w: Error) => processWarnings.push(w.message);
    process.on('warning', onProcessWarning);
    try {
      await enqueueSweep(spec, dir, opts);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onProcessWarning);
    }
    expect(processWarnings).toEqual([`run ${run.id}: ${file} is not valid JSON${COUNTS_AS_NONE}`]);
    // Damaged another way before a worker takes the run.
    writeFileSync(file, TWICE(run.id));
    const log: string[] = [], warn: string[] = [], waitWarnings: string[] = [];
    const worker = runWorker({ ...opts, threads: 1, workerName: 'w', log: (l) => log.push(l), warn: (l) => warn.push(l) });
    try {
      const outcome = await waitForSweep(spec, dir, { ...opts, pollMs: 50, onWarning: (l) => waitWarnings.push(l) });
      expect(outcome.summary).toMatchObject({ completed: 1, failed: 0 });
    } finally {
      await worker.stop();
    }
    expect(warn).toEqual([`w: warning: run ${run.id}: ${file} gives the key "state" more than once; it is not read${COUNTS_AS_NONE}`]);
    expect(log.filter((l) => l.includes('warning'))).toEqual([]);
    // The worker had said it: the same process does not say it twice.
    expect(waitWarnings).toEqual([]);
    expect(readWorkerStamp(path.dirname(file))).toMatchObject({ state: 'completed', worker: 'w' });
  }, 120_000);
});
