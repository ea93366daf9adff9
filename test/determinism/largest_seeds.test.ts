/**
 * Every seed flag takes any safe integer; tasks that derive a second stream from seed + k wrap instead of leaving
 * the safe range (a seed near 2^53 once failed with "seed must be a safe integer, got" a number nobody typed).
 */
import { describe, expect, it } from 'vitest';
import { offsetSeed } from '../../src/random.js';
import { longRangeSeeds } from '../../src/experiments/long_range.js';
import { run, tempDir, readResults } from '../cli/helpers.js';

const MAX = Number.MAX_SAFE_INTEGER;

describe('offsetSeed', () => {
  it('is seed + k below the wrap, and a safe integer distinct for each k near the top', () => {
    expect(offsetSeed(1, 7)).toBe(8);
    expect(offsetSeed(-MAX, 2)).toBe(-MAX + 2);
    expect(offsetSeed(MAX - 7, 7)).toBe(MAX);
    expect(offsetSeed(MAX, 1)).toBe(-MAX);
    expect(offsetSeed(MAX, 2)).toBe(-MAX + 1);
    expect(offsetSeed(MAX - 3, 101)).toBe(-MAX + 97);
    expect(longRangeSeeds({ seed: MAX })).toEqual({ train: MAX, heldOut: -MAX, weights: -MAX + 1 });
  });
});

describe('the largest seeds through the CLI', () => {
  it.each([
    ['addition', ['addition', '--digits', '1', '--training-size', '40', '--epochs', '1', '--hidden', '4', '--samples', '2']],
    ['experiment reverse', ['experiment', 'reverse', '--digits', '1', '--training-size', '40', '--epochs', '1', '--hidden', '4']],
    ['experiment digitwise', ['experiment', 'digitwise', '--digits', '1', '--test-digits', '2', '--training-size', '40', '--test-size', '10', '--epochs', '1', '--hidden', '4']],
  ])('%s runs with --seed 9007199254740991 and with its negative', async (_name, argv) => {
    for (const seed of [String(MAX), String(-MAX)]) {
      const out = tempDir();
      const r = await run([...argv, '--verbose', '0', '--seed', seed, '--out', out]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(readResults(out).config.seed).toBe(Number(seed));
    }
  }, 60_000);
});
