/** GET /api/sweeps and /api/sweeps/:id: sweep folders in the runs folder, their progress, ranking and per-axis effects. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { get, tempDir, useTestServer } from './helpers.js';
import { writeSmallSweep } from './sweep_fixture.js';

const s = useTestServer();

beforeAll(async () => {
  await writeSmallSweep(s.runsDir, 'lab-sweep', tempDir('rnnlab-sweep-data-'));
  mkdirSync(path.join(s.runsDir, 'broken-sweep'));
  writeFileSync(path.join(s.runsDir, 'broken-sweep', 'sweep.json'), '{"kind": "sweep", ');
  // Valid JSON of the right kind, but no spec.metric, with a pending run the listing would rank by it.
  mkdirSync(path.join(s.runsDir, 'no-metric-sweep', 'runs', 'r1'), { recursive: true });
  writeFileSync(path.join(s.runsDir, 'no-metric-sweep', 'sweep.json'), JSON.stringify({ kind: 'sweep', schemaVersion: 1, spec: { command: 'addition' },
    createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', finishedAt: null, runs: [{ id: 'r1', status: 'pending', axes: {}, seed: 1, attempts: 0 }], summary: null }));
}, 120000);

describe('sweeps API', () => {
  it('lists the sweep folders with their progress and best setting', async () => {
    const r = await get(s.base, '/api/sweeps');
    expect(r.status).toBe(200);
    const lab = r.body.sweeps.find((x: { id: string }) => x.id === 'lab-sweep');
    expect(lab).toMatchObject({ command: 'imdb', metric: 'test_accuracy', goal: 'max', total: 2, completed: 2, failed: 0, pending: 0, finished: true });
    expect(lab.best.label).toMatch(/^model=(lstm|gru)$/);
    expect(lab.best.mean).toBeGreaterThanOrEqual(0);
    const broken = r.body.sweeps.find((x: { id: string }) => x.id === 'broken-sweep');
    expect(broken.error).toMatch(/broken-sweep\/sweep\.json is not valid JSON/);
    // A damaged record is listed with its problem; the healthy sweeps are listed beside it (it took the list down).
    expect(r.body.sweeps.find((x: { id: string }) => x.id === 'no-metric-sweep').error).toBe('no-metric-sweep/sweep.json: spec.metric is not a string');
    // A sweep folder is not a run.
    const runs = await get(s.base, '/api/runs');
    expect(runs.body.runs.map((x: { id: string }) => x.id)).not.toContain('lab-sweep');
  });

  it('returns one sweep: its runs, the ranked settings and the effect of each axis', async () => {
    const r = await get(s.base, '/api/sweeps/lab-sweep');
    expect(r.status).toBe(200);
    const w = r.body.sweep;
    expect(w.runs).toHaveLength(2);
    for (const run of w.runs) expect(run).toMatchObject({ status: 'completed', seed: 1 });
    const rows = w.summary.rows as { label: string; mean: number }[];
    expect(rows.map((x) => x.label).sort()).toEqual(['model=gru', 'model=lstm']);
    expect(rows[0].mean).toBeGreaterThanOrEqual(rows[1].mean);
    expect(w.summary.effects[0].axis).toBe('model');
    expect(w.summary.finding.length).toBeGreaterThan(10);
  });

  it('answers 422 naming the file and the problem for a damaged sweep record asked for by id', async () => {
    const r = await get(s.base, '/api/sweeps/no-metric-sweep');
    expect(r.status).toBe(422);
    expect(r.body.error).toBe('no-metric-sweep/sweep.json: spec.metric is not a string');
  });

  it('answers 404 for a folder without a sweep, and for paths that leave the runs folder', async () => {
    mkdirSync(path.join(s.runsDir, 'plain-folder'), { recursive: true });
    expect((await get(s.base, '/api/sweeps/plain-folder')).status).toBe(404);
    expect((await get(s.base, '/api/sweeps/nope')).status).toBe(404);
    expect((await get(s.base, '/api/sweeps/..%2F..%2Fetc')).status).toBe(404);
  });
});
