/**
 * Reads a .tar or .tar.gz member by member with tar-stream over Node's zlib: skipped members (the official
 * tarball's unsup reviews and URL lists) stream past, and a member is held in memory only when a visitor
 * asks for it and only up to a cap, so a small hostile download cannot make it allocate gigabytes.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { DataError } from './errors.js';

/** One archive member as its header (with any GNU long-name or pax record before it) describes it. */
export interface TarEntry {
  name: string;
  /** The tar type flag: '0' regular file, '5' directory, '1'/'2' links, ...; '?' for a flag tar does not define. */
  type: string;
  size: number;
}

/** Returns a consumer for the entry's bytes, or undefined to skip them without buffering. */
export type TarVisitor = (entry: TarEntry) => ((data: Buffer) => void) | undefined;

export interface TarLimits {
  /** Largest member handed to a visitor (IMDb reviews are a few KB). */
  maxMemberBytes?: number;
  /** Largest member streamed past unread (the official tarball's biggest is a few MB). */
  maxSkippedBytes?: number;
}

export const MAX_MEMBER_BYTES = 4 << 20;
export const MAX_SKIPPED_BYTES = 256 << 20;

const BLOCK = 512;
const END_MARKER = 2 * BLOCK;
const TYPE_FLAGS: Record<string, string> = {
  file: '0', link: '1', symlink: '2', 'character-device': '3', 'block-device': '4', directory: '5', fifo: '6', 'contiguous-file': '7',
};

const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/**
 * Streams a tar archive from `input` (already decompressed) through the visitor. `source` names the
 * archive in errors. Structure failures are DataErrors saying what is wrong and where.
 */
export function readTarStream(source: string, input: Readable, visit: TarVisitor, limits: TarLimits = {}): Promise<void> {
  const maxMember = limits.maxMemberBytes ?? MAX_MEMBER_BYTES;
  const maxSkipped = limits.maxSkippedBytes ?? MAX_SKIPPED_BYTES;
  // Old v7 tars have no ustar magic; the checksum still guards their headers.
  const extract = tar.extract({ allowUnknownFormat: true } as Parameters<typeof tar.extract>[0]);
  let fed = 0;
  // Where the last complete member ends: the next header starts here (after any pax or long-name records).
  let end = 0;
  let current: string | undefined;

  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      input.destroy();
      extract.destroy();
      reject(err instanceof DataError ? err : explain(source, err, { current, end, fed }));
    };
    const corrupt = (why: string) => new DataError(`${source} is corrupt: ${why}`);

    extract.on('entry', (header, stream, next) => {
      const entry: TarEntry = { name: header.name, type: TYPE_FLAGS[header.type ?? ''] ?? '?', size: header.size ?? 0 };
      let consumer: ((data: Buffer) => void) | undefined;
      try {
        consumer = visit(entry);
      } catch (err) {
        fail(err);
        return;
      }
      const cap = consumer ? maxMember : maxSkipped;
      if (entry.size > cap) {
        fail(corrupt(`member ${entry.name} declares ${entry.size} bytes, more than the ${cap} bytes a member may expand to here (a damaged or hostile archive)`));
        return;
      }
      current = entry.name;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk) => {
        if (consumer) chunks.push(chunk as Buffer);
      });
      stream.on('error', fail);
      stream.on('end', () => {
        if (failed) return;
        current = undefined;
        end = (header as unknown as { byteOffset: number }).byteOffset + padded(entry.size);
        try {
          consumer?.(Buffer.concat(chunks));
        } catch (err) {
          fail(err);
          return;
        }
        next();
      });
    });
    extract.on('error', fail);
    extract.on('finish', () => {
      if (failed) return;
      // tar-stream reads zero blocks as empty headers; a complete archive has at least two after its last member.
      if (fed - end < END_MARKER) fail(new DataError(`${source} is truncated: no end-of-archive marker after byte ${end}`));
      else resolve();
    });
    input.on('data', (chunk: Buffer) => (fed += chunk.length));
    input.on('error', fail);
    input.pipe(extract);
  });
}

function explain(source: string, err: unknown, at: { current?: string; end: number; fed: number }): DataError {
  const message = (err as Error)?.message ?? String(err);
  if (/^Invalid tar header/.test(message)) return new DataError(`${source} is corrupt: header checksum mismatch at byte ${at.end} of the tar stream`, { cause: err });
  if (message === 'Invalid header') return new DataError(`${source} is corrupt: bad size field in the header at byte ${at.end} of the tar stream`, { cause: err });
  if (message === 'Header exceeds max size') return new DataError(`${source} is corrupt: a long-name or pax record over 4 MiB at byte ${at.end}`, { cause: err });
  if (message === 'Unexpected end of data') {
    const what = at.current !== undefined ? `inside member ${at.current}` : 'inside a header';
    return new DataError(`${source} is truncated: the archive ends ${what} (at byte ${at.fed})`, { cause: err });
  }
  return new DataError(`${source} is corrupt: ${message}`, { cause: err });
}

/**
 * Reads a .tar or .tar.gz (sniffed by magic bytes). Gzip failures (bad data, truncated stream) and tar
 * structure failures both come back as DataError naming the file.
 */
export async function readTarFile(path: string, visit: TarVisitor, limits: TarLimits = {}): Promise<void> {
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
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const input = gzipped ? file.pipe(createGunzip({ chunkSize: 1 << 18 })) : file;
  if (gzipped) file.on('error', (err) => input.destroy(err));
  // A failing gunzip or read is the compression or the file, not the tar structure: say so.
  let streamError: NodeJS.ErrnoException | undefined;
  input.on('error', (err: NodeJS.ErrnoException) => (streamError ??= err));
  try {
    await readTarStream(path, input, visit, limits);
  } catch (err) {
    file.destroy();
    if (!streamError) throw err;
    const detail = streamError.code === 'Z_BUF_ERROR' ? 'unexpected end of file' : streamError.message;
    throw new DataError(`${path} is corrupt or truncated (${gzipped ? 'gzip' : 'read'}: ${detail})`, { cause: streamError });
  }
}
