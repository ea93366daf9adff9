/**
 * Streaming text input for user datasets: bytes are checked as UTF-8 (the first bad byte is reported with its
 * line), a leading BOM is dropped, and lines are capped in length, so a 2 GB file (or a 2 GB line) never becomes
 * one string. Lines end at LF, CRLF or a lone CR (classic Mac, and what Excel for Mac's "Macintosh" text formats
 * still write), as Python's universal newlines and the CSV reader read them.
 */
import { open as openFile, stat as statFile } from 'node:fs/promises';
import { DataError } from './errors.js';
import { localPathOf } from '../local_files.js';

/** Longest line (JSONL, plain text) or CSV record accepted, in characters, unless a caller asks otherwise. */
export const DEFAULT_MAX_LINE_CHARS = 10_000_000;

/** Counts lines and finds the first byte that cannot be UTF-8, across chunk boundaries. */
export class Utf8Checker {
  /** 1-based line of the next byte. */
  line = 1;
  /** The byte that began the bad sequence (after check returned an index). */
  badByte = 0;
  /** Where in the whole input the bad byte is (0: the very first byte, where a UTF-16 byte-order mark would be). */
  badOffset = -1;
  /** The input's first byte (-1 before any): 0x1f before a bad 0x8b is gzip's signature. */
  firstByte = -1;
  private seen = 0;
  private need = 0;
  private lead = 0;
  /** The range the next byte must be in when it is a sequence's second byte (Unicode's table 3-7), else 0x80..0xbf. */
  private lo = 0x80;
  private hi = 0xbf;
  /** The last byte was CR: an LF right after it ends the same line. */
  private cr = false;

  /** Index of the first byte where the text stops being UTF-8, or -1. */
  check(buf: Uint8Array): number {
    let need = this.need, line = this.line, lead = this.lead, cr = this.cr, lo = this.lo, hi = this.hi;
    if (this.firstByte < 0 && buf.length > 0) this.firstByte = buf[0];
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i];
      const afterCr = cr;
      cr = b === 13;
      let ok = true;
      if (need > 0) {
        // Overlong forms, UTF-16 surrogates (0xed 0xa0..) and code points past U+10FFFF are caught at their second
        // byte, so the line named is the bad one (the decoder alone would fail only at the end of the chunk).
        ok = b >= lo && b <= hi;
        lo = 0x80; hi = 0xbf;
        need--;
      } else if (b < 0x80) {
        if (b === 13 || (b === 10 && !afterCr)) line++;
        // NUL is valid UTF-8 but never text: it is how UTF-16 (without a byte-order mark) or a binary file reads.
        else if (b === 0) { lead = 0; ok = false; }
      } else {
        lead = b;
        if (b >= 0xc2 && b <= 0xdf) need = 1;
        else if ((b & 0xf0) === 0xe0) need = 2;
        else if (b >= 0xf0 && b <= 0xf4) need = 3;
        else ok = false;
        if (b === 0xe0) lo = 0xa0;
        else if (b === 0xed) hi = 0x9f;
        else if (b === 0xf0) lo = 0x90;
        else if (b === 0xf4) hi = 0x8f;
      }
      if (!ok) {
        this.badByte = lead;
        this.badOffset = this.seen + i;
        this.need = 0; this.line = line; this.lead = lead; this.cr = cr; this.lo = 0x80; this.hi = 0xbf;
        return i;
      }
    }
    this.need = need; this.line = line; this.lead = lead; this.cr = cr; this.lo = lo; this.hi = hi;
    this.seen += buf.length;
    return -1;
  }

  /** True when the input ended inside a multi-byte character. */
  get truncated(): boolean { return this.need > 0; }
}

export function utf8Problem(c: Utf8Checker): string {
  // A .csv.gz or .txt.gz given as is: "save it as UTF-8" would be the wrong advice for compressed UTF-8 text.
  if (c.badOffset === 1 && c.firstByte === 0x1f && c.badByte === 0x8b) return 'the file is gzip-compressed; decompress it first (e.g. with gunzip)';
  if (c.badOffset === 0 && (c.badByte === 0xff || c.badByte === 0xfe)) {
    return `the file starts with a UTF-16 byte-order mark (0x${c.badByte.toString(16)}); save it as UTF-8 (e.g. "CSV UTF-8" in a spreadsheet)`;
  }
  if (c.badByte === 0) return 'byte 0x00 (NUL) is not text: the file looks like UTF-16 or binary; save it as UTF-8 text';
  return `byte 0x${c.badByte.toString(16).padStart(2, '0')} is not UTF-8; save the file as UTF-8`;
}

export type ByteSource = string | AsyncIterable<Uint8Array | string>;

/**
 * Why a file could not be opened or read (a folder, no permission, a broken link), said after its name; null for
 * an error that is not the file's.
 */
export function readErrorProblem(e: unknown): string | null {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'this is a folder, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied: the file cannot be read';
  // The path itself is at fault; a system's trouble (EMFILE, EIO, ENOMEM) is not the file's and is no bad row to skip.
  if ((code === 'ELOOP' || code === 'ENAMETOOLONG' || code === 'ENOTDIR') && e instanceof Error) return `the file cannot be read (${e.message})`;
  return null;
}

const kindOf = (v: unknown): string => v === null ? 'null' : v instanceof URL ? 'a URL' : ArrayBuffer.isView(v) ? 'a Buffer or typed array'
  : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;

/**
 * Only a path or an iterable of chunks reads; anything else would fail inside the decoder and read as "not UTF-8".
 * A URL object is refused, as rl.data.csv refuses one: the text readers take paths (fileURLToPath gives one).
 */
function checkSource(source: unknown, name: string): void {
  if (typeof source === 'string') return;
  const iterable = typeof source === 'object' && source !== null && !ArrayBuffer.isView(source) && !(source instanceof URL)
    && (Symbol.asyncIterator in source || Symbol.iterator in source);
  if (iterable) return;
  const hint = source instanceof URL ? " (give the URL's path: fileURLToPath(url))" : ArrayBuffer.isView(source) ? ' (give the bytes as a stream: Readable.from([bytes]))' : '';
  throw new DataError(`${name}: the source must be a file path or a stream of bytes or strings (an async iterable of Uint8Array or string chunks), got ${kindOf(source)}${hint}`);
}

/**
 * A path as the model loaders and rl.data.csv read one: a file:// URL names a local file too (read as a plain path it
 * would be "no such file"); another scheme is refused, as nothing here downloads.
 */
function localFile(source: string, name: string): string {
  let local;
  try {
    local = localPathOf(source);
  } catch (e) {
    throw new DataError(`${name}: cannot read the URL as a local file: ${(e as Error).message}`);
  }
  if ('scheme' in local) throw new DataError(`${name}: unsupported URL scheme '${local.scheme}://'; rnnlab reads local files, given as paths or file:// URLs: download the file and give its path`);
  return local.path;
}

/** The bytes of a file, failing at its end if it is shorter than when it was opened (it changed while read). */
async function* fileBytes(source: string, name: string): AsyncGenerator<Uint8Array> {
  const file = localFile(source, name);
  const fh = await openFile(file, 'r');
  let stream: AsyncIterable<Buffer>;
  let size: number | null;
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: ${file}`), { code: 'EISDIR' });
    // Pipes and devices have no size to compare with.
    size = st.isFile() ? st.size : null;
    stream = fh.createReadStream({ highWaterMark: 1 << 20 });
  } catch (e) {
    await fh.close();
    throw e;
  }
  let read = 0;
  for await (const chunk of stream) {
    read += chunk.length;
    yield chunk;
  }
  // A file cut short while streamed would end early without a word, or on a half line read as a bad row. Some files
  // report a size they do not hold (sysfs says 4096): only one now smaller than at open has changed.
  if (size !== null && read < size && (await statFile(file).then((s) => s.size, () => -1)) < size) throw new DataError(`${name} changed while it was read (it is now shorter: ${read} of the ${size} bytes it had when opened were read); read it again once it is written`);
}

/** The decoded text of a file or stream in chunks; `name` is what errors call it. */
export async function* decodedChunks(source: ByteSource, name: string): AsyncGenerator<string> {
  checkSource(source, name);
  const checker = new Utf8Checker();
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  // Only the decoder's own failure (a sequence the byte check lets through, such as an encoded surrogate) is bad UTF-8.
  const decode = (bytes: Uint8Array): string => {
    try {
      return decoder.decode(bytes, { stream: true });
    } catch {
      throw new DataError(`${name}:${checker.line}: the text is not valid UTF-8; save the file as UTF-8`);
    }
  };
  try {
    let first = true, n = 0;
    for await (const chunk of typeof source === 'string' ? fileBytes(source, name) : source) {
      n++;
      // Text given as strings may start with a byte-order mark too (the decoder drops it from bytes).
      if (typeof chunk === 'string') { yield first && chunk.startsWith('\uFEFF') ? chunk.slice(1) : chunk; first = false; continue; }
      if (!((chunk as unknown) instanceof Uint8Array)) {
        throw new DataError(`${name}: chunk ${n} of the stream is ${kindOf(chunk)}; the stream must give bytes (Uint8Array) or strings (an objectMode stream of other values cannot be read as text)`);
      }
      first = false;
      const bad = checker.check(chunk);
      if (bad >= 0) {
        // The text before the bad byte still comes out, so a stream's reader gets every line before the bad one.
        const before = decode(chunk.subarray(0, bad));
        if (before) yield before;
        throw new DataError(`${name}:${checker.line}: ${utf8Problem(checker)}`);
      }
      const text = decode(chunk);
      if (text) yield text;
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    const problem = readErrorProblem(e);
    // The errno code stays on the error, so a caller can word its own message (rl.data.csv: "is a folder, not a CSV file").
    if (problem !== null) throw Object.assign(new DataError(`${name}: ${problem}`, { cause: e }), { code: (e as NodeJS.ErrnoException).code });
    const code = (e as NodeJS.ErrnoException | null)?.code;
    if (typeof code === 'string' && e instanceof Error) throw Object.assign(new Error(`${name}: ${e.message}`, { cause: e }), { code });
    throw e;
  }
  if (checker.truncated) throw new DataError(`${name}:${checker.line}: the file ends inside a UTF-8 character (truncated or not UTF-8)`);
}

/** Lines (without their LF, CRLF or lone CR) with their 1-based numbers; a line over maxChars is an error naming it. */
export async function* readLines(source: ByteSource, name: string, maxChars = DEFAULT_MAX_LINE_CHARS): AsyncGenerator<{ text: string; line: number }> {
  let pending = '';
  let line = 1;
  // The last chunk ended with a CR that ended a line: an LF opening the next chunk is the rest of that CRLF.
  let afterCr = false;
  const tooLong = () => new DataError(`${name}:${line}: line is longer than ${maxChars} characters; is this the right file?`);
  for await (const chunk of decodedChunks(source, name)) {
    if (chunk.length === 0) continue;
    let start: number = afterCr && chunk.startsWith('\n') ? 1 : 0;
    afterCr = false;
    const ends = /\r\n|\r|\n/g;
    ends.lastIndex = start;
    for (let m = ends.exec(chunk); m; m = ends.exec(chunk)) {
      const text = pending + chunk.slice(start, m.index);
      pending = '';
      if (text.length > maxChars) throw tooLong();
      yield { text, line };
      line++;
      start = m.index + m[0].length;
      afterCr = m[0] === '\r' && start === chunk.length;
    }
    pending += chunk.slice(start);
    if (pending.length > maxChars) throw tooLong();
  }
  if (pending.length > 0) yield { text: pending, line };
}

/**
 * Items in lists of `size` (the last may be shorter). When reading fails (a line too long, a bad byte), the items
 * read before the failure still come out as a last list ahead of the error: a stream's outputs then cover every
 * line before the bad one instead of stopping at the last full list.
 */
export async function* inBatches<T>(items: Iterable<T> | AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  try {
    for await (const t of items) {
      batch.push(t);
      if (batch.length === size) {
        const full = batch;
        batch = [];
        yield full;
      }
    }
  } catch (e) {
    if (batch.length) yield batch;
    throw e;
  }
  if (batch.length) yield batch;
}

const PAUSED = Symbol('paused');

/**
 * Items in lists of `size`, a shorter list as soon as the next item is not at hand: not there once the work already
 * queued has run (setImmediate's turn), so it waits on input, a pipe's writer or a person at a terminal, who then gets
 * the answers to the lines typed so far rather than none until `size` lines came or stdin closed. Lines of a chunk
 * already read come without such a wait and fill the list. When reading fails, the items read before still come out
 * as a last list, ahead of the error (as inBatches). closeSource closes the input when the consumer stops early with a
 * read under way: a paused stdin would never end that read, and the process would wait on it.
 */
export async function* batchesUntilPause<T>(items: AsyncIterable<T>, size: number, closeSource: () => void): AsyncGenerator<T[]> {
  const it = items[Symbol.asyncIterator]();
  let batch: T[] = [];
  // The read under way: kept across a pause, so no item is lost or read twice.
  let next: Promise<IteratorResult<T>> | null = null;
  let ended = false;
  try {
    for (;;) {
      next ??= it.next();
      const r = batch.length === 0 ? await next
        : await Promise.race([next, new Promise<typeof PAUSED>((resolve) => setImmediate(() => resolve(PAUSED)))]);
      if (r === PAUSED) {
        const out = batch;
        batch = [];
        yield out;
        continue;
      }
      next = null;
      if (r.done) { ended = true; break; }
      batch.push(r.value);
      if (batch.length === size) {
        const out = batch;
        batch = [];
        yield out;
      }
    }
  } catch (e) {
    ended = true;
    if (batch.length) yield batch;
    throw e;
  } finally {
    // Stopped early (the consumer's break, or its error): the reader closes its input. With a read under way, which a
    // paused input (stdin) may never end, the reader's own close waits behind it: the source is closed directly.
    if (!ended) {
      if (next) {
        next.catch(() => {});
        void it.return?.().catch(() => {});
        closeSource();
      } else {
        await it.return?.();
      }
    }
  }
  if (batch.length) yield batch;
}
