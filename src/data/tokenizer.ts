import { DataError } from './errors.js';
import { parseOrderedEntries, stringifyOrderedEntries } from './ordered_json.js';
import { refuseUnknownOptions } from './options.js';
import { ENGLISH_STOPWORDS } from './stopwords.js';
import { filterRegex, KERAS_FILTERS, textToWordSequence } from './text.js';
import { checkIndexSequences, sequencesToMatrix, type MatrixMode, type TextMatrix } from './text_matrix.js';

export interface TokenizerOptions {
  /** textsToSequences keeps indices below numWords (Keras's num_words; 0 or null: no limit). */
  numWords?: number | null;
  filters?: string;
  lower?: boolean;
  split?: string;
  charLevel?: boolean;
  /** Takes index 1 and stands in for unknown words (and, with numWords, for rare ones). */
  oovToken?: string | null;
  /** Lab cleaning step: each punctuation mark of `filters` becomes a token instead of a separator. */
  punctuationAsTokens?: boolean;
  /** Lab cleaning step: this token goes between sentences (which end at . ! ?). */
  sentenceSeparator?: string | null;
  /** Lab cleaning step: drop stopwords; true uses the built-in English list. */
  stopwords?: boolean | Iterable<string>;
}

/** A text, or an already split list of tokens (as Keras accepts). */
export type TextInput = string | readonly string[];

/** Keras's JSON layout (`Tokenizer.to_json`), so `tokenizer_from_json` in Python reads ours and back. */
export interface TokenizerJSON {
  class_name: 'Tokenizer';
  config: {
    num_words: number | null;
    filters: string;
    lower: boolean;
    split: string;
    char_level: boolean;
    oov_token: string | null;
    document_count: number;
    word_counts: string;
    word_docs: string;
    index_docs: string;
    index_word: string;
    word_index: string;
    punctuation_as_tokens?: boolean;
    sentence_separator?: string;
    stopwords?: true | string[];
  };
}

const TOKENIZER_KEYS = ['numWords', 'filters', 'lower', 'split', 'charLevel', 'oovToken', 'punctuationAsTokens', 'sentenceSeparator', 'stopwords'];

/** The texts as a list, each a string or a list of strings; anything else is an error naming its index. */
function checkTexts(texts: Iterable<TextInput>, where: string): TextInput[] {
  if (typeof texts === 'string') throw new DataError(`${where}: expected a list of texts, got one string (wrap it: [text])`);
  if (texts === null || typeof texts !== 'object' || typeof (texts as Iterable<TextInput>)[Symbol.iterator] !== 'function') {
    throw new DataError(`${where}: expected a list of texts, got ${texts === null ? 'null' : typeof texts}`);
  }
  const list = [...texts];
  list.forEach((t, i) => {
    if (typeof t === 'string') return;
    if (Array.isArray(t) && t.every((w) => typeof w === 'string')) return;
    throw new DataError(`${where}: text ${i} must be a string or a list of strings, got ${t === null ? 'null' : Array.isArray(t) ? 'a list with a non-string' : typeof t}`);
  });
  return list;
}

/**
 * The given stopwords as the words they are compared with: lowercased when the words are (`Movie` drops `movie`,
 * as lowercasing before removing stop words does in a TextVectorization standardize), as written when they keep
 * their case (`lower: false`: `Movie` drops `Movie` only).
 */
function stopwordSet(words: Iterable<string>, lower: boolean): Set<string> {
  const list = [...words];
  list.forEach((w, i) => {
    if (typeof w !== 'string') throw new DataError(`Tokenizer: stopwords[${i}] must be a string, got ${w === null ? 'null' : typeof w}`);
  });
  return new Set(lower ? list.map((w) => w.toLowerCase()) : list);
}

const jsonKind = (v: unknown): string => v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;

const SENTENCE = /[^.!?]+(?:[.!?]+|$)|[.!?]+/g;

/** `keras.preprocessing.text.Tokenizer` with Keras's defaults, plus the lab's optional cleaning steps. */
export class Tokenizer {
  readonly numWords: number | null;
  readonly filters: string;
  readonly lower: boolean;
  readonly split: string;
  readonly charLevel: boolean;
  readonly oovToken: string | null;
  readonly punctuationAsTokens: boolean;
  readonly sentenceSeparator: string | null;
  /** The stopword set in use, or null. */
  readonly stopwords: ReadonlySet<string> | null;
  private readonly builtinStopwords: boolean;

  /** Occurrences per word, in first-seen order (Keras's OrderedDict). */
  wordCounts = new Map<string, number>();
  /** Documents containing each word. */
  wordDocs = new Map<string, number>();
  /** word → index, 1 for the most frequent; ties keep first-seen order. Holds every word, whatever numWords. */
  wordIndex = new Map<string, number>();
  indexWord = new Map<number, string>();
  indexDocs = new Map<number, number>();
  documentCount = 0;

  constructor(options: TokenizerOptions = {}) {
    refuseUnknownOptions(options, TOKENIZER_KEYS, 'Tokenizer');
    for (const k of ['filters', 'split'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'string') throw new DataError(`Tokenizer: ${k} must be a string, got ${typeof options[k]}`);
    }
    for (const k of ['lower', 'charLevel', 'punctuationAsTokens'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'boolean') throw new DataError(`Tokenizer: ${k} must be true or false, got ${JSON.stringify(options[k])}`);
    }
    for (const k of ['oovToken', 'sentenceSeparator'] as const) {
      const v = options[k];
      if (v !== undefined && v !== null && (typeof v !== 'string' || v.length === 0)) throw new DataError(`Tokenizer: ${k} must be a non-empty string or null, got ${JSON.stringify(v)}`);
    }
    const swo = options.stopwords;
    if (swo !== undefined && typeof swo !== 'boolean' && (swo === null || typeof swo !== 'object' || typeof (swo as Iterable<string>)[Symbol.iterator] !== 'function' || typeof swo === 'string')) {
      throw new DataError('Tokenizer: stopwords must be true, false or a list of words');
    }
    if (options.charLevel) {
      // Each character is a token: the lab's word-cleaning steps, and filters and split (which Keras's char_level
      // skips too), would silently do nothing. Keras's default filters are what not giving any means (Keras's
      // to_json writes them with char_level), so they pass.
      const wordSteps = (['punctuationAsTokens', 'sentenceSeparator', 'stopwords'] as const).filter((k) => options[k] !== undefined && options[k] !== null && options[k] !== false);
      if (options.filters && options.filters !== KERAS_FILTERS) wordSteps.push('filters' as never);
      if (options.split !== undefined && options.split !== ' ') wordSteps.push('split' as never);
      if (wordSteps.length) throw new DataError(`Tokenizer: ${wordSteps.join(', ')} work on words and cannot be used with charLevel`);
    }
    if (options.punctuationAsTokens && options.filters === '') {
      throw new DataError("Tokenizer: punctuationAsTokens makes tokens of the characters filters removes, and filters '' removes none");
    }
    const numWords = options.numWords ?? null;
    if (numWords !== null && (!Number.isInteger(numWords) || numWords < 0)) {
      throw new DataError(`Tokenizer: numWords must be a non-negative integer or null, got ${JSON.stringify(numWords)}`);
    }
    const split = options.split ?? ' ';
    if (typeof split !== 'string' || split.length === 0) throw new DataError(`Tokenizer: split must be a non-empty string, got ${JSON.stringify(split)}`);
    this.numWords = numWords;
    this.filters = options.filters ?? KERAS_FILTERS;
    this.lower = options.lower ?? true;
    this.split = split;
    this.charLevel = options.charLevel ?? false;
    this.oovToken = options.oovToken ?? null;
    this.punctuationAsTokens = options.punctuationAsTokens ?? false;
    this.sentenceSeparator = options.sentenceSeparator ?? null;
    const sw = options.stopwords ?? false;
    this.builtinStopwords = sw === true;
    this.stopwords = sw === true ? ENGLISH_STOPWORDS : sw === false ? null : stopwordSet(sw, this.lower);
  }

  /** The tokens Keras would count for one text (words, or characters with charLevel). */
  tokenize(text: TextInput): string[] {
    let seq: string[];
    if (typeof text !== 'string') {
      seq = this.lower ? text.map((t) => t.toLowerCase()) : [...text];
    } else if (this.charLevel) {
      return Array.from(this.lower ? text.toLowerCase() : text);
    } else if (!this.punctuationAsTokens && this.sentenceSeparator === null) {
      seq = textToWordSequence(text, { filters: this.filters, lower: this.lower, split: this.split });
    } else {
      return this.cleanedWords(text);
    }
    return this.stopwords ? seq.filter((w) => !this.stopwords!.has(w)) : seq;
  }

  fitOnTexts(texts: Iterable<TextInput>): void {
    const list = checkTexts(texts, 'fitOnTexts');
    for (const text of list) {
      this.documentCount += 1;
      const seq = this.tokenize(text);
      for (const w of seq) this.wordCounts.set(w, (this.wordCounts.get(w) ?? 0) + 1);
      for (const w of new Set(seq)) this.wordDocs.set(w, (this.wordDocs.get(w) ?? 0) + 1);
    }
    // Array.prototype.sort is stable, like Python's sort(reverse=True): ties keep first-seen order.
    const ranked = [...this.wordCounts].sort((a, b) => b[1] - a[1]);
    const vocab = this.oovToken === null ? [] : [this.oovToken];
    for (const [w] of ranked) vocab.push(w);
    this.wordIndex = new Map();
    vocab.forEach((w, i) => this.wordIndex.set(w, i + 1));
    this.indexWord = new Map();
    for (const [w, i] of this.wordIndex) this.indexWord.set(i, w);
    // Keras assigns into index_docs without clearing it: counts an earlier fitOnSequences gave other indices stay.
    for (const [w, c] of this.wordDocs) this.indexDocs.set(this.wordIndex.get(w)!, c);
  }

  /**
   * Keras's rule for one index, in both directions: kept when known and below numWords (if set); otherwise the OOV
   * index, or undefined (dropped) without an oovToken.
   */
  private keptIndex(i: number | undefined, oovIndex: number | undefined): number | undefined {
    return i !== undefined && !(this.numWords && i >= this.numWords) ? i : oovIndex;
  }

  private oovIndex(): number | undefined {
    return this.oovToken === null ? undefined : this.wordIndex.get(this.oovToken);
  }

  textsToSequences(texts: Iterable<TextInput>): number[][] {
    const oov = this.oovIndex();
    return checkTexts(texts, 'textsToSequences').map((text) => this.tokenize(text).map((w) => this.keptIndex(this.wordIndex.get(w), oov)).filter((i) => i !== undefined));
  }

  sequencesToTexts(sequences: Iterable<ArrayLike<number>>): string[] {
    const oov = this.oovIndex();
    const wordOf = (num: number) => {
      const i = this.keptIndex(this.indexWord.has(num) ? num : undefined, oov);
      return i === undefined ? undefined : this.indexWord.get(i);
    };
    return checkIndexSequences(sequences, 'sequencesToTexts').map((seq) => Array.from(seq, wordOf).filter((w) => w !== undefined).join(' '));
  }

  /** Keras's fit_on_sequences: counts documents per index, which 'tfidf' needs when texts were never fitted. */
  fitOnSequences(sequences: Iterable<ArrayLike<number>>): void {
    const list = checkIndexSequences(sequences, 'fitOnSequences');
    this.documentCount += list.length;
    for (const seq of list) for (const i of new Set(Array.from(seq))) this.indexDocs.set(i, (this.indexDocs.get(i) ?? 0) + 1);
  }

  /** Keras's sequences_to_matrix (modes binary, count, tfidf, freq); see text_matrix.ts for the width rule. */
  sequencesToMatrix(sequences: Iterable<ArrayLike<number>>, mode: MatrixMode = 'binary'): TextMatrix {
    return sequencesToMatrix(sequences, mode, { numWords: this.numWords, wordIndexSize: this.wordIndex.size, documentCount: this.documentCount, indexDocs: this.indexDocs });
  }

  /** Keras's texts_to_matrix: textsToSequences, then sequencesToMatrix. */
  textsToMatrix(texts: Iterable<TextInput>, mode: MatrixMode = 'binary'): TextMatrix {
    return sequencesToMatrix(this.textsToSequences(texts), mode, { numWords: this.numWords, wordIndexSize: this.wordIndex.size, documentCount: this.documentCount, indexDocs: this.indexDocs }, 'textsToMatrix');
  }

  toJSON(): TokenizerJSON {
    const config: TokenizerJSON['config'] = {
      num_words: this.numWords,
      filters: this.filters,
      lower: this.lower,
      split: this.split,
      char_level: this.charLevel,
      oov_token: this.oovToken,
      document_count: this.documentCount,
      word_counts: stringifyOrderedEntries(this.wordCounts),
      word_docs: stringifyOrderedEntries(this.wordDocs),
      index_docs: stringifyOrderedEntries(this.indexDocs),
      index_word: stringifyOrderedEntries(this.indexWord),
      word_index: stringifyOrderedEntries(this.wordIndex),
    };
    // Only non-Keras settings in use are written, so Keras can still read a plain tokenizer.
    if (this.punctuationAsTokens) config.punctuation_as_tokens = true;
    if (this.sentenceSeparator !== null) config.sentence_separator = this.sentenceSeparator;
    if (this.stopwords) config.stopwords = this.builtinStopwords ? true : [...this.stopwords];
    return { class_name: 'Tokenizer', config };
  }

  /** Restores `toJSON()` output (object or its JSON text), also what Keras's `to_json()` writes. */
  static fromJSON(json: string | TokenizerJSON): Tokenizer {
    let parsed: TokenizerJSON;
    try {
      parsed = (typeof json === 'string' ? JSON.parse(json) : json) as TokenizerJSON;
    } catch (e) {
      throw new DataError(`not a Tokenizer JSON: ${(e as Error).message}`);
    }
    const c = parsed?.config;
    if (!c || c.word_index === undefined) throw new DataError('not a Tokenizer JSON: config.word_index is missing');
    // Keras stores each table as a JSON-encoded string; an object there (a hand-converted file) is named as such.
    for (const f of ['word_index', 'word_counts', 'word_docs', 'index_docs', 'index_word'] as const) {
      const v: unknown = c[f];
      if (v !== undefined && typeof v !== 'string') throw new DataError(`not a Tokenizer JSON: config.${f} must be a JSON string, got ${jsonKind(v)}`);
    }
    if (c.document_count !== undefined && !(Number.isInteger(c.document_count) && c.document_count >= 0)) {
      throw new DataError(`not a Tokenizer JSON: config.document_count must be an integer >= 0, got ${JSON.stringify(c.document_count)}`);
    }
    // Keras's char_level ignores filters and split, and a file may hold any it was given: they are not read.
    const charLevel = c.char_level === true;
    const t = new Tokenizer({
      numWords: c.num_words,
      filters: charLevel ? undefined : c.filters,
      lower: c.lower,
      split: charLevel ? undefined : c.split,
      charLevel: c.char_level,
      oovToken: c.oov_token,
      punctuationAsTokens: c.punctuation_as_tokens,
      sentenceSeparator: c.sentence_separator,
      stopwords: c.stopwords,
    });
    t.documentCount = c.document_count ?? 0;
    // Each field parsed in document order; a count or index that is not a whole number names its field and key.
    const entries = (field: keyof TokenizerJSON['config'], s: string | undefined) => {
      try {
        return s ? parseOrderedEntries(s) : [];
      } catch (e) {
        throw new DataError(`Tokenizer JSON: config.${field} is not a flat JSON object: ${(e as Error).message}`);
      }
    };
    const whole = (field: string, key: string, v: string | number, min: number): number => {
      const n = typeof v === 'number' ? v : Number.NaN;
      if (!Number.isInteger(n) || n < min) throw new DataError(`Tokenizer JSON: config.${field}[${JSON.stringify(key)}] must be an integer >= ${min}, got ${JSON.stringify(v)}`);
      return n;
    };
    t.wordCounts = new Map(entries('word_counts', c.word_counts).map(([k, v]) => [k, whole('word_counts', k, v, 1)]));
    t.wordDocs = new Map(entries('word_docs', c.word_docs).map(([k, v]) => [k, whole('word_docs', k, v, 1)]));
    t.indexDocs = new Map(entries('index_docs', c.index_docs).map(([k, v]) => [whole('index_docs', k, Number(k), 0), whole('index_docs', k, v, 1)]));
    t.indexWord = new Map(entries('index_word', c.index_word).map(([k, v]) => [whole('index_word', k, Number(k), 1), String(v)]));
    t.wordIndex = new Map(entries('word_index', c.word_index).map(([k, v]) => [k, whole('word_index', k, v, 1)]));
    return t;
  }

  private cleanedWords(text: string): string[] {
    const t = this.lower ? text.toLowerCase() : text;
    const sentences = this.sentenceSeparator === null ? [t] : (t.match(SENTENCE) ?? []);
    const re = filterRegex(this.filters);
    const split = this.split;
    const out: string[] = [];
    for (const sentence of sentences) {
      const spaced = !re
        ? sentence
        : sentence.replace(re, (c) => (this.punctuationAsTokens && !/\s/.test(c) ? `${split}${c}${split}` : split));
      let words = spaced.split(split).filter((w) => w.length > 0);
      if (this.stopwords) words = words.filter((w) => !this.stopwords!.has(w));
      if (words.length === 0) continue;
      if (out.length > 0 && this.sentenceSeparator !== null) out.push(this.sentenceSeparator);
      for (const w of words) out.push(w);
    }
    return out;
  }
}
