/**
 * docs/CLI.md lists the fields of GET /api/sweeps and GET /api/sweeps/:id: the lists must be the fields the routes
 * send (a field added to the route, or dropped from it, fails here until the doc says so), and the error statuses the
 * doc gives are the ones served.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSweepRecord } from '../../src/sweep/record.js';
import type { SweepSpec } from '../../src/sweep/spec.js';
import { summarize, type RunEntry } from '../../src/sweep/summary.js';
import { get, REPO_ROOT, tempDir, useTestServer } from './helpers.js';

const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'CLI.md'), 'utf8').replace(/\s*\n\s*/g, ' ');

/** The names in the doc's "<subject> holds `a`, `b` ... and `z`" list, in its order. */
function documented(subject: string): string[] {
  const esc = subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${esc} holds ((?:\`\\w+\`(?:, | and ))*\`\\w+\`)`, 'i').exec(doc);
  if (!m) throw new Error(`docs/CLI.md has no "${subject} holds ..." field list`);
  return [...m[1].matchAll(/`(\w+)`/g)].map((x) => x[1]);
}

const keys = (o: object) => Object.keys(o).sort();

const s = useTestServer();
const spec: SweepSpec = { command: 'addition', flags: {}, grid: { hidden: [4, 8] }, samples: null, sampleSeed: 1, list: [], seeds: [1], goal: 'max', attempts: 1, metric: 'per_char_accuracy' };

beforeAll(() => {
  const dir = path.join(s.runsDir, 'doc-sweep');
  const runs: RunEntry[] = [
    { id: 'h4', axes: { hidden: 4 }, seed: 1, status: 'completed', attempts: 1, value: 0.5, worker: 'w1' },
    { id: 'h8', axes: { hidden: 8 }, seed: 1, status: 'pending', attempts: 0 },
  ];
  for (const r of runs) mkdirSync(path.join(dir, 'runs', r.id), { recursive: true });
  writeSweepRecord(dir, spec, '2025-01-02T00:00:00.000Z', runs, summarize(runs, 'per_char_accuracy', 'max'), false);
  const now = new Date().toISOString();
  const stamp = (runId: string, worker: string, state: string, epoch: number | null) => writeFileSync(path.join(dir, 'runs', runId, 'worker.json'),
    JSON.stringify({ worker, runId, host: hostname(), pid: process.pid, state, startedAt: now, updatedAt: now, epoch, epochs: 3, attempts: state === 'completed' ? 1 : 0 }));
  // One worker finished its run, the other (this live process) is on the second: `current` is filled for it.
  stamp('h4', 'w1', 'completed', 3);
  stamp('h8', 'w2', 'running', 2);
  // A sweep.json that leads out of the runs folder, and one that is a folder.
  const outside = tempDir('rnnlab-sweep-outside-');
  writeFileSync(path.join(outside, 'sweep.json'), readFileSync(path.join(dir, 'sweep.json')));
  mkdirSync(path.join(s.runsDir, 'linked-sweep'));
  symlinkSync(path.join(outside, 'sweep.json'), path.join(s.runsDir, 'linked-sweep', 'sweep.json'));
  mkdirSync(path.join(s.runsDir, 'folder-sweep', 'sweep.json'), { recursive: true });
  mkdirSync(path.join(s.runsDir, 'huge-sweep'));
  writeFileSync(path.join(s.runsDir, 'huge-sweep', 'sweep.json'), Buffer.alloc(16 * 1024 * 1024 + 1, 0x20));
}, 60_000);

describe('docs/CLI.md documents the sweeps routes as they answer', () => {
  it('GET /api/sweeps: the fields of each sweep and of its best setting', async () => {
    const r = await get(s.base, '/api/sweeps');
    expect(r.status).toBe(200);
    expect(keys(r.body)).toEqual(['sweeps']);
    const listed = r.body.sweeps.find((x: { id: string }) => x.id === 'doc-sweep');
    expect(keys(listed)).toEqual(documented('each of `sweeps`').sort());
    expect(listed.best).not.toBeNull();
    expect(keys(listed.best)).toEqual(documented('`best`').sort());
    // A folder whose sweep.json cannot be read is listed with the documented `error` beside those fields.
    const linked = r.body.sweeps.find((x: { id: string }) => x.id === 'linked-sweep');
    expect(keys(linked)).toEqual([...documented('each of `sweeps`'), 'error'].sort());
    expect(linked).toMatchObject({ total: 0, best: null });
    expect(linked.error).toMatch(/linked-sweep\/sweep\.json/);
  });

  it('GET /api/sweeps/:id: the fields of the sweep, of each run, of each worker and of its current run', async () => {
    const r = await get(s.base, '/api/sweeps/doc-sweep');
    expect(r.status).toBe(200);
    expect(keys(r.body)).toEqual(['sweep']);
    const w = r.body.sweep;
    expect(keys(w)).toEqual(documented('`sweep`').sort());
    expect(documented('`sweep`')).toContain('unmeasuredLine');
    for (const run of w.runs) expect(keys(run)).toEqual(documented('each of `runs`').sort());
    expect(w.runs.map((x: { status: string }) => x.status)).toEqual(['completed', 'running']);
    expect(w.workers.map((x: { worker: string }) => x.worker)).toEqual(['w1', 'w2']);
    for (const worker of w.workers) expect(keys(worker)).toEqual(documented('each of `workers`').sort());
    expect(w.workers[0].current).toBeNull();
    expect(keys(w.workers[1].current)).toEqual(documented('`current`').sort());
    expect(w.workers[1].current).toEqual({ runId: 'h8', epoch: 2, epochs: 3 });
  });

  it('answers the documented statuses: 404 for no sweep, 403 for a sweep.json that is a link out or not a file, 413 over 16 MiB', async () => {
    expect((await get(s.base, '/api/sweeps/nope')).status).toBe(404);
    expect((await get(s.base, '/api/sweeps/.hidden')).status).toBe(404);
    const linked = await get(s.base, '/api/sweeps/linked-sweep');
    expect(linked.status).toBe(403);
    expect(linked.body.error).toMatch(/linked-sweep\/sweep\.json leads outside the folder/);
    const folder = await get(s.base, '/api/sweeps/folder-sweep');
    expect(folder.status).toBe(403);
    expect(folder.body.error).toMatch(/folder-sweep\/sweep\.json is not a regular file/);
    const huge = await get(s.base, '/api/sweeps/huge-sweep');
    expect(huge.status).toBe(413);
    expect(huge.body.error).toMatch(/huge-sweep\/sweep\.json is 16777217 bytes, over the limit of 16777216 bytes/);
  });
});
