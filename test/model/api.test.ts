import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('the rl namespace', () => {
  it('exposes datasets and preprocessing as tfjs/Keras users expect', () => {
    expect(typeof rl.datasets.imdb.load).toBe('function');
    expect(typeof rl.datasets.addition).toBe('function');
    const t = rl.preprocessing.padSequences([[1, 2, 3], [4]], { maxlen: 2 });
    expect(t).toBeInstanceOf(rl.Tensor);
    expect(t.dtype).toBe('int32');
    expect(t.arraySync()).toEqual([[2, 3], [0, 4]]);
    const tok = new rl.preprocessing.Tokenizer();
    tok.fitOnTexts(['the cat', 'the dog']);
    expect(tok.textsToSequences(['the dog'])).toEqual([[1, 3]]);
  });
});
