/**
 * A sweep over --precision where mixed_bfloat16 falls back to float32 (the native kernels cannot run bf16): the runs
 * asked for mixed_bfloat16 trained in float32, and the sweep says so: one stderr line, precisionFallback in each such
 * run's sweep.json entry, and the setting marked in the table, the effects and the finding, rather than ranking
 * "precision=mixed_bfloat16" as a measured setting. The runs get RNNLAB_ISA=portable, where the native kernels run no
 * bf16 on any CPU, so the fallback happens on an AVX512-BF16 host too.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeKernels } from '../../src/backend/index.js';
import { readSweepRecord, sweepRecordProblem } from '../../src/sweep/record.js';
import { precisionFallbackLine, summarize, type RunEntry } from '../../src/sweep/summary.js';
import { run } from '../cli/helpers.js';
import { cleanup, requireFreshDist, tempDir } from './helpers.js';

requireFreshDist();
afterAll(cleanup);

const SPEC = `command: addition
flags: {training-size: 300, epochs: 1, hidden: 8, samples: 1}
grid: {precision: [float32, mixed_bfloat16]}
seeds: [1]
metric: per_char_accuracy
goal: max
`;

describe('sweep over precision where mixed_bfloat16 falls back', () => {
  // Without the addon the reference kernels emulate bf16: mixed_bfloat16 runs, and nothing falls back.
  it.skipIf(!nativeKernels())('says the mixed_bfloat16 runs trained in float32: stderr once, sweep.json, table, effects, finding', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'sw.yaml'), SPEC);
    const out = path.join(dir, 'sw1');
    const isa = process.env.RNNLAB_ISA;
    process.env.RNNLAB_ISA = 'portable';
    let r;
    try {
      r = await run(['sweep', path.join(dir, 'sw.yaml'), '--out', out, '--parallel', '1']);
    } finally {
      if (isa === undefined) delete process.env.RNNLAB_ISA; else process.env.RNNLAB_ISA = isa;
    }
    expect(r.code, r.err).toBe(0);
    const ran = JSON.parse(readFileSync(path.join(out, 'runs', 'precision-mixed_bfloat16_seed-1', 'results.json'), 'utf8'));
    expect(ran.environment.engine.precision).toBe('float32');

    expect(r.err.match(/trained in float32/g)).toHaveLength(1);
    expect(r.err).toMatch(/^rnnlab sweep: The run asking for mixed_bfloat16 trained in float32\. .*environment\.engine\.precision.*"ran in float32"\.\n$/);

    const rec = readSweepRecord(out)!;
    const byId = Object.fromEntries(rec.runs.map((e) => [e.id, e]));
    expect(byId['precision-mixed_bfloat16_seed-1'].precisionFallback).toEqual({ asked: 'mixed_bfloat16', ran: 'float32' });
    expect(byId['precision-float32_seed-1'].precisionFallback).toBeUndefined();
    expect(rec.summary!.precisionFallbacks).toEqual([{ asked: 'mixed_bfloat16', ran: 'float32', runs: 1, of: 1 }]);
    expect(rec.summary!.rows.map((row) => row.label).sort()).toEqual(['precision=float32', 'precision=mixed_bfloat16 ran in float32']);

    expect(r.out).toMatch(/^ +\d +precision=mixed_bfloat16 ran in float32 +\d/m);
    expect(r.out).toMatch(/^mixed_bfloat16 \(ran in float32\) +\d/m);
    expect(rec.summary!.finding).toMatch(/\(precision: .*mixed_bfloat16 \(ran in float32\) /);
    expect(rec.summary!.finding).toMatch(/The run asking for mixed_bfloat16 trained in float32: the settings marked "ran in float32" measure float32, not mixed_bfloat16\./);
    expect(r.out).toContain(rec.summary!.finding);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('precision=mixed_bfloat16 ran in float32');
  }, 120_000);
});

describe('summarize with runs that fell back', () => {
  const entry = (id: string, precision: string, seed: number, value: number, fellBack: boolean): RunEntry => ({
    id, axes: { precision, units: 4 }, seed, status: 'completed', attempts: 1, value,
    ...(fellBack ? { precisionFallback: { asked: precision, ran: 'float32' } } : {}),
  });

  it('marks a setting only some of whose runs fell back (workers on other CPUs), and counts them', () => {
    const s = summarize([
      entry('a1', 'float32', 1, 0.5, false), entry('a2', 'float32', 2, 0.5, false),
      entry('b1', 'mixed_bfloat16', 1, 0.7, true), entry('b2', 'mixed_bfloat16', 2, 0.9, false),
    ], 'accuracy', 'max', [], { precision: ['float32', 'mixed_bfloat16'], units: [4] });
    expect(s.rows[0].label).toBe('precision=mixed_bfloat16 ran in float32 in 1 of 2 runs, units=4');
    expect(s.rows[1].label).toBe('precision=float32, units=4');
    expect(s.effects.find((e) => e.axis === 'precision')!.values.find((v) => v.value === 'mixed_bfloat16')!.ranIn).toBe('float32 in 1 of 2 runs');
    expect(s.precisionFallbacks).toEqual([{ asked: 'mixed_bfloat16', ran: 'float32', runs: 1, of: 2 }]);
    expect(precisionFallbackLine(s)).toMatch(/^1 of the 2 runs asking for mixed_bfloat16 trained in float32\./);
  });

  it('marks a precision the spec fixed (no axis) on every setting that fell back', () => {
    const s = summarize([
      { id: 'u4', axes: { units: 4 }, seed: 1, status: 'completed', attempts: 1, value: 0.6, precisionFallback: { asked: 'mixed_bfloat16', ran: 'float32' } },
      { id: 'u8', axes: { units: 8 }, seed: 1, status: 'completed', attempts: 1, value: 0.8, precisionFallback: { asked: 'mixed_bfloat16', ran: 'float32' } },
    ], 'accuracy', 'max', [], { units: [4, 8] });
    expect(s.rows.map((r) => r.label)).toEqual(['units=8, precision=mixed_bfloat16 ran in float32', 'units=4, precision=mixed_bfloat16 ran in float32']);
    expect(s.finding).toMatch(/All 2 runs asking for mixed_bfloat16 trained in float32/);
  });

  it('says nothing where no run fell back', () => {
    const s = summarize([entry('a', 'float32', 1, 0.5, false), entry('b', 'mixed_bfloat16', 1, 0.6, false)], 'accuracy', 'max');
    expect(s.precisionFallbacks).toBeUndefined();
    expect(precisionFallbackLine(s)).toBeNull();
    expect(s.rows.map((r) => r.label)).toEqual(['precision=mixed_bfloat16, units=4', 'precision=float32, units=4']);
    expect(s.finding).not.toMatch(/ran in|trained in/);
  });

  it('sweep.json: a run entry\'s precisionFallback that is not {asked, ran} is named', () => {
    const rec = { schemaVersion: 1, kind: 'sweep', spec: { command: 'addition', metric: 'accuracy' }, createdAt: 'x', updatedAt: 'x', finishedAt: null, summary: null,
      runs: [{ id: 'a', status: 'completed', axes: {}, seed: 1, attempts: 1, precisionFallback: 'float32' }] };
    expect(sweepRecordProblem(rec)).toBe('runs[0].precisionFallback is not {asked, ran}');
    rec.runs[0].precisionFallback = { asked: 'mixed_bfloat16', ran: 'float32' } as never;
    expect(sweepRecordProblem(rec)).toBeNull();
  });
});
