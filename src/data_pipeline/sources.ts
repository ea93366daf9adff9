/** rl.data's sources: array, generator, func and zip (csv is in csv_dataset.ts). */
import { Dataset, OWN_END } from './dataset.js';
import { asTuple } from './batching.js';
import { cloneElement, disposeElement } from './element_tensors.js';

/**
 * tfjs's data.array: an array, or (as tfjs reads any indexable list) a typed array, whose elements are numbers.
 * Each pass yields clones of the items (tfjs's), which the ops downstream may dispose; the items stay the user's.
 */
export function array<T>(items: readonly T[]): Dataset<T> {
  const typed = ArrayBuffer.isView(items) && !(items instanceof DataView);
  if (!Array.isArray(items) && !typed) {
    throw new Error(`data.array: expected an array, got ${items === null ? 'null' : typeof items === 'object' ? 'an object that is not an array' : typeof items}`);
  }
  if (typed) return new Dataset(async function* () { yield* items; return OWN_END; }, items.length);
  return new Dataset(async function* () {
    for (let i = 0; i < items.length; i++) {
      let el: T;
      try { el = cloneElement(items[i]); } catch (e) { throw new Error(`data.array: item ${i}: ${(e as Error).message}`); }
      yield el;
    }
    return OWN_END;
  }, items.length);
}

/** A dataset over a (sync or async) generator function, called afresh for each iteration. */
export function generator<T>(make: () => Iterator<T> | AsyncIterator<T>): Dataset<T> {
  if (typeof make !== 'function') throw new Error('data.generator: expected a generator function (called once per iteration)');
  return new Dataset(async function* () {
    const it = make();
    if (!it || typeof it.next !== 'function') throw new Error('data.generator: the function must return an iterator (use function* or async function*)');
    let finished = false;
    try {
      for (;;) {
        const r = await it.next();
        // A value sent with done (a generator's return value) is passed on with done, as tfjs's fitDataset and
        // evaluateDataset read it: their last batch.
        if (r.done) { finished = true; return r.value; }
        yield r.value;
      }
    } finally {
      // Stopped early (take, break): let the generator run its finally blocks (close files...).
      if (!finished) await it.return?.();
    }
  });
}

type Nested = Dataset<unknown> | Nested[] | { [key: string]: Nested };

/**
 * Elements side by side from several datasets, in the structure given: an array or an object of datasets, nested
 * as deep as needed (tfjs's zip, e.g. {xs: {a, b}, ys} for a two-input model); ends with the shortest.
 */
export function zip(datasets: Nested[] | Record<string, Nested>): Dataset<unknown> {
  if (datasets === null || typeof datasets !== 'object' || datasets instanceof Dataset) {
    throw new Error('data.zip: expected an array or an object of datasets');
  }
  const list: Dataset<unknown>[] = [];
  // The structure with each dataset replaced by its index in list: rebuilt around each element.
  const shape = (node: unknown, where: string): unknown => {
    if (node instanceof Dataset) return list.push(node) - 1;
    if (Array.isArray(node)) return node.map((n, i) => shape(n, `${where}[${i}]`));
    if (node !== null && typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) {
      return Object.fromEntries(Object.entries(node).map(([k, n]) => [k, shape(n, `${where}.${k}`)]));
    }
    throw new Error(`data.zip: every entry must be a dataset (or an array or object of them); ${where} is ${node === null ? 'null' : typeof node}`);
  };
  const layout = shape(datasets, 'datasets');
  const fill = (node: unknown, vals: unknown[]): unknown => typeof node === 'number' ? vals[node]
    : Array.isArray(node) ? asTuple(node.map((n) => fill(n, vals)))
      : Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([k, n]) => [k, fill(n, vals)]));
  const sizes = list.map((d) => d.size);
  const size = list.length === 0 ? 0 : sizes.every((s) => s !== null) ? Math.min(...(sizes as number[])) : null;
  return new Dataset(async function* () {
    if (list.length === 0) return OWN_END;
    const its = list.map((d) => d[Symbol.asyncIterator]());
    try {
      for (;;) {
        const rs = await Promise.allSettled(its.map((it) => it.next()));
        const failed = rs.find((r) => r.status === 'rejected');
        const values = rs.map((r) => r.status === 'fulfilled' && !r.value.done ? r.value.value : undefined);
        if (failed || rs.some((r) => r.status === 'fulfilled' && r.value.done)) {
          // The elements already read from the other (longer) datasets will never be zipped: they are disposed.
          values.forEach(disposeElement);
          if (failed) throw (failed as PromiseRejectedResult).reason;
          return OWN_END;
        }
        yield fill(layout, values);
      }
    } finally {
      // The shortest ended (or the consumer stopped): close the others.
      await Promise.all(its.map((it) => it.return?.()));
    }
  }, size);
}

/**
 * tfjs's data.func(f): each call of f gives the next {value, done} (or a promise of it). Its iterator calls f on every
 * next(), after done too, as tfjs's (a value sent with done is sent again).
 */
export function func<T>(f: () => IteratorResult<T> | Promise<IteratorResult<T>>): Dataset<T> {
  if (typeof f !== 'function') throw new Error('data.func: expected a function returning {value, done}');
  // A function that returns bare values would otherwise give undefined forever, failing far away (in batch).
  const next = async (): Promise<IteratorResult<T>> => {
    const r = await f();
    if (r === null || typeof r !== 'object' || !('value' in r || 'done' in r)) {
      throw new Error(`data.func: the function must return {value, done} (or a promise of it), got ${describeResult(r)}`);
    }
    return r;
  };
  return new Dataset(() => ({ next }));
}

function describeResult(r: unknown): string {
  if (r === null || r === undefined || typeof r !== 'object') return String(typeof r === 'string' ? JSON.stringify(r) : r);
  return `an object with keys ${JSON.stringify(Object.keys(r))}`;
}
