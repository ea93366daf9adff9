/** rl.data's sources: array, generator, zip and csv (a file, streamed row by row). */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
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
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
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
    for (;;) {
      const rs = await Promise.all(its.map((it) => it.next()));
      if (rs.some((r) => r.done)) return;
      const vals = rs.map((r) => r.value);
      yield Array.isArray(datasets) ? vals : Object.fromEntries(keys.map((k, i) => [k, vals[i]]));
    }
  }, size);
}

export interface CsvConfig {
  hasHeader?: boolean;
  columnNames?: string[];
  columnConfigs?: Record<string, { isLabel?: boolean; required?: boolean; default?: unknown }>;
  configuredColumnsOnly?: boolean;
  delimiter?: string;
}

const CSV_KEYS = ['hasHeader', 'columnNames', 'columnConfigs', 'configuredColumnsOnly', 'delimiter'];

/**
 * tfjs.data.csv on a local file: rows as {column: value} (numbers where they parse), or {xs, ys} when a column
 * is marked isLabel. Streams the file; a malformed row is an error naming the file and line.
 */
export function csv(path: string, config: CsvConfig = {}): CSVDataset {
  if (typeof path !== 'string') throw new Error('data.csv: expected a file path');
  for (const k of Object.keys(config)) if (!CSV_KEYS.includes(k)) throw new Error(`data.csv: unknown option '${k}' (takes ${CSV_KEYS.join(', ')})`);
  const file = path.replace(/^file:\/\//, '');
  const cfgs = config.columnConfigs ?? {};
  return new CSVDataset(file, config, async function* () {
    const input = createReadStream(file);
    const parser = input.pipe(parse({ delimiter: config.delimiter ?? ',', trim: true, info: true }));
    // pipe() does not forward a read error (a missing file); hand it to the parser so the loop below sees it.
    input.on('error', (e) => parser.destroy(e));
    let names = config.hasHeader === false ? config.columnNames : undefined;
    if (config.hasHeader === false && !names) throw new Error(`data.csv: ${file}: hasHeader is false, so columnNames is required`);
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        if (!names) { names = config.columnNames ?? record; continue; }
        if (record.length !== names.length) throw new Error(`data.csv: ${file}:${info.lines}: expected ${names.length} fields, got ${record.length}`);
        const xs: Record<string, unknown> = {}, ys: Record<string, unknown> = {};
        names.forEach((name, i) => {
          const c = cfgs[name];
          if (config.configuredColumnsOnly && !c) return;
          let v: unknown = record[i] === '' ? c?.default : record[i] !== '' && Number.isFinite(Number(record[i])) ? Number(record[i]) : record[i];
          if (v === undefined) {
            if (c?.required) throw new Error(`data.csv: ${file}:${info.lines}: required column '${name}' is empty`);
            v = null;
          }
          (c?.isLabel ? ys : xs)[name] = v;
        });
        yield Object.keys(ys).length ? { xs, ys } : xs;
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') throw new Error(`data.csv: cannot read ${file}: no such file`);
      throw err.message.startsWith('data.csv') ? err : new Error(`data.csv: ${file}: ${err.message}`);
    }
  });
}

/** The dataset csv() returns: also tfjs's columnNames(), the header's names (or the configured ones). */
export class CSVDataset extends Dataset<Record<string, unknown>> {
  constructor(private readonly file: string, private readonly config: CsvConfig, source: ConstructorParameters<typeof Dataset<Record<string, unknown>>>[0]) {
    super(source);
  }

  async columnNames(): Promise<string[]> {
    if (this.config.columnNames) return [...this.config.columnNames];
    const input = createReadStream(this.file, { end: 1 << 20 });
    const parser = input.pipe(parse({ delimiter: this.config.delimiter ?? ',', trim: true, to_line: 1 }));
    input.on('error', (e) => parser.destroy(e));
    try {
      for await (const record of parser as AsyncIterable<string[]>) return record;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(err.code === 'ENOENT' ? `data.csv: cannot read ${this.file}: no such file` : `data.csv: ${this.file}: ${err.message}`);
    }
    throw new Error(`data.csv: ${this.file} is empty: no header line`);
  }
}

/** tfjs's data.func(f): each call of f gives the next {value, done} (or a promise of it). */
export function func<T>(f: () => IteratorResult<T> | Promise<IteratorResult<T>>): Dataset<T> {
  if (typeof f !== 'function') throw new Error('data.func: expected a function returning {value, done}');
  return generator(() => ({ next: f }) as AsyncIterator<T>);
}
