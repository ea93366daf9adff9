/**
 * Keras 3's CSVLogger: one row per epoch (epoch, then the first epoch's log keys sorted, then, when none of them is a
 * `val_` key, `val_<key>` for each; a key missing from an epoch's logs is 'NA') in a CSV file.
 */
import { appendFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import type { Logs } from '../models/progress.js';
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
    if (separator !== undefined && (typeof separator !== 'string' || separator === '')) throw new Error(`CSVLogger: separator must be a non-empty string, got ${JSON.stringify(separator)}`);
    if (append !== undefined && typeof append !== 'boolean') throw new Error(`CSVLogger: append must be true or false, got ${JSON.stringify(append)}`);
  }
  /**
   * Without append, the file is replaced at the first row, not here (Keras opens it for writing in on_train_begin):
   * a run refused before its first epoch ends (another callback's option error in onTrainBegin) keeps the last log.
   */
  private replace = false;
  onTrainBegin(): void {
    this.keys = null;
    this.replace = !this.opts.append;
    this.needsHeader = this.replace || !existsSync(this.filename) || statSync(this.filename).size === 0;
  }
  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const sep = this.opts.separator ?? ',';
    this.keys ??= columnKeys(logs);
    const field = (v: string) => csvField(v, sep);
    const row = [String(epoch), ...this.keys.map((k) => (k in logs ? cellText(logs[k]) : 'NA'))].map(field).join(sep);
    const text = `${this.needsHeader ? `${['epoch', ...this.keys].map(field).join(sep)}\n` : ''}${row}\n`;
    if (this.replace) writeFileSync(this.filename, text);
    else appendFileSync(this.filename, text);
    this.replace = false;
    this.needsHeader = false;
  }
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
