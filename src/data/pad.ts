import { DataError } from './errors.js';
import { refuseUnknownOptions } from './options.js';

const PAD_KEYS = ['maxlen', 'padding', 'truncating', 'value', 'dtype'];

export type PadDType = 'int32' | 'float32';

/** A 2-D batch, row-major; the integration wraps it as a tensor. */
export interface PaddedBatch<D extends PadDType = PadDType> {
  data: D extends 'float32' ? Float32Array : Int32Array;
  shape: [number, number];
  dtype: D;
}

export interface PadOptions<D extends PadDType = PadDType> {
  /** Row length; default the longest sequence. */
  maxlen?: number | null;
  /** Where the padding goes. */
  padding?: 'pre' | 'post';
  /** Which end of a long sequence is cut. */
  truncating?: 'pre' | 'post';
  value?: number;
  dtype?: D;
}

/**
 * `keras.preprocessing.sequence.pad_sequences`: both defaults are 'pre' (pad and cut at the front),
 * empty sequences become rows of `value`. maxlen 0 gives zero-width rows (Keras fails there).
 */
export function padSequences<D extends PadDType = 'int32'>(
  sequences: readonly ArrayLike<number>[],
  options: PadOptions<D> = {},
): PaddedBatch<D> {
  refuseUnknownOptions(options, PAD_KEYS, 'padSequences');
  const { padding = 'pre', truncating = 'pre', value = 0 } = options;
  const dtype = (options.dtype ?? 'int32') as D;
  if (padding !== 'pre' && padding !== 'post') throw new DataError(`padSequences: padding must be 'pre' or 'post', got '${String(padding)}'`);
  if (truncating !== 'pre' && truncating !== 'post') {
    throw new DataError(`padSequences: truncating must be 'pre' or 'post', got '${String(truncating)}'`);
  }
  if (dtype !== 'int32' && dtype !== 'float32') throw new DataError(`padSequences: dtype must be 'int32' or 'float32', got '${String(dtype)}'`);
  if (typeof value !== 'number' || (dtype === 'int32' && !(Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31))) {
    throw new DataError(`padSequences: value ${String(value)} does not fit dtype ${dtype}`);
  }
  checkSequences(sequences, dtype);
  let maxlen = options.maxlen ?? null;
  if (maxlen === null) {
    maxlen = 0;
    for (const s of sequences) maxlen = Math.max(maxlen, s.length);
  } else if (!Number.isInteger(maxlen) || maxlen < 0) {
    throw new DataError(`padSequences: maxlen must be a non-negative integer, got ${typeof maxlen === 'string' ? `the string '${maxlen}'` : String(maxlen)}`);
  }
  const n = sequences.length;
  const data = (dtype === 'float32' ? new Float32Array(n * maxlen) : new Int32Array(n * maxlen)) as PaddedBatch<D>['data'];
  if (value !== 0) data.fill(value);
  for (let row = 0; row < n; row++) {
    const s = sequences[row];
    const len = Math.min(s.length, maxlen);
    if (len === 0) continue;
    const from = truncating === 'pre' ? s.length - len : 0;
    const to = row * maxlen + (padding === 'pre' ? maxlen - len : 0);
    for (let k = 0; k < len; k++) data[to + k] = s[from + k];
  }
  return { data, shape: [n, maxlen], dtype };
}

/**
 * Each sequence must be a list (or typed array) of numbers; for int32 each must fit int32 once truncated (as
 * numpy's cast). Anything else is an error naming the sequence (and element), never a silent 0 or wrap.
 */
function checkSequences(sequences: unknown, dtype: PadDType): asserts sequences is readonly ArrayLike<number>[] {
  if (!Array.isArray(sequences)) {
    throw new DataError(`padSequences: expected a list of sequences (lists of numbers), got ${typeof sequences === 'string' ? 'a string' : sequences === null ? 'null' : typeof sequences}`);
  }
  sequences.forEach((s: unknown, i) => {
    if (ArrayBuffer.isView(s) && !(s instanceof DataView)) {
      if (dtype === 'int32' && !(s instanceof Int32Array || s instanceof Int16Array || s instanceof Int8Array || s instanceof Uint8Array || s instanceof Uint16Array || s instanceof Uint8ClampedArray)) {
        checkValues(s as unknown as ArrayLike<number>, i, dtype);
      }
      return;
    }
    if (!Array.isArray(s)) {
      throw new DataError(`padSequences: sequence ${i} must be a list of numbers, got ${s === null ? 'null' : typeof s === 'string' ? 'a string' : typeof s}`);
    }
    checkValues(s, i, dtype);
  });
}

function checkValues(s: ArrayLike<unknown>, i: number, dtype: PadDType): void {
  for (let k = 0; k < s.length; k++) {
    const v = s[k];
    if (Array.isArray(v) || ArrayBuffer.isView(v)) {
      throw new DataError(`padSequences: sequence ${i} element ${k} is a list: sequences of vectors are not supported (only sequences of numbers)`);
    }
    if (typeof v !== 'number') {
      throw new DataError(`padSequences: sequence ${i} element ${k} is ${v === null ? 'null' : typeof v === 'string' ? `the string '${v}'` : typeof v}, not a number (encode texts first, e.g. Tokenizer.textsToSequences)`);
    }
    if (dtype === 'int32' && !(Math.trunc(v) >= -(2 ** 31) && Math.trunc(v) < 2 ** 31)) {
      throw new DataError(`padSequences: sequence ${i} element ${k} is ${v}, which does not fit dtype int32`);
    }
  }
}

/** The rows of a batch as views (no copy). */
export function batchRows<D extends PadDType>(batch: PaddedBatch<D>): PaddedBatch<D>['data'][] {
  const [n, width] = batch.shape;
  const rows: PaddedBatch<D>['data'][] = [];
  for (let i = 0; i < n; i++) rows.push(batch.data.subarray(i * width, (i + 1) * width) as PaddedBatch<D>['data']);
  return rows;
}
