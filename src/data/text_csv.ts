/**
 * CSV/TSV with a header, streamed: CSV with RFC 4180 quoting (embedded separators and newlines, `""`, CRLF), TSV one
 * record per line without quoting (src/data/csv_records.ts says exactly what each accepts). Rows are named by the
 * line they start on; a stray quote is a bad row named by the line where it opened.
 */
import { csvRecords, tsvRecords, type CsvItem } from './csv_records.js';
import { DataError } from './errors.js';
import { AmbiguousColumnError, LABEL_COLUMN_NAMES, pickColumn, TEXT_COLUMN_NAMES } from './text_columns.js';
import { isDecimalNumber } from './text_labels.js';
import { optionName, optionWithValue, type OptionNames } from './text_options.js';
import type { RowSink, TextDatasetOptions } from './text_types.js';
import { DEFAULT_MAX_LINE_CHARS, readLines, type ByteSource } from './text_stream.js';

/** The text and label options name one column: a mistake in the options, never a row to skip. */
export class SameColumnError extends DataError {}

/** Which header fields hold the text and the label (label null: none, where labels are optional). */
export function pickTextAndLabel(header: readonly string[], options: TextDatasetOptions, where: string): { text: string; label: string | null } {
  const names = options.optionNames;
  const text = pickColumn(header, { given: options.textColumn ?? null, defaults: TEXT_COLUMN_NAMES, role: 'text', option: optionName(names, 'textColumn') }, where);
  let label: string | null = null;
  try {
    label = pickColumn(header, { given: options.labelColumn ?? null, defaults: LABEL_COLUMN_NAMES, role: 'label', option: optionName(names, 'labelColumn') }, where);
  } catch (e) {
    if (!options.labelsOptional || options.labelColumn || e instanceof AmbiguousColumnError) throw e;
  }
  if (label !== null && label === text && !options.labelColumn) {
    // A guessed label column that is the chosen text column (predict --text-column label) is not the label: look
    // for another among the default names; where labels are optional and there is none, read without labels.
    let other: string | null = null;
    try {
      other = pickColumn(header.filter((h) => h !== text), { given: null, defaults: LABEL_COLUMN_NAMES, role: 'label', option: optionName(names, 'labelColumn') }, where);
    } catch (e) {
      if (e instanceof AmbiguousColumnError) throw e;
    }
    if (other !== null || options.labelsOptional) label = other;
  }
  if (label !== null && label === text) {
    const flags = [optionName(names, 'textColumn'), optionName(names, 'labelColumn')].filter((n) => n !== null);
    throw new SameColumnError(`${where}: the text and the label are the same column '${text}'${flags.length ? ` (${flags.join(', ')})` : ''}; they must be two columns`);
  }
  return { text, label };
}

/**
 * A JSON Lines file read as CSV or TSV (named .txt, or read with the format csv) fails on its header with a quoting or
 * column message that points at the wrong fix: when its first line that is not blank is a JSON object, the error
 * says so instead. Only a file is read again for this; a stream's lines are gone.
 */
async function jsonLinesMistake(source: ByteSource, name: string, delimiter: string, options: TextDatasetOptions): Promise<DataError | null> {
  if (typeof source !== 'string') return null;
  let first: { text: string; line: number } | null = null;
  try {
    for await (const l of readLines(source, name, options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS)) {
      if (l.text.trim() !== '') { first = l; break; }
    }
  } catch (e) {
    // Not readable again (a line too long, a bad byte): the header's own error stands.
    if (e instanceof DataError) return null;
    throw e;
  }
  return first === null ? null : jsonObjectLineError(first.text, `${name}:${first.line}`, delimiter === '\t' ? 'TSV' : 'CSV', options.optionNames);
}

/**
 * The error for a file's first line that is a JSON object, read as CSV or TSV (`readAs`): the file looks like JSON
 * Lines, and how to read it so is said; null when the line is not a JSON object.
 */
export function jsonObjectLineError(text: string, where: string, readAs: 'CSV' | 'TSV', optionNames: OptionNames | undefined): DataError | null {
  if (!text.trimStart().startsWith('{')) return null;
  let value: unknown;
  try { value = JSON.parse(text); } catch { return null; }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const flag = optionWithValue(optionNames, 'format', 'jsonl');
  return new DataError(`${where}: this line is a JSON object: the file looks like JSON Lines, not ${readAs}; ` +
    (flag ? `read it as JSON Lines (${flag}) or name the file .jsonl` : 'name the file .jsonl to read it as JSON Lines'));
}

/**
 * "is this TSV (--format tsv)?": how to read the file as `format`; where the caller has no format option for it (train's
 * --validation takes its format from its name only), the name that reads it so.
 */
function isThisFormat(optionNames: OptionNames | undefined, format: 'csv' | 'tsv'): string {
  const flag = optionWithValue(optionNames, 'format', format);
  return flag ? `is this ${format.toUpperCase()} (${flag})?` : `is this ${format.toUpperCase()}? If so, name the file .${format}`;
}

export async function readCsvRows(source: ByteSource, name: string, delimiter: string, options: TextDatasetOptions, sink: RowSink): Promise<void> {
  const max = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const records: AsyncGenerator<CsvItem> = delimiter === '\t' ? tsvRecords(source, name, max) : csvRecords(source, name, delimiter, max);
  let header: string[] | null = null;
  let textAt = -1, labelAt = -1;
  for await (const item of records) {
    if ('bad' in item) {
      if (header === null) throw (await jsonLinesMistake(source, name, delimiter, options)) ?? new DataError(`${name}:${item.bad.line}: the header: ${item.bad.problem}`);
      sink.bad({ where: `${name}:${item.bad.line}`, problem: item.bad.problem });
      continue;
    }
    const where = `${name}:${item.line}`;
    if (header === null) {
      header = item.fields;
      let cols;
      try {
        cols = pickTextAndLabel(header, options, where);
      } catch (e) {
        if (!(e instanceof SameColumnError)) {
          const jsonl = await jsonLinesMistake(source, name, delimiter, options);
          if (jsonl) throw jsonl;
        }
        if (header.length === 1 && header[0].includes(';')) {
          // Spreadsheets in many locales save "CSV" with semicolons; there is no option to read it as such.
          throw new DataError(`${(e as Error).message}; the header holds semicolons: fields must be separated by ${delimiter === '\t' ? 'tabs' : 'commas (CSV) or tabs (TSV)'}, so save the file with those`);
        }
        // Excel writes a first line "sep=," to name the separator; it is not the header.
        if (/^sep=.?$/i.test(header.join(delimiter).trim())) {
          throw new DataError(`${(e as Error).message}; the first line '${header.join(delimiter).trim()}' is a spreadsheet's separator hint, not a header: delete that line`);
        }
        if (delimiter === '\t' && header.length === 1 && header[0].includes(',')) {
          throw new DataError(`${(e as Error).message}; the header holds commas: ${isThisFormat(options.optionNames, 'csv')}`);
        }
        // Sentiment140 and other files saved without a header: their first row of data is taken for one.
        const numeric = header.find((h) => h.trim() !== '' && isDecimalNumber(h));
        if (numeric !== undefined && !(e instanceof SameColumnError) && !(e instanceof AmbiguousColumnError)) {
          throw new DataError(`${(e as Error).message}; the first line holds the number '${numeric.trim()}': if it is a row of data, the file has no header: ` +
            `add a first line naming the columns (such as ${delimiter === '\t' ? 'text<TAB>label' : 'text,label'})`);
        }
        if (!(delimiter === ',' && header.length === 1 && header[0].includes('\t'))) throw e;
        throw new DataError(`${(e as Error).message}; the header holds tabs: ${isThisFormat(options.optionNames, 'tsv')}`);
      }
      for (const col of [cols.text, cols.label]) {
        const at = header.flatMap((h, i) => (h === col ? [i + 1] : []));
        if (at.length > 1) throw new DataError(`${where}: the header names the column '${col}' ${at.length} times (fields ${at.join(', ')}); which one to read is unclear: rename the others`);
      }
      sink.columns?.(cols.text, cols.label);
      textAt = header.indexOf(cols.text);
      labelAt = cols.label === null ? -1 : header.indexOf(cols.label);
      continue;
    }
    const f = item.fields;
    // A spreadsheet saves the empty rows of its used range as ",,": a blank line, not a bad row (one field `""` is
    // an empty text, named as such).
    if (f.length > 1 && f.every((x) => x.trim() === '')) continue;
    if (f.length !== header.length) {
      sink.bad({ where, problem: `wrong number of fields: ${f.length}, the header has ${header.length} (a missing quote or separator?)` });
      continue;
    }
    const text = f[textAt];
    const label = labelAt < 0 ? null : options.labelAsWritten ? f[labelAt] : f[labelAt].trim();
    // Texts to score (predict) ignore their labels: a blank label cell (a test file's unfilled column) is no fault.
    const blankLabel = label !== null && label.trim() === '';
    if (blankLabel && !options.labelsOptional) sink.bad({ where, problem: `blank label in column '${header[labelAt]}'` });
    else if (text.trim() === '') sink.bad({ where, problem: `empty text in column '${header[textAt]}'` });
    else if (blankLabel) sink.row({ text, label: null, where });
    else sink.row({ text, label, where });
  }
}
