/** Keras's `Tokenizer.sequences_to_matrix`: one row per sequence, one column per word index. */
import { DataError } from './errors.js';

export type MatrixMode = 'binary' | 'count' | 'tfidf' | 'freq';
export const MATRIX_MODES: readonly MatrixMode[] = ['binary', 'count', 'tfidf', 'freq'];

/** A [sequences, numWords] float32 matrix, row-major (wrap it with rl.tensor(m.data, m.shape)). */
export interface TextMatrix {
  data: Float32Array;
  shape: [number, number];
  dtype: 'float32';
}

export interface MatrixVocabulary {
  numWords: number | null;
  wordIndexSize: number;
  documentCount: number;
  indexDocs: ReadonlyMap<number, number>;
}

/** Each sequence a list of non-negative integers; anything else is an error naming the sequence and element. */
export function checkIndexSequences(sequences: unknown, where: string): ArrayLike<number>[] {
  if (typeof sequences === 'string' || sequences === null || typeof sequences !== 'object' || typeof (sequences as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new DataError(`${where}: expected a list of sequences (lists of word indices), got ${sequences === null ? 'null' : typeof sequences === 'string' ? 'a string' : typeof sequences}`);
  }
  const list = [...(sequences as Iterable<unknown>)];
  list.forEach((s, i) => {
    if (!Array.isArray(s) && !(ArrayBuffer.isView(s) && !(s instanceof DataView))) {
      throw new DataError(`${where}: sequence ${i} must be a list of word indices, got ${s === null ? 'null' : typeof s === 'string' ? 'a string' : typeof s}`);
    }
    const seq = s as ArrayLike<unknown>;
    for (let k = 0; k < seq.length; k++) {
      const v = seq[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw new DataError(`${where}: sequence ${i} element ${k} is ${typeof v === 'string' ? `the string '${v}'` : String(v)}, not a word index (a non-negative integer)`);
      }
    }
  });
  return list as ArrayLike<number>[];
}

/**
 * As Keras: the width is numWords, or (without it) the fitted vocabulary plus index 0; indices at or above the
 * width are left out of the counts, but 'freq' still divides by the whole sequence length. 'tfidf' is
 * (1 + ln count) * ln(1 + documents / (1 + documents holding the index)).
 */
export function sequencesToMatrix(sequences: unknown, mode: unknown, vocab: MatrixVocabulary, where = 'sequencesToMatrix'): TextMatrix {
  if (!MATRIX_MODES.includes(mode as MatrixMode)) throw new DataError(`${where}: mode must be one of ${MATRIX_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  const list = checkIndexSequences(sequences, where);
  let width: number;
  if (vocab.numWords) width = vocab.numWords;
  else if (vocab.wordIndexSize > 0) width = vocab.wordIndexSize + 1;
  else throw new DataError(`${where}: give the Tokenizer numWords or fit it on some texts first: the matrix has no width`);
  if (mode === 'tfidf' && !vocab.documentCount) throw new DataError(`${where}: mode 'tfidf' needs document counts: fit the Tokenizer on texts (fitOnTexts) or sequences (fitOnSequences) first`);
  const data = new Float32Array(list.length * width);
  list.forEach((seq, row) => {
    const counts = new Map<number, number>();
    for (let k = 0; k < seq.length; k++) if (seq[k] < width) counts.set(seq[k], (counts.get(seq[k]) ?? 0) + 1);
    for (const [j, c] of counts) {
      let x: number;
      if (mode === 'count') x = c;
      else if (mode === 'freq') x = c / seq.length;
      else if (mode === 'binary') x = 1;
      else x = (1 + Math.log(c)) * Math.log(1 + vocab.documentCount / (1 + (vocab.indexDocs.get(j) ?? 0)));
      data[row * width + j] = x;
    }
  });
  return { data, shape: [list.length, width], dtype: 'float32' };
}
