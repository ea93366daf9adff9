/**
 * Records of CSV and TSV text, streamed, with the line each starts on.
 *
 * CSV (RFC 4180): a field that starts with `"` is quoted: it may hold the separator, newlines and `""` (one quote),
 * and ends at a `"` followed by the separator or the line's end (spaces may follow it). A quote anywhere else in a
 * field is an ordinary character (`She said "meh",1` reads as it looks), as Python's csv module and spreadsheets do.
 * A quoted field that never closes, or whose closing quote is followed by anything else, is a bad record named by
 * the line where its quote opened; reading goes on at the next line, so one stray quote costs one row, not the
 * rest of the file.
 *
 * TSV: one record per line, fields separated by tabs, no quoting: a quote is an ordinary character. Only a field
 * that is wholly quoted on its line (`"..."`, quotes inside doubled, as spreadsheets and pandas export a field
 * holding a quote or a tab) loses its enclosing quotes and has `""` read as `"`.
 *
 * Blank lines (nothing but spaces and tabs) are skipped in both. Lines end in LF, CRLF or a lone CR (old Mac files).
 */
import { DataError } from './errors.js';
import { readLines, type ByteSource, decodedChunks } from './text_stream.js';

/** quoted (only when asked for): which fields were quoted, so a reader that trims can leave those as written. */
export type CsvItem = { fields: string[]; line: number; quoted?: boolean[] } | { bad: { line: number; problem: string } };

/**
 * CRLF and a lone CR (old Mac and Excel "CSV (Macintosh)" files) -> LF, also across chunk ends. A chunk's last CR is
 * a line end whichever byte follows, so it is given out at once (a row on stdin is read as its line ends, not when the
 * next line comes) and an LF opening the next chunk is the same line end's.
 */
async function* lfChunks(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let afterCr = false;
  for await (const chunk of chunks) {
    if (chunk === '') continue;
    const text = afterCr && chunk.startsWith('\n') ? chunk.slice(1) : chunk;
    afterCr = chunk.endsWith('\r');
    yield text.replace(/\r\n?/g, '\n');
  }
}

type Parsed =
  | { kind: 'more' }
  | { kind: 'blank'; end: number }
  | { kind: 'record'; fields: string[]; quoted: boolean[]; end: number; newlines: number }
  /**
   * A quoted field that never closes (stray: null) or whose closing quote is followed by `follower`, `stray` lines
   * after the line it opened on. lineOffset: lines from the record's start to that quote; resume/resumeLines: where
   * reading goes on (the line after the quote's).
   */
  | { kind: 'bad'; lineOffset: number; stray: number | null; follower: string; resume: number; resumeLines: number; unclosedWithin?: number }
  | { kind: 'tooLong'; quoteOffset: number | null };

const isBlankChar = (c: string) => c === ' ' || c === '\t' || c === '\r';

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function describeChar(c: string): string {
  return c === ' ' ? 'a space' : c === '\t' ? 'a tab' : `'${c}'`;
}

/** One CSV record of buf from start (eof: no more text will come). */
function parseCsvRecord(buf: string, start: number, eof: boolean, delim: string, max: number): Parsed {
  // A blank line.
  let b = start;
  while (b < buf.length && isBlankChar(buf[b])) b++;
  if (b < buf.length && buf[b] === '\n') return { kind: 'blank', end: b + 1 };
  if (b >= buf.length) return eof ? { kind: 'blank', end: buf.length } : { kind: 'more' };

  const fields: string[] = [], quoted: boolean[] = [];
  let i = start, newlines = 0;
  for (;;) {
    if (i - start > max) return { kind: 'tooLong', quoteOffset: null };
    let field: string;
    const isQuoted = buf[i] === '"';
    if (isQuoted) {
      const quoteAt = i, quoteLines = newlines;
      let value = '';
      i++;
      for (;;) {
        const j = buf.indexOf('"', i);
        if (j < 0 || j - start > max) {
          // A field that closes past max characters is a huge one (fatal, as any record that long); one that no
          // quote closes within them is a bad record at the quote's line, as one that never closes.
          if (j >= 0) return { kind: 'tooLong', quoteOffset: quoteLines };
          const far = buf.length - start > max;
          if (!far && !eof) return { kind: 'more' };
          const nl = buf.indexOf('\n', quoteAt);
          if (far) {
            if (nl < 0) return { kind: 'tooLong', quoteOffset: quoteLines };
            return { kind: 'bad', lineOffset: quoteLines, stray: null, follower: '', resume: nl + 1, resumeLines: quoteLines + 1, unclosedWithin: max };
          }
          const resume = nl < 0 ? buf.length : nl + 1;
          return { kind: 'bad', lineOffset: quoteLines, stray: null, follower: '', resume, resumeLines: quoteLines + (nl < 0 ? 0 : 1) };
        }
        newlines += countNewlines(buf, i, j);
        value += buf.slice(i, j);
        if (j + 1 >= buf.length && !eof) return { kind: 'more' };
        if (buf[j + 1] === '"') { value += '"'; i = j + 2; continue; }
        let k = j + 1;
        while (k < buf.length && buf[k] === ' ' && delim !== ' ') k++;
        if (k >= buf.length && !eof) return { kind: 'more' };
        if (k >= buf.length || buf[k] === delim || buf[k] === '\n') { field = value; i = k; break; }
        // A closing quote followed by something else: the quote that opened the field was probably a stray one.
        const nl = buf.indexOf('\n', quoteAt);
        if (nl < 0 && !eof) return { kind: 'more' };
        const resume = nl < 0 ? buf.length : nl + 1;
        return { kind: 'bad', lineOffset: quoteLines, stray: newlines - quoteLines, follower: buf[k], resume, resumeLines: quoteLines + (nl < 0 ? 0 : 1) };
      }
    } else {
      // A scan for the first separator or newline (two indexOf calls could each run far past the line).
      const dc = delim.charCodeAt(0);
      let end = i;
      while (end < buf.length) {
        const c = buf.charCodeAt(end);
        if (c === dc || c === 10) break;
        end++;
      }
      if (end >= buf.length) {
        if (!eof) return buf.length - start > max ? { kind: 'tooLong', quoteOffset: null } : { kind: 'more' };
        field = buf.slice(i);
        i = buf.length;
      } else {
        field = buf.slice(i, end);
        i = end;
      }
    }
    fields.push(field);
    quoted.push(isQuoted);
    if (i >= buf.length) return { kind: 'record', fields, quoted, end: i, newlines };
    if (buf[i] === '\n') return { kind: 'record', fields, quoted, end: i + 1, newlines: newlines + 1 };
    i++; // the separator
    if (i >= buf.length && !eof) return { kind: 'more' };
    if (i >= buf.length) { fields.push(''); quoted.push(false); return { kind: 'record', fields, quoted, end: i, newlines }; }
  }
}

const QUOTE_HINT = 'a stray quote? Inside a quoted field a quote is written ""';

/** The problem of a bad quote that opened on line `at`. */
function quoteProblem(r: { stray: number | null; follower: string; unclosedWithin?: number }, at: number, delim: string): string {
  if (r.unclosedWithin !== undefined) return `a quoted field opens here and no quote closes it within ${r.unclosedWithin} characters: ${QUOTE_HINT}`;
  if (r.stray === null) return `a quoted field opens here and is never closed (the file ends inside it): ${QUOTE_HINT}`;
  return `a quoted field opens here, but the quote that ends it (${r.stray === 0 ? 'on this line' : `on line ${at + r.stray}`}) is followed by ` +
    `${describeChar(r.follower)} instead of '${delim}' or the line's end: ${QUOTE_HINT}`;
}

/**
 * CSV records (delimiter ',' or another one character), each with the line it starts on; bad ones as `bad`.
 * withQuoted: also say which fields were quoted.
 */
export async function* csvRecords(source: ByteSource, name: string, delim: string, max: number, withQuoted = false): AsyncGenerator<CsvItem> {
  const chunks = lfChunks(decodedChunks(source, name))[Symbol.asyncIterator]();
  let buf = '', pos = 0, line = 1, eof = false;
  // Chunks are pulled by hand, so a consumer that stops early (or fails) must close the file here.
  try {
    for (;;) {
      if (pos >= buf.length && eof) return;
      const r = pos >= buf.length ? { kind: 'more' as const } : parseCsvRecord(buf, pos, eof, delim, max);
      switch (r.kind) {
        case 'more': {
          const next = await chunks.next();
          if (next.done) eof = true;
          else { buf = buf.slice(pos) + next.value; pos = 0; }
          break;
        }
        case 'blank':
          line += countNewlines(buf, pos, r.end);
          pos = r.end;
          break;
        case 'record':
          yield withQuoted ? { fields: r.fields, line, quoted: r.quoted } : { fields: r.fields, line };
          line += r.newlines;
          pos = r.end;
          break;
        case 'bad': {
          const at = line + r.lineOffset;
          yield { bad: { line: at, problem: quoteProblem(r, at, delim) } };
          line += r.resumeLines;
          pos = r.resume;
          break;
        }
        case 'tooLong': {
          const quote = r.quoteOffset === null ? '' : `; a quote opened on line ${line + r.quoteOffset} may never close`;
          throw new DataError(`${name}:${line}: record is too long: more than ${max} characters${quote} (an unclosed quote, or a huge field?)`);
        }
      }
    }
  } finally {
    await chunks.return?.(undefined);
  }
}

/** One TSV line's fields (see the file's comment: no quoting but wholly quoted fields). */
export function splitTsvLine(s: string): string[] {
  return splitTsvFields(s).fields;
}

/** splitTsvLine's fields, and which of them were wholly quoted. */
function splitTsvFields(s: string): { fields: string[]; quoted: boolean[] } {
  const fields: string[] = [], quoted: boolean[] = [];
  let i = 0;
  for (;;) {
    if (s[i] === '"') {
      let j = i + 1, value = '', closed = false;
      while (j < s.length) {
        if (s[j] === '"') {
          if (s[j + 1] === '"') { value += '"'; j += 2; continue; }
          closed = j + 1 === s.length || s[j + 1] === '\t';
          j++;
          break;
        }
        value += s[j++];
      }
      if (closed) {
        fields.push(value);
        quoted.push(true);
        if (j >= s.length) return { fields, quoted };
        i = j + 1;
        continue;
      }
    }
    const t = s.indexOf('\t', i);
    quoted.push(false);
    if (t < 0) { fields.push(s.slice(i)); return { fields, quoted }; }
    fields.push(s.slice(i, t));
    i = t + 1;
  }
}

/** TSV records: one per non-blank line (withQuoted: also say which fields were wholly quoted). */
export async function* tsvRecords(source: ByteSource, name: string, max: number, withQuoted = false): AsyncGenerator<CsvItem> {
  for await (const { text, line } of readLines(source, name, max)) {
    if (/^[ \t\r]*$/.test(text)) continue;
    if (!withQuoted) { yield { fields: splitTsvLine(text), line }; continue; }
    const { fields, quoted } = splitTsvFields(text);
    yield { fields, line, quoted };
  }
}
