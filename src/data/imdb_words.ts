import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from './errors.js';
import { IMDB_IDS } from './imdb_tokenize.js';

/** Keras's imdb_word_index.json, shipped in the package (same relative path from src/data and dist/data). */
export const WORD_INDEX_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../data/imdb_word_index.json');

let wordIndex: Map<string, number> | undefined;
let indexWord: string[] | undefined;

/** word → frequency rank (the=1), as `keras.datasets.imdb.get_word_index()`. Shared; do not mutate. */
export function getWordIndex(): ReadonlyMap<string, number> {
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
    for (const [w, r] of getWordIndex()) words[r] = w;
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

/** Turns ids from `imdb.load` back into words: "<START> this film was just brilliant ...". */
export function decode(sequence: ArrayLike<number>, options: DecodeOptions = {}): string {
  const { indexFrom = IMDB_IDS.indexFrom, startChar = IMDB_IDS.start, oovChar = IMDB_IDS.oov, padChar = IMDB_IDS.pad, skipSpecial = false } = options;
  const words = getIndexWord();
  const out: string[] = [];
  for (let i = 0; i < sequence.length; i++) {
    const id = sequence[i];
    let word: string | undefined;
    let special = true;
    if (id === padChar) word = '<PAD>';
    else if (startChar !== null && id === startChar) word = '<START>';
    else if (oovChar !== null && id === oovChar) word = '<UNK>';
    else if (id < indexFrom) word = '<UNUSED>';
    else {
      word = words[id - indexFrom] ?? '<UNK>';
      special = words[id - indexFrom] === undefined;
    }
    if (!(special && skipSpecial)) out.push(word);
  }
  return out.join(' ');
}
