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

/** `keras.preprocessing.text.text_to_word_sequence`: lower, filters → split, split, drop empties. */
export function textToWordSequence(text: string, options: TextToWordOptions = {}): string[] {
  const { filters = KERAS_FILTERS, lower = true, split = ' ' } = options;
  let t = lower ? text.toLowerCase() : text;
  const re = filterRegex(filters);
  if (re) t = t.replace(re, () => split);
  return t.split(split).filter((w) => w.length > 0);
}
