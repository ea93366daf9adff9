/**
 * Score raw texts with a saved text classifier: texts are read lazily, vectorized and predicted in large batches,
 * and records come out in input order with every class's probability. Works for rnnlab-text.json models and for
 * IMDb models saved by `rnnlab imdb`.
 */
import { DataError } from '../data/errors.js';
import { readRows, type TextDatasetOptions, type TextFormat } from '../data/text_dataset.js';
import { optionName } from '../data/text_options.js';
import { inBatches, readLines, type ByteSource } from '../data/text_stream.js';
import { Tensor } from '../tensor.js';
import { loadTextClassifier, type TextClassifier } from './text_classifier_file.js';
import { predictedClass, toClassProbabilities } from './text_metrics.js';

export interface PredictOptions {
  /** Texts read, vectorized and scored together (default 2048); the model runs them 256 at a time. */
  batchSize?: number;
  /** Also list the k most probable classes (1..classes). */
  topK?: number;
}

export interface PredictionRecord {
  /** 0-based position in the input. */
  index: number;
  text: string;
  /** null for a blank text (nothing to score): its output is empty, so outputs stay in line with the inputs. */
  label: string | null;
  probability: number | null;
  /** Every class's probability, in the model's class order ({} for a blank text). */
  probabilities: Record<string, number>;
  top?: { label: string; probability: number }[];
}

type Texts = Iterable<string> | AsyncIterable<string>;

async function* strings(texts: Texts): AsyncGenerator<string> {
  for await (const t of texts as AsyncIterable<string>) {
    if (typeof t !== 'string') throw new DataError(`predictTexts: every text must be a string, got ${typeof t}`);
    yield t;
  }
}

/** Rows per forward pass: larger batches spill the recurrent layers' per-step buffers out of cache (measured ~1.5x slower at 2048). */
const FORWARD_BATCH = 256;

/** Class probabilities, [texts.length, classes] row-major. */
export function scoreBatch(clf: TextClassifier, texts: readonly string[]): Float64Array {
  const x = clf.encoder.encode(texts);
  const out = clf.model.predict(new Tensor(x.data, x.shape, 'int32'), { batchSize: FORWARD_BATCH });
  return toClassProbabilities(out.values, clf.classes.length);
}

export async function* predictTexts(model: string | TextClassifier, texts: Texts, options: PredictOptions = {}): AsyncGenerator<PredictionRecord> {
  const batchSize = options.batchSize ?? 2048;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new DataError(`batchSize must be a positive integer, got ${batchSize}`);
  const clf = typeof model === 'string' ? await loadTextClassifier(model) : model;
  const C = clf.classes.length;
  const topK = options.topK;
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1 && topK <= C)) throw new DataError(`topK must be an integer in [1, ${C}] for this model, got ${topK}`);
  let index = 0;
  for await (const all of inBatches(strings(texts), batchSize)) {
    // Blank texts are not scored: each gives an empty record in its place.
    const batch = all.filter((t) => t.trim() !== '');
    const probs = batch.length ? scoreBatch(clf, batch) : new Float64Array(0);
    let r = -1;
    for (const text of all) {
      if (text.trim() === '') {
        yield { index: index++, text, label: null, probability: null, probabilities: {}, ...(topK !== undefined ? { top: [] } : {}) };
        continue;
      }
      r++;
      const best = predictedClass(probs, r, C);
      // fromEntries defines each class as its own key: an assignment to a class named '__proto__' would be dropped.
      const probabilities: Record<string, number> = Object.fromEntries(clf.classes.map((c, k) => [c, probs[r * C + k]]));
      const rec: PredictionRecord = { index: index++, text: batch[r], label: clf.classes[best], probability: probs[r * C + best], probabilities };
      if (topK !== undefined) {
        rec.top = clf.classes.map((label, k) => ({ label, probability: probs[r * C + k] }))
          .sort((a, b) => b.probability - a.probability).slice(0, topK);
      }
      yield rec;
    }
  }
}

export type TextInputFormat = 'lines' | Exclude<TextFormat, 'folder'>;

/**
 * The texts of a file or stream to score: 'lines' (one text per line; a blank line is a blank text, which
 * predictTexts answers with an empty record, so outputs stay in line with the input's lines), or the text column
 * of a CSV/TSV/JSONL file (labels, if any, ignored). 'lines' streams. CSV, TSV and JSONL from a stream (stdin) stream
 * too, each row's text coming out as soon as its record is complete, so a program that writes a row and waits gets
 * its answer; from a file they are read whole first, so a bad row anywhere stops the file before any text comes out.
 */
export async function* readTexts(source: ByteSource, format: TextInputFormat, name: string, options: TextDatasetOptions = {}): AsyncGenerator<string> {
  if (format === 'lines') {
    for await (const { text } of readLines(source, name, options.maxLineChars)) yield text;
    return;
  }
  // A file of no rows (a header alone) scores nothing, as an empty lines file does; a file of bad rows only is an error.
  const skipWith = optionName(options.optionNames, 'skipBadRows');
  let skipped = 0, firstBad = '', texts = 0;
  const readInto = (from: ByteSource, text: (t: string) => void) => readRows(from, format, { ...options, labelsOptional: true }, {
    row: (r) => text(r.text),
    bad: (b) => {
      if (!options.skipBadRows) throw new DataError(`${b.where}: ${b.problem}${skipWith ? ` (skip such rows with ${skipWith})` : ''}`);
      if (skipped++ === 0) firstBad = `${b.where}: ${b.problem}`;
    },
  }, name);
  // Anything but a stream (a path; a value readRows refuses, naming what it is) goes the whole way.
  const stream = typeof source === 'object' && source !== null && !ArrayBuffer.isView(source) && (Symbol.asyncIterator in source || Symbol.iterator in source);
  if (!stream) {
    const whole: string[] = [];
    await readInto(source, (t) => whole.push(t));
    texts = whole.length;
    yield* whole;
  } else {
    for await (const t of rowsAsRead(source, readInto)) { texts++; yield t; }
  }
  if (texts === 0 && skipped) throw new DataError(`${name}: every row was bad (${skipped} skipped; first: ${firstBad})`);
}

/**
 * The rows' texts that `read` finds in a stream, handed on one by one as the reader calls back, in the order read.
 * The stream's next chunk is read only once every row of those before is taken, so a fast writer fills no memory. A
 * failure comes after the rows read before it. Stopped early, the stream is closed, as a reader's own early stop
 * closes it (a Readable, stdin, destroyed), also while a read of it waits: a paused stdin would never end that read.
 */
async function* rowsAsRead(source: AsyncIterable<Uint8Array | string>, read: (from: ByteSource, text: (t: string) => void) => Promise<void>): AsyncGenerator<string> {
  let queue: string[] = [], taken = 0;
  let finished = false, failed = false, failure: unknown;
  let stopped = false, pulling = false;
  // The consumer waiting for a row; the reader waiting for the rows it found to be taken.
  let rowWanted: (() => void) | null = null, chunkWanted: (() => void) | null = null;
  const wake = (w: (() => void) | null) => w?.();
  // checkSource (readRows) takes an iterable of chunks too, as for await reads one.
  const chunks = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (async function* () { yield* source as unknown as Iterable<Uint8Array | string>; })();
  async function* chunksOnDemand(): AsyncGenerator<Uint8Array | string> {
    try {
      for (;;) {
        while (taken < queue.length && !stopped) await new Promise<void>((resolve) => { chunkWanted = resolve; });
        if (stopped) return;
        pulling = true;
        const next = await chunks.next().finally(() => { pulling = false; });
        if (next.done || stopped) return;
        yield next.value;
      }
    } finally {
      await chunks.return?.();
    }
  }
  const reading = read(chunksOnDemand(), (t) => {
    queue.push(t);
    const w = rowWanted; rowWanted = null; wake(w);
  });
  reading.then(() => { finished = true; }, (e: unknown) => { finished = true; failed = true; failure = e; })
    .finally(() => { const w = rowWanted; rowWanted = null; wake(w); });
  try {
    for (;;) {
      if (taken < queue.length) {
        const t = queue[taken++];
        if (taken === queue.length) { queue = []; taken = 0; }
        yield t;
        continue;
      }
      if (finished) {
        if (failed) throw failure;
        return;
      }
      const rowCame = new Promise<void>((resolve) => { rowWanted = resolve; });
      const c = chunkWanted; chunkWanted = null; wake(c);
      await rowCame;
    }
  } finally {
    if (!finished) {
      stopped = true;
      const c = chunkWanted; chunkWanted = null; wake(c);
      if (pulling) (source as { destroy?: () => void }).destroy?.();
    }
  }
}
