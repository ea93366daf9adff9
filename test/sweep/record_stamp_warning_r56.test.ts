/**
 * sweep.json's reader (collectEntries) counts a run's worker.json that cannot be read as none: no worker shown, no
 * attempts counted from it. It now says so, naming the file, once per file and problem, through the sweep's warnings
 * (the local pool's warning events, the queue's onWarning): before, a sweep stopped before such a run started, or a
 * queued sweep whose run's stamp was damaged while its job waited, wrote sweep.json without a word.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandRuns, type SweepRun } from '../../src/sweep/expand.js';
import { runSweepLocal, type SweepEvent } from '../../src/sweep/pool.js';
import { enqueueSweep, waitForSweep } from '../../src/sweep/queue.js';
import { collectEntries, readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { WORKER_FILE } from '../../src/sweep/worker_file.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { cleanup, requireFreshDist, tempDir, TINY_ADDITION } from './helpers.js';

// The stopped local sweep starts no run, but the rule holds for every test calling runSweepLocal.
requireFreshDist();

let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(cleanup);

const OLD = '2025-01-02T00:00:00.000Z';
const TWICE = (runId: string) => `{"worker":"gone","runId":"${runId}","host":"elsewhere","pid":1,"state":"completed","state":"running","startedAt":"${OLD}","updatedAt":"${OLD}","epoch":null,"epochs":null,"attempts":2}\n`;
const COUNTS_AS_NONE = ', so the run counts as having no worker stamp (no worker shown, no attempts counted from it, not taken as running elsewhere) until a worker starts it and writes a whole one';

function damage(sweepDir: string, runId: string, text: string): string {
  const dir = path.join(sweepDir, 'runs', runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, WORKER_FILE), text);
  return path.join(dir, WORKER_FILE);
}

describe('collectEntries', () => {
  it('says, once per file and problem, which run stamp it cannot read, and counts it as none', () => {
    const spec = parseSpec(`${TINY_ADDITION}grid: { hidden: [4, 8] }\n`);
    const runs = expandRuns(spec);
    const dir = path.join(root, 'unit');
    const file = damage(dir, runs[0].id, TWICE(runs[0].id));
    writeFileSync(damage(dir, runs[1].id, ''), JSON.stringify({ worker: 'w', updatedAt: OLD, attempts: 1 }));
    const heard: [SweepRun, string][] = [];
    const entries = collectEntries(dir, spec, runs, new Map(), (run, message) => heard.push([run, message]));
    expect(heard).toEqual([[runs[0], `run ${runs[0].id}: ${file} gives the key "state" more than once; it is not read${COUNTS_AS_NONE}`]]);
    expect(entries.map((e) => [e.worker, e.attempts])).toEqual([[undefined, 0], ['w', 1]]);
    // Read again (every write of sweep.json reads it): not said again; said anew when the problem changes.
    collectEntries(dir, spec, runs, new Map(), (run, message) => heard.push([run, message]));
    expect(heard).toHaveLength(1);
    writeFileSync(file, '{');
    collectEntries(dir, spec, runs, new Map(), (run, message) => heard.push([run, message]));
    expect(heard.slice(1)).toEqual([[runs[0], `run ${runs[0].id}: ${file} is not valid JSON${COUNTS_AS_NONE}`]]);
  });
});

describe('the local pool', () => {
  it('says it when the sweep stops before the run starts (sweep.json written, the run never reached)', async () => {
    const spec = parseSpec(TINY_ADDITION);
    const [run] = expandRuns(spec);
    const dir = path.join(root, 'stopped');
    const file = damage(dir, run.id, 'not json');
    const stopped = new AbortController();
    stopped.abort();
    const events: SweepEvent[] = [];
    const outcome = await runSweepLocal(spec, { dir, parallel: 1, threads: 1, signal: stopped.signal, onEvent: (e) => events.push(e) });
    expect(events.map((e) => e.type)).toEqual(['warning']);
    expect(events[0]).toEqual({ type: 'warning', run, message: `run ${run.id}: ${file} is not valid JSON${COUNTS_AS_NONE}` });
    expect(outcome.summary).toMatchObject({ pending: 1, completed: 0 });
    expect(readSweepRecord(dir)!.runs[0]).toMatchObject({ id: run.id, status: 'pending', attempts: 0 });
    expect(readSweepRecord(dir)!.runs[0].worker).toBeUndefined();
  });
});

describe.skipIf(!redisAvailable())('the queued sweep', () => {
  let redis: RedisServer;
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => { await redis?.stop(); });

  it("says it through onWarning when a waiting job's stamp is damaged and the wait stops", async () => {
    const spec = parseSpec(TINY_ADDITION);
    const [run] = expandRuns(spec);
    const dir = path.join(root, 'queued');
    const opts = { url: redis.url, name: 'record-stamp-r56' };
    const enqueueWarnings: string[] = [];
    expect(await enqueueSweep(spec, dir, { ...opts, onWarning: (l) => enqueueWarnings.push(l) })).toEqual({ queued: 1, done: 0 });
    expect(enqueueWarnings).toEqual([]);
    // No worker takes the job; its run's stamp is damaged meanwhile (by hand, or a full disk's half write).
    const file = damage(dir, run.id, TWICE(run.id));
    const stop = new AbortController();
    const warnings: string[] = [];
    const outcome = await waitForSweep(spec, dir, { ...opts, pollMs: 20, signal: stop.signal, onProgress: () => stop.abort(), onWarning: (l) => warnings.push(l) });
    expect(outcome.summary).toMatchObject({ pending: 1 });
    expect(warnings).toEqual([`run ${run.id}: ${file} gives the key "state" more than once; it is not read${COUNTS_AS_NONE}`]);
  }, 60_000);
});
