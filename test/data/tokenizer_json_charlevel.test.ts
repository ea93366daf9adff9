/** A character-level Tokenizer's JSON (rnnlab's and Keras's) loads back; fromJSON names a field of the wrong type. */
import { describe, expect, it } from 'vitest';
import { KERAS_FILTERS } from '../../src/data/text.js';
import { Tokenizer } from '../../src/data/tokenizer.js';

// Keras's Tokenizer(char_level=True).fit_on_texts(["hello"]).to_json(): get_config always writes the default filters.
const KERAS_CHAR_LEVEL = JSON.stringify({ class_name: 'Tokenizer', config: { num_words: null, filters: KERAS_FILTERS, lower: true, split: ' ', char_level: true, oov_token: null,
  document_count: 1, word_counts: '{"h": 1, "e": 1, "l": 2, "o": 1}', word_docs: '{"h": 1, "l": 1, "e": 1, "o": 1}', index_docs: '{"2": 1, "1": 1, "3": 1, "4": 1}',
  index_word: '{"1": "l", "2": "h", "3": "e", "4": "o"}', word_index: '{"l": 1, "h": 2, "e": 3, "o": 4}' } });

describe('charLevel tokenizers through JSON', () => {
  it('toJSON output loads with fromJSON and encodes as the original does', () => {
    const t = new Tokenizer({ charLevel: true, oovToken: '?' });
    t.fitOnTexts(['Hello, world!']);
    const back = Tokenizer.fromJSON(JSON.stringify(t.toJSON()));
    expect(back.charLevel).toBe(true);
    expect(back.textsToSequences(['Low, hello!', 'xyz'])).toEqual(t.textsToSequences(['Low, hello!', 'xyz']));
    // Punctuation stays a token: char_level applies no filters, as Keras's.
    expect(back.textsToSequences(['!'])).toEqual([[back.wordIndex.get('!')]]);
  });

  it("Keras's char_level to_json loads and gives Keras's sequences", () => {
    const t = Tokenizer.fromJSON(KERAS_CHAR_LEVEL);
    expect(t.textsToSequences(['hello', 'Hole'])).toEqual([[2, 3, 1, 1, 4], [2, 4, 1, 3]]);
    expect(t.sequencesToTexts([[2, 3, 1, 1, 4]])).toEqual(['h e l l o']);
  });

  it('a Keras char_level file given other filters or split loads too (char_level ignores both)', () => {
    const j = JSON.parse(KERAS_CHAR_LEVEL);
    j.config.filters = 'abc';
    j.config.split = ',';
    expect(Tokenizer.fromJSON(j).textsToSequences(['hello'])).toEqual([[2, 3, 1, 1, 4]]);
  });

  it("the constructor takes Keras's default filters with charLevel, and still refuses other filters", () => {
    const t = new Tokenizer({ charLevel: true, filters: KERAS_FILTERS });
    t.fitOnTexts(['a,b']);
    expect([...t.wordIndex.keys()]).toEqual(['a', ',', 'b']);
    expect(() => new Tokenizer({ charLevel: true, filters: '!' })).toThrow('Tokenizer: filters work on words and cannot be used with charLevel');
    expect(() => new Tokenizer({ charLevel: true, filters: `${KERAS_FILTERS}'` })).toThrow(/filters work on words/);
  });
});

describe('fromJSON field types', () => {
  const base = () => JSON.parse(KERAS_CHAR_LEVEL) as { config: Record<string, unknown> };
  it.each(['word_index', 'word_counts', 'word_docs', 'index_docs', 'index_word'])('config.%s present but not a JSON string is named with what it holds', (field) => {
    const j = base();
    j.config[field] = { a: 1 };
    expect(() => Tokenizer.fromJSON(j as never)).toThrow(`not a Tokenizer JSON: config.${field} must be a JSON string, got an object`);
    j.config[field] = null;
    expect(() => Tokenizer.fromJSON(j as never)).toThrow(`config.${field} must be a JSON string, got null`);
    j.config[field] = [1];
    expect(() => Tokenizer.fromJSON(j as never)).toThrow(`config.${field} must be a JSON string, got a list`);
  });

  it('a missing word_index is still said to be missing, and document_count must be a whole number', () => {
    const j = base();
    delete j.config.word_index;
    expect(() => Tokenizer.fromJSON(j as never)).toThrow('not a Tokenizer JSON: config.word_index is missing');
    const k = base();
    k.config.document_count = '1';
    expect(() => Tokenizer.fromJSON(k as never)).toThrow('not a Tokenizer JSON: config.document_count must be an integer >= 0, got "1"');
  });
});
