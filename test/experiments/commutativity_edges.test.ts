/** The commutativity experiment at its edges: a validation set without a pair to swap, and --pairs near its limit. */
import { describe, expect, it } from 'vitest';
import { commutativityExperiment } from '../../src/experiments/commutativity.js';

describe('experiment commutativity', () => {
  it('fails before training when the validation set has no pair with a != b', async () => {
    const phases: string[] = [];
    // 10 questions of one digit, seed 9: the held-out ones are all a+a.
    await expect(commutativityExperiment({ digits: 1, trainingSize: 10, seed: 9, epochs: 1, hidden: 4, verbose: 0, onPhase: (p) => phases.push(p) }))
      .rejects.toThrow('commutativity: the validation set has no pair with a != b; raise --training-size');
    expect(phases).toEqual([]);
  });

  it('takes 50,000 pairs (their 150,000 similarities once overflowed Math.min\'s arguments)', async () => {
    const r = await commutativityExperiment({ digits: 4, trainingSize: 600_000, pairs: 50_000, epochs: 1, hidden: 2, rnn: 'simple_rnn', batchSize: 4096, verbose: 0 });
    const table = r.tables.find((t) => t.caption?.startsWith('Cosine similarity'))!;
    expect(table.caption).toContain('50000 validation pairs');
    expect(table.rows[0][1]).toBe(50_000);
  }, 120_000);
});
