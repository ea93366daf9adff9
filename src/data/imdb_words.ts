import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, requireInteger } from './errors.js';
import { IMDB_IDS } from './imdb_tokenize.js';
import { refuseUnknownOptions } from './options.js';

/** Keras's imdb_word_index.json, shipped in the package (same relative path from src/data and dist/data). */
export const WORD_INDEX_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../data/imdb_word_index.json');

let wordIndex: Map<string, number> | undefined;
let indexWord: string[] | undefined;

/**
 * word → frequency rank (the=1), as `keras.datasets.imdb.get_word_index()`: a fresh Map on every call, as Keras
 * parses the file on every call, so shifting it by indexFrom (Keras's documented `{k: v + 3}`) changes the caller's
 * copy only, never what the loader encodes with or caches.
 */
export function getWordIndex(): Map<string, number> {
  return new Map(sharedWordIndex());
}

/** The loader's own word index, never handed to users (getWordIndex gives them copies); read-only by contract. */
export function sharedWordIndex(): ReadonlyMap<string, number> {
  if (!wordIndex) {
    let parsed: Record<string, number>;
    try {
      parsed = JSON.parse(readFileSync(WORD_INDEX_PATH, 'utf8')) as Record<string, number>;
    } catch (err) {
      throw new DataError(`cannot read the IMDb word index ${WORD_INDEX_PATH}: ${(err as Error).message}`, { cause: err });
    }
    // A Map, because words such as "constructor" would collide with Object.prototype lookups.
    wordIndex = new Map(Object.entries(parsed));
  }
  return wordIndex;
}

/** rank → word; index 0 is unused. */
export function getIndexWord(): readonly string[] {
  if (!indexWord) {
    const words: string[] = [];
    for (const [w, r] of sharedWordIndex()) words[r] = w;
    indexWord = words;
  }
  return indexWord;
}

export interface DecodeOptions {
  indexFrom?: number;
  startChar?: number | null;
  oovChar?: number | null;
  padChar?: number;
  /** Drop the markers (<PAD>, <START>, <UNK>, <UNUSED>) instead of printing them. */
  skipSpecial?: boolean;
}

const DECODE_KEYS = ['indexFrom', 'startChar', 'oovChar', 'padChar', 'skipSpecial'];

/** The options with their defaults, each checked as imdb.load checks its own (ids are int32, indexFrom >= 0). */
function checkDecodeOptions(options: DecodeOptions): Required<DecodeOptions> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new DataError(`imdb.decode: options must be an object such as {indexFrom: 3}, got ${String(options)}`);
  }
  refuseUnknownOptions(options, DECODE_KEYS, 'imdb.decode');
  const id = (name: string, v: unknown, d: number) => requireInteger(name, v === undefined ? d : v, 0, 2 ** 31 - 1);
  const { skipSpecial = false } = options;
  if (typeof skipSpecial !== 'boolean') throw new DataError(`skipSpecial must be a boolean (true or false), got ${JSON.stringify(skipSpecial) ?? String(skipSpecial)}`);
  return {
    indexFrom: requireInteger('indexFrom', options.indexFrom === undefined ? IMDB_IDS.indexFrom : options.indexFrom, 0),
    startChar: options.startChar === null ? null : id('startChar', options.startChar, IMDB_IDS.start),
    oovChar: options.oovChar === null ? null : id('oovChar', options.oovChar, IMDB_IDS.oov),
    padChar: id('padChar', options.padChar, IMDB_IDS.pad),
    skipSpecial,
  };
}

/** Whether x is a list of numbers as imdb.load returns one (an Int32Array) or a caller writes one (an array). */
function isIdList(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

/** Turns ids from `imdb.load` back into words: "<START> this film was just brilliant ...". */
export function decode(sequence: ArrayLike<number>, options: DecodeOptions = {}): string {
  if (!isIdList(sequence)) {
    throw new DataError(`imdb.decode: the sequence must be an array or typed array of ids, got ${sequence === null ? 'null' : typeof sequence}`);
  }
  const { indexFrom, startChar, oovChar, padChar, skipSpecial } = checkDecodeOptions(options);
  for (let i = 0; i < sequence.length; i++) {
    const v: unknown = sequence[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new DataError(`imdb.decode: sequence[${i}] must be a non-negative integer id, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
    }
  }
  const words = getIndexWord();
  const out: string[] = [];
  for (let i = 0; i < sequence.length; i++) {
    const id = sequence[i];
    let word: string | undefined;
    let special = true;
    if (id === padChar) word = '<PAD>';
    else if (startChar !== null && id === startChar) word = '<START>';
    else if (oovChar !== null && id === oovChar) word = '<UNK>';
    else if (id <= indexFrom) word = '<UNUSED>'; // ranks start at 1, so id indexFrom is never a word
    else {
      word = words[id - indexFrom] ?? '<UNK>';
      special = words[id - indexFrom] === undefined;
    }
    if (!(special && skipSpecial)) out.push(word);
  }
  return out.join(' ');
}
