/**
 * A local sweep killed with `kill -9` leaves sweep.json as it last wrote it: runs that completed since are still
 * "pending" there. The Sweeps view reads each such run's own results.json, so it shows them completed (with their
 * metric) even though no sweep process is left to update the record.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SweepRecord } from '../../src/sweep/record.js';
import { get, tempDir, useTestServer } from './helpers.js';
import { writeSmallSweep } from './sweep_fixture.js';
import { attemptsOf } from '../../src/sweep/worker_file.js';

const s = useTestServer();
let finishedRecord: SweepRecord;

beforeAll(async () => {
  const dir = await writeSmallSweep(s.runsDir, 'killed-sweep', tempDir('rnnlab-sweep-data-'));
  const file = path.join(dir, 'sweep.json');
  finishedRecord = JSON.parse(readFileSync(file, 'utf8'));
  // sweep.json as the sweep wrote it before its runs finished; then the process died (nothing rewrote it).
  const stale: SweepRecord = { ...finishedRecord, finishedAt: null, summary: null,
    runs: finishedRecord.runs.map(({ value: _v, metrics: _m, secondsPerEpoch: _s, ...r }) => ({ ...r, status: 'pending', attempts: 0 })) };
  writeFileSync(file, JSON.stringify(stale, null, 2));
  // The second run was killed mid-training: no finished results.json in its folder.
  rmSync(path.join(dir, 'runs', finishedRecord.runs[1].id, 'results.json'));
}, 180000);

describe('a sweep whose process was killed', () => {
  it('lists a run that finished on disk as completed, the unfinished one as pending', async () => {
    const r = await get(s.base, '/api/sweeps');
    const listed = r.body.sweeps.find((x: { id: string }) => x.id === 'killed-sweep');
    expect(listed).toMatchObject({ total: 2, completed: 1, failed: 0, pending: 1, unrecorded: 1, finished: false, best: null });
  });

  it('shows the finished run with the metric its folder reports, marked as not yet in sweep.json', async () => {
    const w = (await get(s.base, '/api/sweeps/killed-sweep')).body.sweep;
    expect(w).toMatchObject({ completed: 1, pending: 1, unrecorded: 1, summary: null });
    const [done, cut] = w.runs;
    expect(done).toMatchObject({ id: finishedRecord.runs[0].id, status: 'completed', unrecorded: true });
    // The value the sweep itself recorded for that run before the record was rolled back.
    expect(done.value).toBe(finishedRecord.runs[0].value);
    // Its attempts from its folder's worker stamp, not the stale record's 0.
    expect(finishedRecord.runs[0].attempts).toBe(1);
    expect(done.attempts).toBe(1);
    expect(cut).toMatchObject({ id: finishedRecord.runs[1].id, status: 'pending', value: null, unrecorded: false });
  });

  it('reads a stamp\'s attempts only as a count, as sweep.json\'s writer does (a damaged one counts none)', () => {
    expect([1, 3, 0, -1, 1.5, '3', 'x', null, undefined].map((attempts) => attemptsOf({ attempts } as never))).toEqual([1, 3, 0, 0, 0, 0, 0, 0, 0]);
    expect(attemptsOf(null)).toBe(0);
  });

  it('trusts sweep.json once the sweep has finished it', async () => {
    writeFileSync(path.join(s.runsDir, 'killed-sweep', 'sweep.json'), JSON.stringify(finishedRecord));
    const w = (await get(s.base, '/api/sweeps/killed-sweep')).body.sweep;
    expect(w).toMatchObject({ completed: 2, pending: 0, unrecorded: 0 });
  });
});
