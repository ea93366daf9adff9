import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { DataError } from './errors.js';

/** One archive member as the header (plus any GNU long-name or pax record before it) describes it. */
export interface TarEntry {
  name: string;
  /** '0' regular file, '5' directory, '1'/'2' links, ...; the NUL type of old tars reads as '0'. */
  type: string;
  size: number;
}

/** Returns a consumer for the entry's bytes, or undefined to skip them without buffering. */
export type TarVisitor = (entry: TarEntry) => ((data: Buffer) => void) | undefined;

const BLOCK = 512;

/**
 * Push-style ustar/GNU/pax reader, so a gunzip stream can feed it chunk by chunk and skipped members
 * (the official tarball's unsup reviews and *.feat files) never sit in memory.
 */
export class TarParser {
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  private entry: TarEntry | undefined;
  private remaining = 0;
  private padding = 0;
  private sink: Buffer | undefined;
  private sinkFill = 0;
  private consumer: ((data: Buffer) => void) | undefined;
  private meta: 'longname' | 'pax' | undefined;
  private longName: string | undefined;
  private paxPath: string | undefined;
  private paxSize: number | undefined;
  private zeroBlocks = 0;
  private finished = false;
  private offset = 0;

  constructor(
    private readonly source: string,
    private readonly visit: TarVisitor,
  ) {}

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length && !this.finished) {
      if (this.entry === undefined && this.padding === 0) {
        const take = Math.min(BLOCK - this.headerFill, chunk.length - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + take);
        this.headerFill += take;
        pos += take;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.readHeader();
          this.offset += BLOCK;
        }
      } else if (this.entry !== undefined) {
        const take = Math.min(this.remaining, chunk.length - pos);
        if (this.sink) chunk.copy(this.sink, this.sinkFill, pos, pos + take);
        this.sinkFill += take;
        this.remaining -= take;
        pos += take;
        this.offset += take;
        if (this.remaining === 0) this.finishEntry();
      } else {
        const take = Math.min(this.padding, chunk.length - pos);
        this.padding -= take;
        pos += take;
        this.offset += take;
      }
    }
  }

  /** Call at end of input: anything short of a complete archive is an error. */
  end(): void {
    if (this.finished) return;
    if (this.entry !== undefined || this.padding > 0 || this.headerFill > 0) {
      const what = this.entry ? `inside member ${this.entry.name}` : 'inside a header';
      throw new DataError(`${this.source} is truncated: the archive ends ${what} (at byte ${this.offset})`);
    }
    if (this.zeroBlocks === 0) {
      throw new DataError(`${this.source} is truncated: no end-of-archive marker after byte ${this.offset}`);
    }
  }

  private readHeader(): void {
    const h = this.header;
    if (isZero(h)) {
      this.zeroBlocks += 1;
      if (this.zeroBlocks === 2) this.finished = true;
      return;
    }
    if (this.zeroBlocks > 0) throw this.corrupt('data after an end-of-archive block');
    verifyChecksum(h, () => this.corrupt('header checksum mismatch'));
    const typeByte = h[156];
    const type = typeByte === 0 ? '0' : String.fromCharCode(typeByte);
    const size = readSize(h, () => this.corrupt('bad size field'));
    const magic = h.toString('latin1', 257, 262);
    const prefix = magic === 'ustar' ? cString(h, 345, 155) : '';
    let name = cString(h, 0, 100);
    if (prefix) name = `${prefix}/${name}`;

    if (type === 'L' || type === 'x') {
      this.meta = type === 'L' ? 'longname' : 'pax';
      this.beginEntry({ name, type, size }, Buffer.alloc(size));
      return;
    }
    if (type === 'g' || type === 'K') {
      this.beginEntry({ name, type, size }, undefined);
      return;
    }
    if (this.longName !== undefined) name = this.longName;
    if (this.paxPath !== undefined) name = this.paxPath;
    const entry: TarEntry = { name, type, size: this.paxSize ?? size };
    this.longName = this.paxPath = this.paxSize = undefined;
    // Links and directories carry no data even if a writer filled the size field.
    if (type === '1' || type === '2' || type === '5') entry.size = 0;
    const consumer = this.visit(entry);
    this.consumer = consumer;
    this.beginEntry(entry, consumer ? Buffer.allocUnsafe(entry.size) : undefined);
  }

  private beginEntry(entry: TarEntry, sink: Buffer | undefined): void {
    this.entry = entry;
    this.remaining = entry.size;
    this.sink = sink;
    this.sinkFill = 0;
    if (entry.size === 0) this.finishEntry();
  }

  private finishEntry(): void {
    const entry = this.entry!;
    const data = this.sink;
    this.entry = undefined;
    this.sink = undefined;
    this.padding = (BLOCK - (entry.size % BLOCK)) % BLOCK;
    if (this.meta === 'longname') {
      this.longName = cString(data!, 0, data!.length);
    } else if (this.meta === 'pax') {
      this.readPax(data!);
    } else if (this.consumer) {
      const consumer = this.consumer;
      this.consumer = undefined;
      consumer(data ?? Buffer.alloc(0));
    }
    this.meta = undefined;
  }

  private readPax(data: Buffer): void {
    let pos = 0;
    while (pos < data.length) {
      const space = data.indexOf(0x20, pos);
      const len = space < 0 ? NaN : Number(data.toString('latin1', pos, space));
      if (!Number.isInteger(len) || len <= 0 || pos + len > data.length) throw this.corrupt('malformed pax header');
      const record = data.toString('utf8', space + 1, pos + len - 1);
      const eq = record.indexOf('=');
      const key = record.slice(0, eq);
      const value = record.slice(eq + 1);
      if (key === 'path') this.paxPath = value;
      if (key === 'size') this.paxSize = Number(value);
      pos += len;
    }
  }

  private corrupt(why: string): DataError {
    return new DataError(`${this.source} is corrupt: ${why} at byte ${this.offset} of the tar stream`);
  }
}

function isZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function cString(b: Buffer, start: number, len: number): string {
  let end = start;
  while (end < start + len && b[end] !== 0) end++;
  return b.toString('utf8', start, end);
}

function readOctal(b: Buffer, start: number, len: number): number {
  const text = b.toString('latin1', start, start + len).replace(/\0.*$/s, '').trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

function readSize(h: Buffer, fail: () => DataError): number {
  // GNU base-256 for members over 8 GiB: high bit set, big-endian in the remaining bytes.
  if (h[124] & 0x80) {
    let v = h[124] & 0x7f;
    for (let i = 125; i < 136; i++) v = v * 256 + h[i];
    if (!Number.isSafeInteger(v)) throw fail();
    return v;
  }
  const v = readOctal(h, 124, 12);
  if (!Number.isFinite(v)) throw fail();
  return v;
}

function verifyChecksum(h: Buffer, fail: () => DataError): void {
  const stored = readOctal(h, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : h[i];
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  // Some historic tars summed signed bytes; accept either, as GNU tar does.
  if (stored !== unsigned && stored !== signed) throw fail();
}

/**
 * Streams a .tar or .tar.gz (sniffed by magic bytes) through a TarParser. Gzip failures (bad data,
 * truncated stream) and tar structure failures both come back as DataError naming the file.
 */
export async function readTarFile(path: string, visit: TarVisitor): Promise<void> {
  const head = Buffer.alloc(2);
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new DataError(`cannot open ${path}: ${err.message}`, { cause: err });
  });
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const parser = new TarParser(path, visit);
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = gzipped ? input.pipe(createGunzip({ chunkSize: 1 << 18 })) : input;
  if (gzipped) input.on('error', (err) => stream.destroy(err));
  try {
    for await (const chunk of stream) parser.push(chunk as Buffer);
  } catch (err) {
    input.destroy();
    stream.destroy();
    if (err instanceof DataError) throw err;
    const e = err as NodeJS.ErrnoException;
    const detail = e.code === 'Z_BUF_ERROR' ? 'unexpected end of file' : e.message;
    throw new DataError(`${path} is corrupt or truncated (${gzipped ? 'gzip' : 'read'}: ${detail})`, { cause: err });
  }
  parser.end();
}
