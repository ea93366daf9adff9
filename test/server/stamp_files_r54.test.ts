/**
 * A sweep run's worker.json that gives a key twice (or is no stamp) is not read, as results.json and sweep.json are
 * not: GET /api/sweeps/:id lists the run with `stampError` naming the file and the key, leaves the stamp out of the
 * run's status and of `workers`, and still answers the sweep and its other runs. A report.png over the served limit is
 * a 413, as docs/CLI.md's REST table says.
 */
import { hostname } from 'node:os';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_SERVED_BYTES } from '../../src/server/static.js';
import { get, tempDir, useTestServer } from './helpers.js';

const now = new Date().toISOString();
/** A live stamp of this process (so "running" is believed), as a worker writes it. */
const stamp = (o: Record<string, unknown> = {}) => JSON.stringify({ worker: 'w1', runId: 'r', host: hostname(), pid: process.pid, state: 'running', startedAt: now, updatedAt: now, epoch: 1, epochs: 3, attempts: 0, ...o });

const s = useTestServer(() => {
  const runsDir = tempDir();
  const dir = join(runsDir, 'stamps');
  const at = '2025-01-02T00:00:00.000Z';
  const spec = { command: 'addition', flags: {}, grid: { hidden: [4, 8, 16] }, samples: null, sampleSeed: 1, list: [], seeds: [1], goal: 'max', attempts: 1, metric: 'per_char_accuracy' };
  const runs = ['h4', 'h8', 'h16'].map((id, i) => ({ id, axes: { hidden: 4 << i }, seed: 1, status: 'pending', attempts: 0 }));
  for (const r of runs) mkdirSync(join(dir, 'runs', r.id), { recursive: true });
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ schemaVersion: 1, kind: 'sweep', spec, createdAt: at, updatedAt: at, finishedAt: null, runs, summary: null }));
  writeFileSync(join(dir, 'runs', 'h4', 'worker.json'), stamp({ runId: 'h4' }));
  // Read by JSON.parse, this stamp says w2 is running h8 at epoch 2; it also says the run completed.
  writeFileSync(join(dir, 'runs', 'h8', 'worker.json'), stamp({ runId: 'h8', worker: 'w2', epoch: 2 }).replace('"state":"running"', '"state":"completed","state":"running"'));
  writeFileSync(join(dir, 'runs', 'h16', 'worker.json'), JSON.stringify({ runId: 'h16', state: 'running' }));
  mkdirSync(join(runsDir, '20250101-100000-png'));
  writeFileSync(join(runsDir, '20250101-100000-png', 'results.json'), JSON.stringify({ command: 'imdb', startedAt: at, finishedAt: at, config: { model: 'lstm' }, history: { loss: [0.5] }, metrics: {} }));
  writeFileSync(join(runsDir, '20250101-100000-png', 'report.png'), 'png');
  truncateSync(join(runsDir, '20250101-100000-png', 'report.png'), MAX_SERVED_BYTES + 1);
  return { runsDir };
});

describe("a sweep run's worker.json that is not read", () => {
  it('is named in the run\'s stampError (file and key), left out of its status and of workers; the other runs are as before', async () => {
    const r = await get(s.base, '/api/sweeps/stamps');
    expect(r.status).toBe(200);
    const runs = Object.fromEntries((r.body.sweep.runs as { id: string }[]).map((x) => [x.id, x]));
    expect(runs.h4).toMatchObject({ status: 'running', worker: 'w1', epoch: 1, stampError: null });
    expect(runs.h8).toMatchObject({ status: 'pending', worker: null, epoch: null,
      stampError: 'stamps/runs/h8/worker.json gives the key "state" more than once; it is not read' });
    expect(runs.h16).toMatchObject({ status: 'pending', worker: null,
      stampError: 'stamps/runs/h16/worker.json is not a worker stamp (it needs "worker" and "updatedAt")' });
    expect((r.body.sweep.workers as { worker: string }[]).map((w) => w.worker)).toEqual(['w1']);
    // The listing reads no stamps: the sweep is listed whole.
    const listed = ((await get(s.base, '/api/sweeps')).body.sweeps as { id: string; total: number; error?: string }[]).find((w) => w.id === 'stamps');
    expect(listed).toMatchObject({ total: 3, pending: 3 });
    expect(listed?.error).toBeUndefined();
  });
});

describe('a report.png over the served limit', () => {
  it('is a 413 naming the limit', async () => {
    const r = await get(s.base, '/api/runs/20250101-100000-png/report.png');
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/over the limit of 67108864 bytes/);
  });
});
