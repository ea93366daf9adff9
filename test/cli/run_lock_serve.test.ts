/**
 * A dashboard job holds its run folder's lock (src/report/run_lock.ts) while it runs, in the server's process: a CLI
 * run given that folder as --out is refused up front naming the job's command, and the lock is gone once the job ends.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RUN_LOCK_FILE } from '../../src/report/run_lock.js';
import { afterFirstBatch, finished, get, PAUSE_MS, post, SMALL_SUM, startTestServer, type TestServer } from '../server/helpers.js';
import { expectRefused, run } from './helpers.js';

let s: TestServer;
beforeEach(async () => { s = await startTestServer({ batchDelayMs: PAUSE_MS }); });
afterEach(async () => { await s.close(); });

describe('a dashboard job and a CLI run into the same folder', () => {
  it('the CLI run is refused while the job trains; the job ends with its folder free and the lock not listed', async () => {
    const job = (await post(s.base, '/api/jobs', { ...SMALL_SUM, name: 'locked-sum' })).body.job;
    const running = await afterFirstBatch(s, job.id);
    const dir = path.join(s.runsDir, running.runId);
    const lock = JSON.parse(readFileSync(path.join(dir, RUN_LOCK_FILE), 'utf8'));
    expect(lock).toMatchObject({ pid: process.pid, command: job.command });
    const r = await run(['addition', '--digits', '1', '--training-size', '50', '--hidden', '4', '--epochs', '1', '--verbose', '0', '--out', dir]);
    expectRefused(r, 'addition', new RegExp(`--out: ${dir} is being written by another rnnlab run \\(pid ${process.pid} on this host: ${job.command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, since `));
    expect((await post(s.base, `/api/jobs/${job.id}/cancel`, {})).status).toBe(200);
    expect((await finished(s.base, job.id)).status).toBe('cancelled');
    expect(existsSync(path.join(dir, RUN_LOCK_FILE))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
    const runs = (await get(s.base, '/api/runs')).body.runs as { id: string; status: string }[];
    expect(runs.map((x) => [x.id, x.status])).toEqual([[running.runId, 'cancelled']]);
  }, 120_000);
});
