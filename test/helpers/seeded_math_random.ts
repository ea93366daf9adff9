/**
 * tfjs's initializers, dropout and fit's shuffle draw their seeds from Math.random, so a test that builds a tfjs model
 * and compares numbers against bounds sees different weights on every run, and a bound met by most draws can fail on
 * one. Seeding Math.random per test makes each such comparison the same on every run.
 */
import { afterEach, beforeEach, vi, type MockInstance } from 'vitest';

/** A small linear congruential stream in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** Seeds Math.random afresh before every test of the calling file; restores only this spy (the file's own stay). */
export function seedMathRandomPerTest(seed = 1): void {
  let spy: MockInstance<() => number> | undefined;
  beforeEach(() => { spy = vi.spyOn(Math, 'random').mockImplementation(seededRandom(seed)); });
  afterEach(() => { spy?.mockRestore(); spy = undefined; });
}
