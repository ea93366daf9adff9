/** Which field of a CSV header or JSON object holds the text and which the label. */
import { DataError } from './errors.js';

/** Looked for in this order; the first four are the documented defaults, the rest common in public datasets. */
export const TEXT_COLUMN_NAMES = ['text', 'sentence', 'review', 'content', 'body', 'document', 'tweet', 'comment', 'message', 'utterance'] as const;
export const LABEL_COLUMN_NAMES = ['label', 'sentiment', 'class', 'category', 'labels', 'target', 'polarity', 'topic', 'intent'] as const;

/** Two columns match one name but for case or spaces: an error even where the column is optional. */
export class AmbiguousColumnError extends DataError {}

export interface ColumnChoice {
  /** The name given by the user (exact, else case-insensitive match), or null to look for the default names. */
  given: string | null;
  defaults: readonly string[];
  /** 'text' or 'label', and the option that sets it, for messages (null: the caller has none to offer). */
  role: string;
  option: string | null;
}

/** The name in `available` to use, or an error listing what there is. */
export function pickColumn(available: readonly string[], choice: ColumnChoice, where: string): string {
  const lower = available.map((a) => a.trim().toLowerCase());
  const list = available.map((a) => JSON.stringify(a)).join(', ');
  // A name matched regardless of case and spaces: two columns so matching ('Text' and 'text') would leave the
  // choice to column order, so that is an error naming both.
  const loose = (name: string): string | null => {
    const at = lower.flatMap((l, i) => (l === name ? [i] : []));
    // The same spelling twice is the reader's to name (its message gives the fields); here, spellings that differ.
    if (new Set(at.map((i) => available[i])).size > 1) {
      throw new AmbiguousColumnError(`${where}: the columns ${at.map((i) => JSON.stringify(available[i])).join(' and ')} (fields ${at.map((i) => i + 1).join(', ')}) ` +
        `both read as the ${choice.role} column '${name}'; which one is meant is unclear: rename one${choice.option ? ` or give its exact name with ${choice.option}` : ''}`);
    }
    return at.length ? available[at[0]] : null;
  };
  if (choice.given !== null) {
    if (available.includes(choice.given)) return choice.given;
    const found = loose(choice.given.trim().toLowerCase());
    if (found !== null) return found;
    throw new DataError(`${where}: no ${choice.role} column '${choice.given}'${choice.option ? ` (${choice.option})` : ''}; the columns are ${list}`);
  }
  for (const d of choice.defaults) {
    const found = loose(d);
    if (found !== null) return found;
  }
  throw new DataError(`${where}: no ${choice.role} column found (looked for ${choice.defaults.join(', ')}); ` +
    `the columns are ${list}${choice.option ? `; name one with ${choice.option}` : ''}`);
}
