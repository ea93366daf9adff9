/** Which field of a CSV header or JSON object holds the text and which the label. */
import { DataError } from './errors.js';

/** Looked for in this order; the first four are the documented defaults, the rest common in public datasets. */
export const TEXT_COLUMN_NAMES = ['text', 'sentence', 'review', 'content', 'body', 'document', 'tweet', 'comment', 'message', 'utterance'] as const;
export const LABEL_COLUMN_NAMES = ['label', 'sentiment', 'class', 'category', 'labels', 'target', 'polarity', 'topic', 'intent'] as const;

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
  if (choice.given !== null) {
    if (available.includes(choice.given)) return choice.given;
    const i = lower.indexOf(choice.given.trim().toLowerCase());
    if (i >= 0) return available[i];
    throw new DataError(`${where}: no ${choice.role} column '${choice.given}'${choice.option ? ` (${choice.option})` : ''}; the columns are ${list}`);
  }
  for (const d of choice.defaults) {
    const i = lower.indexOf(d);
    if (i >= 0) return available[i];
  }
  throw new DataError(`${where}: no ${choice.role} column found (looked for ${choice.defaults.join(', ')}); ` +
    `the columns are ${list}${choice.option ? `; name one with ${choice.option}` : ''}`);
}
