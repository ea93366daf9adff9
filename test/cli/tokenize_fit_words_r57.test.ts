/** `rnnlab tokenize --fit` counts the texts' words in its headline, not the oov token the index also holds. */
import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

describe('rnnlab tokenize --fit headline', () => {
  it('counts the distinct words of the texts, without the --oov token at index 1', async () => {
    const r = await run(['tokenize', '--fit', '--vocab', '3', '--oov', '<OOV>', '--maxlen', '5', 'a a a b b c', 'c d']);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Keras Tokenizer fitted on 2 text(s): 4 words, indexed by frequency (1 = the oov token '<OOV>')\n");
    // The index itself keeps the oov token, as Keras's word_index does.
    expect(r.out).toContain('Word index: <OOV>-1, a-2, b-3, c-4, d-5\n');
    // An --oov token that is also a word of the texts is counted once, as the word it is (Keras leaves index 1 unused).
    const also = await run(['tokenize', '--fit', '--oov', 'the', '--maxlen', '4', 'the a a b', 'zz the']);
    expect(also.out).toContain('fitted on 2 text(s): 4 words, indexed by frequency (2 = the oov token');
  });

  it('says one word in the singular', async () => {
    const r = await run(['tokenize', '--fit', '--oov', '<unk>', '--maxlen', '2', 'hello hello']);
    expect(r.out).toContain("Keras Tokenizer fitted on 1 text(s): 1 word, indexed by frequency (1 = the oov token '<unk>')\n");
  });
});
