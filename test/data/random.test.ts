import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/random.js';

describe('Rng', () => {
  it('repeats its stream for a seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    expect(draw(113)).toEqual(draw(113));
    expect(draw(113)).not.toEqual(draw(114));
    expect(draw(2 ** 40)).not.toEqual(draw(0));
    expect(draw(-1)).not.toEqual(draw(1));
    // Pinned so that a change to the generator (and to every seeded order) is noticed.
    expect(draw(0).slice(0, 3)).toEqual(FIRST_THREE_SEED_0);
  });

  it('draws floats in [0, 1) and unbiased ints in [0, n)', () => {
    const r = new Rng(1);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) {
      const f = r.nextFloat();
      if (!(f >= 0 && f < 1)) throw new Error(`float ${f}`);
      counts[r.nextInt(7)]++;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(r.nextInt(1)).toBe(0);
    expect(() => r.nextInt(0)).toThrow(RangeError);
    expect(() => new Rng(0.5)).toThrow(RangeError);
  });

  it('shuffles into a permutation', () => {
    const p = new Rng(3).permutation(1000);
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(1000).keys()]);
    expect([...p]).not.toEqual([...Array(1000).keys()]);
    const arr = ['a', 'b', 'c', 'd'];
    expect(new Rng(3).shuffle(arr)).toBe(arr);
    expect([...arr].sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});

// xoshiro128** core checked against the reference C (state 1,2,3,4 gives 11520, 0, 5927040, 70819200).
const FIRST_THREE_SEED_0 = [1789933344, 44971166, 2521387044];
