/** The shapes the text readers (CSV, JSON Lines, folders) share with src/data/text_dataset.ts, which drives them. */
import type { OptionNames } from './text_options.js';

export type TextFormat = 'csv' | 'tsv' | 'jsonl' | 'folder';

export interface TextDatasetOptions {
  /** Default: found by name (text, sentence, review, content), case-insensitive. */
  textColumn?: string | null;
  /** Default: found by name (label, sentiment, class, category), case-insensitive. */
  labelColumn?: string | null;
  /** Folder datasets: the subfolders to read (default all). The order given is the class order (Keras's class_names); without it the subfolders, sorted. */
  classes?: readonly string[] | null;
  /** Skip rows that cannot be read (counted in `skipped`) instead of stopping at the first. */
  skipBadRows?: boolean;
  /** Default from the path: a folder, .jsonl/.ndjson/.json, .tsv/.tab, else CSV. */
  format?: TextFormat;
  /** Longest line / CSV record accepted, in characters. */
  maxLineChars?: number;
  /** Labels may be absent (texts to score); a label column is still read when there is one. */
  labelsOptional?: boolean;
  /**
   * Keep the label as written, surrounding spaces included (seq2seq targets, read like their sources); default trimmed.
   * A JSON Lines label must then be a string (a JSON number's text is not kept).
   */
  labelAsWritten?: boolean;
  /**
   * How messages name the options (src/data/text_options.ts): by default the API's names (`skipBadRows`); a
   * command passes its flags (`--skip-bad-rows`), and null for one it does not have.
   */
  optionNames?: OptionNames;
}

/** One labelled example and where it came from ("file:line" or the .txt file). */
export interface TextRow { text: string; label: string | null; where: string }

export interface BadRow { where: string; problem: string }

export interface RowSink {
  row(r: TextRow): void;
  /** The columns (or fields) read as the text and the label, once known (not for folders). */
  columns?(text: string, label: string | null): void;
  /** A row that cannot be used: an error, or counted when skipping. */
  bad(b: BadRow): void;
}
