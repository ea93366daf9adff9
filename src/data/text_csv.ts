/** CSV/TSV with a header, through csv-parse (RFC 4180 quoting, embedded newlines, CRLF), streamed. */
import { parse, type CsvError } from 'csv-parse';
import { Readable } from 'node:stream';
import { DataError } from './errors.js';
import { LABEL_COLUMN_NAMES, pickColumn, TEXT_COLUMN_NAMES } from './text_columns.js';
import type { RowSink, TextDatasetOptions } from './text_types.js';
import { decodedChunks, DEFAULT_MAX_LINE_CHARS, type ByteSource } from './text_stream.js';

export function describeCsvError(e: CsvError, name: string): { where: string; problem: string } {
  const line = (e as CsvError & { lines?: number }).lines;
  const problem = e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || e.code === 'CSV_RECORD_INCONSISTENT_COLUMNS'
    ? 'wrong number of fields (a missing quote or separator?)'
    : e.code === 'CSV_MAX_RECORD_SIZE' ? 'record is too long (an unclosed quote, or a huge field?)'
      : e.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is never closed'
        : e.message.replace(/^Invalid[^:]*:\s*/, '');
  return { where: `${name}:${line ?? '?'}`, problem };
}

/** CRLF -> LF before parsing (csv-parse counts a CRLF inside quotes as two lines), also across chunk ends. */
async function* lfChunks(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const chunk of chunks) {
    let text = carry + chunk;
    carry = '';
    if (text.endsWith('\r')) { carry = '\r'; text = text.slice(0, -1); }
    yield text.replace(/\r\n/g, '\n');
  }
  if (carry) yield carry;
}

export async function readCsvRows(source: ByteSource, name: string, delimiter: string, options: TextDatasetOptions, sink: RowSink): Promise<void> {
  let textKey = '', labelKey: string | null = null;
  let badInHeader: DataError | null = null;
  // csv-parse reports the line a record ends on; rows are named by the line they start on.
  let lastLine = 1;
  const parser = parse({
    delimiter,
    bom: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS,
    skip_records_with_error: !!options.skipBadRows,
    on_skip: (err) => {
      if (err) {
        sink.bad(describeCsvError(err, name));
        lastLine = (err as CsvError & { lines?: number }).lines ?? lastLine;
      }
      return undefined;
    },
    columns: (header: string[]) => {
      try {
        textKey = pickColumn(header, { given: options.textColumn ?? null, defaults: TEXT_COLUMN_NAMES, role: 'text', option: 'textColumn / --text-column' }, `${name}:1`);
        try {
          labelKey = pickColumn(header, { given: options.labelColumn ?? null, defaults: LABEL_COLUMN_NAMES, role: 'label', option: 'labelColumn / --label-column' }, `${name}:1`);
        } catch (e) {
          if (!options.labelsOptional || options.labelColumn) throw e;
        }
      } catch (e) {
        const tabs = delimiter === ',' && header.length === 1 && header[0].includes('\t');
        badInHeader = tabs ? new DataError(`${(e as Error).message}; the header holds tabs: is this TSV (format 'tsv' / --format tsv)?`) : e as DataError;
        throw badInHeader;
      }
      return header;
    },
  });
  const input = Readable.from(lfChunks(decodedChunks(source, name)));
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  try {
    for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const where = `${name}:${lastLine + 1}`;
      lastLine = rec.info.lines;
      const text = rec.record[textKey];
      const label = labelKey === null ? null : rec.record[labelKey].trim();
      if (label !== null && label === '') sink.bad({ where, problem: `blank label in column '${labelKey}'` });
      else if (text.trim() === '') sink.bad({ where, problem: `empty text in column '${textKey}'` });
      else sink.row({ text, label, where });
    }
  } catch (e) {
    if (badInHeader) throw badInHeader;
    if (e instanceof DataError) throw e;
    const err = e as CsvError;
    if (typeof err.code === 'string' && err.code.startsWith('CSV_')) {
      const { where, problem } = describeCsvError(err, name);
      throw new DataError(`${where}: ${problem}${options.skipBadRows ? '' : ' (skip such rows with skipBadRows / --skip-bad-rows)'}`);
    }
    throw e;
  } finally {
    input.destroy();
  }
}
