// rl.seq2seq has one error class for a bad option or argument value, the one trainSeq2Seq throws: Seq2SeqOptionError
// naming the option (a RangeError, as decoding's checks were), never a DataError, which means bad data.
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import {
  beamDecode, generatePairs, greedyDecode, Seq2SeqOptionError, seq2seqModelOf, trainSeq2Seq, translateLines, translateTexts,
  type Seq2SeqModel,
} from '../../src/seq2seq/index.js';

/** The error `f` throws (or its promise rejects with). */
async function thrown(f: () => unknown): Promise<unknown> {
  try { await f(); } catch (e) { return e; }
  throw new Error('expected an error');
}

function expectOptionError(e: unknown, option: string): void {
  expect(e).toBeInstanceOf(Seq2SeqOptionError);
  expect(e).toBeInstanceOf(RangeError);
  expect(e).not.toBeInstanceOf(DataError);
  expect((e as Seq2SeqOptionError).option).toBe(option);
  expect((e as Error).message.startsWith(`${option}: `)).toBe(true);
}

describe('Seq2SeqOptionError across rl.seq2seq', () => {
  let m: Seq2SeqModel;

  it('trainSeq2Seq throws it for a bad option (the reference class)', async () => {
    expectOptionError(await thrown(() => trainSeq2Seq(generatePairs('date', 20, 1), { rnn: 'lstn' as never })), 'rnn');
    const r = await trainSeq2Seq(generatePairs('date', 20, 1), { units: 4, embeddingDim: 2, epochs: 1, seed: 1, verbose: 0 });
    m = seq2seqModelOf(r.net, r.spec);
  });

  it('translateTexts and translateLines throw it for a misspelt key, a bad beam or batch size', async () => {
    expectOptionError(await thrown(() => translateTexts(m, ['x'], { beem: 2 } as never)), 'beem');
    expectOptionError(await thrown(() => translateTexts(m, ['x'], { beam: -1 })), 'beam');
    expectOptionError(await thrown(() => translateTexts(m, ['x'], { batchSize: 0 })), 'batchSize');
    expectOptionError(await thrown(() => translateTexts(m, ['x'], { maxLineChars: 1.5 })), 'maxLineChars');
    async function* one() { yield 'x\n'; }
    expectOptionError(await thrown(async () => { for await (const t of translateLines(m, one(), 'in', { batchSize: 0 })) void t; }), 'batchSize');
  });

  it('greedyDecode, beamDecode and generatePairs throw it too', async () => {
    expectOptionError(await thrown(() => greedyDecode(m.net.layers, [[4]], { maxSteps: 2, batchSize: 0 })), 'batchSize');
    expectOptionError(await thrown(() => beamDecode(m.net.layers, [[4]], 2, { maxSteps: 2, batchSize: Number.NaN })), 'batchSize');
    expectOptionError(await thrown(() => generatePairs('date', 1, 1)), 'count');
    expectOptionError(await thrown(() => generatePairs('addition', 10_000_000, 1)), 'count');
  });
});
