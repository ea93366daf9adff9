// Sweep specs that would expand to more runs than a sweep can hold: a few lines of seeds times a grid made millions
// of runs (and gigabytes) before the first one started; now refused when the spec is read, naming the file.
import { describe, expect, it } from 'vitest';
import { expandRuns } from '../../src/sweep/expand.js';
import { MAX_RUNS, parseSpec } from '../../src/sweep/spec.js';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const spec = (doc: Record<string, unknown>) => JSON.stringify({ command: 'addition', flags: { digits: 1 }, ...doc });

describe('settings × seeds', () => {
  it('1,000 settings × 20,000 seeds (a 110 KB file) are refused, with what to change', () => {
    expect(() => parseSpec(spec({ grid: { hidden: range(1000, 1) }, seeds: range(20_000) }), 'big.json'))
      .toThrow('big.json: 1,000 setting(s) × 20,000 seed(s) make 20,000,000 runs; a sweep runs at most 100,000 (fewer seeds, or samples: N to draw fewer settings)');
  });

  it('counts sampled settings, list entries and the single setting of a spec without axes', () => {
    expect(() => parseSpec(spec({ grid: { hidden: range(1000, 1), epochs: range(200, 1) }, samples: 50_001, seeds: [1, 2] }), 's.json'))
      .toThrow(/s\.json: 50,001 setting\(s\) × 2 seed\(s\) make 100,002 runs/);
    expect(() => parseSpec(spec({ list: range(11).map((h) => ({ hidden: h + 1 })), seeds: range(10_000) }), 'l.json'))
      .toThrow('l.json: 11 setting(s) × 10,000 seed(s) make 110,000 runs; a sweep runs at most 100,000 (fewer seeds)');
    expect(() => parseSpec(spec({ seeds: range(MAX_RUNS + 1) }), 'seeds.json')).toThrow(/seeds\.json: 1 setting\(s\) × 100,001 seed\(s\)/);
  });

  it('exactly the most is accepted and expands to that many runs', () => {
    const s = parseSpec(spec({ grid: { hidden: range(10, 1) }, seeds: range(MAX_RUNS / 10) }));
    expect(expandRuns(s)).toHaveLength(MAX_RUNS);
  });
});
