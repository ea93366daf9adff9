/**
 * Keras 3's CSVLogger: one row per epoch (epoch, then the first epoch's log keys sorted, then, when none of them is a
 * `val_` key, `val_<key>` for each; a key missing from an epoch's logs is 'NA') in a CSV file.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { checkTrainBegin } from '../models/callback_list.js';
import type { Logs } from '../models/progress.js';
import { FOLDER_WORDS } from '../local_files.js';
import { checkOptionKeys } from '../near_name.js';
import { BaseCallback } from './base.js';

export class CSVLogger extends BaseCallback {
  /** It adds no keys to the logs (modelCheckpoint's path check reads it). */
  static readonly addedEpochLogKeys: readonly string[] = [];
  private keys: string[] | null = null;
  /** Whether the first row must bring the header: always when writing afresh; when appending, only to a new or empty file (Keras). */
  private needsHeader = true;
  constructor(readonly filename: string, private readonly opts: { separator?: string; append?: boolean } = {}) {
    super();
    if (typeof filename !== 'string' || !filename) throw new Error(filenameMessage(filename));
    checkOptionKeys('CSVLogger', opts, ['separator', 'append'], { undefinedIsAbsent: false });
    const { separator, append } = opts ?? {};
    if (separator !== undefined) checkSeparator(separator);
    if (append !== undefined && typeof append !== 'boolean') throw new Error(`CSVLogger: append must be true or false, got ${JSON.stringify(append)}`);
  }
  /**
   * Without append, the file is replaced at the first row, not here (Keras opens it for writing in on_train_begin):
   * a run refused before its first epoch ends (another callback's option error in onTrainBegin) keeps the last log.
   */
  private replace = false;

  /**
   * Found before any epoch trains (Keras finds it on opening the file in on_train_begin; writing only at the first
   * row found it an epoch late): the file is opened for appending, which changes nothing in it, and a write of no
   * bytes tried (/proc files open, then fail with EIO). A file this made is removed again: the run may still be
   * refused by a check after this one, and onTrainBegin makes it.
   */
  [checkTrainBegin](): void {
    const existed = existsSync(this.filename);
    const fd = this.open('a');
    try { writeSync(fd, ''); } catch (e) { throw this.failure(e); } finally { closeSync(fd); }
    if (!existed) { try { unlinkSync(this.filename); } catch { /* onTrainBegin makes it anyway */ } }
  }

  onTrainBegin(): void {
    this.keys = null;
    this.replace = !this.opts.append;
    this.needsHeader = this.replace || !existsSync(this.filename) || statSync(this.filename).size === 0;
    // Made now, empty, as Keras's on_train_begin makes it; an existing log is replaced at the first row (above).
    if (!existsSync(this.filename)) closeSync(this.open('a'));
  }
  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const sep = this.opts.separator ?? ',';
    this.keys ??= columnKeys(logs);
    const field = (v: string) => csvField(v, sep);
    const row = [String(epoch), ...this.keys.map((k) => (k in logs ? cellText(logs[k]) : 'NA'))].map(field).join(sep);
    const text = `${this.needsHeader ? `${['epoch', ...this.keys].map(field).join(sep)}\n` : ''}${row}\n`;
    this.writeLines(text);
    this.replace = false;
    this.needsHeader = false;
  }

  /**
   * Whole lines or nothing: a write that fails part-way (no space left) is cut back to where the file ended, so no
   * half line is left for a later append to continue.
   */
  private writeLines(text: string): void {
    const fd = this.open(this.replace ? 'w' : 'a');
    let start = 0;
    try {
      start = fstatSync(fd).size;
      const bytes = Buffer.from(text, 'utf8');
      for (let at = 0; at < bytes.length;) {
        const n = writeSync(fd, bytes, at, bytes.length - at);
        if (n === 0) throw new Error(`the file took ${at} of the row's ${bytes.length} bytes and no more`);
        at += n;
      }
    } catch (e) {
      try { ftruncateSync(fd, start); } catch { /* the error below says what failed */ }
      throw this.failure(e);
    } finally {
      closeSync(fd);
    }
  }

  private open(flags: 'a' | 'w'): number {
    try { return openSync(this.filename, flags); } catch (e) { throw this.failure(e); }
  }

  private failure(e: unknown): Error {
    return new Error(`CSVLogger: cannot write the log file ${this.filename}: ${writeWords(e)}`, { cause: e });
  }
}

/** Why the log file cannot be written, in words, by the errno code; any other failure (EIO) by its message. */
function writeWords(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'its folder does not exist';
  if (code === 'EISDIR') return 'it is a folder';
  return FOLDER_WORDS[code ?? ''] ?? (e as Error)?.message ?? String(e);
}

/**
 * Keras's CSVLogger hands the separator to Python's csv writer as its delimiter, which must be one character
 * ("delimiter must be a 1-character string") and can be neither the quote mark nor a line break (a row would not
 * read back as the same fields).
 */
function checkSeparator(sep: unknown): void {
  const shown = typeof sep === 'string' ? JSON.stringify(sep) : typeof sep === 'object' && sep !== null ? 'an object' : String(sep);
  if (typeof sep !== 'string' || [...sep].length !== 1) {
    throw new Error(`CSVLogger: separator must be one character (Python's csv writer, which Keras uses: "delimiter must be a 1-character string"), got ${shown}`);
  }
  if (/["\r\n]/.test(sep)) throw new Error(`CSVLogger: separator ${shown} cannot be a quote mark or a line break: quoted fields and rows would not read back`);
}

/**
 * The first epoch's keys sorted, as Keras 3 takes them. With validationFreq > 1 that epoch has no validation values,
 * so, as Keras 3 does, a `val_` column is added for every key when none is there, to hold the later epochs' values
 * (and 'NA' without them, so a run without validation data has `val_` columns of 'NA' too).
 */
function columnKeys(logs: Logs): string[] {
  const keys = Object.keys(logs).sort();
  if (keys.length === 0 || keys.some((k) => k.startsWith('val_'))) return keys;
  return [...keys, ...keys.map((k) => `val_${k}`)];
}

/** csvLogger({filename}) was told "filename must be a non-empty path" though it gave one: say that it comes first. */
function filenameMessage(given: unknown): string {
  const base = 'CSVLogger: filename must be a non-empty path';
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return `${base}, got ${JSON.stringify(given) ?? String(given)}`;
  const { filename, ...rest } = given as Record<string, unknown>;
  const file = typeof filename === 'string' && filename ? JSON.stringify(filename) : 'filename';
  const opts = Object.keys(rest).length > 0 ? `, {${Object.keys(rest).join(', ')}}` : '';
  return `${base}, got an object: the file name is the first argument and the options (separator, append) the second, ` +
    `as in Keras's CSVLogger(filename, separator, append): write rl.callbacks.csvLogger(${file}${opts})`;
}

/**
 * A log value as Keras 3's CSVLogger hands it to Python's csv writer: a string as it is, a list (or typed array) as
 * the text '"[0.1, 0.2]"' with its quote marks (Keras's handle_value), null as an empty field, anything else as text.
 */
function cellText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (isList(v)) return `"${listText(v)}"`;
  return String(v);
}

function isList(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** Python's str() of a list: '[0.1, 0.2]', nested lists likewise. */
function listText(v: ArrayLike<unknown>): string {
  return `[${Array.from(v, (e) => (isList(e) ? listText(e) : String(e))).join(', ')}]`;
}

/**
 * A field as Python's csv writer (excel dialect, QUOTE_MINIMAL) writes it, which Keras 3's CSVLogger uses: quoted
 * when it holds the separator, a quote mark or a line break, its quote marks doubled (RFC 4180), so every row has
 * as many fields as the header.
 */
function csvField(text: string, sep: string): string {
  return text.includes(sep) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
