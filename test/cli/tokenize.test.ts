import { describe, expect, it } from 'vitest';
import { compactRow } from '../../src/cli/tokenize.js';
import { datasets, encodeReview } from '../../src/data/index.js';
import { afterAll } from 'vitest';
import { checkCommonResults, cleanup, readResults, run, tempDir } from './helpers.js';

afterAll(cleanup);

describe('rnnlab tokenize', () => {
  it('shows tokens, Keras IMDb ids and the padding', async () => {
    const r = await run(['tokenize', '--maxlen', '10', 'This movie was great!']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Tokens:  this | movie | was | great  (4)');
    // the=1 ... : 'this' has rank 11, 'movie' 17, 'was' 13, 'great' 84; ids are rank + 3 after <START>=1.
    expect(r.out).toContain('Ids:     [1, 14, 20, 16, 87]');
    expect(r.out).toContain("Padded:  [0 x 5 1 14 20 16 87]  (maxlen 10, padding 'pre')");
    expect(r.out).toMatch(/Decoded: .*<START> this movie was great/);
  });

  it('cuts long texts and marks rare words as <UNK>', async () => {
    const r = await run(['tokenize', '--maxlen', '3', '--vocab', '20', 'this movie was great']);
    expect(r.out).toContain('Ids:     [1, 14, 2, 16, 2]');
    expect(r.out).toContain("Padded:  [2 16 2]  (maxlen 3, padding 'pre'; 2 id(s) cut at the front)");
    expect(r.out).toMatch(/rank 17 \+ 3 >= vocab 20: <UNK>/);
  });

  it('with --out writes a run record like every command', async () => {
    const out = tempDir();
    const r = await run(['tokenize', '--maxlen', '4', '--out', out, 'great film']);
    expect(r.code).toBe(0);
    const res = readResults(out);
    checkCommonResults(res, 'tokenize');
    expect(res.config).toMatchObject({ vocab: 10000, maxlen: 4, padding: 'pre', fit: false });
    expect(res.details.texts[0]).toMatchObject({ text: 'great film', ids: [1, 87, 22], padded: [0, 1, 87, 22] });
  });

  it('fits a Keras Tokenizer with --fit, as in the lab\'s example', async () => {
    const r = await run(['tokenize', '--fit', '--maxlen', '6', 'i have books', 'interesting books are useful', 'i have computers']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Word index: i-1, have-2, books-3, /);
    expect(r.out).toContain('Ids:     [1, 2, 3]');
    expect(r.out).toContain('Padded:  [0 0 0 1 2 3]');
  });

  it('escapes control characters in tokens as the Text: line does, with --fit and with the IMDb index', async () => {
    // Keras's default filters keep '\r', so 'x\ry' is one word; printed raw, the CR would hide the 'x'.
    const fit = await run(['tokenize', '--fit', '--maxlen', '4', 'x\ry z']);
    expect(fit.code).toBe(0);
    expect(fit.out).toContain('Word index: x\\ry-1, z-2\n');
    expect(fit.out).toContain('Tokens:  x\\ry | z\n');
    expect(fit.out).not.toContain('\r');
    const imdb = await run(['tokenize', '--maxlen', '6', 'good\rbad film']);
    expect(imdb.out).toContain('Text:    "good\\rbad film"');
    expect(imdb.out).toContain('Tokens:  good\\rbad | film  (2)');
    expect(imdb.out).toMatch(/^ {2}good\\rbad +- +- +not in the word index/m);
    expect(imdb.out).not.toContain('\r');
  });

  it('counts a padding run at the end of a row as the Padded line does', async () => {
    const r = await run(['tokenize', '--maxlen', '12', '--padding', 'post', 'This movie was great!']);
    expect(r.out).toContain('Padded:  [1 14 20 16 87 0 x 7]');
    expect(r.out).toMatch(/Decoded: <START> this movie was great <PAD> x 7\n/);
  });

  it('names the oov token\'s own index when the token is also a word of the texts (Keras leaves 1 unused)', async () => {
    const r = await run(['tokenize', '--fit', '--oov', 'the', '--vocab', '3', '--maxlen', '4', 'the a a b', 'zz the']);
    expect(r.out).toContain("(2 = the oov token 'the', also a word of the texts; index 1 is unused, as in Keras)");
    expect(r.out).toContain('Word index: the-2, a-3, b-4, zz-5');
    const plain = await run(['tokenize', '--fit', '--oov', '<unk>', '--maxlen', '4', 'the a']);
    expect(plain.out).toContain("(1 = the oov token '<unk>')");
  });

  it('helpers', () => {
    expect(compactRow([0, 0, 0, 0, 0, 7, 0, 3])).toBe('[0 x 5 7 0 3]');
    const e = encodeReview('zzzqqqxx great', 10000, datasets.imdb.getWordIndex());
    expect(e.ids).toEqual([1, 87]);
    expect(e.tokens).toEqual([{ word: 'zzzqqqxx', rank: null, id: null, kind: 'unknown' }, { word: 'great', rank: 84, id: 87, kind: 'word' }]);
    // rank 84 + 3 = 87 is outside a vocabulary of 80: the OOV id.
    expect(encodeReview('great', 80, datasets.imdb.getWordIndex())).toEqual({ ids: [1, 2], tokens: [{ word: 'great', rank: 84, id: 2, kind: 'rare' }] });
  });
});
