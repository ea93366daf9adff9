import { describe, expect, it } from 'vitest';
import { effectTables, rankedTable } from '../../src/sweep/report.js';
import { meanStd, summarize, type RunEntry } from '../../src/sweep/summary.js';

function run(axes: Record<string, string | number>, seed: number, value: number, valAcc: number[] = []): RunEntry {
  return {
    id: `${JSON.stringify(axes)}-${seed}`, axes, seed, status: 'completed', attempts: 1, value,
    outcome: { status: 'completed', metrics: { testAccuracy: value }, recorded: { testAccuracy: value }, history: valAcc.length ? { val_accuracy: valAcc, accuracy: valAcc.map((v) => v + 0.05) } : {}, secondsPerEpoch: 1 },
  };
}

describe('sweep summary', () => {
  it('mean and sample standard deviation', () => {
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1 });
    expect(meanStd([5])).toEqual({ mean: 5, std: 0 });
    expect(Number.isNaN(meanStd([]).mean)).toBe(true);
  });

  it('ranks settings by mean over seeds, computes each axis\'s effect and names the axis that matters', () => {
    const runs = [
      run({ model: 'lstm', units: 32 }, 1, 0.80), run({ model: 'lstm', units: 32 }, 2, 0.82),
      run({ model: 'lstm', units: 100 }, 1, 0.86), run({ model: 'lstm', units: 100 }, 2, 0.88),
      run({ model: 'gru', units: 32 }, 1, 0.70), run({ model: 'gru', units: 32 }, 2, 0.72),
      run({ model: 'gru', units: 100 }, 1, 0.74), run({ model: 'gru', units: 100 }, 2, 0.76),
      { id: 'x', axes: { model: 'gru', units: 100 }, seed: 3, status: 'failed', attempts: 3, error: 'boom' },
    ] satisfies RunEntry[];
    const s = summarize(runs, 'test_accuracy', 'max');
    expect(s.rows.map((r) => r.label)).toEqual(['model=lstm, units=100', 'model=lstm, units=32', 'model=gru, units=100', 'model=gru, units=32']);
    expect(s.rows[0].mean).toBeCloseTo(0.87, 12);
    expect(s.rows[0].std).toBeCloseTo(Math.SQRT2 * 0.01, 12);
    expect(s.rows[0].n).toBe(2);
    expect(s.effects[0].axis).toBe('model');
    expect(s.effects[0].values.find((v) => v.value === 'lstm')!.mean).toBeCloseTo(0.84, 12);
    expect(s.effects[0].spread).toBeCloseTo(0.84 - 0.73, 12);
    expect(s.effects[1].axis).toBe('units');
    expect(s).toMatchObject({ completed: 8, failed: 1, pending: 0 });
    expect(s.finding).toContain('Best: model=lstm, units=100 with test_accuracy 87.00% ± 1.41 over 2 seeds.');
    expect(s.finding).toContain('model matters most: lstm gives 84.00% against 73.00% for gru.');
  });

  it('ranks losses lowest first; one seed shows no spread (-) in the tables', () => {
    const s = summarize([run({ lr: 0.1 }, 1, 0.5), run({ lr: 0.01 }, 1, 0.3)], 'val_loss', 'min');
    expect(s.rows[0].label).toBe('lr=0.01');
    expect(rankedTable(s).rows).toEqual([[1, 'lr=0.01', '0.3000', '-', 1], [2, 'lr=0.1', '0.5000', '-', 1]]);
    expect(effectTables(s)[0].rows.map((r) => r[2])).toEqual(['-', '-']);
    const two = summarize([run({ lr: 0.1 }, 1, 0.5), run({ lr: 0.1 }, 2, 0.7)], 'val_loss', 'min');
    expect(rankedTable(two).rows[0][3]).toBe('0.1414');
  });

  it('reads overfitting off the mean validation curve of the best setting', () => {
    const s = summarize([run({ model: 'lstm' }, 1, 0.85, [0.84, 0.87, 0.85]), run({ model: 'lstm' }, 2, 0.85, [0.84, 0.87, 0.85])], 'test_accuracy', 'max');
    expect(s.finding).toContain('More epochs help until epoch 2 (val_accuracy 87.00%), then it overfits (85.00% at epoch 3).');
    const rising = summarize([run({ model: 'gru' }, 1, 0.8, [0.7, 0.75, 0.8])], 'test_accuracy', 'max');
    expect(rising.finding).toContain('still improves at the last epoch');
    const flat = summarize([run({ model: 'gru' }, 1, 0.5, [0.5, 0.5])], 'test_accuracy', 'max');
    expect(flat.finding).toContain('does not move over 2 epochs');
  });

  it('shows a loss as a plain number, also below 1, and an accuracy as a percentage, whatever its values', () => {
    const loss = summarize([run({ rnn: 'lstm' }, 1, 0.40), run({ rnn: 'lstm' }, 2, 0.42), run({ rnn: 'gru' }, 1, 1.2), run({ rnn: 'gru' }, 2, 1.2)], 'val_loss', 'min');
    expect(loss.finding).toContain('Best: rnn=lstm with val_loss 0.4100 ± 0.0141 over 2 seeds.');
    expect(loss.finding).toContain('rnn matters most: lstm gives 0.4100 against 1.2000 for gru.');
    const mixed = summarize([run({ rnn: 'gru' }, 1, 0.8), run({ rnn: 'lstm' }, 1, 1.2)], 'val_loss', 'min');
    expect(mixed.finding).toContain('gru gives 0.8000 against 1.2000 for lstm.');
    const acc = summarize([run({ units: 8 }, 1, 0.5, [0.4, 0.5]), run({ units: 16 }, 1, 0.9)], 'per_char_accuracy', 'max');
    expect(acc.finding).toContain('units matters most: 16 gives 90.00% against 50.00% for 8.');
  });

  it('shows the curve it reads in that curve\'s own kind, not the ranking metric\'s', () => {
    const entry = (seed: number): RunEntry => ({
      id: `l${seed}`, axes: { lr: 0.1 }, seed, status: 'completed', attempts: 1, value: 0.6,
      outcome: { status: 'completed', metrics: { testLoss: 0.6 }, recorded: { testLoss: 0.6 }, history: { val_loss: [0.9, 0.5, 0.7] }, secondsPerEpoch: 1 },
    });
    expect(summarize([entry(1)], 'test_loss', 'min').finding).toContain('More epochs help until epoch 2 (val_loss 0.5000), then it overfits (0.7000 at epoch 3).');
  });

  it('says when no axis beats the seed-to-seed spread', () => {
    const s = summarize([run({ units: 8 }, 1, 0.70), run({ units: 8 }, 2, 0.80), run({ units: 16 }, 1, 0.71), run({ units: 16 }, 2, 0.79)], 'test_accuracy', 'max');
    expect(s.finding).toContain('No axis moves test_accuracy by more than the seed-to-seed spread');
  });

  it('with one seed per setting speaks of no seed-to-seed spread, and calls settings equal as shown tied', () => {
    const tie = summarize([run({ rnn: 'lstm' }, 1, 0), run({ rnn: 'gru' }, 1, 0)], 'perCharAccuracy', 'max');
    expect(tie.finding).toContain('Tied best: rnn=lstm and rnn=gru with perCharAccuracy 0.00%.');
    expect(tie.finding).toContain('No axis moves perCharAccuracy (rnn: 0.00% vs 0.00%); with one seed per setting, the seed-to-seed spread is not measured.');
    expect(tie.finding).not.toMatch(/Best: rnn=lstm|by more than the seed-to-seed spread/);
    const apart = summarize([run({ rnn: 'lstm' }, 1, 0.6), run({ rnn: 'gru' }, 1, 0.4)], 'perCharAccuracy', 'max');
    expect(apart.finding).toContain('Best: rnn=lstm with perCharAccuracy 60.00%.');
    expect(apart.finding).toContain('rnn matters most: lstm gives 60.00% against 40.00% for gru. With one seed per setting, the seed-to-seed spread is not measured.');
    // Equal as shown (to the hundredth of a percent) is a tie too, and more than two are listed.
    const three = summarize([run({ units: 8 }, 1, 0.50001), run({ units: 16 }, 1, 0.5), run({ units: 32 }, 1, 0.50002), run({ units: 64 }, 1, 0.3)], 'test_accuracy', 'max');
    expect(three.finding).toContain('Tied best: units=32; units=8; units=16 with test_accuracy 50.00%.');
    // Over several seeds a tie of means says so.
    const seeds = summarize([run({ lr: 1 }, 1, 0.4), run({ lr: 1 }, 2, 0.6), run({ lr: 2 }, 1, 0.5), run({ lr: 2 }, 2, 0.5)], 'test_accuracy', 'max');
    expect(seeds.finding).toContain('Tied best: lr=1 and lr=2 with test_accuracy 50.00% (means over seeds).');
    expect(seeds.finding).toContain('No axis moves test_accuracy by more than the seed-to-seed spread');
  });
});
