/**
 * Pairs files for sequence-to-sequence training: TSV (`source<TAB>target` per line; a first line `source<TAB>target`
 * is a header), or CSV / JSON Lines with `source` and `target` columns (read by the text readers of src/data). Every
 * problem is a DataError naming the file and line.
 */
import path from 'node:path';
import { DataError } from '../data/errors.js';
import { describe } from '../describe.js';
import { jsonObjectLineError, readCsvRows } from '../data/text_csv.js';
import { readJsonlRows } from '../data/text_jsonl.js';
import { checkSurrogates } from '../data/text_surrogates.js';
import { readLines, type ByteSource } from '../data/text_stream.js';
import { optionWithValue, type OptionNames } from '../data/text_options.js';
import type { RowSink, TextDatasetOptions } from '../data/text_types.js';
import { Seq2SeqOptionError } from './errors.js';
import { SPECIAL_TOKENS, specialTokenIn, tokenize, type TokenKind } from './vocab.js';

export const PAIR_FORMATS = ['tsv', 'csv', 'jsonl'] as const;
export type PairFormat = (typeof PAIR_FORMATS)[number];

/** Longest line accepted by default: pairs are sentences, not documents. */
export const DEFAULT_MAX_PAIR_LINE = 100_000;

export interface Pair { source: string; target: string; where: string }

export interface PairReadOptions {
  /** Default from the file's path (a stream's `name`): .csv is CSV, .jsonl/.ndjson/.json JSON Lines, anything else TSV. */
  format?: PairFormat;
  /** Longest line (or CSV record) in characters. */
  maxLineChars?: number;
  /** How messages name the format option (default 'format'; the CLI's is --pairs-format). */
  optionNames?: Pick<OptionNames, 'format'>;
}

/** Each side's token kind: a source read by characters may have a target read by words, or the reverse. */
export interface SideTokens { source: TokenKind; target: TokenKind }

const sideTokens = (k: TokenKind | SideTokens): SideTokens => (typeof k === 'string' ? { source: k, target: k } : k);

/** Lives in src/data, shared with the text classifier's readers (one wording); seq2seq's callers import it from here. */
export { checkSurrogates };

export function pairFormatOf(file: string): PairFormat {
  const ext = path.extname(file).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' || ext === '.json' ? 'jsonl' : 'tsv';
}

function tsvPair(text: string, where: string): Pair {
  const tab = text.indexOf('\t');
  if (tab < 0) throw new DataError(`${where}: no tab; each line must be source<TAB>target`);
  // Tatoeba/Anki files (Keras's fra.txt) carry a third, attribution column: say how to keep the two that are pairs.
  if (text.indexOf('\t', tab + 1) >= 0) throw new DataError(`${where}: more than one tab; each line must be source<TAB>target (one tab); keep the first two columns with e.g. cut -f1,2`);
  const source = text.slice(0, tab), target = text.slice(tab + 1);
  const blank = (side: string) => (side === '' ? 'is empty' : 'is empty or only whitespace');
  if (source.trim() === '') throw new DataError(`${where}: the source (before the tab) ${blank(source)}`);
  if (target.trim() === '') throw new DataError(`${where}: the target (after the tab) ${blank(target)}`);
  return { source, target, where };
}

/**
 * The column readers word their messages for text classification (a text and a label column or field); here the
 * columns are fixed, and a JSON Lines file has fields and no header line.
 */
function pairsMessage(m: string, format: PairFormat): string {
  let out = m.replace("text column 'source'", "'source' column").replace("label column 'target'", "'target' column")
    // The field as the file's first row spells it ('SOURCE' read as 'source'): a pairs file's fields are no text and label.
    .replace(/no text field '([^']*)'/, "no '$1' field").replace(/no label field '([^']*)'/, "no '$1' field")
    .replace("column 'source'", "'source'").replace("column 'target'", "'target'").replace('blank label in', 'blank target in');
  if (format === 'jsonl') {
    out = out.replace(/'(source|target)' column\b/, "'$1' field").replace('the columns ', 'the fields ');
    return /: no '(source|target)' field; the fields are /.test(out) ? `${out}; each line of a JSON Lines pairs file is an object {"source": "...", "target": "..."}` : out;
  }
  // A CSV exported without its header has its first pair read as the column names: say what line 1 must be.
  // (Not when the header holds tabs: the TSV hint already says what is wrong.)
  const headerless = /:1: no '(source|target)' column; the columns are /.test(out) && !/is this TSV/.test(out);
  return headerless ? `${out}; a CSV of pairs starts with the header line source,target` : out;
}

/** A TSV's first line naming the columns, as a CSV's header does: read as a header, not trained on as a pair. */
export function isTsvHeader(p: { source: string; target: string }): boolean {
  return p.source.trim().toLowerCase() === 'source' && p.target.trim().toLowerCase() === 'target';
}

/** How messages name a pair: its `where`, else its place in the list (pairs made in code need not say). */
export function pairWhere(p: Partial<Pair> | null | undefined, i: number): string {
  return typeof p?.where === 'string' && p.where !== '' ? p.where : `pair ${i + 1}`;
}

/**
 * With word tokens, a source or target word written as a special token ('<end>', '<pad>', '<start>', '<unk>') would
 * take that token's id and end, mask or blank the text in training: such a pair is an error naming its line.
 */
export function checkSpecialTokens(pairs: readonly Pair[], kinds: TokenKind | SideTokens): void {
  const k = sideTokens(kinds);
  pairs.forEach((p, i) => {
    for (const side of ['source', 'target'] as const) {
      const tok = specialTokenIn(p[side], k[side]);
      if (tok !== undefined) {
        throw new DataError(`${pairWhere(p, i)}: the ${side} holds the word '${tok}', which with word tokens is the vocabulary's ${tok} marker (${SPECIAL_TOKENS.join(', ')} are reserved); write it another way (e.g. ${tok.slice(1, -1)})`);
      }
    }
  });
}

const PAIR_KEYS = ['source', 'target', 'where'];

/** A pair made in code is an object of PAIR_KEYS: a misspelt key ('targt') would otherwise be ignored silently. */
export function checkPairShape(p: unknown, i: number): void {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    throw new DataError(`pair ${i + 1}: must be an object {source, target} (where optional), got ${describe(p)}`);
  }
  const unknown = Object.keys(p).find((key) => !PAIR_KEYS.includes(key));
  if (unknown !== undefined) throw new DataError(`${pairWhere(p, i)}: unknown key '${unknown}'; a pair has the keys ${PAIR_KEYS.join(', ')}`);
  const where = (p as { where?: unknown }).where;
  if (where !== undefined && typeof where !== 'string') throw new DataError(`pair ${i + 1}: 'where' (the pair's name in messages) must be a string, got ${describe(where)}`);
}

/**
 * Pairs given through the API, checked as a pairs file's are read: each side a string with at least one token (an
 * empty one would otherwise be left out and counted with the over-long pairs), and no special-token word.
 */
export function checkPairTokens(pairs: readonly Pair[], kinds: TokenKind | SideTokens): void {
  const k = sideTokens(kinds);
  pairs.forEach((p, i) => {
    checkPairShape(p, i);
    const where = pairWhere(p, i);
    for (const side of ['source', 'target'] as const) {
      const text: unknown = p[side];
      if (typeof text !== 'string') throw new DataError(`${where}: the ${side} must be a string, got ${text === null ? 'null' : typeof text}`);
      const what = tokenize(text, k[side]).length === 0 ? `has no ${k[side] === 'word' ? 'words' : 'characters'}`
        // Whitespace alone is refused as a pairs file refuses it, even where character tokens would keep the spaces.
        : text.trim() === '' ? 'holds only whitespace' : null;
      if (what !== null) throw new DataError(`${where}: the ${side} ${what}; every pair needs a source and a target`);
    }
  });
  checkSurrogates(pairs);
  checkSpecialTokens(pairs, k);
}

export interface PairsRead {
  pairs: Pair[];
  /** A TSV's first line read as a header (source<TAB>target), not a pair: a guess the caller should show. */
  tsvHeader: boolean;
  /** The line the TSV header was on (its first line that is not blank); null without one. */
  headerLine: number | null;
  /** A TSV whose quotes read as a spreadsheet's or pandas's quoting (kept as written): a guess the caller should show. */
  spreadsheetQuoting: SpreadsheetQuoting | null;
}

/** How many sides of a TSV's pairs are wholly in quotes with their inner quotes doubled, and the first of them. */
export interface SpreadsheetQuoting { sides: number; first: { where: string; side: 'source' | 'target'; text: string } }

/**
 * Spreadsheets and pandas (csv.writer with a tab) write a TSV field holding a quote as `"..."` with its quotes
 * doubled, and some quote every field. A pairs TSV keeps such quotes as text (quotes may be what a task learns),
 * so the reader only counts what looks written so: every side holding a quote is wholly quoted with its inner
 * quotes doubled, and one of them holds a doubled quote (else every side is quoted). A quote used otherwise
 * anywhere (`say "hi"`) says the file is plain text.
 */
class QuotingCount {
  private quoted = 0;
  private doubled = 0;
  private plain = 0;
  private sides = 0;
  private first: SpreadsheetQuoting['first'] | null = null;

  add(p: Pair): void {
    for (const side of ['source', 'target'] as const) {
      const text = p[side];
      this.sides++;
      if (!text.includes('"')) continue;
      const inner = text.slice(1, -1);
      if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"') || inner.replace(/""/g, '').includes('"')) { this.plain++; continue; }
      this.quoted++;
      if (inner.includes('""')) this.doubled++;
      this.first ??= { where: p.where, side, text };
    }
  }

  result(): SpreadsheetQuoting | null {
    const looksQuoted = this.first !== null && this.plain === 0 && (this.doubled > 0 || this.quoted === this.sides);
    return looksQuoted ? { sides: this.quoted, first: this.first! } : null;
  }
}

/** The note on a TSV that looks spreadsheet-quoted: what was read, and how to have the text inside the quotes. */
export function spreadsheetQuotingNote(name: string, q: SpreadsheetQuoting, use: 'trained on' | 'scored' = 'trained on'): string {
  const { where, side, text } = q.first;
  // Cut by code points: a cut surrogate pair would print as a replacement character.
  const chars = Array.from(text);
  const shown = chars.length > 40 ? `${chars.slice(0, 40).join('')}...` : text;
  return `${name}: ${q.sides} source/target side(s) are wholly in quotes with their inner quotes doubled (the first: ${where}'s ${side} ${shown}), ` +
    `as spreadsheets and pandas write a TSV field holding a quote; TSV pairs are read as written, so these quotes are ${use} as text. ` +
    'For the text inside them, save the pairs as CSV (a .csv file with the header line source,target, read with CSV quoting rules) or as JSON Lines (.jsonl)';
}

/**
 * A JSON Lines or CSV file read as TSV (a .txt name, or the format tsv) fails on its first line for want of a tab:
 * the error names the format it looks like and how to read it so, as the CSV reader does for the reverse mistakes.
 */
function checkTsvFirstLine(text: string, where: string, names: PairReadOptions['optionNames']): void {
  // A raw tab is JSON whitespace, but no JSON Lines file holds one: a line with a tab is TSV as meant.
  if (text.includes('\t')) return;
  const jsonl = jsonObjectLineError(text, where, 'TSV', names);
  if (jsonl) throw jsonl;
  if (text.includes(',')) {
    const flag = optionWithValue(names, 'format', 'csv');
    throw new DataError(`${where}: no tab; each line must be source<TAB>target; the first line holds commas: is this CSV${flag ? ` (${flag})` : ''}?`);
  }
}

const READ_OPTIONS = ['format', 'maxLineChars', 'optionNames'];

/** Any format but tsv and csv was read as JSON Lines, and a misspelt key left the format to the file name. */
function checkReadOptions(o: PairReadOptions): void {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Seq2SeqOptionError('options', `readPairs takes an object of options {${READ_OPTIONS.join(', ')}}, got ${o === null ? 'null' : typeof o}`);
  const unknown = Object.keys(o).find((k) => !READ_OPTIONS.includes(k));
  if (unknown !== undefined) throw new Seq2SeqOptionError(unknown, `is not an option of readPairs; options: ${READ_OPTIONS.join(', ')}`);
  if (o.format !== undefined && !(PAIR_FORMATS as readonly string[]).includes(o.format)) throw new Seq2SeqOptionError('format', `must be one of ${PAIR_FORMATS.join(', ')}, got ${JSON.stringify(o.format)}`);
  if (o.maxLineChars !== undefined && !(Number.isInteger(o.maxLineChars) && o.maxLineChars >= 1)) throw new Seq2SeqOptionError('maxLineChars', `must be a positive integer, got ${String(o.maxLineChars)}`);
  const n = o.optionNames as unknown;
  if (n !== undefined && (typeof n !== 'object' || n === null || Array.isArray(n) || Object.keys(n).some((k) => k !== 'format') || typeof (n as { format?: unknown }).format !== 'string')) {
    throw new Seq2SeqOptionError('optionNames', `must be {format: NAME}, how messages name the format option (e.g. {format: '--pairs-format'}), got ${JSON.stringify(n)}`);
  }
}

/** Reads every pair of a file or stream (`name` is what errors call it, and a stream's format comes from its extension). */
export async function readPairs(source: ByteSource, name: string, options: PairReadOptions = {}): Promise<Pair[]> {
  return (await readPairsFile(source, name, options)).pairs;
}

/** readPairs, also saying whether a TSV's first line was taken as a header. */
export async function readPairsFile(source: ByteSource, name: string, options: PairReadOptions = {}): Promise<PairsRead> {
  checkReadOptions(options);
  const format = options.format ?? pairFormatOf(typeof source === 'string' ? source : name);
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_PAIR_LINE;
  const pairs: Pair[] = [];
  let header = false, headerLine: number | null = null, first = true;
  const quoting = new QuotingCount();
  if (format === 'tsv') {
    for await (const { text, line } of readLines(source, name, maxLineChars)) {
      // trim() strips tabs too: a line of a tab (and spaces) is a pair with empty sides, not a blank line.
      if (!text.includes('\t') && text.trim() === '') continue;
      const where = `${name}:${line}`;
      if (first) checkTsvFirstLine(text, where, options.optionNames);
      const pair = tsvPair(text, where);
      // Blank lines are skipped before the header as after it, as a CSV's header is found.
      const isHeader = first && isTsvHeader(pair);
      first = false;
      if (isHeader) { header = true; headerLine = line; continue; }
      quoting.add(pair);
      pairs.push(pair);
    }
  } else {
    const sink: RowSink = {
      row: (r) => pairs.push({ source: r.text, target: r.label!, where: r.where }),
      columns: () => { header = true; },
      bad: (b) => { throw new DataError(`${b.where}: ${pairsMessage(b.problem, format)}`); },
    };
    // The columns are fixed and no row is skipped: messages offer no option for either. Targets keep their spaces,
    // as sources do and as TSV keeps both (with character tokens a space is a token).
    const opts: TextDatasetOptions = { textColumn: 'source', labelColumn: 'target', maxLineChars, labelAsWritten: true,
      optionNames: { textColumn: null, labelColumn: null, skipBadRows: null, format: options.optionNames?.format } };
    try {
      if (format === 'csv') await readCsvRows(source, name, ',', opts, sink);
      else await readJsonlRows(source, name, opts, sink);
    } catch (e) {
      throw e instanceof DataError ? new DataError(pairsMessage(e.message, format)) : e;
    }
  }
  checkSurrogates(pairs);
  if (pairs.length === 0) throw new DataError(`${name}: no pairs (${header ? 'only a header' : 'the file is empty'}); expected ${format === 'tsv' ? 'source<TAB>target lines' : "rows with 'source' and 'target'"}`);
  return { pairs, tsvHeader: headerLine !== null, headerLine, spreadsheetQuoting: quoting.result() };
}

/**
 * Pairs as a JSON Lines pairs file ({"source": ..., "target": ...} per line), which readPairs reads back as they are:
 * unlike TSV it keeps a side's tabs, newlines and quotes, and a first pair that reads 'source', 'target'.
 */
export function pairsJsonl(pairs: readonly Pair[]): string {
  return pairs.map((p) => `${JSON.stringify({ source: p.source, target: p.target })}\n`).join('');
}
