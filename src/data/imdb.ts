import { DataError, requireInteger } from './errors.js';
import { readCache, sourceKey, writeCache, type EncodedCorpus, type EncodedSplit } from './imdb_cache.js';
import { scanReviews, SPLITS, type Split } from './imdb_reviews.js';
import { checkSourceOptions, requireBooleanOption, resolveCacheDir, resolveImdbTarball, type SourceOptions } from './imdb_source.js';
import { IMDB_IDS, imdbEncodeRanks } from './imdb_tokenize.js';
import { sharedWordIndex, WORD_INDEX_PATH } from './imdb_words.js';
import { refuseUnknownOptions } from './options.js';
import { Rng } from './random.js';

export interface ImdbLoadOptions extends SourceOptions {
  /** Keep ids below numWords, the rest become oovChar (Keras's num_words). Default: all. */
  numWords?: number | null;
  /** Ids below skipTop become oovChar. Keras compares ids (rank + indexFrom), not ranks; so do we. */
  skipTop?: number;
  /** Drop reviews whose sequence, start char included, is not shorter than maxlen (Keras's rule). */
  maxlen?: number | null;
  /** Shuffles train, then test, from one stream. Default 113, Keras's default. */
  seed?: number;
  startChar?: number | null;
  /** null drops out-of-range words instead of replacing them, as oov_char=None in Keras. */
  oovChar?: number | null;
  indexFrom?: number;
  /** Read and write the derived-array cache (default true). */
  cache?: boolean;
}

export interface ImdbSplit {
  /** One sequence per review; all are views into one buffer. */
  x: Int32Array[];
  /** 0 negative, 1 positive. */
  y: Int32Array;
}

export interface ImdbData {
  train: ImdbSplit;
  test: ImdbSplit;
  /** Every id is below this (Keras's effective num_words). */
  numWords: number;
}

export interface RawSplit {
  texts: string[];
  labels: Int32Array;
  /** The star rating from the file name: 1-4 negative, 7-10 positive. */
  ratings: Int32Array;
  /** The review number from the file name. */
  ids: Int32Array;
  /** Archive member names, e.g. aclImdb/train/pos/576_10.txt. */
  files: string[];
}

export interface ImdbRaw {
  train: RawSplit;
  test: RawSplit;
}

export const DEFAULT_SEED = 113;

const SOURCE_KEYS = ['path', 'cacheDir', 'download', 'url', 'expectedSize', 'progress', 'env'] as const;
const LOAD_KEYS = [...SOURCE_KEYS, 'numWords', 'skipTop', 'maxlen', 'seed', 'startChar', 'oovChar', 'indexFrom', 'cache'];

/** `keras.datasets.imdb.load_data`, from the official tarball, with a binary cache of the encoding. */
export async function load(options: ImdbLoadOptions = {}): Promise<ImdbData> {
  refuseUnknownOptions(options, LOAD_KEYS, 'imdb.load');
  const opts = checkOptions(options);
  const corpus = await loadEncoded(options);
  const rng = new Rng(opts.seed);
  const order = { train: rng.permutation(corpus.train.count), test: rng.permutation(corpus.test.count) };

  const kept = {} as Record<Split, Int32Array>;
  for (const split of SPLITS) kept[split] = keptReviews(corpus[split], order[split], opts);

  let numWords = opts.numWords;
  if (numWords === null) {
    // Keras takes the largest id as num_words and then keeps ids *below* it, so that one id turns OOV.
    numWords = 0;
    for (const split of SPLITS) numWords = Math.max(numWords, maxId(corpus[split], kept[split], opts));
  }
  return {
    train: build(corpus.train, kept.train, opts, numWords),
    test: build(corpus.test, kept.test, opts, numWords),
    numWords,
  };
}

/** The reviews as text, in canonical order (negatives then positives, by id) unless `seed` shuffles them. */
export async function loadRaw(options: SourceOptions & { seed?: number } = {}): Promise<ImdbRaw> {
  refuseUnknownOptions(options, [...SOURCE_KEYS, 'seed'], 'imdb.loadRaw');
  checkSourceOptions(options);
  if (options.seed !== undefined) requireInteger('seed', options.seed, Number.MIN_SAFE_INTEGER);
  const tar = await resolveImdbTarball(options);
  const scanned = await scanReviews(tar, (text) => text);
  const rng = options.seed === undefined ? undefined : new Rng(options.seed);
  const out = {} as ImdbRaw;
  for (const split of SPLITS) {
    const list = scanned[split];
    const order = rng ? rng.permutation(list.length) : Int32Array.from(list.keys());
    const n = list.length;
    const raw: RawSplit = { texts: [], labels: new Int32Array(n), ratings: new Int32Array(n), ids: new Int32Array(n), files: [] };
    order.forEach((src, i) => {
      const { ref, value } = list[src];
      raw.texts.push(value);
      raw.files.push(ref.member);
      raw.labels[i] = ref.label;
      raw.ratings[i] = ref.rating;
      raw.ids[i] = ref.id;
    });
    out[split] = raw;
  }
  return out;
}

/** The full-vocabulary encoding, from the cache when it matches the tarball, else from the tarball. */
export async function loadEncoded(options: ImdbLoadOptions = {}): Promise<EncodedCorpus> {
  const tar = await resolveImdbTarball(options);
  const cacheDir = resolveCacheDir(options);
  const key = sourceKey(tar, WORD_INDEX_PATH);
  const useCache = options.cache ?? true;
  const cached = useCache ? await readCache(cacheDir, key) : undefined;
  if (cached) return cached;
  const wordIndex = sharedWordIndex();
  // Packed per review right away, so the peak stays near the size of the result.
  const scanned = await scanReviews(tar, (text) => Uint32Array.from(imdbEncodeRanks(text, wordIndex)));
  const corpus = {} as EncodedCorpus;
  for (const split of SPLITS) {
    const list = scanned[split];
    const n = list.length;
    const offsets = new Uint32Array(n + 1);
    list.forEach((r, i) => (offsets[i + 1] = offsets[i] + r.value.length));
    const ranks = new Uint32Array(offsets[n]);
    let maxRank = 0;
    for (const r of list) for (const v of r.value) if (v > maxRank) maxRank = v;
    const s: EncodedSplit = {
      count: n,
      labels: new Uint8Array(n),
      ratings: new Uint8Array(n),
      reviewIds: new Uint32Array(n),
      offsets,
      ranks,
      maxRank,
    };
    list.forEach((r, i) => {
      ranks.set(r.value, offsets[i]);
      s.labels[i] = r.ref.label;
      s.ratings[i] = r.ref.rating;
      s.reviewIds[i] = r.ref.id;
    });
    corpus[split] = s;
  }
  if (useCache) await writeCache(cacheDir, key, corpus);
  return corpus;
}

interface Checked {
  numWords: number | null;
  skipTop: number;
  maxlen: number | null;
  seed: number;
  startChar: number | null;
  oovChar: number | null;
  indexFrom: number;
}

function checkOptions(o: ImdbLoadOptions): Checked {
  checkSourceOptions(o);
  requireBooleanOption('cache', o.cache);
  const indexFrom = requireInteger('indexFrom', o.indexFrom ?? IMDB_IDS.indexFrom, 0);
  const numWords = o.numWords ?? null;
  if (numWords !== null && (!Number.isInteger(numWords) || numWords <= indexFrom)) {
    throw new DataError(
      `numWords must be an integer above indexFrom=${indexFrom} (ids below it are reserved for padding, start and OOV), got ${numWords}`,
    );
  }
  const maxlen = o.maxlen ?? null;
  if (maxlen !== null) requireInteger('maxlen', maxlen, 1);
  const nullableId = (name: string, v: number | null | undefined, d: number) =>
    v === null ? null : requireInteger(name, v ?? d, 0, 2 ** 31 - 1);
  return {
    numWords,
    skipTop: requireInteger('skipTop', o.skipTop ?? 0, 0),
    maxlen,
    seed: requireInteger('seed', o.seed ?? DEFAULT_SEED, Number.MIN_SAFE_INTEGER),
    startChar: nullableId('startChar', o.startChar, IMDB_IDS.start),
    oovChar: nullableId('oovChar', o.oovChar, IMDB_IDS.oov),
    indexFrom,
  };
}

function seqLength(s: EncodedSplit, i: number, o: Checked): number {
  return s.offsets[i + 1] - s.offsets[i] + (o.startChar === null ? 0 : 1);
}

/** Review indices in shuffled order that survive the maxlen filter. */
function keptReviews(s: EncodedSplit, order: Int32Array, o: Checked): Int32Array {
  if (o.maxlen === null) return order;
  const maxlen = o.maxlen;
  const kept = order.filter((i) => seqLength(s, i, o) < maxlen);
  if (kept.length === 0) {
    let shortest = Infinity;
    for (let i = 0; i < s.count; i++) shortest = Math.min(shortest, seqLength(s, i, o));
    throw new DataError(
      `maxlen=${maxlen} keeps no review: Keras keeps sequences shorter than maxlen, and the shortest has ${shortest} ids ` +
        `(start char included); use maxlen > ${shortest}, or pad/truncate with padSequences instead`,
    );
  }
  return kept;
}

function maxId(s: EncodedSplit, kept: Int32Array, o: Checked): number {
  let maxRank = 0;
  const { offsets, ranks } = s;
  if (kept.length === s.count) maxRank = s.maxRank;
  else for (const i of kept) for (let k = offsets[i]; k < offsets[i + 1]; k++) if (ranks[k] > maxRank) maxRank = ranks[k];
  return Math.max(o.startChar ?? 0, maxRank + o.indexFrom);
}

function build(s: EncodedSplit, kept: Int32Array, o: Checked, numWords: number): ImdbSplit {
  const { skipTop, startChar, oovChar, indexFrom } = o;
  const { offsets, ranks } = s;
  // In rank terms, ids in [skipTop, numWords) are ranks in [lo, hi).
  const lo = skipTop - indexFrom;
  const hi = numWords - indexFrom;
  const startKept = startChar !== null && startChar >= skipTop && startChar < numWords;
  let total = 0;
  for (const i of kept) {
    if (oovChar !== null) total += seqLength(s, i, o);
    else {
      if (startKept) total++;
      for (let k = offsets[i]; k < offsets[i + 1]; k++) if (ranks[k] >= lo && ranks[k] < hi) total++;
    }
  }
  const flat = new Int32Array(total);
  const x: Int32Array[] = new Array(kept.length);
  const y = new Int32Array(kept.length);
  let at = 0;
  for (let row = 0; row < kept.length; row++) {
    const i = kept[row];
    const begin = at;
    if (startChar !== null) {
      if (startKept) flat[at++] = startChar;
      else if (oovChar !== null) flat[at++] = oovChar;
    }
    const end = offsets[i + 1];
    if (oovChar !== null) {
      for (let k = offsets[i]; k < end; k++) {
        const r = ranks[k];
        flat[at++] = r >= lo && r < hi ? r + indexFrom : oovChar;
      }
    } else {
      for (let k = offsets[i]; k < end; k++) {
        const r = ranks[k];
        if (r >= lo && r < hi) flat[at++] = r + indexFrom;
      }
    }
    x[row] = flat.subarray(begin, at);
    y[row] = s.labels[i];
  }
  return { x, y };
}
