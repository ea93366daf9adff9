/**
 * A run that crashes with an error whose cause's message spans lines: its recorded reason keeps every line of that
 * message, indented under the cause's first, in the local pool and on a queue worker alike; a cause of hundreds of
 * lines is cut, saying how many lines were left out. The crash is real: each run's child preloads (NODE_OPTIONS) a
 * module that throws from a timer, and Node prints the uncaught error as it would any crash.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineSplitter } from '../../src/line_splitter.js';
import { explainingLines, failureReason, keptLines } from '../../src/sweep/execute.js';
import { runSweepLocal } from '../../src/sweep/pool.js';
import { enqueueSweep, runWorker, waitForSweep } from '../../src/sweep/queue.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { envForFile } from '../helpers/env.js';
import { redisAvailable, startRedis } from '../helpers/redis.js';
import { cleanup, requireFreshDist, tempDir, TINY_ADDITION } from './helpers.js';

requireFreshDist();

const CRASH = "throw new Error('could not save the checkpoint', { cause: new Error('write failed:\\ndisk quota exceeded for /data\\n(3 of 3 retries spent)') })";
const REASON = 'Error: could not save the checkpoint | [cause]: Error: write failed:\n    disk quota exceeded for /data\n    (3 of 3 retries spent)';

let root: string;
beforeAll(() => {
  root = tempDir();
  writeFileSync(path.join(root, 'crash.mjs'), `setTimeout(() => { ${CRASH}; }, 0);\n`);
});
afterAll(() => cleanup());
envForFile(() => ({ NODE_OPTIONS: `--import ${path.join(root, 'crash.mjs')}` }));

const spec = parseSpec(`${TINY_ADDITION}attempts: 1\n`);

describe('a run whose crash has a cause of several lines', () => {
  it('is recorded by the local pool with every line of the cause, indented', async () => {
    const dir = path.join(root, 'local');
    const failures: string[] = [];
    const out = await runSweepLocal(spec, { dir, parallel: 1, threads: 1, onEvent: (e) => { if (e.type === 'failed') failures.push(e.error); } });
    expect(out.summary).toMatchObject({ completed: 0, failed: 1 });
    const want = `run seed-1 failed (exit 1): ${REASON}`;
    expect(failures).toEqual([want]);
    expect(readSweepRecord(dir)!.runs[0]).toMatchObject({ status: 'failed', attempts: 1, error: want });
  }, 120_000);

  it.skipIf(!redisAvailable())('is recorded through a queue worker the same way, in its log and in sweep.json', async () => {
    const redis = await startRedis();
    const dir = path.join(root, 'queued');
    const log: string[] = [];
    const w = runWorker({ url: redis.url, name: 'cause-r53', threads: 1, workerName: 'wc', log: (l) => log.push(l) });
    try {
      await enqueueSweep(spec, dir, { url: redis.url, name: 'cause-r53' });
      const out = await waitForSweep(spec, dir, { url: redis.url, name: 'cause-r53', pollMs: 100 });
      expect(out.summary).toMatchObject({ completed: 0, failed: 1 });
    } finally {
      await w.stop();
      await redis.stop();
    }
    const want = `run seed-1 failed (exit 1): ${REASON}`;
    expect(log).toContain(`wc: run seed-1 failed: ${want}`);
    expect(readSweepRecord(dir)!.runs[0]).toMatchObject({ status: 'failed', error: want });
  }, 120_000);
});

describe('a cause of hundreds of lines', () => {
  it('is cut to a bounded length, with a line saying how many lines were left out', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i + 1} of the cause`);
    const crash = spawnSync(process.execPath, ['-e', `throw new Error('outer', { cause: new Error(${JSON.stringify(lines.join('\n'))}) })`], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    const explains = explainingLines();
    const kept = keptLines();
    const split = lineSplitter((line) => { const how = explains(line); if (how) kept.push(line, how); });
    split.push(crash.stderr);
    split.flush();
    kept.end();
    const reason = failureReason(kept.lines);
    const [head, ...rest] = reason.split('\n');
    expect(head).toBe('Error: outer | [cause]: Error: line 1 of the cause');
    const shown = rest.slice(0, -1);
    // Every line shown is the cause's next one, indented; the note counts the rest, so none is lost unsaid.
    expect(shown.length).toBeGreaterThan(10);
    expect(shown).toEqual(lines.slice(1, 1 + shown.length).map((l) => `    ${l}`));
    expect(rest[rest.length - 1]).toBe(`    (${lines.length - 1 - shown.length} more lines of it cut)`);
    expect(reason.length).toBeLessThan(2000);
  });
});
