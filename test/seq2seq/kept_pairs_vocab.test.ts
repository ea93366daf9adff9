/**
 * The vocabularies, maxVocab's slots and an auto length limit come from the training pairs the length limits keep:
 * a token only in left-out pairs takes no slot (and reads as <unk>, so translate names it), and a left-out pair's
 * length does not set the other side's auto limit (the decoder's step limit).
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/random.js';
import type { Pair } from '../../src/seq2seq/pairs.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';

/** 300 reversals of 1 to 5 letters from a-e, then `extra` over-long pairs. */
function pairsWith(extra: (i: number) => [string, string], n: number): Pair[] {
  const rng = new Random(5);
  const rev: Pair[] = Array.from({ length: 300 }, (_, i) => {
    const s = Array.from({ length: 1 + rng.int(5) }, () => 'abcde'[rng.int(5)]).join('');
    return { source: s, target: [...s].reverse().join(''), where: `rev:${i + 1}` };
  });
  return [...rev, ...Array.from({ length: n }, (_, i) => { const [source, target] = extra(i); return { source, target, where: `long:${i + 1}` }; })];
}

const TINY = { units: 4, embeddingDim: 2, epochs: 1, samples: 0, seed: 1 } as const;

describe('trainSeq2Seq with pairs left out by a length limit', () => {
  it('gives maxVocab\'s slots to the kept pairs\' tokens: the most frequent token of the left-out pairs takes none', async () => {
    // 60 pairs of ten z's: the most frequent token of all, in no pair the source limit keeps.
    const r = await trainSeq2Seq(pairsWith(() => ['zzzzzzzzzz', 'zzzzzzzzzz'], 60), { ...TINY, maxSourceLen: 5, maxVocab: 8 });
    expect(r.counts.skippedLong).toBe(60);
    for (const side of [r.spec.source, r.spec.target]) {
      expect(side.items).toHaveLength(8);
      expect(side.items).not.toContain('z');
      expect(side.items.slice(4).every((t) => 'abcde'.includes(t))).toBe(true);
    }
    // Four of the five letters fit: the fifth alone is unknown (about a fifth of the tokens, not the 41% z's slot cost).
    expect(r.heldOutUnknown.source).toBeGreaterThan(0.1);
    expect(r.heldOutUnknown.source).toBeLessThan(0.3);
    // The auto target limit is the longest kept target (5), not the left-out pairs' 10.
    expect(r.spec.maxTargetLen).toBe(5);
    expect(r.config).toMatchObject({ maxSourceLen: 5, maxTargetLen: 5 });
  });

  it('leaves tokens seen only in left-out pairs out of the vocabularies, so they read as unknown', async () => {
    const r = await trainSeq2Seq(pairsWith((i) => [`zzzzzzzz${i}`, `q${i}`], 30), { ...TINY, maxSourceLen: 5 });
    expect(r.counts.skippedLong).toBe(30);
    expect([...r.spec.source.items.slice(4)].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect([...r.spec.target.items.slice(4)].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(r.heldOutUnknown).toEqual({ source: 0, target: 0 });
  });

  it('sets an auto source limit from the pairs a given target limit keeps', async () => {
    // Pairs of nine letters a side: left out by maxTargetLen 5, their sources must not make the source limit 9.
    const r = await trainSeq2Seq(pairsWith(() => ['ccccccccc', 'aaaaaaaaa'], 40), { ...TINY, maxTargetLen: 5 });
    expect(r.counts.skippedLong).toBe(40);
    expect(r.spec.maxSourceLen).toBe(5);
  });
});
