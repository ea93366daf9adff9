/**
 * Reading run records (results.json) without holding up the server: the file is read asynchronously, a large one is
 * parsed and checked in a worker thread while the server answers other requests, and what was read is kept by the
 * file's stamps, so a record asked for again is not read again until it changes.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledEntry } from '../compiled_entry.js';
import { parseJsonOnce, RepeatedKeyError } from '../io/strict_json.js';
import { parseRecord, RESULTS_FILE, type RunRecord } from '../report/record.js';
import { pathRedactor } from './redact.js';

/** A results.json holds curves and tables: tens of kilobytes. Anything this large is not one. */
export const MAX_RECORD_BYTES = 64 << 20;
/** Records larger than this are parsed and checked in a worker thread: in the server's thread they would stall every request. */
export const WORKER_PARSE_BYTES = 1 << 20;

/** What a sweep's listing needs of a run's record (the worker sends back this much, not the whole record). */
export interface RecordOutline {
  status: RunRecord['status'];
  metrics: RunRecord['metrics'];
  /** environment.engine.precision: what the run trained in. */
  precision?: string;
}

export function outlineOf(r: RunRecord): RecordOutline {
  const precision = r.environment?.engine?.precision;
  return { status: r.status, metrics: r.metrics, ...(typeof precision === 'string' ? { precision } : {}) };
}

/** A record's text parsed and checked; a damaged or invalid one is an error message that never quotes the file. */
export function checkRecordText(text: string): { record: RunRecord } | { error: string } {
  let raw: unknown;
  try {
    // A record that says two things (a key given twice) is read as neither.
    raw = parseJsonOnce(text, RESULTS_FILE);
  } catch (e) {
    // The parser's message quotes the file's first bytes; say only what is wrong.
    return { error: e instanceof RepeatedKeyError ? e.message : `${RESULTS_FILE} is not valid JSON` };
  }
  try {
    return { record: parseRecord(raw, RESULTS_FILE) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * A record as a run's page serves it: `light`, what the page's summary and curves read (the record without its
 * samples, tables and details, which can be megabytes), and `json`, the whole record as JSON, with the server's
 * folders redacted as every answer's are. Made once per version of the file: the server's thread never parses or
 * writes out a large record, only copies these bytes.
 */
export interface ServedRecord { light: RunRecord; json: Buffer }

/** JSON has no NaN or Infinity: written as null, as every answer of the server writes them. */
export const finiteOrNull = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

function lightOf(r: RunRecord): RunRecord {
  const { details: _details, samples: _samples, tables: _tables, ...rest } = r;
  const classes = r.data?.classes;
  return { ...rest, data: r.data === null ? null : Array.isArray(classes) ? { classes } : {} };
}

export function servedOf(r: RunRecord, folders: (string | undefined)[]): ServedRecord {
  return { light: lightOf(r), json: Buffer.from(pathRedactor(folders)(JSON.stringify(r, finiteOrNull))) };
}

/** What a worker is asked: an outline (a sweep's listing) or a served record (a run's page), of these bytes. */
export type WorkerAsk = { bytes: ArrayBuffer; want: 'outline' } | { bytes: ArrayBuffer; want: 'served'; folders: (string | undefined)[] };
/** A worker's answer: what was asked, or why the record is refused. */
export type WorkerVerdict = { outline: RecordOutline } | { light: RunRecord; json: ArrayBuffer } | { error: string };

/**
 * Parses and checks a large record in a worker thread that ends once it answered. Its failure (a crash, out of
 * memory) is an error naming the file, never a request left waiting.
 */
async function askWorker(bytes: Buffer, name: string, ask: { want: 'outline' } | { want: 'served'; folders: (string | undefined)[] }): Promise<WorkerVerdict> {
  // A core is left to the server's thread: a sweep of many large records would otherwise start a worker per record.
  while (workersBusy >= MAX_WORKERS) await new Promise<void>((resolve) => workerWaiters.push(resolve));
  workersBusy++;
  try {
    return await runWorker(bytes, name, ask);
  } finally {
    workersBusy--;
    workerWaiters.shift()?.();
  }
}

const MAX_WORKERS = Math.max(1, Math.min(4, availableParallelism() - 1));
let workersBusy = 0;
const workerWaiters: (() => void)[] = [];

function runWorker(bytes: Buffer, name: string, ask: { want: 'outline' } | { want: 'served'; folders: (string | undefined)[] }): Promise<WorkerVerdict> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (v: WorkerVerdict) => {
      if (settled) return;
      settled = true;
      resolve(v);
      void worker.terminate();
    };
    // The old generation is bounded so that a record which blows up in memory fails the worker, not the server.
    const worker = new Worker(compiledEntry('server/record_worker.js'), { resourceLimits: { maxOldGenerationSizeMb: 2048 } });
    // An idle worker never keeps the process alive (serve must stop on a signal whatever is being read).
    worker.unref();
    worker.once('message', (v: WorkerVerdict) => done(v));
    worker.once('error', (e) => done({ error: `${name} could not be read: ${(e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'parsing it needs more memory than allowed' : e.message}` }));
    worker.once('exit', (code) => done({ error: `${name} could not be read: its reader stopped (exit code ${code})` }));
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    worker.postMessage({ ...ask, bytes: copy.buffer } as WorkerAsk, [copy.buffer]);
  });
}

/** The fields of a file's status that tell one version of it from another (runs.ts says why these). */
const STAMP_FIELDS = ['mtimeMs', 'ctimeMs', 'birthtimeMs', 'size', 'ino', 'dev'] as const;
const stampKey = (st: Stats) => STAMP_FIELDS.map((k) => st[k]).join(':');

/** Why a results.json is not read: missing, not a regular file (a FIFO would block, a link could lead anywhere), too large. */
function refusal(st: Stats): string | null {
  if (!st.isFile()) return `${RESULTS_FILE} is not a regular file`;
  if (st.size > MAX_RECORD_BYTES) return `${RESULTS_FILE} is larger than ${MAX_RECORD_BYTES >> 20} MiB`;
  return null;
}

/** The bytes of a results.json, opened without following a link or blocking on a FIFO; or why not. */
async function readRecordBytes(file: string): Promise<{ bytes: Buffer; key: string } | { error: string }> {
  let fh;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' || code === 'ENOTDIR' ? `no ${RESULTS_FILE}` : code === 'ELOOP' || code === 'ENXIO' ? `${RESULTS_FILE} is not a regular file` : `${RESULTS_FILE} cannot be read (${code ?? 'error'})` };
  }
  try {
    const st = await fh.stat();
    const refused = refusal(st);
    if (refused) return { error: refused };
    const bytes = Buffer.alloc(st.size);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await fh.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    // Keyed by the stamps of the file read: a rewrite meanwhile shows as another key next time.
    return { bytes: bytes.subarray(0, filled), key: stampKey(st) };
  } catch (e) {
    return { error: `${RESULTS_FILE} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    await fh.close();
  }
}

interface Kept<T> { key: string; bytes: number; value: T }

/**
 * Records read, by path and stamps, most recently used last. Bounded by the records' size on disk (a parsed record
 * takes a few times that in memory) and by count; the least recently used go first.
 */
export class RecordCache<T> {
  private kept = new Map<string, Kept<T>>();
  private bytes = 0;
  /** How many times a record was read and parsed (not answered from the cache): tests count them. */
  parses = 0;

  constructor(private readonly parse: (bytes: Buffer, name: string) => Promise<T>, readonly maxBytes = 128 << 20, readonly maxEntries = 1000) {}

  /** The record at `file` (named `name` in errors), read and parsed only when its stamps changed since it was kept. */
  async get(file: string, name: string): Promise<T | { error: string }> {
    let st: Stats;
    try {
      // Not following a link: one put in the record's place is read (and refused) again, never answered from the cache.
      st = await lstat(file);
    } catch {
      this.forget(file);
      return { error: `no ${RESULTS_FILE}` };
    }
    const had = this.kept.get(file);
    if (had && had.key === stampKey(st)) {
      this.kept.delete(file);
      this.kept.set(file, had);
      return had.value;
    }
    const read = await readRecordBytes(file);
    if ('error' in read) {
      this.forget(file);
      return read;
    }
    this.parses++;
    const value = await this.parse(read.bytes, name);
    this.keep(file, { key: read.key, bytes: read.bytes.length, value });
    return value;
  }

  private forget(file: string): void {
    const had = this.kept.get(file);
    if (!had) return;
    this.bytes -= had.bytes;
    this.kept.delete(file);
  }

  private keep(file: string, entry: Kept<T>): void {
    this.forget(file);
    if (entry.bytes > this.maxBytes) return;
    this.kept.set(file, entry);
    this.bytes += entry.bytes;
    for (const [oldest] of this.kept) {
      if (this.bytes <= this.maxBytes && this.kept.size <= this.maxEntries) break;
      this.forget(oldest);
    }
  }
}

/** A record as a run's page serves it; a large one parsed, checked and written out in a worker. */
export async function parseServed(bytes: Buffer, name: string, folders: (string | undefined)[]): Promise<ServedRecord | { error: string }> {
  if (bytes.length <= WORKER_PARSE_BYTES) {
    const checked = checkRecordText(bytes.toString('utf8'));
    return 'error' in checked ? checked : servedOf(checked.record, folders);
  }
  const verdict = await askWorker(bytes, name, { want: 'served', folders });
  if ('error' in verdict) return verdict;
  if (!('json' in verdict)) return { error: `${name} could not be read: its reader answered something else` };
  return { light: verdict.light, json: Buffer.from(verdict.json) };
}

/** A record's outline only (a sweep's listing): a large record is parsed wholly in a worker, never here. */
export async function parseOutline(bytes: Buffer, name: string): Promise<RecordOutline | { error: string }> {
  if (bytes.length <= WORKER_PARSE_BYTES) {
    const checked = checkRecordText(bytes.toString('utf8'));
    return 'error' in checked ? checked : outlineOf(checked.record);
  }
  const verdict = await askWorker(bytes, name, { want: 'outline' });
  if ('error' in verdict) return verdict;
  if (!('outline' in verdict)) return { error: `${name} could not be read: its reader answered something else` };
  return verdict.outline;
}
