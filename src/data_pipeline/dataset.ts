/**
 * rl.data's Dataset: a lazy, re-iterable stream (tfjs.data semantics). Each iteration calls the source again,
 * and every transformation pulls one element at a time, so a dataset larger than memory streams through
 * fit without ever being materialised.
 */
import { Random, derivedSeed } from '../random.js';
import { batchElements } from './batching.js';
import { disposeElement, disposeExcept, elementTensors, refuseStale } from './element_tensors.js';
import { dispose } from '../ops/memory.js';
import type { Tensor } from '../tensor.js';

export type Source<T> = () => AsyncIterator<T>;

/**
 * What a source returns when it ends on its own (it ran out, or take reached its count). tfjs's exhausted iterators
 * send {value: null, done: true} then, on every later read; an end passed on from upstream (skip, filter, prefetch,
 * take short of its count, data.generator) keeps its value, undefined included. A plain `return;` could be either,
 * so the ops pass this marker along as any returned value, and a reader (iterator(), for-await) sees null.
 */
export const OWN_END: unique symbol = Symbol('rl.data: ended');

/** What dataset.iterator() gives: tfjs's LazyIterator surface. */
export interface DatasetIterator<T> extends AsyncIterator<T> {
  toArray(): Promise<T[]>;
  forEachAsync(f: (x: T) => void | Promise<void>): Promise<void>;
}

export class Dataset<T> {
  /** size: the element count when known (tfjs's dataset.size), null otherwise. */
  constructor(private readonly source: Source<T>, readonly size: number | null = null) {}

  /**
   * A fresh iterator from the start (tfjs: await dataset.iterator(), then await it.next()), with tfjs's iterator
   * helpers toArray() and forEachAsync(f) over what is left of it.
   */
  async iterator(): Promise<DatasetIterator<T>> {
    const it = reading(this.source) as DatasetIterator<T>;
    const rest = { [Symbol.asyncIterator]: () => it };
    it.toArray = async () => { const out: T[] = []; for await (const x of rest) out.push(x); return out; };
    it.forEachAsync = async (f) => { callable('forEachAsync', f); await eachConsumed(rest, f); };
    return it;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> { return reading(this.source); }

  map<U>(f: (x: T) => U): Dataset<U> {
    callable('map', f);
    const src = this.source;
    return new Dataset(async function* () {
      let index = 0;
      for await (const x of iterable(src)) {
        const consumed = elementTensors(x);
        refuseStale('map', consumed, `element ${index++}`);
        const y = f(x);
        if (isThenable(y)) refusePromise(y, consumed, index - 1);
        disposeExcept(consumed, y);
        yield y;
      }
      return OWN_END;
    }, this.size);
  }

  mapAsync<U>(f: (x: T) => Promise<U>): Dataset<U> {
    callable('mapAsync', f);
    const src = this.source;
    return new Dataset(async function* () {
      let index = 0;
      for await (const x of iterable(src)) {
        const consumed = elementTensors(x);
        refuseStale('mapAsync', consumed, `element ${index++}`);
        const y = await f(x);
        disposeExcept(consumed, y);
        yield y;
      }
      return OWN_END;
    }, this.size);
  }

  /**
   * Size unknown afterwards, except that a filtered infinite dataset stays infinite (tfjs), so toArray refuses it.
   * The predicate may return a promise of its answer (tfjs's docs allow it; a pending promise is not a yes).
   */
  filter(pred: (x: T) => boolean | Promise<boolean>): Dataset<T> {
    callable('filter', pred);
    const src = this.source;
    return new Dataset(async function* () {
      let index = 0;
      const up = new Upstream(src);
      for await (const x of up) {
        refuseStale('filter', elementTensors(x), `element ${index++}`);
        if (await pred(x)) yield x;
        else disposeElement(x);
      }
      return up.returned;
    }, this.size === Infinity ? Infinity : null);
  }

  /** Groups consecutive elements into batches, stacking numbers, arrays and tensors (objects and tuples per key). */
  batch(batchSize: number, smallLastBatch = true): Dataset<unknown> {
    positiveInt('batch', 'batchSize', batchSize);
    if (typeof smallLastBatch !== 'boolean') throw new Error(`dataset.batch: smallLastBatch must be true or false, got ${JSON.stringify(smallLastBatch)}`);
    const src = this.source;
    const size = this.size === null ? null : smallLastBatch ? Math.ceil(this.size / batchSize) : Math.floor(this.size / batchSize);
    return new Dataset(async function* () {
      let buf: T[] = [];
      try {
        for await (const x of iterable(src)) {
          buf.push(x);
          if (buf.length === batchSize) { const out = stacked(buf); buf = []; yield out; }
        }
        if (buf.length > 0 && smallLastBatch) { const out = stacked(buf); buf = []; yield out; }
        return OWN_END;
      } finally {
        // Rows not stacked: a short last batch that is not kept (dropped, as filter's elements are), or a pass that
        // failed mid-batch.
        for (const x of buf) disposeElement(x);
      }
    }, size);
  }

  /**
   * Keras/tfjs's buffered shuffle: keeps bufferSize elements and emits a random one as each new element arrives.
   * seed makes the order reproducible; each iteration reshuffles unless reshuffleEachIteration is false.
   */
  shuffle(bufferSize: number, seed?: number | string | null, reshuffleEachIteration = true): Dataset<T> {
    positiveInt('shuffle', 'bufferSize', bufferSize);
    if (typeof reshuffleEachIteration !== 'boolean') throw new Error(`dataset.shuffle: reshuffleEachIteration must be true or false, got ${String(reshuffleEachIteration)}`);
    // tfjs seeds may be strings: hash one to an integer, so the same string always gives the same order.
    if (typeof seed === 'string') seed = hashSeed(seed);
    // tfjs reads a null seed as none (the clock's).
    if (seed === null) seed = undefined;
    if (seed !== undefined && !Number.isSafeInteger(seed)) throw new Error(`dataset.shuffle: seed must be an integer or a string, got ${String(seed)}`);
    const src = this.source;
    // Unseeded: after rl.setSeed a seed derived from it (reproducible, as Keras's global seed makes a shuffle), else a fresh one.
    const own = seed ?? derivedSeed();
    const base = new Random(own);
    return new Dataset(async function* () {
      const rng = reshuffleEachIteration ? new Random(Math.floor(base.next() * 2 ** 31)) : new Random(own);
      const buf: T[] = [];
      try {
        for await (const x of iterable(src)) {
          if (buf.length < bufferSize) { buf.push(x); continue; }
          const i = rng.int(bufferSize);
          const out = buf[i];
          buf[i] = x;
          yield out;
        }
        while (buf.length) {
          const i = rng.int(buf.length);
          const out = buf[i];
          buf[i] = buf[buf.length - 1];
          buf.pop();
          yield out;
        }
        return OWN_END;
      } finally {
        // Stopped early (take, break, evaluateDataset's batches): the buffered elements will never be yielded.
        for (const x of buf) disposeElement(x);
      }
    }, this.size);
  }

  /** Reads up to bufferSize elements ahead, so a slow source overlaps with training. */
  prefetch(bufferSize: number): Dataset<T> {
    positiveInt('prefetch', 'bufferSize', bufferSize);
    const src = this.source;
    return new Dataset(async function* () {
      const it = src();
      const ahead: Promise<IteratorResult<T>>[] = [];
      let finished = false;
      let returned: unknown;
      try {
        for (;;) {
          while (ahead.length < bufferSize) ahead.push(it.next());
          const r = await ahead.shift()!;
          if (r.done) { finished = true; returned = r.value; return r.value; }
          yield r.value;
        }
      } finally {
        // Stopped early (or failed): the read-ahead will never be yielded, so its elements are disposed (its errors
        // no longer matter) before the source is closed; a value sent with done: true (a generator's return value)
        // is held too. After a finish, a read past the end may repeat tensors of the value just returned (data.func
        // calls f again), which stay the caller's.
        for (const r of await Promise.allSettled(ahead)) {
          if (r.status === 'fulfilled') disposeExcept(elementTensors(r.value.value), returned);
        }
        if (!finished) await it.return?.();
      }
    }, this.size);
  }

  /** The first count elements; none, a negative or an infinite count takes them all (tfjs). */
  take(count?: number): Dataset<T> {
    // tfjs: no count, a negative one (-Infinity too) or one past the end takes everything.
    if (count === undefined || count === Infinity || count === -Infinity) count = -1;
    integer('take', count);
    if (count < 0) return new Dataset(this.source, this.size);
    const src = this.source;
    return new Dataset(async function* () {
      if (count === 0) return OWN_END;
      let n = 0;
      const up = new Upstream(src);
      for await (const x of up) { yield x; if (++n >= count) return OWN_END; }
      return up.returned;
    }, this.size === null ? null : Math.min(this.size, count));
  }

  /** All but the first count elements; none, a negative or an infinite count skips them all (tfjs). */
  skip(count?: number): Dataset<T> {
    // tfjs's docs and size: no count or a negative one skips everything, as one past the end does. (tfjs 4.x's
    // iterator then yields every element under size 0; the documented reading is the one that agrees with size.)
    if (count === undefined || count === Infinity || count === -Infinity) count = -1;
    integer('skip', count);
    if (count < 0) return new Dataset<T>(async function* () { return OWN_END; }, 0);
    const src = this.source;
    return new Dataset(async function* () {
      let n = 0;
      const up = new Upstream(src);
      for await (const x of up) if (n++ >= count) yield x; else disposeElement(x);
      return up.returned;
    }, this.size === null ? null : Math.max(0, this.size - count));
  }

  /** tfjs's a.concatenate(b): a's elements, then b's. */
  concatenate(other: Dataset<T>): Dataset<T> {
    if (!(other instanceof Dataset)) throw new Error('concatenate: expected an rl.data dataset');
    const src = this.source, more = other.source;
    return new Dataset(async function* () {
      for await (const x of iterable(src)) yield x;
      for await (const x of iterable(more)) yield x;
      return OWN_END;
    }, concatenatedSize(this.size, other.size));
  }

  /** Repeats the whole dataset count times (forever without a count), re-running the source each time. */
  repeat(count?: number): Dataset<T> {
    // tfjs: a negative count (-Infinity too) repeats forever, as no count does; Infinity reads the same, as take(Infinity) takes all.
    if (count === Infinity || count === -Infinity) count = undefined;
    if (count !== undefined) integer('repeat', count);
    if (count !== undefined && count < 0) count = undefined;
    const src = this.source;
    return new Dataset(async function* () {
      for (let k = 0; count === undefined || k < count; k++) {
        let any = false;
        for await (const x of iterable(src)) { any = true; yield x; }
        if (!any) return OWN_END;
      }
      return OWN_END;
    }, repeatedSize(this.size, count));
  }

  async forEachAsync(f: (x: T) => void | Promise<void>): Promise<void> {
    callable('forEachAsync', f);
    await eachConsumed(iterable(this.source), f);
  }

  async toArray(): Promise<T[]> {
    if (this.size === Infinity) throw new Error('toArray: the dataset is infinite (repeat() without a count); take(n) first');
    const out: T[] = [];
    for await (const x of iterable(this.source)) out.push(x);
    return out;
  }

  /** tfjs's toArrayForTest: toArray under the name tfjs's own tests use. */
  toArrayForTest(): Promise<T[]> { return this.toArray(); }
}

/**
 * forEachAsync's pass: tfjs's is map(f) drained, so each element's tensors that f's result does not hold are
 * disposed once f has run (rl.keep'd ones too: keep guards against tidy, not dispose, in tfjs as here), and a pass
 * leaves numTensors flat; clone() a tensor to keep it. f's promise is awaited before the disposal (tfjs awaits
 * nothing and disposes the input as soon as f returns), so an async f may read its element throughout.
 */
async function eachConsumed<T>(items: AsyncIterable<T>, f: (x: T) => void | Promise<void>): Promise<void> {
  let index = 0;
  for await (const x of items) {
    const consumed = elementTensors(x);
    refuseStale('forEachAsync', consumed, `element ${index++}`);
    let result: unknown;
    try {
      result = await f(x);
    } finally {
      disposeExcept(consumed, result);
    }
  }
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => v !== null && (typeof v === 'object' || typeof v === 'function')
  && typeof (v as { then?: unknown }).then === 'function';

/**
 * map given an async function: its input's tensors would be disposed before the promise resolved (map disposes
 * them once f returns), so they are released only when it settles, together with what it resolved to, and map fails.
 */
function refusePromise(y: PromiseLike<unknown>, consumed: Tensor[], index: number): never {
  const release = (v?: unknown) => { dispose(consumed); disposeElement(v); };
  Promise.resolve(y).then(release, () => release());
  throw new Error(`dataset.map: the function returned a promise for element ${index}; use dataset.mapAsync for an async function`);
}

/** One batch; the rows' tensors, now copied into it, are disposed (tfjs's batch is a map over row groups). */
function stacked(rows: unknown[]): unknown {
  rows.forEach((r, i) => refuseStale('batch', elementTensors(r), `element ${i} of the batch`));
  const consumed = elementTensors(rows);
  const out = batchElements(rows);
  disposeExcept(consumed, out);
  return out;
}

/** src's iterator as a reader sees it: an own end reads {value: null, done: true}, on every later read too. */
function reading<T>(src: Source<T>): AsyncIterator<T> {
  const it = src();
  const read = it.next.bind(it);
  let ended = false;
  it.next = async () => {
    if (ended) return { value: null, done: true };
    const r = await read();
    if (r.done && r.value === OWN_END) { ended = true; return { value: null, done: true }; }
    return r;
  };
  return it;
}

function iterable<T>(src: Source<T>): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: src };
}

/**
 * src as for-await reads it (closed when the reader stops early), keeping the value it sends with done: true, which
 * for-await drops. take, skip, filter and prefetch pass that value on, as tfjs's do (the others end with OWN_END), since
 * fitDataset and evaluateDataset use it as the last batch.
 */
class Upstream<T> implements AsyncIterable<T> {
  returned: unknown = undefined;
  constructor(private readonly src: Source<T>) {}

  [Symbol.asyncIterator](): AsyncIterator<T> {
    const it = this.src();
    return {
      next: async () => {
        const r = await it.next();
        if (r.done) this.returned = r.value;
        return r;
      },
      return: async () => (await it.return?.()) ?? { value: undefined, done: true },
    };
  }
}

/** Checked when the op is made: a non-function would otherwise fail only on iterating, as 'f is not a function'. */
function callable(op: string, f: unknown): void {
  if (typeof f !== 'function') throw new Error(`dataset.${op}: expected a function, got ${f === null ? 'null' : typeof f}`);
}

function positiveInt(op: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`dataset.${op}: ${name} must be a positive integer, got ${String(v)}`);
}

/**
 * A count is an integer. A fraction is refused: tfjs takes ceil(count) elements but reports size count (take(2.5) of
 * five gives 3 elements and size 2.5), an accident of its loop rather than a reading to copy.
 */
function integer(op: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new Error(`dataset.${op}: count must be an integer (or none, a negative one or Infinity for ${op === 'repeat' ? 'forever' : 'all'}), got ${String(v)}`);
  }
}

/** FNV-1a over the string's UTF-16 units: a string seed as a deterministic 32-bit integer. */
function hashSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h;
}

/** An infinite side makes the whole infinite whatever the other's size (tfjs), so fitDataset and toArray refuse it. */
function concatenatedSize(a: number | null, b: number | null): number | null {
  if (a === Infinity || b === Infinity) return Infinity;
  return a === null || b === null ? null : a + b;
}

/**
 * repeat's size: an empty source stays empty (each pass ends at once, and repeat stops after an empty pass), and one
 * repeated forever is infinite even when its own size is unknown (tfjs says unknown), so fitDataset and toArray refuse it.
 */
function repeatedSize(size: number | null, count: number | undefined): number | null {
  if (count === 0 || size === 0) return 0;
  if (count === undefined) return Infinity;
  return size === null ? null : size * count;
}
