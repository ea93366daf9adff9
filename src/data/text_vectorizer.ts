/**
 * Keras's TextVectorization for integer output: standardize (by default lowercase and strip punctuation),
 * split on whitespace, look words up in a frequency-ranked vocabulary (0 = padding, 1 = '[UNK]'), then pad or cut
 * to maxlen with padSequences ('pre' by default, as the lab's pad_sequences; Keras's layer pads and truncates
 * 'post'). Padding and cutting at the front is deliberate: a recurrent layer's output is its last step, which then
 * reads a text's real (last) words rather than padding, and the models train as the lab's IMDb data does.
 */
import { DataError } from './errors.js';
import { padSequences, type PaddedBatch } from './pad.js';

export type Standardize = 'lower_and_strip_punctuation' | 'strip_punctuation' | 'lower' | 'none';
export const STANDARDIZE_MODES: readonly Standardize[] = ['lower_and_strip_punctuation', 'strip_punctuation', 'lower', 'none'];

/** Keras's DEFAULT_STRIP_REGEX: ASCII punctuation, apostrophe included, removed (not replaced by a space). */
const STRIP = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;
// Unicode's White_Space, as Python's str.split: JavaScript's \s lacks U+0085 (NEXT LINE) and adds U+FEFF (the byte-order
// mark, no space: a word holding one stays one word).
const WHITESPACE = /(?:(?!\uFEFF)[\s\u0085])+/;
export const PAD_TOKEN = '';
/**
 * The longest maxlen: a given one (the CLI's --maxlen) and 'auto' alike, since every batch allocates
 * texts x maxlen ids and one very long text must not make 'auto' ask for more than a given value may.
 */
export const MAX_MAXLEN = 100_000;
export const OOV_TOKEN = '[UNK]';

export interface TextVectorizerOptions {
  /** Vocabulary size including padding and '[UNK]' (Keras's max_tokens); null: every word seen. */
  maxTokens?: number | null;
  standardize?: Standardize;
  /** Output length; null: set by adapt to the 95th percentile of the lengths, at most MAX_MAXLEN ('auto'). */
  maxlen?: number | null;
  padding?: 'pre' | 'post';
  truncating?: 'pre' | 'post';
}

const VECTORIZER_OPTIONS = ['maxTokens', 'standardize', 'maxlen', 'padding', 'truncating'];

export interface TextVectorizerJSON {
  format: 'rnnlab-text-vectorization';
  version: 1;
  standardize: Standardize;
  split: 'whitespace';
  maxTokens: number | null;
  maxlen: number;
  padding: 'pre' | 'post';
  truncating: 'pre' | 'post';
  /** Words by index: vocabulary[0] = '' (padding), vocabulary[1] = '[UNK]'. */
  vocabulary: string[];
}

export class TextVectorizer {
  readonly maxTokens: number | null;
  readonly standardize: Standardize;
  readonly padding: 'pre' | 'post';
  readonly truncating: 'pre' | 'post';
  maxlen: number | null;
  /** maxlen was left to adapt ('auto'): each adapt sets it afresh, as each adapt rebuilds the vocabulary. */
  private readonly autoMaxlen: boolean;
  private vocab: string[] = [PAD_TOKEN, OOV_TOKEN];
  private index = new Map<string, number>();

  constructor(o: TextVectorizerOptions = {}) {
    const unknown = Object.keys(o).find((k) => !VECTORIZER_OPTIONS.includes(k));
    if (unknown !== undefined) throw new DataError(`'${unknown}' is not a TextVectorizer option (${VECTORIZER_OPTIONS.join(', ')})`);
    const mt = o.maxTokens ?? null;
    if (mt !== null && (!Number.isInteger(mt) || mt < 3)) throw new DataError(`maxTokens (--vocab) must be an integer >= 3 (padding, '[UNK]' and one word), got ${mt}`);
    if (o.maxlen != null && (!Number.isInteger(o.maxlen) || o.maxlen < 1)) throw new DataError(`maxlen must be a positive integer, or null for 'auto' (set by adapt), got ${JSON.stringify(o.maxlen)}`);
    this.standardize = o.standardize ?? 'lower_and_strip_punctuation';
    if (!STANDARDIZE_MODES.includes(this.standardize)) throw new DataError(`standardize must be one of ${STANDARDIZE_MODES.join(', ')}, got '${this.standardize}'`);
    for (const [k, v] of [['padding', o.padding], ['truncating', o.truncating]] as const) {
      if (v !== undefined && v !== 'pre' && v !== 'post') throw new DataError(`${k} must be 'pre' or 'post', got '${String(v)}'`);
    }
    this.maxTokens = mt;
    this.maxlen = o.maxlen ?? null;
    this.autoMaxlen = this.maxlen === null;
    this.padding = o.padding ?? 'pre';
    this.truncating = o.truncating ?? 'pre';
  }

  get vocabulary(): readonly string[] { return this.vocab; }
  get vocabularySize(): number { return this.vocab.length; }

  /** The words of one text after standardization. */
  tokenize(text: string): string[] {
    let t = this.standardize === 'lower_and_strip_punctuation' || this.standardize === 'lower' ? text.toLowerCase() : text;
    if (this.standardize === 'lower_and_strip_punctuation' || this.standardize === 'strip_punctuation') t = t.replace(STRIP, '');
    const words = t.split(WHITESPACE);
    if (words.length && words[0] === '') words.shift();
    if (words.length && words[words.length - 1] === '') words.pop();
    return words;
  }

  /**
   * Builds the vocabulary afresh (most frequent first; ties in ascending code-point order, so it does not depend on
   * row order) and, when maxlen was not given, maxlen. Keras 3 breaks ties the other way: its IndexLookup sorts with
   * np.lexsort((tokens, counts))[::-1], descending code point. The lab keeps ascending so that `rnnlab train` runs
   * recorded so far reproduce (docs/RESULTS.md's aclImdb-folders run: a tie decides a word's id, so the initial
   * weights it meets); a saved model carries its vocabulary either way. docs/CLI.md (`--vocab`) and docs/API.md's
   * deliberate differences say so. seq2seq's Vocab.fromTexts (`--max-vocab`) does break ties Keras's way: it had no
   * rule to keep (the first-seen token won).
   */
  adapt(texts: Iterable<string>): void {
    const counts = new Map<string, number>();
    const lengths: number[] = [];
    for (const text of checkTexts(texts, 'adapt')) {
      const words = this.tokenize(text);
      lengths.push(words.length);
      for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    counts.delete(PAD_TOKEN);
    counts.delete(OOV_TOKEN);
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
    const keep = this.maxTokens === null ? ranked.length : this.maxTokens - 2;
    this.setVocabulary([PAD_TOKEN, OOV_TOKEN, ...ranked.slice(0, keep).map(([w]) => w)]);
    if (this.autoMaxlen) this.maxlen = Math.min(MAX_MAXLEN, Math.max(1, percentile(lengths, 0.95)));
  }

  private setVocabulary(vocab: string[]): void {
    this.vocab = vocab;
    this.index = new Map(vocab.map((w, i) => [w, i]));
  }

  /** Ids of each text, unpadded. */
  toSequences(texts: readonly string[]): Int32Array[] {
    texts = checkTexts(texts, 'encode');
    const out: Int32Array[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const words = this.tokenize(texts[i]);
      const ids = new Int32Array(words.length);
      for (let k = 0; k < words.length; k++) ids[k] = this.index.get(words[k]) ?? 1;
      out[i] = ids;
    }
    return out;
  }

  /** A [texts, maxlen] batch of ids, padded and cut as configured. */
  encode(texts: readonly string[]): PaddedBatch<'int32'> {
    if (this.maxlen === null) throw new DataError('TextVectorizer: call adapt() (or give maxlen) before encode()');
    return padSequences(this.toSequences(texts), { maxlen: this.maxlen, padding: this.padding, truncating: this.truncating });
  }

  toJSON(): TextVectorizerJSON {
    if (this.maxlen === null) throw new DataError('TextVectorizer: nothing to save before adapt()');
    return { format: 'rnnlab-text-vectorization', version: 1, standardize: this.standardize, split: 'whitespace', maxTokens: this.maxTokens,
      maxlen: this.maxlen, padding: this.padding, truncating: this.truncating, vocabulary: [...this.vocab] };
  }

  /** Restores toJSON() output; `where` (a file name) prefixes every error, which names the bad field. */
  static fromJSON(json: unknown, where = 'vectorizer'): TextVectorizer {
    const bad = (field: string, want: string, got: unknown) =>
      new DataError(`${where}: field '${field}' must be ${want}, got ${JSON.stringify(got)?.slice(0, 80) ?? String(got)}`);
    if (typeof json !== 'object' || json === null) throw bad('(root)', 'an object', json);
    const j = json as Record<string, unknown>;
    if (j.format !== 'rnnlab-text-vectorization') throw bad('format', "'rnnlab-text-vectorization'", j.format);
    if (j.version !== 1) throw bad('version', '1', j.version);
    if (!STANDARDIZE_MODES.includes(j.standardize as Standardize)) throw bad('standardize', `one of ${STANDARDIZE_MODES.join(', ')}`, j.standardize);
    if (j.split !== 'whitespace') throw bad('split', "'whitespace'", j.split);
    if (j.maxTokens !== null && !(Number.isInteger(j.maxTokens) && (j.maxTokens as number) >= 3)) throw bad('maxTokens', 'null or an integer >= 3', j.maxTokens);
    if (!(Number.isInteger(j.maxlen) && (j.maxlen as number) >= 1)) throw bad('maxlen', 'a positive integer', j.maxlen);
    for (const k of ['padding', 'truncating']) if (j[k] !== 'pre' && j[k] !== 'post') throw bad(k, "'pre' or 'post'", j[k]);
    const v = j.vocabulary;
    if (!Array.isArray(v) || v.length < 2 || v[0] !== PAD_TOKEN || v[1] !== OOV_TOKEN) throw bad('vocabulary', `a list starting with '' and '${OOV_TOKEN}'`, Array.isArray(v) ? v.slice(0, 3) : v);
    const i = v.findIndex((w) => typeof w !== 'string');
    if (i >= 0) throw bad(`vocabulary[${i}]`, 'a string', v[i]);
    if (new Set(v).size !== v.length) throw bad('vocabulary', 'a list without repeated words', `${v.length} entries, ${new Set(v).size} distinct`);
    if (j.maxTokens !== null && v.length > (j.maxTokens as number)) throw bad('vocabulary', `at most maxTokens (${j.maxTokens}) words`, `${v.length} words`);
    const t = new TextVectorizer({ maxTokens: j.maxTokens as number | null, standardize: j.standardize as Standardize, maxlen: j.maxlen as number,
      padding: j.padding as 'pre', truncating: j.truncating as 'pre' });
    t.setVocabulary(v as string[]);
    return t;
  }
}

/** The texts as a list of strings; a single string (which would be read character by character) or a non-string names its index. */
function checkTexts(texts: Iterable<string>, where: string): string[] {
  if (typeof texts === 'string' || texts === null || typeof texts !== 'object' || typeof (texts as Iterable<string>)[Symbol.iterator] !== 'function') {
    throw new DataError(`TextVectorizer.${where}: expected a list of texts, got ${typeof texts === 'string' ? 'one string (wrap it: [text])' : texts === null ? 'null' : typeof texts}`);
  }
  const list = Array.isArray(texts) ? texts : [...texts];
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'string') throw new DataError(`TextVectorizer.${where}: text ${i} must be a string, got ${list[i] === null ? 'null' : typeof list[i]}`);
  }
  return list;
}

/** Strings by code point (numpy's and Python's order), which differs from < on UTF-16 units past U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800-DFFF) stand for code points above every BMP unit: move them past U+E000-FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** The q-quantile (nearest rank) of a list of lengths. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
