/** rl.data's sources: array, generator, zip and csv (a file, streamed row by row). */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { tagSource } from './batching.js';
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

/** tfjs's ColumnConfig: dtype converts the field ('string' keeps it as text; 'bool' takes 1/0/true/false). */
export interface ColumnConfig {
  isLabel?: boolean;
  required?: boolean;
  default?: unknown;
  dtype?: 'float32' | 'int32' | 'bool' | 'string';
}

export interface CsvConfig {
  hasHeader?: boolean;
  columnNames?: string[];
  columnConfigs?: Record<string, ColumnConfig>;
  configuredColumnsOnly?: boolean;
  delimiter?: string;
}

const CSV_KEYS = ['hasHeader', 'columnNames', 'columnConfigs', 'configuredColumnsOnly', 'delimiter'];
const COLUMN_KEYS = ['isLabel', 'required', 'default', 'dtype'];
const COLUMN_DTYPES = ['float32', 'int32', 'bool', 'string'];

function checkCsvConfig(config: CsvConfig): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new Error('data.csv: the config must be an object');
  for (const k of Object.keys(config)) if (!CSV_KEYS.includes(k)) throw new Error(`data.csv: unknown option '${k}' (takes ${CSV_KEYS.join(', ')})`);
  for (const k of ['hasHeader', 'configuredColumnsOnly'] as const) {
    if (config[k] !== undefined && typeof config[k] !== 'boolean') throw new Error(`data.csv: ${k} must be true or false, got ${String(config[k])}`);
  }
  if (config.delimiter !== undefined && (typeof config.delimiter !== 'string' || config.delimiter.length === 0)) throw new Error('data.csv: delimiter must be a non-empty string');
  if (config.columnNames !== undefined) {
    if (!Array.isArray(config.columnNames) || config.columnNames.some((n) => typeof n !== 'string')) throw new Error('data.csv: columnNames must be an array of strings');
    checkDuplicates(config.columnNames, 'columnNames');
  }
  if (config.hasHeader === false && !config.columnNames) throw new Error('data.csv: hasHeader is false, so columnNames is required');
  const cfgs = config.columnConfigs;
  if (cfgs === undefined) return;
  if (cfgs === null || typeof cfgs !== 'object' || Array.isArray(cfgs)) throw new Error('data.csv: columnConfigs must be an object {column: {isLabel, required, default, dtype}}');
  for (const [name, c] of Object.entries(cfgs)) {
    if (c === null || typeof c !== 'object' || Array.isArray(c)) throw new Error(`data.csv: columnConfigs.${name} must be an object`);
    for (const k of Object.keys(c)) if (!COLUMN_KEYS.includes(k)) throw new Error(`data.csv: columnConfigs.${name}: unknown key '${k}' (takes ${COLUMN_KEYS.join(', ')})`);
    for (const k of ['isLabel', 'required'] as const) {
      if (c[k] !== undefined && typeof c[k] !== 'boolean') throw new Error(`data.csv: columnConfigs.${name}.${k} must be true or false, got ${String(c[k])}`);
    }
    if (c.dtype !== undefined && !COLUMN_DTYPES.includes(c.dtype)) throw new Error(`data.csv: columnConfigs.${name}.dtype must be one of ${COLUMN_DTYPES.join(', ')}, got ${String(c.dtype)}`);
  }
}

function checkDuplicates(names: string[], where: string): void {
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  if (dup.length) throw new Error(`data.csv: ${where}: Duplicate column names found: ${[...new Set(dup)].join(', ')}`);
}

/** One field as tfjs converts it: its dtype, else a number when it parses, else the text. */
function convert(raw: string, name: string, c: ColumnConfig | undefined, at: string): unknown {
  if (raw === '') {
    if (c?.default !== undefined) return c.default;
    if (c?.required || c?.isLabel) throw new Error(`data.csv: ${at}: Required column ${name} is empty in this line`);
    return undefined;
  }
  switch (c?.dtype) {
    case 'string': return raw;
    case 'float32': case 'int32': {
      const v = Number(raw);
      if (!Number.isFinite(v)) throw new Error(`data.csv: ${at}: column ${name} (dtype ${c.dtype}) holds '${raw}', not a number`);
      if (c.dtype === 'int32' && !Number.isInteger(v)) throw new Error(`data.csv: ${at}: column ${name} (dtype int32) holds '${raw}', not an integer`);
      return v;
    }
    case 'bool': {
      const l = raw.toLowerCase();
      if (l === '1' || l === 'true') return 1;
      if (l === '0' || l === 'false') return 0;
      throw new Error(`data.csv: ${at}: column ${name} (dtype bool) holds '${raw}'; use 1, 0, true or false`);
    }
    default: return Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
}

/**
 * tfjs.data.csv on a local file: rows as {column: value} (numbers where they parse), or {xs, ys} when a column
 * is marked isLabel. Streams the file line by line: rows before a malformed line are delivered, and the error
 * (naming the file and line) comes on reaching it. Stopping early (take, break, evaluateDataset's batches)
 * closes the file.
 */
export function csv(path: string, config: CsvConfig = {}): CSVDataset {
  if (typeof path !== 'string') throw new Error('data.csv: expected a file path');
  checkCsvConfig(config);
  const file = path.replace(/^file:\/\//, '');
  const cfgs = config.columnConfigs ?? {};
  return new CSVDataset(file, config, async function* () {
    const input = createReadStream(file);
    // relax_column_count and skip_records_with_error: csv-parse would otherwise fail the whole chunk, dropping
    // the good rows read before a bad one; errors are kept and thrown when the iteration reaches their line.
    const parser = input.pipe(parse({ delimiter: config.delimiter ?? ',', trim: true, info: true, relax_column_count: true, skip_records_with_error: true }));
    const pending: { line: number; err: Error }[] = [];
    parser.on('skip', (e: Error & { lines?: number }) => { pending.push({ line: e.lines ?? Infinity, err: e }); });
    // pipe() does not forward a read error (a missing file); hand it to the parser so the loop below sees it.
    input.on('error', (e) => parser.destroy(e));
    let names = config.hasHeader === false ? config.columnNames : undefined;
    const failBefore = (line: number): void => {
      if (pending.length && pending[0].line <= line) throw new Error(`data.csv: ${file}:${pending[0].line}: ${pending[0].err.message}`);
    };
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        failBefore(info.lines - 1);
        if (!names) {
          // The names in use are checked (tfjs): columnNames may replace a header that repeats one.
          names = config.columnNames ?? record;
          checkDuplicates(names, file);
          for (const k of Object.keys(cfgs)) {
            if (!names.includes(k)) throw new Error(`data.csv: ${file}: The key "${k}" provided in columnConfigs does not match any of the column names (${names.join(',')}).`);
          }
          if (config.columnNames && config.hasHeader !== false && record.length !== names.length) {
            throw new Error(`data.csv: ${file}:${info.lines}: columnNames has ${names.length} names but the header has ${record.length} fields`);
          }
          if (config.hasHeader !== false) continue;
        }
        const at = `${file}:${info.lines}`;
        if (record.length !== names.length) throw new Error(`data.csv: ${at}: expected ${names.length} fields, got ${record.length}`);
        const xs: Record<string, unknown> = {}, ys: Record<string, unknown> = {};
        names.forEach((name, i) => {
          const c = cfgs[name];
          if (config.configuredColumnsOnly && !c) return;
          (c?.isLabel ? ys : xs)[name] = convert(record[i], name, c, at);
        });
        yield tagSource(Object.keys(ys).length ? { xs, ys } : xs, { file, line: info.lines });
      }
      failBefore(Infinity);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') throw new Error(`data.csv: cannot read ${file}: no such file`);
      throw err.message.startsWith('data.csv') ? err : new Error(`data.csv: ${file}: ${err.message}`);
    } finally {
      // The parser is closed by for-await; the file stream piped into it is not: close it, or every early stop leaks a descriptor.
      input.destroy();
      parser.destroy();
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
    } finally {
      input.destroy();
    }
    throw new Error(`data.csv: ${this.file} is empty: no header line`);
  }
}

/** tfjs's data.func(f): each call of f gives the next {value, done} (or a promise of it). */
export function func<T>(f: () => IteratorResult<T> | Promise<IteratorResult<T>>): Dataset<T> {
  if (typeof f !== 'function') throw new Error('data.func: expected a function returning {value, done}');
  return generator(() => ({ next: f }) as AsyncIterator<T>);
}
