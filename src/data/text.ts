import { describe } from '../describe.js';
import { DataError } from './errors.js';
import { refuseUnknownOptions } from './options.js';

/** Keras's default Tokenizer filters: punctuation, tab and newline; the apostrophe is kept. */
export const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

export interface TextToWordOptions {
  filters?: string;
  lower?: boolean;
  split?: string;
}

const filterRegexes = new Map<string, RegExp>();

/** A global regex matching any one character of `filters`. */
export function filterRegex(filters: string): RegExp | undefined {
  if (filters.length === 0) return undefined;
  let re = filterRegexes.get(filters);
  if (!re) {
    const chars = [...new Set(Array.from(filters))].map((c) => c.replace(/[\\\]\-^]/g, '\\$&'));
    re = new RegExp(`[${chars.join('')}]`, 'gu');
    filterRegexes.set(filters, re);
  }
  return re;
}

const TEXT_TO_WORD_KEYS = ['filters', 'lower', 'split'];

/** rl.preprocessing.textToWordSequence: the public form, its arguments checked (the Tokenizer checks its own once). */
export function checkedTextToWordSequence(text: string, options: TextToWordOptions = {}): string[] {
  const where = 'textToWordSequence';
  if (typeof text !== 'string') throw new DataError(`${where}: text must be a string, got ${describe(text)}`);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new DataError(`${where}: options must be an object, got ${describe(options)}`);
  refuseUnknownOptions(options, TEXT_TO_WORD_KEYS, where);
  if (options.filters !== undefined && typeof options.filters !== 'string') throw new DataError(`${where}: filters must be a string, got ${describe(options.filters)}`);
  if (options.lower !== undefined && typeof options.lower !== 'boolean') throw new DataError(`${where}: lower must be true or false, got ${describe(options.lower)}`);
  if (options.split !== undefined && (typeof options.split !== 'string' || options.split.length === 0)) {
    throw new DataError(`${where}: split must be a non-empty string, got ${describe(options.split)}`);
  }
  return textToWordSequence(text, options);
}

/** `keras.preprocessing.text.text_to_word_sequence`: lower, filters → split, split, drop empties. */
export function textToWordSequence(text: string, options: TextToWordOptions = {}): string[] {
  const { filters = KERAS_FILTERS, lower = true, split = ' ' } = options;
  let t = lower ? text.toLowerCase() : text;
  const re = filterRegex(filters);
  if (re) t = t.replace(re, () => split);
  return t.split(split).filter((w) => w.length > 0);
}
