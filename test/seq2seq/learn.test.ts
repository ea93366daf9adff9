/** A tiny encoder-decoder learns to reverse short strings, and its decoders agree with each other. */
import { describe, expect, it } from 'vitest';
import { beamDecode, beamSearch, greedyDecode, sequenceLogProb } from '../../src/seq2seq/decode.js';
import type { Pair } from '../../src/seq2seq/pairs.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import { Random } from '../../src/random.js';

function reversePairs(n: number, seed: number): Pair[] {
  const rng = new Random(seed);
  return Array.from({ length: n }, (_, i) => {
    const len = 2 + rng.int(4);
    const s = Array.from({ length: len }, () => 'abcdef'[rng.int(6)]).join('');
    return { source: s, target: [...s].reverse().join(''), where: `gen:${i + 1}` };
  });
}

describe('seq2seq learns', () => {
  it('reverses short strings to high exact match with Luong attention', async () => {
    const r = await trainSeq2Seq(reversePairs(1500, 3), { units: 32, embeddingDim: 16, epochs: 12, batchSize: 32, lr: 0.01, attention: 'luong', samples: 3, beam: 3 });
    console.log(r.greedy, r.beam, r.seconds, r.samples);
    expect(r.greedy.exact).toBeGreaterThan(0.9);
    expect(r.beam!.exact).toBeGreaterThanOrEqual(r.greedy.exact - 0.02);
  }, 120_000);
});
