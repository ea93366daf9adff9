/**
 * A run's worker.json left "running" by this very process, because its closing write failed (a full disk), is not
 * a live worker: the process retries the run instead of waiting on itself forever. And a stamp closed on a later
 * start counts the start it closes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { runSweepLocal, type SweepEvent } from '../../src/sweep/pool.js';
import { readSweepRecord } from '../../src/sweep/record.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { liveStamp, readWorkerStamp, workerLog, WORKER_FILE } from '../../src/sweep/worker_file.js';
import { cleanup, learnableTarball, requireFreshDist, tempDir } from './helpers.js';

requireFreshDist();

let root: string;
beforeAll(() => { root = tempDir(); });
afterEach(() => setBeforeRenameHook(null));
afterAll(() => cleanup());

const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('a stamp this process left running', () => {
  it('is live while the process runs the run, stale once its closing write failed, and the failure is returned', () => {
    const dir = path.join(root, 'unit');
    const log = workerLog(dir, 'me slot 1');
    expect(liveStamp(dir)?.worker).toBe('me slot 1');
    setBeforeRenameHook((_tmp, target) => { if (target.endsWith(WORKER_FILE)) throw noSpace(); });
    const err = log.end('failed');
    setBeforeRenameHook(null);
    expect(err?.message).toBe(`cannot write ${path.join(dir, WORKER_FILE)} (ENOSPC: no space left on device, write)`);
    expect(readWorkerStamp(dir)).toMatchObject({ state: 'running', pid: process.pid });
    expect(liveStamp(dir)).toBeNull();
  });

  it('does not keep the local pool from trying the run again, and is reported', async () => {
    const good = readFileSync(learnableTarball(root, 20));
    // Half a tarball: the first try fails with a data error (exit 1), which is retried.
    const data = path.join(root, 'arriving.tar.gz');
    writeFileSync(data, good.subarray(0, Math.floor(good.length / 2)));
    const spec = parseSpec(`command: imdb
flags: { data: ${JSON.stringify(data)}, limit: 20, epochs: 1, maxlen: 8, vocab: 500, embedding_dim: 4, units: 4, model: lstm }
attempts: 2
`);
    // The disk is full exactly when the failed try's stamp is closed.
    let refused = 0;
    setBeforeRenameHook((tmp, target) => {
      if (target.endsWith(WORKER_FILE) && refused === 0 && JSON.parse(readFileSync(tmp, 'utf8')).state === 'failed') {
        refused++;
        throw noSpace();
      }
    });
    const dir = path.join(root, 'pool');
    const events: SweepEvent[] = [];
    const o = await runSweepLocal(spec, {
      dir, parallel: 1, threads: 1,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'failed' && e.retrying) writeFileSync(data, good);
      },
    });
    expect(refused).toBe(1);
    expect(events.filter((e) => e.type !== 'epoch').map((e) => e.type)).toEqual(['start', 'warning', 'failed', 'start', 'done']);
    const warning = events.find((e) => e.type === 'warning');
    expect(warning).toMatchObject({ message: expect.stringMatching(/^run seed-1: cannot write .*worker\.json \(ENOSPC: no space left on device, write\); it still says "running", though the run failed$/) });
    expect(o.entries[0]).toMatchObject({ status: 'completed', attempts: 2 });
    expect(readWorkerStamp(path.join(dir, 'runs', 'seed-1'))).toMatchObject({ state: 'completed' });
  }, 120_000);
});

describe('a stamp closed by a later start', () => {
  it('counts the start that completed before its sweep was killed', async () => {
    const spec = parseSpec('command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, hidden: 4, samples: 0 }\n');
    const dir = path.join(root, 'killed');
    expect((await runSweepLocal(spec, { dir, parallel: 1, threads: 1 })).entries[0]).toMatchObject({ status: 'completed', attempts: 1 });
    // As a kill -9 leaves it after the run wrote its results: the stamp still "running" under a dead pid, its start
    // not yet counted, and sweep.json not yet rewritten.
    const runDir = path.join(dir, 'runs', 'seed-1');
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
    const stamp = readWorkerStamp(runDir)!;
    writeFileSync(path.join(runDir, WORKER_FILE), JSON.stringify({ ...stamp, state: 'running', pid: dead, writer: undefined, attempts: 0 }));
    rmSync(path.join(dir, 'sweep.json'));
    const again = await runSweepLocal(spec, { dir, parallel: 1, threads: 1 });
    expect(again.entries[0]).toMatchObject({ status: 'completed', attempts: 1 });
    expect(readWorkerStamp(runDir)).toMatchObject({ state: 'completed', attempts: 1 });
    expect(readSweepRecord(dir)!.runs[0].attempts).toBe(1);
  }, 60_000);
});
