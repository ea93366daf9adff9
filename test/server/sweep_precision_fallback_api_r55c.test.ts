/**
 * GET /api/sweeps/:id passes on a run's `precisionFallback` ({asked, ran}) from sweep.json, as the terminal and the
 * record say it: before, the per-run list dropped it, so the dashboard could not tell that a run asking for
 * mixed_bfloat16 had trained in float32. A run without one has no such field.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSweepRecord } from '../../src/sweep/record.js';
import type { SweepSpec } from '../../src/sweep/spec.js';
import { summarize, type RunEntry } from '../../src/sweep/summary.js';
import { get, useTestServer } from './helpers.js';

const s = useTestServer();
const spec: SweepSpec = { command: 'addition', flags: {}, grid: { precision: ['float32', 'mixed_bfloat16'] }, samples: null, sampleSeed: 1, list: [], seeds: [1], goal: 'max', attempts: 1, metric: 'per_char_accuracy' };

beforeAll(() => {
  const dir = path.join(s.runsDir, 'fell-back');
  const runs: RunEntry[] = [
    { id: 'f32', axes: { precision: 'float32' }, seed: 1, status: 'completed', attempts: 1, value: 0.5 },
    { id: 'bf16', axes: { precision: 'mixed_bfloat16' }, seed: 1, status: 'completed', attempts: 1, value: 0.6, precisionFallback: { asked: 'mixed_bfloat16', ran: 'float32' } },
  ];
  for (const r of runs) mkdirSync(path.join(dir, 'runs', r.id), { recursive: true });
  writeSweepRecord(dir, spec, '2025-01-02T00:00:00.000Z', runs, summarize(runs, 'per_char_accuracy', 'max'), true);
});

describe('GET /api/sweeps/:id', () => {
  it('gives a run that fell back its precisionFallback, and the other run none', async () => {
    const r = await get(s.base, '/api/sweeps/fell-back');
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.sweep.runs.map((x: { id: string }) => [x.id, x]));
    expect(byId.bf16.precisionFallback).toEqual({ asked: 'mixed_bfloat16', ran: 'float32' });
    expect(byId.bf16).toMatchObject({ status: 'completed', value: 0.6 });
    expect('precisionFallback' in byId.f32).toBe(false);
    expect(byId.f32).toMatchObject({ status: 'completed', value: 0.5 });
  });
});
