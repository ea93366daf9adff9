/**
 * GET /api/sweeps/:id gives a run that finished after sweep.json was last written (the sweep stopped or killed) its
 * precisionFallback from the run's own results.json, as the sweep will record it when it writes sweep.json again:
 * before, such a run had none until then. The runs are real addition runs on the portable instruction set, where
 * mixed_bfloat16 falls back to float32 on any CPU.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expandRuns, runArgv } from '../../src/sweep/expand.js';
import { collectEntries, writeSweepRecord } from '../../src/sweep/record.js';
import type { SweepSpec } from '../../src/sweep/spec.js';
import { onPortableIsa, run } from '../cli/helpers.js';
import { get, useTestServer } from './helpers.js';

const native = onPortableIsa();
const s = useTestServer();

const spec: SweepSpec = {
  command: 'addition', flags: { digits: 1, 'training-size': 40, epochs: 1, hidden: 4, samples: 0 }, grid: { precision: ['float32', 'mixed_bfloat16'] },
  samples: null, sampleSeed: 1, list: [], seeds: [1, 2], goal: 'max', attempts: 1, metric: 'per_char_accuracy',
};

// Without the addon the reference kernels emulate bf16: mixed_bfloat16 runs, and nothing falls back.
describe.skipIf(!native)('GET /api/sweeps/:id for runs finished after sweep.json was written', () => {
  beforeAll(async () => {
    const dir = path.join(s.runsDir, 'stopped');
    const runs = expandRuns(spec);
    for (const r of runs) {
      const done = await run(runArgv(r, path.join(dir, 'runs', r.id), 1));
      expect(done.code, done.err).toBe(0);
    }
    // sweep.json as the sweep last wrote it: the seed-1 runs recorded, the seed-2 ones still pending (it was stopped
    // before it recorded them, though they finished).
    const entries = collectEntries(dir, spec, runs).map((e) => (e.seed === 2 ? { id: e.id, axes: e.axes, seed: e.seed, status: 'pending' as const, attempts: 0 } : e));
    writeSweepRecord(dir, spec, '2025-01-02T00:00:00.000Z', entries, null, false);
  }, 120_000);

  it("passes each run's fallback, recorded or not yet, and none for the runs that trained as asked", async () => {
    const r = await get(s.base, '/api/sweeps/stopped');
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.sweep.runs.map((x: { id: string }) => [x.id, x]));
    const fellBack = { asked: 'mixed_bfloat16', ran: 'float32' };
    expect(byId['precision-mixed_bfloat16_seed-1']).toMatchObject({ status: 'completed', unrecorded: false, precisionFallback: fellBack });
    expect(byId['precision-mixed_bfloat16_seed-2']).toMatchObject({ status: 'completed', unrecorded: true, precisionFallback: fellBack });
    for (const id of ['precision-float32_seed-1', 'precision-float32_seed-2']) {
      expect(byId[id].status).toBe('completed');
      expect('precisionFallback' in byId[id], id).toBe(false);
    }
    expect(r.body.sweep).toMatchObject({ completed: 4, unrecorded: 2 });
  });
});
