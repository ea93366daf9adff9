/** Options of Tokenizer, padSequences and imdb.load either work or are refused by name; bad input names its index. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const { Tokenizer, padSequences } = rl.preprocessing;

describe('Tokenizer options and inputs', () => {
  it('refuses unknown options, pointing Keras snake_case names at ours', () => {
    expect(() => new Tokenizer({ num_words: 2 } as never)).toThrow(/unknown option 'num_words' \(did you mean 'numWords'\?\)/);
    expect(() => new Tokenizer({ oov_token: 'x' } as never)).toThrow(/unknown option 'oov_token' \(did you mean 'oovToken'\?\)/);
    expect(() => new Tokenizer({ analyzer: 'x' } as never)).toThrow(/unknown option 'analyzer'/);
  });

  it('checks option types', () => {
    expect(() => new Tokenizer({ filters: 5 } as never)).toThrow(/filters must be a string/);
    expect(() => new Tokenizer({ lower: 'no' } as never)).toThrow(/lower must be true or false/);
    expect(() => new Tokenizer({ oovToken: 5 } as never)).toThrow(/oovToken must be a non-empty string or null/);
    expect(() => new Tokenizer({ charLevel: 1 } as never)).toThrow(/charLevel must be true or false/);
    const t = new Tokenizer({ lower: false, filters: '' });
    t.fitOnTexts(['Hello, World!']);
    expect([...t.wordIndex.keys()]).toEqual(['Hello,', 'World!']);
  });

  it('names the index of a text that is not a string', () => {
    const t = new Tokenizer();
    expect(() => t.fitOnTexts(['ok', 5] as never)).toThrow(/fitOnTexts: text 1 must be a string or a list of strings, got number/);
    expect(() => t.fitOnTexts('a string' as never)).toThrow(/expected a list of texts, got one string/);
    expect(() => t.textsToSequences([null] as never)).toThrow(/textsToSequences: text 0 .*got null/);
  });
});

describe('padSequences options and inputs', () => {
  it('refuses unknown options', () => {
    expect(() => padSequences([[1]], { maxLen: 2 } as never)).toThrow(/unknown option 'maxLen' \(did you mean 'maxlen'\?\)/);
    expect(() => padSequences([[1]], { pading: 'post' } as never)).toThrow(/unknown option 'pading'/);
  });

  it('names the sequence (and element) of bad input instead of padding zeros', () => {
    expect(() => padSequences([['a', 'b']] as never)).toThrow(/sequence 0 element 0 is the string 'a'/);
    expect(() => padSequences([[[1, 2], [3, 4]]] as never)).toThrow(/sequence 0 element 0 is a list: sequences of vectors are not supported/);
    expect(() => padSequences([[1], 5] as never)).toThrow(/sequence 1 must be a list of numbers, got number/);
    expect(() => padSequences([null, [1]] as never)).toThrow(/sequence 0 must be a list of numbers, got null/);
    expect(() => padSequences('abc' as never)).toThrow(/expected a list of sequences .*got a string/);
    expect(() => padSequences([[1], [2 ** 31 + 5]])).toThrow(/sequence 1 element 0 is 2147483653, which does not fit dtype int32/);
    expect(Array.from(padSequences([[1.7, -2.7]]).dataSync())).toEqual([1, -2]); // numpy's truncating cast, as Keras
    expect(Array.from(padSequences([[2 ** 31 + 5]], { dtype: 'float32' }).dataSync())).toEqual([Math.fround(2 ** 31 + 5)]);
  });
});

describe('imdb.load options', () => {
  it('refuses unknown options before reading anything', async () => {
    await expect(rl.datasets.imdb.load({ num_words: 20 } as never)).rejects.toThrow(/imdb\.load: unknown option 'num_words' \(did you mean 'numWords'\?\)/);
    await expect(rl.datasets.imdb.load({ maxLen: 5 } as never)).rejects.toThrow(/unknown option 'maxLen' \(did you mean 'maxlen'\?\)/);
    await expect(rl.datasets.imdb.load({ numWords: 20, skip_top: 5 } as never)).rejects.toThrow(/unknown option 'skip_top' \(did you mean 'skipTop'\?\)/);
    await expect(rl.datasets.imdb.loadRaw({ numWords: 5 } as never)).rejects.toThrow(/imdb\.loadRaw: unknown option 'numWords'/);
  });
});
