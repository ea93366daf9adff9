/** rl.data's sources: array, generator, func and zip (csv is in csv_dataset.ts). */
import { Dataset } from './dataset.js';

export function array<T>(items: readonly T[]): Dataset<T> {
  if (!Array.isArray(items)) throw new Error(`data.array: expected an array, got ${typeof items}`);
  return new Dataset(async function* () { yield* items; }, items.length);
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
        if (r.done) { finished = true; return; }
        yield r.value;
      }
    } finally {
      // Stopped early (take, break): let the generator run its finally blocks (close files...).
      if (!finished) await it.return?.();
    }
  });
}

/** Elements side by side from several datasets (an array or an object of them); ends with the shortest. */
export function zip(datasets: Dataset<unknown>[] | Record<string, Dataset<unknown>>): Dataset<unknown> {
  const keys = Object.keys(datasets);
  const list = keys.map((k) => (datasets as Record<string, Dataset<unknown>>)[k]);
  if (list.some((d) => !(d instanceof Dataset))) throw new Error('data.zip: every entry must be a dataset');
  const sizes = list.map((d) => d.size);
  const size = sizes.every((s) => s !== null) ? Math.min(...(sizes as number[])) : null;
  return new Dataset(async function* () {
    const its = list.map((d) => d[Symbol.asyncIterator]());
    try {
      for (;;) {
        const rs = await Promise.all(its.map((it) => it.next()));
        if (rs.some((r) => r.done)) return;
        const vals = rs.map((r) => r.value);
        yield Array.isArray(datasets) ? vals : Object.fromEntries(keys.map((k, i) => [k, vals[i]]));
      }
    } finally {
      // The shortest ended (or the consumer stopped): close the others.
      await Promise.all(its.map((it) => it.return?.()));
    }
  }, size);
}

/** tfjs's data.func(f): each call of f gives the next {value, done} (or a promise of it). */
export function func<T>(f: () => IteratorResult<T> | Promise<IteratorResult<T>>): Dataset<T> {
  if (typeof f !== 'function') throw new Error('data.func: expected a function returning {value, done}');
  return generator(() => ({ next: f }) as AsyncIterator<T>);
}
