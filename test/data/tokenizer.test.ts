import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { parseOrderedEntries, stringifyOrderedEntries } from '../../src/data/ordered_json.js';
import { ENGLISH_STOPWORDS } from '../../src/data/stopwords.js';
import { KERAS_FILTERS, textToWordSequence } from '../../src/data/text.js';
import { Tokenizer } from '../../src/data/tokenizer.js';
import * as rl from '../../src/index.js';

// The lab's example corpus (TOKENIZATION section).
const LAB_CORPUS = [
  'i have books',
  'interesting books are useful',
  'i have computers',
  'computers are interesting and useful',
  'books and computers are both valuable.',
  'Bye Bye',
];

describe('textToWordSequence', () => {
  it('lower-cases, turns the filters into the split and drops empties', () => {
    expect(KERAS_FILTERS).toBe('!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n');
    expect(textToWordSequence("Hello, World! It's  a\ttest...\n<br />ok")).toEqual(['hello', 'world', "it's", 'a', 'test', 'br', 'ok']);
    expect(textToWordSequence('A-B', { lower: false, filters: '' })).toEqual(['A-B']);
    expect(textToWordSequence('a|b|c$d', { split: '|', filters: '$' })).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('Tokenizer', () => {
  it('ranks the lab corpus by frequency, ties in first-occurrence order', () => {
    const t = new Tokenizer();
    t.fitOnTexts(LAB_CORPUS);
    // books, are, computers: 3 each (first seen in that order); then the 2s, then the 1s.
    expect([...t.wordIndex]).toEqual([
      ['books', 1], ['are', 2], ['computers', 3], ['i', 4], ['have', 5], ['interesting', 6],
      ['useful', 7], ['and', 8], ['bye', 9], ['both', 10], ['valuable', 11],
    ]);
    expect(t.textsToSequences(LAB_CORPUS)).toEqual([[4, 5, 1], [6, 1, 2, 7], [4, 5, 3], [3, 2, 6, 8, 7], [1, 8, 3, 2, 10, 11], [9, 9]]);
    expect(t.wordCounts.get('bye')).toBe(2);
    expect([...t.wordCounts.keys()].slice(0, 4)).toEqual(['i', 'have', 'books', 'interesting']);
    expect(t.wordDocs.get('bye')).toBe(1);
    expect(t.wordDocs.get('books')).toBe(3);
    expect(t.indexDocs.get(1)).toBe(3);
    expect(t.indexWord.get(9)).toBe('bye');
    expect(t.documentCount).toBe(6);
    expect(t.sequencesToTexts([[4, 5, 1], [9, 99, 9]])).toEqual(['i have books', 'bye bye']);
  });

  it('is deterministic and refits cumulatively like Keras', () => {
    const a = new Tokenizer();
    a.fitOnTexts(LAB_CORPUS.slice(0, 3));
    a.fitOnTexts(LAB_CORPUS.slice(3));
    const b = new Tokenizer();
    b.fitOnTexts(LAB_CORPUS);
    expect([...a.wordIndex]).toEqual([...b.wordIndex]);
    expect(a.documentCount).toBe(6);
  });

  it('applies numWords and oovToken in textsToSequences and sequencesToTexts', () => {
    const plain = new Tokenizer({ numWords: 4 });
    plain.fitOnTexts(LAB_CORPUS);
    expect(plain.wordIndex.size).toBe(11); // the index keeps every word, as in Keras
    expect(plain.textsToSequences(['books and computers are unknown'])).toEqual([[1, 3, 2]]);
    expect(plain.sequencesToTexts([[1, 8, 3]])).toEqual(['books computers']);

    const oov = new Tokenizer({ numWords: 4, oovToken: '<OOV>' });
    oov.fitOnTexts(LAB_CORPUS);
    expect(oov.wordIndex.get('<OOV>')).toBe(1);
    expect(oov.wordIndex.get('books')).toBe(2);
    expect(oov.textsToSequences(['books and computers are unknown'])).toEqual([[2, 1, 1, 3, 1]]); // computers is index 4, not below numWords
    expect(oov.sequencesToTexts([[2, 9, 4, 77]])).toEqual(['books <OOV> <OOV> <OOV>']);
    expect(oov.sequencesToTexts([[2, 3]])).toEqual(['books are']);
  });

  it('supports charLevel, lower=false, custom filters and split, pre-split input', () => {
    const c = new Tokenizer({ charLevel: true });
    c.fitOnTexts(['aab', 'AB!']);
    expect([...c.wordIndex]).toEqual([['a', 1], ['b', 2], ['!', 3]]);
    expect(c.textsToSequences(['ba!'])).toEqual([[2, 1, 3]]);
    expect(c.sequencesToTexts([[2, 1]])).toEqual(['b a']);

    const cased = new Tokenizer({ lower: false, filters: '.', split: ',' });
    cased.fitOnTexts(['The,the.,THE,the']);
    expect([...cased.wordIndex]).toEqual([['the', 1], ['The', 2], ['THE', 3]]);

    const lists = new Tokenizer();
    lists.fitOnTexts([['Hello', 'world!'], ['hello']]);
    expect([...lists.wordIndex]).toEqual([['hello', 1], ['world!', 2]]);
  });

  it("offers the lab's cleaning steps as options", () => {
    const punct = new Tokenizer({ punctuationAsTokens: true });
    expect(punct.tokenize('Wait, what?! Fine.')).toEqual(['wait', ',', 'what', '?', '!', 'fine', '.']);

    const sentences = new Tokenizer({ sentenceSeparator: '</s>' });
    expect(sentences.tokenize('I have books. I have computers! Bye')).toEqual(['i', 'have', 'books', '</s>', 'i', 'have', 'computers', '</s>', 'bye']);
    sentences.fitOnTexts(['One. Two. Three.']);
    expect(sentences.wordIndex.get('</s>')).toBe(1);

    const both = new Tokenizer({ sentenceSeparator: '<s>', punctuationAsTokens: true });
    expect(both.tokenize('Hi. Bye!')).toEqual(['hi', '.', '<s>', 'bye', '!']);

    const stop = new Tokenizer({ stopwords: true });
    expect(stop.tokenize("I don't think the film is bad")).toEqual(['think', 'film', 'bad']);
    expect(ENGLISH_STOPWORDS.has('the')).toBe(true);
    const custom = new Tokenizer({ stopwords: ['film'], lower: false });
    expect(custom.tokenize('The Film was a film')).toEqual(['The', 'Film', 'was', 'a']);
  });

  it('matches stopwords as the words are compared: lowercased with lower, as written without it', () => {
    // lower (the default): the list is lowercased once, so a capitalised entry drops every spelling of the word.
    const lowered = new Tokenizer({ stopwords: ['I', 'Movie'] });
    lowered.fitOnTexts(['I liked the Movie', 'MOVIE night']);
    expect([...lowered.wordIndex.keys()]).toEqual(['liked', 'the', 'night']);
    expect(lowered.textsToSequences(['i MOVIE liked'])).toEqual([[1]]);
    expect(lowered.toJSON().config.stopwords).toEqual(['i', 'movie']);
    // lower: false keeps case in the words, so a stopword drops only its own spelling, the built-in list included.
    const cased = new Tokenizer({ stopwords: ['movie'], lower: false });
    cased.fitOnTexts(['I liked the Movie movie']);
    expect([...cased.wordIndex.keys()]).toEqual(['I', 'liked', 'the', 'Movie']);
    expect(new Tokenizer({ stopwords: true, lower: false }).tokenize('The film is the best')).toEqual(['The', 'film', 'best']);
    // The same rule on the cleaning path (sentences, punctuation tokens) and on token lists.
    const sentences = new Tokenizer({ stopwords: ['The'], sentenceSeparator: '|' });
    expect(sentences.tokenize('The end. THE start')).toEqual(['end', '|', 'start']);
    expect(new Tokenizer({ stopwords: ['The'], lower: false, punctuationAsTokens: true }).tokenize('The end, the start')).toEqual(['end', ',', 'the', 'start']);
    expect(new Tokenizer({ stopwords: ['The'] }).tokenize(['THE', 'End'])).toEqual(['end']);
    // Restored from JSON, the list matches as it did.
    expect(Tokenizer.fromJSON(JSON.stringify(cased)).tokenize('Movie movie')).toEqual(['Movie']);
  });

  it('refuses a stopword that is not a string, naming its place in the list', () => {
    expect(() => new Tokenizer({ stopwords: ['the', 7 as unknown as string] })).toThrow(/Tokenizer: stopwords\[1\] must be a string, got number/);
    expect(() => new Tokenizer({ stopwords: [null as unknown as string], lower: false })).toThrow(/Tokenizer: stopwords\[0\] must be a string, got null/);
  });

  it('round-trips through toJSON/fromJSON, keeping first-seen order for numeric words', () => {
    const t = new Tokenizer({ numWords: 5, oovToken: '<unk>', stopwords: true, sentenceSeparator: '|' });
    t.fitOnTexts(['In 1984, 2001 beat 1984.', 'Then 2001 won. Then 42 came']);
    const text = JSON.stringify(t);
    const back = Tokenizer.fromJSON(text);
    expect([...back.wordCounts]).toEqual([...t.wordCounts]);
    expect([...back.wordIndex]).toEqual([...t.wordIndex]);
    expect([...back.indexWord]).toEqual([...t.indexWord]);
    expect([...back.wordDocs]).toEqual([...t.wordDocs]);
    expect([...back.indexDocs]).toEqual([...t.indexDocs]);
    expect(back.documentCount).toBe(2);
    expect(back.numWords).toBe(5);
    expect(back.stopwords).toBe(ENGLISH_STOPWORDS);
    expect(back.sentenceSeparator).toBe('|');
    expect(back.textsToSequences(['1984 then zebra'])).toEqual(t.textsToSequences(['1984 then zebra']));
    back.fitOnTexts(['42 42']);
    t.fitOnTexts(['42 42']);
    expect([...back.wordIndex]).toEqual([...t.wordIndex]);
    expect(Tokenizer.fromJSON(t.toJSON()).wordIndex.get('1984')).toBe(t.wordIndex.get('1984'));
  });

  it("reads JSON written by Keras's Tokenizer.to_json()", () => {
    const keras =
      '{"class_name": "Tokenizer", "config": {"num_words": null, "filters": "!\\"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n", "lower": true, "split": " ", "char_level": false, "oov_token": "<oov>", "document_count": 2, "word_counts": "{\\"i\\": 1, \\"saw\\": 2, \\"1984\\": 2, \\"in\\": 1, \\"it\\": 2, \\"loved\\": 1}", "word_docs": "{\\"i\\": 1, \\"saw\\": 2, \\"1984\\": 1, \\"in\\": 1, \\"it\\": 1, \\"loved\\": 1}", "index_docs": "{\\"5\\": 1, \\"2\\": 2, \\"3\\": 1, \\"6\\": 1, \\"4\\": 1, \\"7\\": 1}", "index_word": "{\\"1\\": \\"<oov>\\", \\"2\\": \\"saw\\", \\"3\\": \\"1984\\", \\"4\\": \\"it\\", \\"5\\": \\"i\\", \\"6\\": \\"in\\", \\"7\\": \\"loved\\"}", "word_index": "{\\"<oov>\\": 1, \\"saw\\": 2, \\"1984\\": 3, \\"it\\": 4, \\"i\\": 5, \\"in\\": 6, \\"loved\\": 7}"}}';
    const t = Tokenizer.fromJSON(keras);
    expect(t.filters).toBe(KERAS_FILTERS);
    expect([...t.wordCounts.keys()]).toEqual(['i', 'saw', '1984', 'in', 'it', 'loved']);
    expect(t.textsToSequences(['I saw 1984 in 1984.', 'Saw it, loved it!', 'new'])).toEqual([[5, 2, 3, 6, 3], [2, 4, 7, 4], [1]]);
    // The same corpus fitted here gives the same index and the same JSON fields.
    const mine = new Tokenizer({ oovToken: '<oov>' });
    mine.fitOnTexts(['I saw 1984 in 1984.', 'Saw it, loved it!']);
    expect([...mine.wordIndex]).toEqual([...t.wordIndex]);
    const cfg = JSON.parse(keras).config;
    for (const k of ['word_counts', 'word_docs', 'index_word', 'word_index']) {
      expect(mine.toJSON().config[k as 'word_counts']).toBe(cfg[k]);
    }
  });

  it('rejects bad options and bad JSON clearly', () => {
    expect(() => new Tokenizer({ numWords: -1 })).toThrow(DataError);
    expect(() => new Tokenizer({ split: '' })).toThrow(/split/);
    expect(() => Tokenizer.fromJSON('{"config": {}}')).toThrow(/not a Tokenizer JSON/);
  });
});

describe('ordered JSON entries', () => {
  it('keeps document order, which JSON.parse does not', () => {
    const text = stringifyOrderedEntries([['b', 1], ['10', 2], ['a"\\\u00e9', 'x'], ['2', -3.5e2]]);
    expect(Object.keys(JSON.parse(text))[0]).toBe('2');
    expect(parseOrderedEntries(text)).toEqual([['b', 1], ['10', 2], ['a"\\\u00e9', 'x'], ['2', -350]]);
    expect(parseOrderedEntries(' { } ')).toEqual([]);
    expect(() => parseOrderedEntries('{"a": [1]}')).toThrow(SyntaxError);
  });
});

describe('checks a Keras user meets (rl.preprocessing)', () => {
  const { textToWordSequence: publicForm } = rl.preprocessing;

  it('textToWordSequence refuses a non-string text, unknown or misspelt options and bad values, naming them', () => {
    expect(publicForm('Hello, World', { lower: false })).toEqual(['Hello', 'World']);
    expect(() => publicForm(12 as never)).toThrow(/textToWordSequence: text must be a string, got /);
    expect(() => publicForm('a b', { filter: '' } as never)).toThrow(/textToWordSequence.*'filter'.*filters/);
    expect(() => publicForm('a b', { lower: 'no' } as never)).toThrow(/textToWordSequence: lower must be true or false/);
    expect(() => publicForm('a b', { split: '' })).toThrow(/textToWordSequence: split must be a non-empty string/);
  });

  it('fitOnTexts after fitOnSequences keeps the document counts of indices it does not set (Keras assigns into index_docs)', () => {
    const t = new Tokenizer();
    t.fitOnSequences([[5, 6]]);
    t.fitOnTexts(['a']);
    expect([...t.indexDocs].sort((x, y) => x[0] - y[0])).toEqual([[1, 1], [5, 1], [6, 1]]);
    expect(t.documentCount).toBe(2);
  });

  it('options that would do nothing are refused: filters or split with charLevel, punctuationAsTokens with no filters', () => {
    expect(() => new Tokenizer({ charLevel: true, filters: '!' })).toThrow(/Tokenizer: filters work on words and cannot be used with charLevel/);
    expect(() => new Tokenizer({ charLevel: true, split: ',' })).toThrow(/Tokenizer: split work on words/);
    expect(new Tokenizer({ charLevel: true, filters: '', split: ' ' }).charLevel).toBe(true);
    expect(() => new Tokenizer({ punctuationAsTokens: true, filters: '' })).toThrow(/punctuationAsTokens makes tokens of the characters filters removes/);
    expect(() => new Tokenizer({ numWords: '10' as never })).toThrow(/^Tokenizer: numWords must be a non-negative integer or null, got "10"/);
  });
});
