/**
 * A held-out target word left out of the target vocabulary (--max-vocab, or never seen in training) reads as <unk>;
 * the model writing <unk> there has not written the word, so neither the scores nor a sample's ☑ count it as right.
 */
import { describe, expect, it } from 'vitest';
import { sampleLines } from '../../src/seq2seq/result.js';
import { isExactMatch, scoreDecodings, trainSeq2Seq } from '../../src/seq2seq/train.js';
import type { Decoding } from '../../src/seq2seq/decode.js';
import { UNKNOWN, Vocab } from '../../src/seq2seq/vocab.js';
import { copyPairs } from './helpers.js';

/** A decoding as scoring reads it: only its ids and whether it ended. */
const out = (ids: number[], ended = true): Decoding => ({ ids, ended, attention: [], logProb: 0, score: 0 });

describe('scoring a truth that holds <unk>', () => {
  const target = Vocab.fromTexts(['gold red', 'gold red', 'blue'], 'word', 6);
  const truth = target.encode('gold zebra red');

  it('does not count an output <unk> as the word it stands for', () => {
    expect(truth).toEqual([4, UNKNOWN, 5]);
    const guess = out(target.encode('gold <unk> red'));
    // gold, red and <end> right; zebra not.
    expect(scoreDecodings([guess], [truth])).toEqual({ perToken: 3 / 4, exact: 0 });
    expect(isExactMatch(guess, truth)).toBe(false);
  });

  it('scores a truth without <unk> as before', () => {
    const t = target.encode('gold red');
    const right = out([...t]);
    const unended = out([...t], false);
    expect(scoreDecodings([right, unended], [t, t])).toEqual({ perToken: 5 / 6, exact: 1 / 2 });
    expect(isExactMatch(right, t)).toBe(true);
    expect(isExactMatch(unended, t)).toBe(false);
  });
});

/** Copy three words: six frequent ones, and rare ones seen once each, which --max-vocab 10 reads as <unk>. */
describe('training with --max-vocab', () => {
  it('a model that copies <unk> gets no credit for held-out pairs with a rare word; their samples read ☒', async () => {
    const r = await trainSeq2Seq(copyPairs(), { tokens: 'word', maxVocab: 10, units: 24, embeddingDim: 8, epochs: 12, batchSize: 16, lr: 0.02, samples: 1000, seed: 3 });
    expect(r.samples).toHaveLength(r.counts.validation);
    const rare = r.samples.filter((s) => /rare/.test(s.truth));
    // The model did learn to write <unk> where the rare word was: the case the old scoring counted as right.
    const unkCopied = rare.filter((s) => s.guess === s.truth.replace(/rare\d+/, '<unk>'));
    expect(unkCopied.length).toBeGreaterThan(rare.length / 2);
    for (const s of rare) expect(s.correct).toBe(false);
    expect(r.greedy.exact).toBeLessThanOrEqual(1 - rare.length / r.samples.length);
    expect(r.greedy.exact).toBeCloseTo(r.samples.filter((s) => s.correct).length / r.samples.length, 10);
    // Per token, a rare word's position is never right: at most 3 of the 4 (three words and <end>).
    const commonOnly = r.samples.length - rare.length;
    expect(r.greedy.perToken).toBeLessThanOrEqual((4 * commonOnly + 3 * rare.length) / (4 * r.samples.length) + 1e-12);
    const line = sampleLines([unkCopied[0]])[0];
    expect(line).toMatch(/True \S+ rare\d+ \S+ +Guess \S+ <unk> \S+ ☒$/);
  });
});
