// trainSeq2Seq's third argument ({callbacks}): its callbacks see fit's epochs, and a misspelt key or a callbacks value
// that is not a list is a Seq2SeqOptionError naming it. The result's heldOut pairs give the run's scores back.
import { describe, expect, it } from 'vitest';
import { generatePairs, pairsJsonl, readPairs, scoreSeq2Seq, Seq2SeqOptionError, seq2seqModelOf, trainSeq2Seq } from '../../src/seq2seq/index.js';

describe('trainSeq2Seq extras and heldOut', () => {
  it('runs the given callbacks and returns the scored held-out pairs', async () => {
    const ends: number[] = [];
    const r = await trainSeq2Seq(generatePairs('date', 40, 1), { units: 4, embeddingDim: 2, epochs: 2, seed: 1, verbose: 0 },
      { callbacks: [{ onEpochEnd: (epoch: number) => { ends.push(epoch); } }] });
    expect(ends).toEqual([0, 1]);
    expect(r.heldOut.length).toBe(r.counts.validation);
    const text = pairsJsonl(r.heldOut);
    const back = (await readPairs((async function* () { yield text; })(), 'heldout.jsonl', { format: 'jsonl' }));
    expect(back.map(({ source, target }) => [source, target])).toEqual(r.heldOut.map(({ source, target }) => [source, target]));
    const s = scoreSeq2Seq(seq2seqModelOf(r.net, r.spec), back);
    expect([s.greedy.perToken, s.greedy.exact]).toEqual([r.greedy.perToken, r.greedy.exact]);
  });

  it('refuses an unknown key or a callbacks value that is not a list', async () => {
    const pairs = generatePairs('date', 20, 1);
    await expect(trainSeq2Seq(pairs, { epochs: 1, verbose: 0 }, { callback: [] } as never)).rejects.toThrow(Seq2SeqOptionError);
    await expect(trainSeq2Seq(pairs, { epochs: 1, verbose: 0 }, { callback: [] } as never)).rejects.toThrow(/callback: is not a key of trainSeq2Seq's third argument/);
    await expect(trainSeq2Seq(pairs, { epochs: 1, verbose: 0 }, { callbacks: {} } as never)).rejects.toThrow(/callbacks: must be a list/);
  });
});
