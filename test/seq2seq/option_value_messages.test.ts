/**
 * trainSeq2Seq's refusals show a refused value as it was given: a string in quotes, so '1' refused as an integer
 * does not read as the number 1 (a message that would contradict itself).
 */
import { describe, expect, it } from 'vitest';
import { generatePairs, trainSeq2Seq, type Seq2SeqTrainOptions } from '../../src/seq2seq/index.js';

const pairs = generatePairs('date', 20, 1);
const message = (o: Seq2SeqTrainOptions) => trainSeq2Seq(pairs, { units: 4, epochs: 1, ...o }).then(() => 'trained', (e: Error) => e.message);

describe('trainSeq2Seq option values in messages', () => {
  it('quotes a string given for a number', async () => {
    expect(await message({ lr: '0.1' as never })).toBe('lr: must be a number > 0 that float32 holds (about 3.4e38 at most), got "0.1"');
    expect(await message({ epochs: '1' as never })).toBe('epochs: must be an integer from 1 to 1000000000, got "1"');
    expect(await message({ maxVocab: '8' as never })).toBe('maxVocab: must be an integer from 5 to 10000000, got "8"');
    expect(await message({ seed: '2' as never })).toBe('seed: must be an integer, got "2"');
    expect(await message({ verbose: '1' as never })).toBe('verbose: must be 0, 1 or 2, got "1"');
    expect(await message({ validationSplit: '0.2' as never })).toBe('validationSplit: must be a number in (0, 1), got "0.2"');
  });

  it('shows a number as written', async () => {
    expect(await message({ lr: -1 })).toBe('lr: must be a number > 0 that float32 holds (about 3.4e38 at most), got -1');
    // Keras holds the rate in float32, where 1e39 is Infinity: refused here, naming lr, not by the optimizer later.
    expect(await message({ lr: 1e39 })).toBe('lr: must be a number > 0 that float32 holds (about 3.4e38 at most), got 1e+39');
    expect(await message({ epochs: 1.5 })).toBe('epochs: must be an integer from 1 to 1000000000, got 1.5');
  });
});
