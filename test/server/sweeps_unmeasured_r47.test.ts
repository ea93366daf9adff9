/**
 * GET /api/sweeps/:id says which axes have no effect shown in the very sentence the terminal prints (unmeasuredLine,
 * computed from sweep.json's summary at request time), so the dashboard shows it without a copy of its own; records
 * written before the sentence was served get it too, and a damaged summary.unmeasured is refused naming the field.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSweepRecord } from '../../src/sweep/record.js';
import { summaryLines } from '../../src/sweep/render.js';
import type { SweepSpec } from '../../src/sweep/spec.js';
import { summarize, type RunEntry, type SweepSummary } from '../../src/sweep/summary.js';
import { get, useTestServer } from './helpers.js';

const ok = (id: string, axes: RunEntry['axes'], value: number): RunEntry => ({ id, axes, seed: 1, status: 'completed', attempts: 1, value });
const failed = (id: string, axes: RunEntry['axes']): RunEntry => ({ id, axes, seed: 1, status: 'failed', attempts: 1, error: 'refused' });
const spec = (list: SweepSpec['list']): SweepSpec => ({ command: 'addition', flags: {}, grid: { hidden: [4, 8] }, samples: null, sampleSeed: 1, list, seeds: [1], goal: 'max', attempts: 1, metric: 'per_char_accuracy' });

/** The unmeasured-axis line among the terminal's summary lines (the one after the effect tables, before the finding). */
const printed = (s: SweepSummary, runs: RunEntry[]) => summaryLines(s, runs).filter((l) => /^(No run varying|Of the runs varying)/.test(l));

const server = useTestServer();
const terminal: Record<string, string[]> = {};

function writeSweep(id: string, runs: RunEntry[], list: SweepSpec['list'] = []): SweepSummary {
  const summary = list.length ? summarize(runs, 'per_char_accuracy', 'max', [], { hidden: [4, 8] }) : summarize(runs, 'per_char_accuracy', 'max');
  const dir = path.join(server.runsDir, id);
  mkdirSync(path.join(dir, 'runs'), { recursive: true });
  writeSweepRecord(dir, spec(list), '2025-01-02T00:00:00.000Z', runs, summary, true);
  terminal[id] = printed(summary, runs);
  return summary;
}

beforeAll(() => {
  // Only a failed run varies lr: no effect of lr.
  writeSweep('failed-axis', [ok('h4', { hidden: 4 }, 0.5), ok('h8', { hidden: 8 }, 0.7), failed('lr', { hidden: 4, lr: 9 })]);
  // The grid's runs all failed; a completed list entry sets hidden (and lr), which makes no effect.
  writeSweep('list-only', [failed('h4', { hidden: 4 }), failed('h8', { hidden: 8 }), ok('list', { hidden: 16, lr: 9 }, 0.6)], [{ hidden: 16, lr: 9 }]);
  writeSweep('all-measured', [ok('h4', { hidden: 4 }, 0.5), ok('h8', { hidden: 8 }, 0.7)]);
  // A record written before the server sent the sentence: exactly what the sweep wrote then, no field added.
  writeSweep('old-record', [ok('h4', { hidden: 4 }, 0.5), failed('lr', { hidden: 4, lr: 9 }), failed('layers', { hidden: 8, layers: 3 })]);
  // A damaged record: summary.unmeasured is not a list of axis names.
  writeSweep('damaged', [ok('h4', { hidden: 4 }, 0.5), failed('lr', { hidden: 4, lr: 9 })]);
  const file = path.join(server.runsDir, 'damaged', 'sweep.json');
  const rec = JSON.parse(readFileSync(file, 'utf8'));
  rec.summary.unmeasured = 'lr';
  writeFileSync(file, JSON.stringify(rec));
}, 60_000);

const sweep = async (id: string) => {
  const r = await get(server.base, `/api/sweeps/${id}`);
  expect(r.status).toBe(200);
  return r.body.sweep;
};

describe('the sweeps API sends the unmeasured-axis sentence the terminal prints', () => {
  it('for an axis none of whose runs completed', async () => {
    expect(terminal['failed-axis']).toEqual(['No run varying lr has completed: its effect is not shown.']);
    expect((await sweep('failed-axis')).unmeasuredLine).toBe(terminal['failed-axis'][0]);
  });

  it('for an axis only a completed list entry sets', async () => {
    expect(terminal['list-only']).toEqual(['Of the runs varying hidden, only list entries have completed, and list entries count in no axis\'s effect: its effect is not shown.']);
    expect((await sweep('list-only')).unmeasuredLine).toBe(terminal['list-only'][0]);
  });

  it('for a sweep.json as written before the sentence was served, with two such axes', async () => {
    expect(Object.keys(JSON.parse(readFileSync(path.join(server.runsDir, 'old-record', 'sweep.json'), 'utf8')).summary)).not.toContain('unmeasuredLine');
    expect(terminal['old-record']).toEqual(['No run varying lr, layers has completed: their effects are not shown.']);
    expect((await sweep('old-record')).unmeasuredLine).toBe(terminal['old-record'][0]);
  });

  it('null when every axis has an effect, as the terminal prints none', async () => {
    expect(terminal['all-measured']).toEqual([]);
    const w = await sweep('all-measured');
    expect(w).toHaveProperty('unmeasuredLine', null);
    expect(w.summary.effects.map((e: { axis: string }) => e.axis)).toEqual(['hidden']);
  });

  it('answers 422 naming the file and field for a summary.unmeasured that is not a list of axis names', async () => {
    const r = await get(server.base, '/api/sweeps/damaged');
    expect(r.status).toBe(422);
    expect(r.body.error).toBe('damaged/sweep.json: summary.unmeasured is not a list of axis names');
  });
});
