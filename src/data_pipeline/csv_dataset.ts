/**
 * rl.data.csv: tfjs's data.csv on a local file, read by the same streaming RFC 4180 reader as the CLI's text
 * datasets (src/data/csv_records.ts), so a file reads the same in both. Where tfjs's own line splitter differs it
 * is on purpose: quoted fields may hold newlines and `""` reads as one quote (tfjs keeps both quotes), a
 * byte-order mark is dropped, blank lines are skipped, unquoted fields lose surrounding spaces (a header
 * `a, b` names columns a and b; tfjs keeps " b") and a field of only spaces is empty (tfjs reads it as 0).
 * With delimiter '\t' the file is TSV as the CLI reads it (one record per line).
 */
import { localPathOf } from '../local_files.js';
import { Dataset, OWN_END } from './dataset.js';
import { tagSource, withColumnOrder } from './batching.js';
import { csvRecords, tsvRecords, type CsvItem } from '../data/csv_records.js';
import { DEFAULT_MAX_LINE_CHARS } from '../data/text_stream.js';
import { checkOptionKeys } from '../near_name.js';

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
  /** tfjs: fields separated by runs of spaces (leading and trailing spaces ignored); delimiter must not be given. */
  delimWhitespace?: boolean;
}

const CSV_KEYS = ['hasHeader', 'columnNames', 'columnConfigs', 'configuredColumnsOnly', 'delimiter', 'delimWhitespace'];
const COLUMN_KEYS = ['isLabel', 'required', 'default', 'dtype'];
const COLUMN_DTYPES = ['float32', 'int32', 'bool', 'string'];

function checkCsvConfig(config: CsvConfig): void {
  // An unknown key set to undefined is refused too, as the options of rnnlab's data functions are (src/data/options.ts).
  checkOptionKeys('rl.data.csv', config, CSV_KEYS, { undefinedIsAbsent: false });
  for (const k of ['hasHeader', 'configuredColumnsOnly', 'delimWhitespace'] as const) {
    if (config[k] !== undefined && typeof config[k] !== 'boolean') throw new Error(`data.csv: ${k} must be true or false, got ${String(config[k])}`);
  }
  const d = config.delimiter;
  if (d !== undefined) {
    if (config.delimWhitespace) throw new Error('data.csv: delimiter must not be given when delimWhitespace is true (tfjs)');
    // The reader splits on one character; a longer delimiter would never match (tfjs) and read each line as one field.
    if (typeof d !== 'string' || d.length !== 1) throw new Error(`data.csv: delimiter must be one character, got ${JSON.stringify(d)}`);
    if (d === '"' || d === '\n' || d === '\r') throw new Error(`data.csv: delimiter cannot be ${JSON.stringify(d)} (it quotes or ends records)`);
  }
  if (config.columnNames !== undefined) {
    if (!Array.isArray(config.columnNames) || config.columnNames.some((n) => typeof n !== 'string')) throw new Error('data.csv: columnNames must be an array of strings');
    checkDuplicates(config.columnNames, 'columnNames');
  }
  if (config.hasHeader === false && !config.columnNames) throw new Error('data.csv: hasHeader is false, so columnNames is required');
  const cfgs = config.columnConfigs;
  if (cfgs === undefined) {
    if (config.configuredColumnsOnly) throw new Error('data.csv: configuredColumnsOnly is true but no columnConfigs are given: no column would be read');
    return;
  }
  if (cfgs === null || typeof cfgs !== 'object' || Array.isArray(cfgs)) throw new Error('data.csv: columnConfigs must be an object {column: {isLabel, required, default, dtype}}');
  for (const [name, c] of Object.entries(cfgs)) {
    if (c === null || typeof c !== 'object' || Array.isArray(c)) throw new Error(`data.csv: columnConfigs.${name} must be an object`);
    checkOptionKeys(`rl.data.csv: columnConfigs.${name}`, c, COLUMN_KEYS, { undefinedIsAbsent: false, noun: 'key' });
    for (const k of ['isLabel', 'required'] as const) {
      if (c[k] !== undefined && typeof c[k] !== 'boolean') throw new Error(`data.csv: columnConfigs.${name}.${k} must be true or false, got ${String(c[k])}`);
    }
    if (c.dtype !== undefined && !COLUMN_DTYPES.includes(c.dtype)) throw new Error(`data.csv: columnConfigs.${name}.dtype must be one of ${COLUMN_DTYPES.join(', ')}, got ${String(c.dtype)}`);
    if (c.default !== undefined && !defaultFits(c.default, c.dtype)) {
      throw new Error(`data.csv: columnConfigs.${name}.default ${typeof c.default === 'number' ? String(c.default) : JSON.stringify(c.default)} is not a value of ${c.dtype ? `dtype ${c.dtype}` : 'a column (a number or a string)'}; an empty field takes it as it is`);
    }
  }
}

/** A default stands in for a field as convert would read it: a number for float32, an integer for int32, ... */
function defaultFits(v: unknown, dtype: ColumnConfig['dtype']): boolean {
  switch (dtype) {
    case 'string': return typeof v === 'string';
    case 'float32': return isNumber(v);
    case 'int32': return Number.isInteger(v);
    case 'bool': return typeof v === 'boolean' || v === 0 || v === 1;
    default: return isNumber(v) || typeof v === 'string';
  }
}

/** A value a numeric field can read as: ±Infinity too (tfjs's Number() reads `Infinity`, `-Infinity`, `1e400`), never NaN. */
const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

function checkDuplicates(names: string[], where: string): void {
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  if (dup.length) throw new Error(`data.csv: ${where}: Duplicate column names found: ${[...new Set(dup)].join(', ')}`);
}

/** The names in use, checked as tfjs checks them: columnNames may replace a header that repeats one. */
function columnsOf(config: CsvConfig, header: string[] | null, where: string): string[] {
  const names = config.columnNames ?? header!;
  checkDuplicates(names, where);
  if (config.columnNames && header && header.length !== names.length) {
    throw new Error(`data.csv: ${where}: columnNames has ${names.length} names but the header has ${header.length} fields`);
  }
  for (const k of Object.keys(config.columnConfigs ?? {})) {
    if (!names.includes(k)) throw new Error(`data.csv: ${where}: The key "${k}" provided in columnConfigs does not match any of the column names (${names.join(',')}).`);
  }
  return names;
}

/**
 * One field as tfjs converts it: its dtype, else a number when it parses, else the text. `Infinity` and `-Infinity`
 * parse (tfjs reads them with Number()); `NaN` does not, so it stays text, and a float32 column refuses it.
 */
function convert(raw: string, name: string, c: ColumnConfig | undefined, at: string): unknown {
  if (raw === '') {
    // A bool column holds 1/0, as its fields read.
    if (c?.default !== undefined) return typeof c.default === 'boolean' ? Number(c.default) : c.default;
    if (c?.required || c?.isLabel) throw new Error(`data.csv: ${at}: Required column ${name} is empty in this line`);
    return undefined;
  }
  switch (c?.dtype) {
    case 'string': return raw;
    case 'float32': case 'int32': {
      const v = Number(raw);
      if (!isNumber(v)) throw new Error(`data.csv: ${at}: column ${name} (dtype ${c.dtype}) holds '${raw}', not a number`);
      if (c.dtype === 'int32' && !Number.isInteger(v)) throw new Error(`data.csv: ${at}: column ${name} (dtype int32) holds '${raw}', not an integer`);
      return v;
    }
    case 'bool': {
      const l = raw.toLowerCase();
      if (l === '1' || l === 'true') return 1;
      if (l === '0' || l === 'false') return 0;
      throw new Error(`data.csv: ${at}: column ${name} (dtype bool) holds '${raw}'; use 1, 0, true or false`);
    }
    default: {
      const n = Number(raw);
      return isNumber(n) ? n : raw;
    }
  }
}

/** The file's records with fields as rl.data.csv reads them (see the file's comment); bad records are thrown on reaching them. */
async function* fieldsOf(file: string, config: CsvConfig): AsyncGenerator<{ fields: string[]; line: number }> {
  const delim = config.delimWhitespace ? ' ' : config.delimiter ?? ',';
  const records: AsyncGenerator<CsvItem> = delim === '\t'
    ? tsvRecords(file, file, DEFAULT_MAX_LINE_CHARS, true)
    : csvRecords(file, file, delim, DEFAULT_MAX_LINE_CHARS, true);
  try {
    for await (const item of records) {
      if ('bad' in item) throw new Error(`data.csv: ${file}:${item.bad.line}: ${item.bad.problem}`);
      const quoted = item.quoted!;
      let fields = item.fields.map((f, i) => (quoted[i] ? f : f.replace(/^[ \t]+|[ \t]+$/g, '')));
      // A run of spaces reads as empty unquoted fields between them: drop those (a quoted "" stays).
      if (config.delimWhitespace) fields = fields.filter((f, i) => quoted[i] || f !== '');
      yield { fields, line: item.line };
    }
  } catch (e) {
    const msg = (e as Error).message;
    if (msg.startsWith('data.csv')) throw e;
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new Error(`data.csv: ${file} is a folder, not a CSV file`);
    if (msg === `${file}: no such file`) throw new Error(`data.csv: cannot read ${file}: no such file`);
    throw new Error(msg.startsWith(file) ? `data.csv: ${msg}` : `data.csv: ${file}: ${msg}`);
  }
}

/**
 * tfjs.data.csv on a local file: rows as {column: value} (numbers where they parse), or {xs, ys} when a column
 * is marked isLabel. Streams the file record by record: rows before a malformed one are delivered, and the
 * error (naming the file and line) comes on reaching it. Stopping early (take, break, evaluateDataset's
 * batches) closes the file.
 */
export function csv(path: string, config: CsvConfig = {}): CSVDataset {
  if (typeof path !== 'string') throw new Error('data.csv: expected a file path');
  checkCsvConfig(config);
  // tfjs's data.csv fetches http(s) URLs; opened as a path here, one would read as "no such file" for a file that exists.
  let local;
  try {
    local = localPathOf(path);
  } catch (e) {
    throw new Error(`data.csv: cannot read the URL '${path}' as a local file: ${(e as Error).message}`);
  }
  if ('scheme' in local) {
    throw new Error(`data.csv: unsupported URL scheme '${local.scheme}://' in '${path}'; rnnlab reads local files, given as paths or file:// URLs: download the file and give its path`);
  }
  const file = local.path;
  const cfgs = config.columnConfigs ?? {};
  return new CSVDataset(MADE_BY_CSV, file, config, async function* () {
    let names = config.hasHeader === false ? columnsOf(config, null, file) : undefined;
    let any = false;
    for await (const { fields, line } of fieldsOf(file, config)) {
      any = true;
      if (!names) {
        names = columnsOf(config, fields, `${file}:${line}`);
        continue;
      }
      const at = `${file}:${line}`;
      if (fields.length !== names.length) throw new Error(`data.csv: ${at}: expected ${names.length} fields, got ${fields.length}`);
      const xs: Record<string, unknown> = {}, ys: Record<string, unknown> = {};
      names.forEach((name, i) => {
        const c = cfgs[name];
        if (config.configuredColumnsOnly && !c) return;
        (c?.isLabel ? ys : xs)[name] = convert(fields[i], name, c, at);
      });
      withColumnOrder(xs, names.filter((n) => Object.hasOwn(xs, n)));
      withColumnOrder(ys, names.filter((n) => Object.hasOwn(ys, n)));
      yield tagSource(Object.keys(ys).length ? { xs, ys } : xs, { file, line });
    }
    // tfjs: "No data was found for CSV parsing."; an empty file is more likely the wrong file than an empty set.
    if (!any && config.hasHeader !== false) throw new Error(`data.csv: ${file} is empty: no header line`);
    return OWN_END;
  });
}

/** Only csv() holds it: the constructor is not tfjs's (a DataSource and a config), so a caller's new is refused. */
const MADE_BY_CSV: unique symbol = Symbol('rl.data.csv');

/** The dataset csv() returns: also tfjs's columnNames(). */
export class CSVDataset extends Dataset<Record<string, unknown>> {
  constructor(made: typeof MADE_BY_CSV, private readonly file: string, private readonly config: CsvConfig, source: ConstructorParameters<typeof Dataset<Record<string, unknown>>>[0]) {
    if (made !== MADE_BY_CSV) {
      throw new Error('rl.data.CSVDataset cannot be constructed: make a CSV dataset with rl.data.csv(path, config) (the class is for instanceof)');
    }
    super(source);
  }

  /**
   * tfjs: the configured columns when configuredColumnsOnly, else columnNames or the header's names; checked as
   * iteration checks them (a header of another length than columnNames, duplicates, unknown columnConfigs keys).
   */
  async columnNames(): Promise<string[]> {
    let names: string[] | undefined;
    if (this.config.hasHeader === false) names = columnsOf(this.config, null, this.file);
    else {
      const records = fieldsOf(this.file, this.config);
      try {
        const first = await records.next();
        if (first.done) throw new Error(`data.csv: ${this.file} is empty: no header line`);
        names = columnsOf(this.config, first.value.fields, `${this.file}:${first.value.line}`);
      } finally {
        await records.return(undefined);
      }
    }
    return this.config.configuredColumnsOnly ? Object.keys(this.config.columnConfigs ?? {}) : [...names];
  }
}
