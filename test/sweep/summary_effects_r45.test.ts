/**
 * The finding weighs the top axis's effect against the seed-to-seed spread (the std over seeds within a setting), and
 * the axes' effects come from the grid's settings alone: a list entry that changes several flags is ranked, not an effect.
 */
import { describe, expect, it } from 'vitest';
import { seedSpread, summarize, type RunEntry } from '../../src/sweep/summary.js';

const ok = (axes: RunEntry['axes'], seed: number, value: number): RunEntry => ({ id: `${JSON.stringify(axes)}-${seed}`, axes, seed, status: 'completed', attempts: 1, value });

describe('the seed-to-seed spread of the finding', () => {
  // Six binary axes, each moving the metric by about 10 points; seeds move it by 0.1 point within a setting.
  const axes = ['a', 'b', 'c', 'd', 'e', 'f'];
  const runs: RunEntry[] = [];
  for (let i = 0; i < 64; i++) {
    for (const seed of [1, 2]) {
      const ax = Object.fromEntries(axes.map((k, j) => [k, (i >> j) & 1]));
      runs.push(ok(ax, seed, 0.3 + axes.reduce((s, k, j) => s + ax[k] * (j === 0 ? 0.105 : 0.1), 0) + (seed === 1 ? 0.0005 : -0.0005)));
    }
  }

  it('is the std over seeds within a setting, not the spread the other axes make', () => {
    const s = summarize(runs, 'test_accuracy', 'max');
    expect(s.seedStd).toBeCloseTo(0.001 / Math.SQRT2, 12);
    expect(s.finding).toContain('a matters most: 1 gives 65.50% against 55.00% for 0.');
    expect(s.finding).not.toContain('seed-to-seed spread');
  });

  it('pools the settings\' variances by their degrees of freedom, and is null with no setting of two seeds', () => {
    expect(seedSpread([{ std: 0.3, n: 2 }, { std: 0.4, n: 3 }, { std: 9, n: 1 }])).toBeCloseTo(Math.sqrt((0.09 + 2 * 0.16) / 3), 12);
    expect(seedSpread([{ std: 0, n: 1 }, { std: 0, n: 1 }])).toBeNull();
    const one = summarize([ok({ rnn: 'lstm' }, 1, 0.6), ok({ rnn: 'gru' }, 1, 0.4)], 'test_accuracy', 'max');
    expect(one.seedStd).toBeUndefined();
    expect(one.finding).toContain('With one seed per setting, the seed-to-seed spread is not measured.');
  });

  it('still says no axis beats it when the seeds move the metric more than the axis does', () => {
    const s = summarize([ok({ u: 8 }, 1, 0.5), ok({ u: 8 }, 2, 0.7), ok({ u: 16 }, 1, 0.52), ok({ u: 16 }, 2, 0.72)], 'test_accuracy', 'max');
    expect(s.finding).toContain('No axis moves test_accuracy by more than the seed-to-seed spread (u: 62.00% vs 60.00%).');
  });
});

describe('list entries in the summary', () => {
  // As the probe's sem.yaml: grid rnn × batch-size, and a list entry that changes rnn, batch-size and lr at once.
  const grid = { rnn: ['lstm', 'gru'], 'batch-size': [16, 32] };
  const runs: RunEntry[] = [
    ok({ rnn: 'lstm', 'batch-size': 16 }, 1, 2.4730), ok({ rnn: 'lstm', 'batch-size': 16 }, 2, 2.4760),
    ok({ rnn: 'lstm', 'batch-size': 32 }, 1, 2.4790), ok({ rnn: 'lstm', 'batch-size': 32 }, 2, 2.4830),
    ok({ rnn: 'gru', 'batch-size': 16 }, 1, 2.4390), ok({ rnn: 'gru', 'batch-size': 16 }, 2, 2.4650),
    ok({ rnn: 'gru', 'batch-size': 32 }, 1, 2.4560), ok({ rnn: 'gru', 'batch-size': 32 }, 2, 2.4810),
    ok({ rnn: 'simple_rnn', 'batch-size': 8, lr: 0.05 }, 1, 1.87), ok({ rnn: 'simple_rnn', 'batch-size': 8, lr: 0.05 }, 2, 1.925),
  ];
  const s = summarize(runs, 'val_loss', 'min', [], grid);

  it('are ranked with the grid\'s settings', () => {
    expect(s.rows[0].label).toBe('rnn=simple_rnn, batch-size=8, lr=0.05');
    expect(s.rows).toHaveLength(5);
    expect(s.finding).toContain('Best: rnn=simple_rnn, batch-size=8, lr=0.05 with val_loss 1.8975');
  });

  it('make no effect: each axis compares the grid\'s settings only, and an axis of the list alone has no table', () => {
    expect(s.effects.map((e) => e.axis).sort()).toEqual(['batch-size', 'rnn']);
    const rnn = s.effects.find((e) => e.axis === 'rnn')!;
    expect(rnn.values.map((v) => v.value)).toEqual(['lstm', 'gru']);
    expect(rnn.values.find((v) => v.value === 'gru')!.mean).toBeCloseTo((2.4390 + 2.4650 + 2.4560 + 2.4810) / 4, 12);
    expect(s.effects.find((e) => e.axis === 'batch-size')!.values.map((v) => v.n)).toEqual([4, 4]);
    expect(s.unmeasured).toBeUndefined();
    expect(s.finding).not.toContain('simple_rnn gives');
  });

  it('are said apart in a note, as the summary\'s other notes are', () => {
    expect(s.notes).toEqual(["(1 list setting is ranked with the grid's but left out of each axis's effect, which compares the grid's settings only: a list entry may change several flags at once)"]);
    const listOnly = summarize(runs.slice(8), 'val_loss', 'min', ['(earlier note)'], {});
    expect(listOnly.effects).toEqual([]);
    expect(listOnly.notes).toEqual(['(earlier note)', "(1 list setting is ranked; no axis's effect is shown, since a list entry may change several flags at once)"]);
    expect(summarize(runs.slice(0, 8), 'val_loss', 'min', [], grid).notes).toBeUndefined();
  });

  it('written as a grid point ({ "batch-size": "16" }) is that point\'s run and counts in the effects', () => {
    const alike = summarize([...runs.slice(0, 8), ok({ rnn: 'lstm', 'batch-size': '16' }, 3, 2.4745)], 'val_loss', 'min', [], grid);
    expect(alike.effects.find((e) => e.axis === 'rnn')!.values.find((v) => v.value === 'lstm')!.n).toBe(5);
    expect(alike.notes).toBeUndefined();
  });

  it('the seed-to-seed spread comes from the grid\'s settings, whose effects it weighs', () => {
    const grid1 = { rnn: ['lstm', 'gru'] };
    const confound = [
      ok({ rnn: 'lstm' }, 1, 2.4827), ok({ rnn: 'lstm' }, 2, 2.4886), ok({ rnn: 'gru' }, 1, 2.4677), ok({ rnn: 'gru' }, 2, 2.4935),
      ok({ rnn: 'gru', lr: 0.05 }, 1, 2.2047), ok({ rnn: 'gru', lr: 0.05 }, 2, 2.2457),
    ];
    const c = summarize(confound, 'val_loss', 'min', [], grid1);
    expect(c.seedStd).toBeCloseTo(Math.sqrt(((2.4886 - 2.4827) ** 2 / 2 + (2.4935 - 2.4677) ** 2 / 2) / 2), 12);
    expect(c.finding).toContain('No axis moves val_loss by more than the seed-to-seed spread (rnn: 2.4806 vs 2.4856).');
  });
});
