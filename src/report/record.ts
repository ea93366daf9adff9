/**
 * The RunRecord: what every run leaves in results.json, whether the CLI or the dashboard ran it. One type, one
 * writer (writeRecord), one reader (readRecord), and one definition of what is valid: the JSON Schema published
 * as docs/results.schema.json, checked with ajv on write and on read. Records of rnnlab 0.1.0 (no schemaVersion)
 * are upgraded on read by upgradeRecord.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { writeFileAtomic } from '../io/atomic.js';
import { parseJsonOnce, RepeatedKeyError } from '../io/strict_json.js';
import type { ProcessStart } from '../io/process_alive.js';
import type { Environment } from './environment.js';
import type { Table } from './table.js';

export const RUN_RECORD_VERSION = 1;
export const RESULTS_FILE = 'results.json';

/** What a run writes beside its model: the record and the report. */
export const REPORT_FILES: readonly string[] = [RESULTS_FILE, 'report.html', 'report.png'];

/** results.json as an rnnlab run writes it (any version): a JSON object with the command, start time and environment. */
export function isRunRecordFile(file: string): boolean {
  let st: Stats | null = null;
  try { st = statSync(file); } catch { return false; }
  if (!st?.isFile() || st.size > 256 * 1024 * 1024) return false;
  try {
    // A record that gives a key twice is none: its command or status would be read as whichever came last.
    const j = parseJsonOnce(readFileSync(file, 'utf8'), file) as Record<string, unknown>;
    return typeof j === 'object' && j !== null && !Array.isArray(j) && typeof j.command === 'string' && typeof j.startedAt === 'string' &&
      typeof j.environment === 'object' && j.environment !== null;
  } catch {
    return false;
  }
}

export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed';

/** Histories and metrics hold null where a number is not finite (JSON has no NaN). */
export type Num = number | null;

export interface ModelRecord {
  name: string;
  params: number | null;
  /** Per epoch: loss, accuracy, val_loss, val_accuracy, val_exact ... */
  history: Record<string, Num[]>;
  /** Wall time of each epoch's training batches. */
  secondsPerEpoch: Num[];
  metrics?: Record<string, Num>;
  summary?: string[];
}

/** A model's summary() lines, as a ModelRecord's `summary` holds them. */
export function modelSummary(model: { summary(lineLength?: number, positions?: number[], printFn?: (line: string) => void): void }): string[] {
  const lines: string[] = [];
  model.summary(undefined, undefined, (l) => lines.push(l));
  return lines;
}

/** A decoded example: beamGuess is a seq2seq run's (or evaluation's) beam-search output, with --beam. */
export interface Sample { question: string; truth: string; guess: string; correct: boolean; beamGuess?: string }

/** The part of a record a task computes: the CLI and the dashboard add the rest. */
export interface RecordBody {
  config: Record<string, unknown>;
  data: Record<string, unknown> | null;
  models: ModelRecord[];
  metrics: Record<string, Num | Record<string, Num>>;
  finding: string;
  samples?: Sample[];
  tables?: Table[];
  details?: Record<string, unknown>;
}

export interface RunRecord extends RecordBody {
  schemaVersion: typeof RUN_RECORD_VERSION;
  command: string;
  argv: string[];
  source: 'cli' | 'dashboard';
  runName: string;
  status: RunStatus;
  /** The writing process while running, else null. */
  pid: number | null;
  /**
   * The machine (os.hostname()) whose process wrote the record: a pid means something only there, so on a runs
   * folder shared between machines a reader elsewhere cannot judge a "running" record. Absent in older records.
   */
  host?: string;
  /**
   * While running, on Linux: which process of which boot `pid` named when the record was written (src/io/process_alive.ts),
   * so that a reader tells the writer from a reused pid exactly, whatever the wall clock did. Absent in older records.
   */
  writer?: ProcessStart;
  startedAt: string;
  finishedAt: string | null;
  environment: Environment;
  timing: { totalSeconds: Num };
  error: { name: string; message: string } | null;
  cancellation: { afterEpochs: number; partialLastEpoch: boolean } | null;
  reportError?: string;
}

/** A results.json that cannot be read, named by its file. */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

let validator: ValidateFunction | undefined;

/** The published schema (docs/results.schema.json; the same relative path from src/report and dist/report). */
export function recordSchema(): Record<string, unknown> {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/results.schema.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function validate(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, formats: { 'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/ } });
    validator = ajv.compile(recordSchema());
  }
  return validator;
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(the record)'} ${e.message ?? 'is invalid'}${e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : ''}`).join('; ');
}

/** Problems with a value as a RunRecord, or [] when it is one. */
export function recordProblems(value: unknown): string[] {
  const v = validate();
  return v(value) ? [] : describe(v.errors).split('; ');
}

/** The record as JSON: typed arrays as arrays and non-finite numbers as null. */
export function recordJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    if (typeof v === 'number' && !Number.isFinite(v)) return null;
    return v;
  }, 2);
}

/** Writes <dir>/results.json atomically, after checking it against the schema (a writer bug fails loudly, not the reader). */
export function writeRecord(dir: string, record: RunRecord): string {
  const json = recordJson(record);
  const problems = recordProblems(JSON.parse(json));
  if (problems.length) throw new RecordError(`refusing to write an invalid ${RESULTS_FILE} to ${dir}: ${problems.join('; ')}`);
  const file = path.join(dir, RESULTS_FILE);
  writeFileAtomic(file, json + '\n');
  return file;
}

/** Reads and checks <file>; version-less records of rnnlab 0.1.0 are upgraded first. Errors name the file. */
export function readRecord(file: string): RunRecord {
  let raw: unknown;
  try {
    raw = parseJsonOnce(readFileSync(file, 'utf8'), file);
  } catch (e) {
    throw new RecordError(e instanceof RepeatedKeyError ? e.message : `${file} cannot be read: ${(e as Error).message}`);
  }
  return parseRecord(raw, file);
}

/** Checks a parsed results.json (upgrading a 0.1.0 one); `where` names it in errors. */
export function parseRecord(raw: unknown, where: string): RunRecord {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RecordError(`${where} is not a JSON object`);
  const r = raw as Record<string, unknown>;
  if (r.schemaVersion !== undefined && r.schemaVersion !== RUN_RECORD_VERSION) {
    throw new RecordError(`${where} has schemaVersion ${JSON.stringify(r.schemaVersion)}; this rnnlab reads version ${RUN_RECORD_VERSION} and older records`);
  }
  const record = r.schemaVersion === undefined ? upgradeRecord(r) : r;
  const problems = recordProblems(record);
  if (problems.length) throw new RecordError(`${where} is not a valid run record: ${problems.join('; ')}`);
  return record as unknown as RunRecord;
}

// --- rnnlab 0.1.0 records: four writers, each with its own keys ---

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const numOrNull = (v: unknown): Num => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const numArray = (v: unknown): Num[] | null => (Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null) ? v.map(numOrNull) : null);

function historyOf(h: unknown): Record<string, Num[]> | null {
  if (!isObj(h)) return null;
  const entries = Object.entries(h).map(([k, v]) => [k, numArray(v)] as const).filter((e): e is readonly [string, Num[]] => e[1] !== null);
  return entries.length ? Object.fromEntries(entries) : null;
}

function oldStatus(r: Json): RunStatus {
  const s = r.status;
  if (s === 'running' || s === 'completed' || s === 'cancelled' || s === 'failed') return s;
  if (s === 'ok' || s === 'done' || s === 'finished' || s === 'complete') return 'completed';
  if (s === 'error' || s === 'interrupted') return 'failed';
  return 'completed';
}

function oldModelName(r: Json, c: Json): string {
  if (typeof c.model === 'string') return c.model;
  if (typeof c.rnn === 'string') return `${c.rnn} seq2seq`;
  if (typeof r.model === 'string') return r.model;
  return String(r.command ?? 'run');
}

/** The models of a 0.1.0 record: `history` (one, or one per model), `histories`, or `runs[].history`. */
function oldModels(r: Json, c: Json): ModelRecord[] {
  const timing = isObj(r.timing) ? r.timing : {};
  const runs = Array.isArray(r.runs) ? r.runs.filter(isObj) : [];
  const runFor = (name: string) => runs.find((x) => x.model === name || x.name === name);
  const secondsFor = (name: string | null): Num[] => {
    const t = name === null ? timing : isObj(runFor(name)?.timing) ? (runFor(name)!.timing as Json) : {};
    const s = t.secondsPerEpoch ?? t.epochSeconds;
    if (name !== null && isObj(timing.secondsPerEpoch)) return numArray(timing.secondsPerEpoch[name]) ?? numArray(s) ?? [];
    return numArray(s) ?? [];
  };
  const model = (name: string, history: Record<string, Num[]>, seconds: Num[], from?: Json): ModelRecord => ({
    name, params: typeof from?.params === 'number' ? from.params : null, history, secondsPerEpoch: seconds,
    ...(Array.isArray(from?.summary) ? { summary: (from!.summary as unknown[]).map(String) } : {}),
  });
  const direct = historyOf(r.history);
  if (direct) return [model(oldModelName(r, c), direct, secondsFor(null), r)];
  for (const key of ['history', 'histories']) {
    const map = r[key];
    if (!isObj(map)) continue;
    const out: ModelRecord[] = [];
    for (const [name, h] of Object.entries(map)) {
      const hist = historyOf(isObj(h) && isObj(h.history) ? h.history : h);
      if (hist) out.push(model(name, hist, secondsFor(name), runFor(name)));
    }
    if (out.length) return out;
  }
  return runs.flatMap((x, i) => {
    const hist = historyOf(x.history);
    const name = String(x.model ?? x.name ?? i + 1);
    return hist ? [model(name, hist, secondsFor(name), x)] : [];
  });
}

function oldMetrics(r: Json): RecordBody['metrics'] {
  const src = isObj(r.metrics) ? r.metrics : isObj(r.numbers) ? r.numbers : {};
  const out: RecordBody['metrics'] = {};
  for (const [k, v] of Object.entries(src)) {
    if (isObj(v)) out[k] = Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, numOrNull(vv)]));
    else out[k] = numOrNull(v);
  }
  return out;
}

const UNKNOWN_ENVIRONMENT: Environment = {
  engine: { backend: 'native', isa: 'unknown', isas: [], cpuFeatures: [], threads: 1, addon: false }, cpu: 'unknown', cpuCount: 0, node: 'unknown',
  platform: 'unknown', arch: 'unknown', rnnlab: '0.1.0', hostMemoryGiB: 0,
};

/** A record as rnnlab 0.1.0 wrote it (no schemaVersion), in today's shape; unknown keys are dropped. */
export function upgradeRecord(r: Json): Json {
  const c = isObj(r.config) ? r.config : {};
  const status = oldStatus(r);
  const command = typeof r.command === 'string' && r.command ? r.command : typeof r.task === 'string' ? r.task : typeof c.task === 'string' ? c.task : 'unknown';
  const err = r.error;
  const out: Json = {
    schemaVersion: RUN_RECORD_VERSION,
    command,
    argv: Array.isArray(r.argv) ? r.argv.map(String) : [],
    source: r.source === 'rnnlab serve' ? 'dashboard' : 'cli',
    runName: typeof r.runName === 'string' && r.runName ? r.runName : command,
    status,
    pid: status === 'running' && typeof r.pid === 'number' ? r.pid : null,
    startedAt: r.startedAt,
    finishedAt: typeof r.finishedAt === 'string' ? r.finishedAt : null,
    environment: isObj(r.environment) ? r.environment : UNKNOWN_ENVIRONMENT,
    config: c,
    data: isObj(r.data) ? r.data : null,
    models: oldModels(r, c),
    metrics: oldMetrics(r),
    timing: { totalSeconds: numOrNull(isObj(r.timing) ? r.timing.totalSeconds : undefined) },
    finding: typeof r.finding === 'string' ? r.finding : '',
    error: typeof err === 'string' ? { name: 'Error', message: err } : isObj(err) && typeof err.message === 'string' ? { name: String(err.name ?? 'Error'), message: err.message } : null,
    cancellation: status === 'cancelled' ? { afterEpochs: typeof r.cancelledAfterEpochs === 'number' ? r.cancelledAfterEpochs : 0, partialLastEpoch: r.partialLastEpoch === true } : null,
  };
  if (Array.isArray(r.samples)) out.samples = r.samples;
  if (Array.isArray(r.tables)) out.tables = r.tables;
  // What 0.1.0 kept at the top level and the record keeps in details (experiment title, compare rows, tokenize texts).
  const details: Json = {
    ...(typeof r.title === 'string' ? { title: r.title } : {}), ...(Array.isArray(r.comparison) ? { comparison: r.comparison } : {}),
    ...(Array.isArray(r.texts) ? { texts: r.texts } : {}), ...(isObj(r.details) ? r.details : {}),
  };
  if (Object.keys(details).length) out.details = details;
  return out;
}
