/**
 * A corpus of more pairs than a call's arguments may hold: the longest source and target were found with
 * Math.max(...lengths), which overflowed the call stack past ~120k pairs before training began.
 */
import { describe, expect, it } from 'vitest';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import type { Pair } from '../../src/seq2seq/pairs.js';

describe('trainSeq2Seq on a large corpus', () => {
  it('finds the longest pair of 200,000 without overflowing the stack', async () => {
    const pairs: Pair[] = Array.from({ length: 200_000 }, (_, i) => ({ source: i % 7 === 0 ? 'abc' : 'ab', target: i % 5 === 0 ? 'xy' : 'x', where: `gen:${i + 1}` }));
    const r = await trainSeq2Seq(pairs, { units: 2, embeddingDim: 2, epochs: 1, batchSize: 20_000, samples: 0, validationSplit: 0.01, attention: 'none' });
    expect(r.config.maxSourceLen).toBe(3);
    expect(r.config.maxTargetLen).toBe(2);
  }, 120_000);
});
