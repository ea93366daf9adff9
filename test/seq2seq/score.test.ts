/**
 * scoreSeq2Seq (what `rnnlab evaluate` runs on a seq2seq model): on a run's own held-out pairs, rebuilt with the
 * run's seeded split, it gives back the run's validation scores and samples, greedy and beam, with a capped target
 * vocabulary whose <unk> is never counted right; bad options and pairs are refused by name.
 */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { scoreSeq2Seq, seq2seqModelOf, Seq2SeqOptionError, trainSeq2Seq, type Seq2SeqModel } from '../../src/seq2seq/index.js';
import { splitPairs } from '../../src/seq2seq/train.js';
import { copyPairs } from './helpers.js';

describe('scoreSeq2Seq', () => {
  const pairs = copyPairs();
  let model: Seq2SeqModel;
  const trained = (async () => {
    const run = await trainSeq2Seq(pairs, { tokens: 'word', units: 8, embeddingDim: 8, epochs: 2, batchSize: 16, lr: 0.02, maxVocab: 10, beam: 2, samples: 5, seed: 3 });
    model = seq2seqModelOf(run.net, run.spec);
    return run;
  })();

  it("gives the training run's validation scores and samples on its held-out pairs", async () => {
    const run = await trained;
    // Every copy pair is 3 words, within the limits: the held-out pairs are the split's alone.
    const { validation } = splitPairs(pairs, Math.round(pairs.length * 0.1), 3);
    expect(validation).toHaveLength(run.counts.validation);
    const r = scoreSeq2Seq(model, validation, { beam: 2, samples: 5 });
    expect(run.greedy.perToken).toBeGreaterThan(0);
    expect(r.greedy).toEqual(run.greedy);
    expect(r.beam).toEqual(run.beam);
    expect(r.samples).toEqual(run.samples);
    expect(r.unknownShare).toEqual(run.heldOutUnknown);
    expect(r.pairs).toBe(validation.length);
    expect(r.attention).toEqual(run.attention);
  }, 60_000);

  it('never counts a target <unk> as right: a pair whose target holds a word the vocabulary lacks is no exact match', async () => {
    await trained;
    // The source read as <unk> too; the model, trained on capped targets, may write <unk>, and it still is a miss.
    const r = scoreSeq2Seq(model, [{ source: 'red zzz blue', target: 'red zzz blue', where: 'x:1' }]);
    expect(r.greedy.exact).toBe(0);
    expect(r.greedy.perToken).toBeLessThanOrEqual(3 / 4);
    expect(r.unknownSources).toEqual([{ where: 'x:1', tokens: ['zzz'] }]);
    expect(r.unknownShare.target).toBeCloseTo(1 / 3, 12);
    expect(r.beam).toBeNull();
  }, 60_000);

  it('names a pair given without where by its place in the list, as errors do', async () => {
    await trained;
    // Pair's type asks for where; JavaScript callers (and pairs made in code) may leave it out.
    const pairs = [{ source: 'red blue', target: 'red blue' }, { source: 'red zzz', target: 'red', where: 'named' }, { source: 'qqq', target: 'red' }];
    const r = scoreSeq2Seq(model, pairs as Parameters<typeof scoreSeq2Seq>[1]);
    expect(r.unknownSources).toEqual([{ where: 'named', tokens: ['zzz'] }, { where: 'pair 3', tokens: ['qqq'] }]);
  }, 60_000);

  it('refuses a bad option or pair by name', async () => {
    await trained;
    const one = [{ source: 'red', target: 'red', where: 'p:1' }];
    expect(() => scoreSeq2Seq(model, one, { beam: 65 })).toThrow(Seq2SeqOptionError);
    expect(() => scoreSeq2Seq(model, one, { beam: 65 })).toThrow(/beam: must be an integer from 0 to 64/);
    expect(() => scoreSeq2Seq(model, one, { beams: 2 } as never)).toThrow(/beams: is not an option of scoreSeq2Seq \(did you mean 'beam'\?\)/);
    expect(() => scoreSeq2Seq(model, [])).toThrow(/pairs: must be a non-empty list/);
    expect(() => scoreSeq2Seq(model, [{ source: '  ', target: 'red', where: 'p:7' }])).toThrow(DataError);
    expect(() => scoreSeq2Seq(model, [{ source: '  ', target: 'red', where: 'p:7' }])).toThrow(/^p:7: the source/);
  }, 60_000);
});
