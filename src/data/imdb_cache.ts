import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { makeFolders } from '../local_files.js';
import type { Split } from './imdb_reviews.js';

/** The full-vocabulary encoding of one split, in canonical order, before any load() option applies. */
export interface EncodedSplit {
  count: number;
  labels: Uint8Array;
  ratings: Uint8Array;
  reviewIds: Uint32Array;
  /** count+1 offsets into `ranks`. */
  offsets: Uint32Array;
  /** Word ranks from the word index (the=1), all reviews back to back. */
  ranks: Uint32Array;
  /** The largest rank in `ranks` (0 when empty), so a load without maxlen needs no pass to find it. */
  maxRank: number;
}

export type EncodedCorpus = Record<Split, EncodedSplit>;

/**
 * What the cache must match: the tarball's content (its SHA-256) and the word index it was encoded with.
 * The file's identity (device, inode, size, mtime, ctime) is a fast pre-check: when all of it matches the
 * cache header the stored hash is trusted; otherwise the tarball is hashed (once) before the cache is used.
 */
export interface SourceKey {
  path: string;
  size: number;
  mtimeMs: number;
  /** Changes on every write or touch and cannot be set back, unlike mtime. */
  ctimeMs: number;
  dev: number;
  ino: number;
  wordIndexSize: number;
  /** Filled in by contentHash when the pre-check does not decide. */
  sha256?: string;
}

// Bump when the layout or the tokenization changes: old files are then simply not found.
export const CACHE_VERSION = 2;

export function sourceKey(tarPath: string, wordIndexPath: string): SourceKey {
  const st = statSync(tarPath);
  return { path: tarPath, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, dev: st.dev, ino: st.ino, wordIndexSize: statSync(wordIndexPath).size };
}

/** The tarball's SHA-256, computed at most once per key. */
export async function contentHash(key: SourceKey): Promise<string> {
  if (key.sha256 === undefined) {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(key.path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    key.sha256 = hash.digest('hex');
  }
  return key.sha256;
}

/** Whether the file is, by everything the file system says about it, the one the cache was made from. */
function sameFile(a: Omit<SourceKey, 'path'>, b: SourceKey): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.dev === b.dev && a.ino === b.ino;
}
const MAGIC = 'RNNLIMDB';
const SPLIT_ORDER: readonly Split[] = ['train', 'test'];

export function cacheFileName(key: SourceKey): string {
  return `imdb-${key.size}-${Math.trunc(key.mtimeMs)}.v${CACHE_VERSION}.bin`;
}

interface Header {
  format: 'rnnlab-imdb';
  version: number;
  source: Omit<SourceKey, 'path'> & { sha256: string };
  splits: Record<Split, { count: number; tokens: number; checksum: number; maxRank: number }>;
}

const pad4 = (n: number) => (n + 3) & ~3;

function checksum(a: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a[i], 16777619);
  return h >>> 0;
}

function splitBytes(count: number, tokens: number): number {
  return 2 * pad4(count) + 4 * count + 4 * (count + 1) + 4 * tokens;
}

/** Returns the cached corpus, or undefined when the file is absent, made from other content, truncated or damaged. */
export async function readCache(dir: string, key: SourceKey): Promise<EncodedCorpus | undefined> {
  if (endianness() !== 'LE') return undefined;
  let buf: Buffer;
  try {
    buf = readFileSync(join(dir, cacheFileName(key)));
  } catch {
    return undefined;
  }
  if (buf.length < 16 || buf.toString('latin1', 0, 8) !== MAGIC || buf.readUInt32LE(8) !== CACHE_VERSION) return undefined;
  const headerBytes = buf.readUInt32LE(12);
  if (16 + headerBytes > buf.length) return undefined;
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 16, 16 + headerBytes)) as Header;
  } catch {
    return undefined;
  }
  const s = header.source;
  if (header.format !== 'rnnlab-imdb' || header.version !== CACHE_VERSION) return undefined;
  if (s?.size !== key.size || s.wordIndexSize !== key.wordIndexSize || typeof s.sha256 !== 'string') return undefined;
  // Two tarballs of one size and mtime share this file name: only the content decides whose cache it is.
  if (!sameFile(s, key) && s.sha256 !== (await contentHash(key).catch(() => undefined))) return undefined;
  let expected = 16 + headerBytes;
  for (const split of SPLIT_ORDER) expected += splitBytes(header.splits[split].count, header.splits[split].tokens);
  if (buf.length !== expected) return undefined;

  // Typed-array views need 4-byte alignment; Node gives large reads their own ArrayBuffer, but be sure.
  const bytes = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
  let at = bytes.byteOffset + 16 + headerBytes;
  const take = <T>(make: (b: ArrayBuffer, off: number, n: number) => T, n: number, width: number): T => {
    const view = make(bytes.buffer as ArrayBuffer, at, n);
    at += width === 1 ? pad4(n) : width * n;
    return view;
  };
  const corpus = {} as EncodedCorpus;
  for (const split of SPLIT_ORDER) {
    const { count, tokens, maxRank } = header.splits[split];
    const labels = take((b, o, n) => new Uint8Array(b, o, n), count, 1);
    const ratings = take((b, o, n) => new Uint8Array(b, o, n), count, 1);
    const reviewIds = take((b, o, n) => new Uint32Array(b, o, n), count, 4);
    const offsets = take((b, o, n) => new Uint32Array(b, o, n), count + 1, 4);
    const ranks = take((b, o, n) => new Uint32Array(b, o, n), tokens, 4);
    if (checksum(ranks) !== header.splits[split].checksum || offsets[count] !== tokens) return undefined;
    if (!Number.isInteger(maxRank)) return undefined;
    corpus[split] = { count, labels, ratings, reviewIds, offsets, ranks, maxRank };
  }
  return corpus;
}

/**
 * Writes through a temp file and a rename, so a crash or a concurrent loader never leaves a half file
 * under the real name. Failure to write is not fatal: the cache is only a speed-up.
 */
export async function writeCache(dir: string, key: SourceKey, corpus: EncodedCorpus): Promise<string | undefined> {
  if (endianness() !== 'LE') return undefined;
  const { path: tarPath, ...identity } = key;
  let sha256: string;
  try {
    sha256 = await contentHash(key);
  } catch (err) {
    process.stderr.write(`rnnlab: not caching the IMDb arrays: cannot hash ${tarPath}: ${(err as Error).message}\n`);
    return undefined;
  }
  const header: Header = {
    format: 'rnnlab-imdb',
    version: CACHE_VERSION,
    source: { ...identity, sha256 },
    splits: {
      train: summary(corpus.train),
      test: summary(corpus.test),
    },
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerBytes = pad4(json.length);
  const preamble = Buffer.alloc(16 + headerBytes, 0x20);
  preamble.write(MAGIC, 0, 'latin1');
  preamble.writeUInt32LE(CACHE_VERSION, 8);
  preamble.writeUInt32LE(headerBytes, 12);
  json.copy(preamble, 16);

  const file = join(dir, cacheFileName(key));
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  let fd: number | undefined;
  try {
    makeFolders(dir);
    fd = openSync(tmp, 'w');
    writeSync(fd, preamble);
    for (const split of SPLIT_ORDER) {
      const s = corpus[split];
      writeSync(fd, padded(s.labels));
      writeSync(fd, padded(s.ratings));
      writeSync(fd, view(s.reviewIds));
      writeSync(fd, view(s.offsets));
      writeSync(fd, view(s.ranks));
    }
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
    return file;
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    process.stderr.write(`rnnlab: could not write the IMDb cache ${file}: ${(err as Error).message}\n`);
    return undefined;
  }
}

function summary(s: EncodedSplit) {
  return { count: s.count, tokens: s.ranks.length, checksum: checksum(s.ranks), maxRank: s.maxRank };
}

function view(a: Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function padded(a: Uint8Array): Uint8Array {
  const out = new Uint8Array(pad4(a.length));
  out.set(a);
  return out;
}
