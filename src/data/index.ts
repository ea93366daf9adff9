import { addition } from './addition.js';
import { CharacterTable } from './char_table.js';
import { decode, getWordIndex } from './imdb_words.js';
import { load, loadRaw } from './imdb.js';
import { batchRows, padSequences } from './pad.js';
import { Tokenizer } from './tokenizer.js';
import { checkedTextToWordSequence } from './text.js';

export const datasets = {
  imdb: { load, loadRaw, getWordIndex, decode },
  addition,
} as const;

export const preprocessing = {
  Tokenizer,
  padSequences,
  batchRows,
  CharacterTable,
  textToWordSequence: checkedTextToWordSequence,
} as const;

export { DataError } from './errors.js';
export { Rng } from './random.js';
export { Tokenizer } from './tokenizer.js';
export { CharacterTable } from './char_table.js';
export { padSequences, batchRows } from './pad.js';
export { addition, maxAdditionPairs, ADDITION_CHARS } from './addition.js';
export { imdbTokenize, imdbEncodeRanks, encodeReview, IMDB_IDS } from './imdb_tokenize.js';
export type { ReviewToken } from './imdb_tokenize.js';
export { resolveImdbTarball, resolveCacheDir, IMDB_URL, IMDB_FILE, IMDB_SIZE } from './imdb_source.js';
export { ENGLISH_STOPWORDS } from './stopwords.js';
export { KERAS_FILTERS, textToWordSequence } from './text.js';
export type { PaddedBatch, PadOptions, PadDType } from './pad.js';
export type { TokenizerOptions, TokenizerJSON, TextInput } from './tokenizer.js';
export type { OneHot } from './char_table.js';
export type { AdditionOptions, AdditionData, AdditionSplit } from './addition.js';
export type { ImdbLoadOptions, ImdbData, ImdbSplit, ImdbRaw, RawSplit } from './imdb.js';
export type { SourceOptions } from './imdb_source.js';
export type { DecodeOptions } from './imdb_words.js';
