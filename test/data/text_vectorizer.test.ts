import { describe, expect, it } from 'vitest';
import { stratifiedSample, stratifiedSplit } from '../../src/data/text_split.js';
import { percentile, TextVectorizer } from '../../src/data/text_vectorizer.js';

describe('TextVectorizer', () => {
  it("standardizes as Keras's lower_and_strip_punctuation and splits on whitespace", () => {
    const v = new TextVectorizer();
    expect(v.tokenize("  Don't STOP -- it's 'great', (really)!\tNew\nline ")).toEqual(['dont', 'stop', 'its', 'great', 'really', 'new', 'line']);
    expect(new TextVectorizer({ standardize: 'strip_punctuation' }).tokenize('Hello, World!')).toEqual(['Hello', 'World']);
    expect(new TextVectorizer({ standardize: 'lower' }).tokenize('Hello, World!')).toEqual(['hello,', 'world!']);
    // Every Unicode space splits, U+0085 (NEXT LINE) and U+2028 included.
    expect(v.tokenize('awful\u0085movie\u2028plot\u3000end')).toEqual(['awful', 'movie', 'plot', 'end']);
    // U+FEFF is no space (JavaScript's \s counts it; Unicode and Python's str.split do not).
    expect(v.tokenize('awful\uFEFFmovie plot')).toEqual(['awful\uFEFFmovie', 'plot']);
  });

  it('ranks words by frequency with 0 = padding, 1 = [UNK], capped by maxTokens', () => {
    const v = new TextVectorizer({ maxTokens: 4, maxlen: 5 });
    v.adapt(['b a b', 'c b a', 'd']);
    expect(v.vocabulary).toEqual(['', '[UNK]', 'b', 'a']);
    const x = v.encode(['a b c', 'b b b b b b d']);
    // 'pre' padding and truncating, as pad_sequences in the lab; c and d are out of the vocabulary.
    expect(Array.from(x.data)).toEqual([0, 0, 3, 2, 1, 2, 2, 2, 2, 1]);
    expect(x.shape).toEqual([2, 5]);
    const post = new TextVectorizer({ maxTokens: 4, maxlen: 2, padding: 'post', truncating: 'post' });
    post.adapt(['b a b', 'c b a']);
    expect(Array.from(post.encode(['a', 'a b b']).data)).toEqual([3, 0, 3, 2]);
  });

  it("maxlen 'auto' is the 95th percentile of the adapted lengths", () => {
    const v = new TextVectorizer();
    const texts = Array.from({ length: 100 }, (_, i) => Array(i + 1).fill('w').join(' '));
    v.adapt(texts);
    expect(v.maxlen).toBe(95);
    expect(percentile([3, 1, 2], 0.5)).toBe(2);
  });

  it('round-trips through JSON and rejects broken files naming the field', () => {
    const v = new TextVectorizer({ maxTokens: 50, standardize: 'strip_punctuation', padding: 'post' });
    v.adapt(['One two three', 'two three', 'three']);
    const json = JSON.parse(JSON.stringify(v.toJSON()));
    const back = TextVectorizer.fromJSON(json, 'spec.json');
    expect(back.vocabulary).toEqual(v.vocabulary);
    expect(Array.from(back.encode(['three One zebra']).data)).toEqual(Array.from(v.encode(['three One zebra']).data));
    expect(back.padding).toBe('post');
    expect(() => TextVectorizer.fromJSON({ ...json, maxlen: 0 }, 'spec.json')).toThrow(/spec\.json: field 'maxlen' must be a positive integer, got 0/);
    expect(() => TextVectorizer.fromJSON({ ...json, vocabulary: ['', '[UNK]', 'a', 'a'] }, 'f')).toThrow(/field 'vocabulary' must be a list without repeated words/);
    expect(() => TextVectorizer.fromJSON({ ...json, vocabulary: ['x'] }, 'f')).toThrow(/field 'vocabulary' must be a list starting with ''/);
    expect(() => TextVectorizer.fromJSON({ ...json, standardize: 'upper' }, 'f')).toThrow(/field 'standardize'/);
    expect(() => TextVectorizer.fromJSON({ ...json, padding: 'middle' }, 'f')).toThrow(/field 'padding'/);
    expect(() => TextVectorizer.fromJSON(null, 'f')).toThrow(/field '\(root\)'/);
  });

  it('rejects bad options', () => {
    expect(() => new TextVectorizer({ maxTokens: 2 })).toThrow(/maxTokens \(--vocab\) must be an integer >= 3/);
    expect(() => new TextVectorizer({ maxlen: 0 })).toThrow(/maxlen must be a positive integer/);
    expect(() => new TextVectorizer().encode(['a'])).toThrow(/adapt/);
  });
});

describe('stratified split', () => {
  const ids = Int32Array.from([...Array(80).fill(0), ...Array(20).fill(1)]);

  it('keeps each class share in both parts, is seeded and disjoint', () => {
    const s = stratifiedSplit(ids, 2, 0.25, 7);
    expect(s.validation.length).toBe(25);
    expect(Array.from(s.validation).filter((i) => ids[i] === 1).length).toBe(5);
    expect(new Set([...s.train, ...s.validation]).size).toBe(100);
    expect(stratifiedSplit(ids, 2, 0.25, 7)).toEqual(s);
    expect(Array.from(stratifiedSplit(ids, 2, 0.25, 8).validation)).not.toEqual(Array.from(s.validation));
  });

  it('samples a stratified subset and rejects impossible fractions', () => {
    const keep = stratifiedSample(ids, 2, 10, 1);
    expect(keep.length).toBe(10);
    expect(Array.from(keep).filter((i) => ids[i] === 1).length).toBe(2);
    expect(() => stratifiedSplit(ids, 2, 1.5, 1)).toThrow(/validationSplit must be in \(0, 1\)/);
    expect(() => stratifiedSplit(Int32Array.from([0, 1]), 2, 0.5, 1)).toThrow(/leaves no validation examples out of 2/);
  });
});

describe('TextVectorizer options', () => {
  it('refuses an option it does not have, and says how auto maxlen is written', () => {
    expect(() => new TextVectorizer({ outputMode: 'int' } as never)).toThrow("'outputMode' is not a TextVectorizer option (maxTokens, standardize, maxlen, padding, truncating)");
    expect(() => new TextVectorizer({ maxlen: 'auto' } as never)).toThrow(`maxlen must be a positive integer, or null for 'auto' (set by adapt), got "auto"`);
  });
});
