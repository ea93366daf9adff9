/**
 * Pairs made in code are objects {source, target, where?}: a misspelt key, a 'where' that is not a string, or an
 * entry that is no object at all is a DataError naming the pair, in trainSeq2Seq as in pairsTsv.
 */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { generatePairs, pairsTsv } from '../../src/seq2seq/generate.js';
import type { Pair } from '../../src/seq2seq/pairs.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';

const base: Pair[] = generatePairs('date', 5, 1).map(({ source, target }) => ({ source, target }) as Pair);
const refusal = (extra: unknown) => trainSeq2Seq([...base, extra as Pair], { units: 4, epochs: 1 }).then(() => 'trained', (e: Error) => `${e.name}: ${e.message}`);

describe('pair objects given in code', () => {
  it('refuses an unknown key, naming it and the pair', async () => {
    expect(await refusal({ source: 'a', target: 'b', extra: 1 })).toBe("DataError: pair 6: unknown key 'extra'; a pair has the keys source, target, where");
    expect(await refusal({ source: 'a', targt: 'b', where: 'mine:3' })).toBe("DataError: mine:3: unknown key 'targt'; a pair has the keys source, target, where");
  });

  it('refuses a where that is not a string', async () => {
    expect(await refusal({ source: 'a', target: 'b', where: 5 })).toBe("DataError: pair 6: 'where' (the pair's name in messages) must be a string, got number 5");
  });

  it('says an entry that is not an object is not a pair (not that its source is missing)', async () => {
    expect(await refusal(null)).toBe('DataError: pair 6: must be an object {source, target} (where optional), got null');
    expect(await refusal(['a', 'b'])).toBe('DataError: pair 6: must be an object {source, target} (where optional), got an array');
    expect(await refusal('a\tb')).toBe('DataError: pair 6: must be an object {source, target} (where optional), got the string "a\\tb"');
  });

  it('pairsTsv checks them the same way, and still writes pairs without a where', () => {
    expect(() => pairsTsv([...base, null as never])).toThrow(DataError);
    expect(() => pairsTsv([...base, null as never])).toThrow(/^pair 6: must be an object \{source, target\}/);
    expect(() => pairsTsv([{ source: 'a', target: 'b', note: 'x' } as never])).toThrow(/^pair 1: unknown key 'note'/);
    expect(pairsTsv([{ source: 'a', target: 'b' } as Pair])).toBe('a\tb\n');
  });
});
