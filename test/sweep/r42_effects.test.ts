/** An axis none of whose runs completed has no effect to show: no empty table, no `values: []` in sweep.json. */
import { describe, expect, it } from 'vitest';
import { sweepReportDoc } from '../../src/sweep/report.js';
import { summaryLines } from '../../src/sweep/render.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { summarize, type RunEntry } from '../../src/sweep/summary.js';

const ok = (id: string, axes: RunEntry['axes'], value: number): RunEntry => ({ id, axes, seed: 1, status: 'completed', attempts: 1, value });
const failed = (id: string, axes: RunEntry['axes']): RunEntry => ({ id, axes, seed: 1, status: 'failed', attempts: 3, error: 'metric is NaN' });

// As the probe's s1.yaml: rnn in the grid, lr only in a list entry that failed, training-size 40 completed but 4000 failed.
const runs: RunEntry[] = [
  ok('rnn-lstm', { rnn: 'lstm', 'training-size': 40 }, 0.05),
  ok('rnn-gru', { rnn: 'gru', 'training-size': 40 }, 0.1),
  failed('big', { rnn: 'gru', 'training-size': 4000 }),
  failed('lr', { rnn: 'lstm', lr: 1e38 }),
];

describe('effects of axes whose runs failed', () => {
  const s = summarize(runs, 'per_char_accuracy', 'max');

  it('leave out an axis with no completed run and the values with none, and name the axis instead', () => {
    expect(s.effects.map((e) => e.axis)).toEqual(['rnn', 'training-size']);
    expect(s.effects.every((e) => e.values.length > 0)).toBe(true);
    expect(s.effects.find((e) => e.axis === 'training-size')!.values.map((v) => v.value)).toEqual([40]);
    expect(s.unmeasured).toEqual(['lr']);
    expect(JSON.parse(JSON.stringify(s)).effects.some((e: { values: unknown[] }) => e.values.length === 0)).toBe(false);
  });

  it('print one line for it rather than an empty "Effect of" table, in the terminal and in report.html', () => {
    const lines = summaryLines(s, runs);
    expect(lines.some((l) => l.startsWith('Effect of lr'))).toBe(false);
    expect(lines).toContain('No run varying lr has completed: its effect is not shown.');
    const spec = parseSpec('command: addition\nlist: [{ lr: 1e38 }]\n');
    const effectSection = (summary: typeof s) => sweepReportDoc(spec, summary).sections.find((x) => x.title === 'Effect of each axis')!;
    const axesWithTable = (summary: typeof s) => effectSection(summary).tables!.map((t) => /^Effect of (\S+) /.exec(t.caption ?? '')?.[1]);
    expect(effectSection(s).text).toEqual(['No run varying lr has completed: its effect is not shown.']);
    expect(axesWithTable(s)).toEqual(['rnn', 'training-size']);
    // What the summary gave before: lr as an effect with no values, which report.html drew as an empty table.
    expect(axesWithTable({ ...s, effects: [...s.effects, { axis: 'lr', values: [], spread: 0 }] })).toEqual(['rnn', 'training-size', 'lr']);
  });

  it('say nothing when every axis has a completed run', () => {
    const all = summarize(runs.slice(0, 2), 'per_char_accuracy', 'max');
    expect(all.unmeasured).toBeUndefined();
    expect(summaryLines(all).some((l) => l.startsWith('No run varying'))).toBe(false);
  });
});
