/**
 * Labelled texts a user brings: CSV/TSV with a header, JSON Lines, or a folder of class subfolders of .txt files
 * (Keras's text_dataset_from_directory layout, which is also aclImdb's train/ and test/).
 */
import { statSync } from 'node:fs';
import { DataError } from './errors.js';
import { readCsvRows } from './text_csv.js';
import { readFolderRows } from './text_folder.js';
import { readJsonlRows } from './text_jsonl.js';
import { optionName, optionWithValue } from './text_options.js';
import { loneSurrogateProblem } from './text_surrogates.js';
import type { ByteSource } from './text_stream.js';

export type { BadRow, RowSink, TextDatasetOptions, TextFormat, TextRow } from './text_types.js';
import type { BadRow, RowSink, TextDatasetOptions, TextFormat, TextRow } from './text_types.js';

export interface TextDataset {
  source: string;
  format: TextFormat;
  texts: string[];
  /** The label as written (numbers as their text), or null when the data has none. */
  labels: (string | null)[];
  where: string[];
  skipped: number;
  /** The first few skipped rows, for the report. */
  skippedRows: BadRow[];
  /** The column (CSV/TSV) or field (JSON Lines) read as the label, when there is one; null for folders. */
  labelColumn?: string | null;
}

export function detectFormat(path: string): TextFormat {
  let dir = false;
  try { dir = statSync(path).isDirectory(); } catch { throw new DataError(`${path}: no such file or folder`); }
  if (dir) return 'folder';
  const lower = path.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return 'tsv';
  return 'csv';
}

export const TEXT_FORMATS: readonly TextFormat[] = ['csv', 'tsv', 'jsonl', 'folder'];

/** Reads every row of a dataset; bad rows stop it (an error naming file and line) unless skipBadRows. */
export async function loadTextDataset(path: string, options: TextDatasetOptions = {}): Promise<TextDataset> {
  const format = options.format ?? detectFormat(path);
  const names = options.optionNames;
  if (format === 'folder' && detectFormat(path) !== 'folder') {
    throw new DataError(`${path}: ${optionWithValue(names, 'format', 'folder') ?? "format 'folder'"} needs a folder of class subfolders, not a file`);
  }
  if (!TEXT_FORMATS.includes(format)) throw new DataError(`${optionName(names, 'format') ?? 'format'} must be one of ${TEXT_FORMATS.join(', ')}, got '${String(format)}'`);
  if (options.classes && format !== 'folder') {
    throw new DataError(`${path}: ${optionName(names, 'classes') ?? 'classes'} picks subfolders of a folder dataset; for ${format} files keep only the rows you want`);
  }
  const ds: TextDataset = { source: path, format, texts: [], labels: [], where: [], skipped: 0, skippedRows: [], labelColumn: null };
  const skipWith = optionName(names, 'skipBadRows');
  const sink: RowSink = {
    row(r) { ds.texts.push(r.text); ds.labels.push(r.label); ds.where.push(r.where); },
    columns(_text, label) { ds.labelColumn ??= label; },
    bad(b) {
      if (!options.skipBadRows) throw new DataError(`${b.where}: ${b.problem}${skipWith ? ` (skip such rows with ${skipWith})` : ''}`);
      ds.skipped++;
      if (ds.skippedRows.length < 10) ds.skippedRows.push(b);
    },
  };
  await readRows(path, format, options, sink);
  if (ds.texts.length === 0) {
    throw new DataError(ds.skipped > 0 ? `${path}: every row was bad (${ds.skipped} skipped; first: ${ds.skippedRows[0].where}: ${ds.skippedRows[0].problem})`
      : `${path}: no examples (the file is empty or holds only ${format === 'jsonl' ? 'blank lines' : 'a header'})`);
  }
  return ds;
}

/** The rows a classifier reads (train, evaluate, predict): each format's reader, with no half characters let through. */
export async function readRows(source: ByteSource, format: TextFormat, options: TextDatasetOptions, sink: RowSink, name = String(source)): Promise<void> {
  const whole = wholeCharacters(format, options, sink);
  if (format === 'folder') {
    if (typeof source !== 'string') throw new DataError('a folder dataset must be given as a path');
    return readFolderRows(source, options, whole);
  }
  if (format === 'jsonl') return readJsonlRows(source, name, options, whole);
  return readCsvRows(source, name, format === 'tsv' ? '\t' : ',', options, whole);
}

/**
 * A JSON string's escape can hold a lone surrogate (UTF-8 files cannot): as a word it would train as a token of its
 * own and print as U+FFFD, so such a row is a bad row naming its line and field, as seq2seq refuses it in a pair.
 * Labels are checked where they become classes (not for predict, which ignores them).
 */
function wholeCharacters(format: TextFormat, options: TextDatasetOptions, sink: RowSink): RowSink {
  const kind = format === 'jsonl' ? 'field' : 'column';
  let textName: string | null = null, labelName: string | null = null;
  return {
    bad: (b) => sink.bad(b),
    columns(text, label) { textName = text; labelName = label; sink.columns?.(text, label); },
    row(r) {
      const problem = loneSurrogateProblem(r.text, textName === null ? 'the text' : `${kind} '${textName}'`) ??
        (options.labelsOptional || r.label === null ? null : loneSurrogateProblem(r.label, labelName === null ? 'the label' : `${kind} '${labelName}'`));
      if (problem === null) sink.row(r); else sink.bad({ where: r.where, problem });
    },
  };
}
