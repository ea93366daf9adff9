/**
 * Spec values refused up front rather than failing later (a sample_seed no double holds exactly, one data file
 * spelt two ways), a grid too large to count in a double that samples still draws from, and the finding of a
 * sweep whose runs all failed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandRuns } from '../../src/sweep/expand.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { summarize, type RunEntry } from '../../src/sweep/summary.js';
import { cleanup, requireFreshDist, run, tempDir, TINY_ADDITION } from './helpers.js';

// Its CLI calls refuse their specs before any run starts; were one accepted, its runs would fork dist/.
requireFreshDist();
afterAll(cleanup);

/** rnnlab sweep on a spec file holding `text`. */
async function sweep(text: string) {
  const root = tempDir();
  const file = path.join(root, 'spec.yaml');
  writeFileSync(file, text);
  return { file, ...(await run(['sweep', file, '--out', path.join(root, 'out')])) };
}

describe('sample_seed', () => {
  it.each(['1e20', '9007199254740993'])('%s (no double holds it exactly) is a usage error naming the file and the field', async (seed) => {
    const r = await sweep(`${TINY_ADDITION}grid: { hidden: [4, 8, 16] }\nsamples: 2\nsample_seed: ${seed}\n`);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${r.file}: sample_seed must be a whole number from -9007199254740991 to 9007199254740991, got`);
  });

  it('takes the largest safe integer', () => {
    const spec = parseSpec(`${TINY_ADDITION}grid: { hidden: [4, 8, 16] }\nsamples: 2\nsample_seed: ${Number.MAX_SAFE_INTEGER}\n`);
    expect(expandRuns(spec)).toHaveLength(2);
  });
});

describe('a grid of more combinations than a double counts (10^18)', () => {
  const axes = Array.from({ length: 6 }, (_, a) => `  ${['hidden', 'epochs', 'batch-size', 'training-size', 'validation-size', 'digits'][a]}: [${Array.from({ length: 1000 }, (_, i) => i + 1).join(', ')}]`).join('\n');
  const grid = (extra: string) => `command: addition\nflags: { samples: 0 }\ngrid:\n${axes}\n${extra}`;

  it('is sampled when samples draws few: each draw a point of the grid, the same for the same sample_seed', () => {
    const spec = parseSpec(grid('samples: 2\nsample_seed: 7\n'));
    const runs = expandRuns(spec);
    expect(runs).toHaveLength(2);
    for (const r of runs) for (const [k, v] of Object.entries(r.axes)) expect(spec.grid[k]).toContain(v);
    expect(new Set(runs.map((r) => r.id)).size).toBe(2);
    expect(expandRuns(parseSpec(grid('samples: 2\nsample_seed: 7\n'))).map((r) => r.id)).toEqual(runs.map((r) => r.id));
    expect(expandRuns(parseSpec(grid('samples: 2\nsample_seed: 8\n'))).map((r) => r.id)).not.toEqual(runs.map((r) => r.id));
  });

  it('is refused without samples, counted exactly', () => {
    expect(() => parseSpec(grid(''))).toThrow('grid has 1,000,000,000,000,000,000 combinations; a sweep runs at most 100,000 settings (samples: N draws N of them)');
  });
});

describe('a path flag spelt two ways', () => {
  it('is one setting: grid data [x.tar.gz, ./x.tar.gz] is refused as the same --data', async () => {
    const r = await sweep('command: imdb\nflags: { model: lstm }\ngrid: { data: [x.tar.gz, ./x.tar.gz] }\n');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${r.file}: grid.data: "x.tar.gz" and "./x.tar.gz" are the same --data`);
  });
});

describe('the finding of a sweep none of whose runs completed', () => {
  const failed = (id: string): RunEntry => ({ id, axes: { hidden: id }, seed: 1, status: 'failed', attempts: 3, error: 'x' });
  it('says none completed once nothing is pending, and "yet" while some are', () => {
    expect(summarize([failed('a'), failed('b')], 'valLoss', 'min').finding).toBe('No run completed (2 failed).');
    expect(summarize([failed('a'), { ...failed('b'), status: 'pending', attempts: 0 }], 'valLoss', 'min').finding).toBe('No run has completed yet (1 failed, 1 pending).');
  });
});
