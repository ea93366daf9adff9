import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { compareCodePoints, TextVectorizer } from '../../src/data/text_vectorizer.js';
import { Tokenizer } from '../../src/data/tokenizer.js';

// Reference values follow keras-preprocessing's Tokenizer.sequences_to_matrix: tfidf = (1 + ln c) * ln(1 + N / (1 + df)).
const rows = (m: { data: Float32Array; shape: [number, number] }) =>
  Array.from({ length: m.shape[0] }, (_, i) => Array.from(m.data.subarray(i * m.shape[1], (i + 1) * m.shape[1])));

describe('Tokenizer matrices (Keras texts_to_matrix / sequences_to_matrix)', () => {
  const fitted = () => {
    const t = new Tokenizer();
    // the:1 cat:2 sat:3 dog:4 a:5 bird:6; 'the' and 'cat' are in 2 of 3 documents.
    t.fitOnTexts(['the cat sat', 'the cat the dog', 'a bird']);
    return t;
  };

  it('gives binary, count, freq and tfidf rows as wide as the vocabulary plus index 0', () => {
    const t = fitted();
    expect(t.textsToMatrix(['the the cat fish']).shape).toEqual([1, 7]);
    expect(rows(t.textsToMatrix(['the the cat fish']))).toEqual([[0, 1, 1, 0, 0, 0, 0]]);
    expect(rows(t.textsToMatrix(['the the cat fish'], 'count'))).toEqual([[0, 2, 1, 0, 0, 0, 0]]);
    const freq = rows(t.textsToMatrix(['the the cat fish', ''], 'freq'));
    expect(freq[0][1]).toBeCloseTo(2 / 3, 6);
    expect(freq[0][2]).toBeCloseTo(1 / 3, 6);
    expect(freq[1]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    const tfidf = rows(t.textsToMatrix(['the the cat fish'], 'tfidf'))[0];
    expect(tfidf[1]).toBeCloseTo(1.1736001944781467, 6);
    expect(tfidf[2]).toBeCloseTo(0.6931471805599453, 6);
    expect(tfidf.slice(3)).toEqual([0, 0, 0, 0]);
  });

  it('uses numWords as the width, leaving higher indices out but still dividing freq by the whole length', () => {
    const t = new Tokenizer({ numWords: 3 });
    t.fitOnTexts(['the cat sat', 'the cat the dog', 'a bird']);
    const m = t.sequencesToMatrix([[1, 5, 5, 2]], 'freq');
    expect(m.shape).toEqual([1, 3]);
    expect(rows(m)).toEqual([[0, 0.25, 0.25]]);
  });

  it('fitOnSequences supplies the document counts tfidf needs', () => {
    const t = new Tokenizer({ numWords: 4 });
    expect(() => t.sequencesToMatrix([[1]], 'tfidf')).toThrow(/tfidf' needs document counts/);
    t.fitOnSequences([[1, 2, 1], [1]]);
    expect(t.documentCount).toBe(2);
    expect([...t.indexDocs]).toEqual([[1, 2], [2, 1]]);
    const m = rows(t.sequencesToMatrix([[1, 1, 2]], 'tfidf'))[0];
    expect(m[1]).toBeCloseTo(0.8649029646371624, 6);
    expect(m[2]).toBeCloseTo(0.6931471805599453, 6);
  });

  it('refuses an unknown mode, a matrix without width and bad sequences, naming them', () => {
    const t = fitted();
    expect(() => t.textsToMatrix(['a'], 'tf-idf' as never)).toThrow(/mode must be one of binary, count, tfidf, freq, got "tf-idf"/);
    expect(() => new Tokenizer().sequencesToMatrix([[1]])).toThrow(/give the Tokenizer numWords or fit it/);
    expect(() => t.sequencesToMatrix([[1, -1]])).toThrow(/sequence 0 element 1 is -1, not a word index/);
    expect(() => t.sequencesToMatrix([[1], [2.5]])).toThrow(/sequence 1 element 0 is 2.5/);
  });
});

describe('Tokenizer input checks', () => {
  it('sequencesToTexts refuses a string, a number or non-index elements instead of reading them as unknown words', () => {
    const t = new Tokenizer({ oovToken: '<oov>' });
    t.fitOnTexts(['a b a']);
    expect(t.sequencesToTexts([[2, 3, 9]])).toEqual(['a b <oov>']);
    expect(() => t.sequencesToTexts('abc' as never)).toThrow(DataError);
    expect(() => t.sequencesToTexts('abc' as never)).toThrow(/expected a list of sequences/);
    expect(() => t.sequencesToTexts(5 as never)).toThrow(/expected a list of sequences/);
    expect(() => t.sequencesToTexts([[2, 'x' as never]])).toThrow(/sequence 0 element 1 is the string 'x'/);
  });

  it('refuses the word-cleaning steps with charLevel, where they would do nothing', () => {
    expect(() => new Tokenizer({ charLevel: true, stopwords: true })).toThrow(/Tokenizer: stopwords work on words and cannot be used with charLevel/);
    expect(() => new Tokenizer({ charLevel: true, punctuationAsTokens: true, sentenceSeparator: '|' })).toThrow(/punctuationAsTokens, sentenceSeparator work on words/);
    const c = new Tokenizer({ charLevel: true, stopwords: false, sentenceSeparator: null });
    c.fitOnTexts(['aab']);
    expect(c.textsToSequences(['ba'])).toEqual([[2, 1]]);
  });

  it('fromJSON names a field whose JSON is broken or whose index is not a whole number', () => {
    expect(() => Tokenizer.fromJSON('{bad')).toThrow(/not a Tokenizer JSON/);
    const base = { class_name: 'Tokenizer', config: { word_index: '{"a": 1}', index_word: '{"1": "a"}' } };
    expect(Tokenizer.fromJSON(base as never).textsToSequences(['a'])).toEqual([[1]]);
    expect(() => Tokenizer.fromJSON({ ...base, config: { ...base.config, word_index: '{"a": "x"}' } } as never)).toThrow(/config\.word_index\["a"\] must be an integer >= 1, got "x"/);
    expect(() => Tokenizer.fromJSON({ ...base, config: { ...base.config, index_word: '{"one": "a"}' } } as never)).toThrow(/config\.index_word\["one"\]/);
    expect(() => Tokenizer.fromJSON({ ...base, config: { ...base.config, word_counts: '[1]' } } as never)).toThrow(/config\.word_counts is not a flat JSON object/);
  });
});

describe('TextVectorizer as Keras TextVectorization', () => {
  it('breaks frequency ties by ascending code point, whatever the row order (Keras 3: descending; docs/CLI.md says so)', () => {
    const v = new TextVectorizer();
    v.adapt(['b a c', 'c a b', 'z']);
    // a, b, c: 2 each; z: 1. Keras 3 would give ['', '[UNK]', 'c', 'b', 'a', 'z'].
    expect(v.vocabulary).toEqual(['', '[UNK]', 'a', 'b', 'c', 'z']);
    const reordered = new TextVectorizer();
    reordered.adapt(['z', 'c b a', 'a b c']);
    expect(reordered.vocabulary).toEqual(v.vocabulary);
    const capped = new TextVectorizer({ maxTokens: 4 });
    capped.adapt(['\u{1F600} \uFFFD x', 'x']);
    expect(capped.vocabulary).toEqual(['', '[UNK]', 'x', '\uFFFD']);
  });

  it('orders by code point past U+FFFF, as numpy does on UTF-8 bytes', () => {
    expect(compareCodePoints('\u{1F600}', '\uFFFD')).toBeGreaterThan(0);
    expect('\u{1F600}' < '\uFFFD').toBe(true);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('a', 'b')).toBeLessThan(0);
  });

  it("a second adapt rebuilds the vocabulary and, with maxlen 'auto', the length", () => {
    const v = new TextVectorizer();
    v.adapt(['a b c d e f g h', 'a']);
    expect(v.maxlen).toBe(8);
    v.adapt(['x y', 'x']);
    expect(v.vocabulary).toEqual(['', '[UNK]', 'x', 'y']);
    expect(v.maxlen).toBe(2);
    const fixed = new TextVectorizer({ maxlen: 5 });
    fixed.adapt(['a b c d e f g h']);
    fixed.adapt(['x']);
    expect(fixed.maxlen).toBe(5);
  });

  it('refuses a bare string or a non-string text, naming its index', () => {
    const v = new TextVectorizer({ maxlen: 2 });
    expect(() => v.adapt('hello world' as never)).toThrow(/adapt: expected a list of texts, got one string/);
    expect(() => v.adapt(['ok', 1 as never])).toThrow(/adapt: text 1 must be a string, got number/);
    expect(() => v.encode([null as never])).toThrow(/encode: text 0 must be a string, got null/);
  });
});
