import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
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

// Bump when the layout, the checksum or the tokenization changes: old files are then simply not found.
// v3: the checksum covers every payload byte and the header's counts, not only the ranks.
export const CACHE_VERSION = 3;

export function sourceKey(tarPath: string, wordIndexPath: string): SourceKey {
  const st = statSync(tarPath);
  return { path: tarPath, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, dev: st.dev, ino: st.ino, wordIndexSize: statSync(wordIndexPath).size };
}

/** The tarball's SHA-256, computed at most once per key (and per file a run holds: tarballSha256). */
export async function contentHash(key: SourceKey): Promise<string> {
  if (key.sha256 === undefined) {
    const fd = openSync(key.path, 'r');
    try {
      key.sha256 = tarballSha256(fd);
    } finally {
      closeSync(fd);
    }
  }
  return key.sha256;
}

/**
 * The tarballs a run holds open (imdb's, opened at its start: holdTarball), by the file's identity, each with its
 * SHA-256 once hashed: the data cache's write and the run's checkpoints then read the same 80 MB once. The identity is
 * the cache's own pre-check (sameFile): a file written or touched since is another, hashed anew.
 */
const heldTarballs = new Map<string, { holders: number; sha256?: string }>();

const identityOf = (st: Stats) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;

/** The SHA-256 in hex of the file open as fd, read from its start; one a run holds (holdTarball) is hashed once. */
export function tarballSha256(fd: number): string {
  const held = heldTarballs.get(identityOf(fstatSync(fd)));
  if (held?.sha256 !== undefined) return held.sha256;
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (let at = 0, n = 0; (n = readSync(fd, chunk, 0, chunk.length, at)) > 0; at += n) hash.update(chunk.subarray(0, n));
  const hex = hash.digest('hex');
  if (held) held.sha256 = hex;
  return hex;
}

/** Shares the hash of the file open as fd among tarballSha256's callers until the returned release is called. */
export function holdTarball(fd: number): () => void {
  const identity = identityOf(fstatSync(fd));
  const held = heldTarballs.get(identity) ?? { holders: 0 };
  held.holders++;
  heldTarballs.set(identity, held);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--held.holders === 0) heldTarballs.delete(identity);
  };
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

/** FNV-1a over 32-bit words, continuing from h: a change to any single word always changes the result. */
function fnv(h: number, words: ArrayLike<number>): number {
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 16777619);
  return h;
}

const FNV_START = 0x811c9dc5;

/** The checksum of one split: its header counts, then its payload as written (labels and ratings padded to 4 bytes). */
function splitChecksum(count: number, tokens: number, maxRank: number, payload: readonly Uint32Array[]): number {
  let h = fnv(FNV_START, [count, tokens, maxRank]);
  for (const words of payload) h = fnv(h, words);
  return h >>> 0;
}

function splitBytes(count: number, tokens: number): number {
  return 2 * pad4(count) + 4 * count + 4 * (count + 1) + 4 * tokens;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Whether the parsed header has every field readCache relies on, of the right type. */
function wellFormed(h: unknown): h is Header {
  const header = h as Partial<Header> | null;
  if (typeof header !== 'object' || header === null || header.format !== 'rnnlab-imdb' || header.version !== CACHE_VERSION) return false;
  if (typeof header.source !== 'object' || header.source === null || typeof header.splits !== 'object' || header.splits === null) return false;
  return SPLIT_ORDER.every((split) => {
    const s = header.splits![split];
    return typeof s === 'object' && s !== null && isCount(s.count) && isCount(s.tokens) && isCount(s.maxRank) && isCount(s.checksum);
  });
}

/**
 * Whether the arrays are what the encoder makes: labels 0/1 with a rating of their polarity (neg 1-4, pos 7-10),
 * offsets rising from 0 to the token count, ranks from 1 whose largest is maxRank. With the checksum, this keeps
 * a damaged or hand-edited file from being returned as data.
 */
function consistent(s: EncodedSplit): boolean {
  const { count, labels, ratings, offsets, ranks, maxRank } = s;
  for (let i = 0; i < count; i++) {
    const r = ratings[i];
    if (labels[i] === 1 ? r < 7 || r > 10 : labels[i] !== 0 || r < 1 || r > 4) return false;
  }
  if (offsets[0] !== 0 || offsets[count] !== ranks.length) return false;
  for (let i = 0; i < count; i++) if (offsets[i + 1] < offsets[i]) return false;
  let max = 0;
  for (let k = 0; k < ranks.length; k++) {
    if (ranks[k] === 0) return false;
    if (ranks[k] > max) max = ranks[k];
  }
  return max === maxRank;
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
  if (headerBytes % 4 !== 0 || 16 + headerBytes > buf.length) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8', 16, 16 + headerBytes));
  } catch {
    return undefined;
  }
  if (!wellFormed(parsed)) return undefined;
  const header = parsed;
  const s = header.source;
  if (s.size !== key.size || s.wordIndexSize !== key.wordIndexSize || typeof s.sha256 !== 'string') return undefined;
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
    const { count, tokens, maxRank, checksum } = header.splits[split];
    const payload = new Uint32Array(bytes.buffer, at, splitBytes(count, tokens) / 4);
    if (splitChecksum(count, tokens, maxRank, [payload]) !== checksum) return undefined;
    const labels = take((b, o, n) => new Uint8Array(b, o, n), count, 1);
    const ratings = take((b, o, n) => new Uint8Array(b, o, n), count, 1);
    const reviewIds = take((b, o, n) => new Uint32Array(b, o, n), count, 4);
    const offsets = take((b, o, n) => new Uint32Array(b, o, n), count + 1, 4);
    const ranks = take((b, o, n) => new Uint32Array(b, o, n), tokens, 4);
    const encoded: EncodedSplit = { count, labels, ratings, reviewIds, offsets, ranks, maxRank };
    if (!consistent(encoded)) return undefined;
    corpus[split] = encoded;
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
  const payload = { train: payloadOf(corpus.train), test: payloadOf(corpus.test) };
  const header: Header = {
    format: 'rnnlab-imdb',
    version: CACHE_VERSION,
    source: { ...identity, sha256 },
    splits: { train: summary(corpus.train, payload.train), test: summary(corpus.test, payload.test) },
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
  try {
    makeFolders(dir);
  } catch (err) {
    warnUnusableFolder(dir, err);
    return undefined;
  }
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    writeSync(fd, preamble);
    for (const split of SPLIT_ORDER) for (const words of payload[split]) writeSync(fd, new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
    return file;
  } catch (err) {
    // Cleanup is best effort: its own failure must not replace the warning, nor make the load fail.
    try {
      if (fd !== undefined) closeSync(fd);
      rmSync(tmp, { force: true });
    } catch { /* a leftover .tmp is listed and removed by `rnnlab cache clean` */ }
    process.stderr.write(`rnnlab: could not write the IMDb cache ${file}: ${(err as Error).message}\n`);
    return undefined;
  }
}

const warnedFolders = new Set<string>();

/** One warning per folder and process: a loop of loads with a bad RNNLAB_CACHE should not repeat it for each. */
function warnUnusableFolder(dir: string, err: unknown): void {
  if (warnedFolders.has(dir)) return;
  warnedFolders.add(dir);
  process.stderr.write(`rnnlab: not caching the IMDb arrays: the cache folder ${dir} (option cacheDir, else RNNLAB_CACHE) is unusable: ${(err as Error).message}\n`);
}

/** A split's bytes as written, in 32-bit words: labels and ratings zero-padded to a multiple of 4 bytes. */
function payloadOf(s: EncodedSplit): Uint32Array[] {
  return [padded(s.labels), padded(s.ratings), s.reviewIds, s.offsets, s.ranks];
}

function summary(s: EncodedSplit, payload: readonly Uint32Array[]) {
  const tokens = s.ranks.length;
  return { count: s.count, tokens, checksum: splitChecksum(s.count, tokens, s.maxRank, payload), maxRank: s.maxRank };
}

function padded(a: Uint8Array): Uint32Array {
  const out = new Uint8Array(pad4(a.length));
  out.set(a);
  return new Uint32Array(out.buffer);
}
