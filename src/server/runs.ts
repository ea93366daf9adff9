/**
 * The runs folder as the dashboard sees it: one sub-folder per run holding results.json (written by the
 * CLI or by this server), report.html / report.png, and for runs that saved one, the trained model.
 * Every results.json is read through the one RunRecord reader (0.1.0 records are upgraded); a folder whose
 * results.json is damaged or invalid is listed as such, with the reason, not fatal.
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { SWEEP_FILE } from '../sweep/record.js';
import type { Sequential } from '../models/sequential.js';
import { HttpError, notFound } from './http.js';
import { ModelTooLargeError } from '../io/errors.js';
import { parseJsonOnce, RepeatedKeyError } from '../io/strict_json.js';
import { parseRecord, RESULTS_FILE, type Num, type RunRecord, type RunStatus } from '../report/record.js';
import { loadSavedModel, savedModelDir, type ModelInfo, type ModelMeta, type ServedModelMeta, type TextModelMeta } from './model_io.js';
import { checkedModelMeta } from './model_input.js';
import { writerAlive } from './process_identity.js';
import { MAX_SERVED_BYTES } from './static.js';
import { finiteOrNull, MAX_RECORD_BYTES, parseServed, RecordCache, WORKER_PARSE_BYTES } from './record_reader.js';
import { pathRedactor } from './redact.js';
import { listRunsFolder, runFolderNames, RUN_ID_RE } from './runs_folder.js';

/** A record's status, or what the folder turned out to be: a run whose process died, a results.json that cannot be read. */
export type RunState = RunStatus | 'interrupted' | 'invalid';

export interface RunSummary {
  id: string;
  name: string;
  /** imdb, addition, compare, experiment name... */
  command: string;
  /** The model(s) the run trained. */
  model: string;
  status: RunState;
  /** Whole epochs trained (the longest history in the run, less a cancelled run's partial last epoch). */
  epochs: number | null;
  /** Best validation accuracy over epochs and models (a fraction; per character for the adder, as Keras counts it). */
  bestValAccuracy: number | null;
  /** Final test-set accuracy (IMDb-style runs), a fraction. */
  testAccuracy: number | null;
  /** Seq2seq: the fraction of validation answers exactly right. */
  exactMatch: number | null;
  /** The run's main settings, "key=value" joined by spaces, so runs can be compared side by side. */
  settings: string;
  /** Mean wall time of a training epoch. */
  secondsPerEpoch: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Whether GET /api/runs/:id/report.html serves the run's report. */
  hasReport: boolean;
  /** Why a report.html the folder holds is not served (too large, a link out of the runs folder, not a regular file). */
  reportError?: string;
  hasModel: boolean;
  /** The machine still running the run, when that is not this one (its pid cannot be checked from here). */
  host?: string;
  error?: string;
}

export interface RunCurve {
  /** Which model of the run (a run comparing models has one per model). */
  label: string;
  history: Record<string, Num[]>;
  /** Training seconds of each epoch (the wall-clock axis). */
  seconds: Num[];
}

export interface RunDetail {
  summary: RunSummary;
  curves: RunCurve[];
  results: RunRecord | null;
}


/**
 * The fields of a record that a run's summary and its model's description read: what the run list keeps of each
 * record between requests (a record's details, histograms of every epoch among them, can be megabytes).
 */
export type RunHead = Pick<RunRecord, 'command' | 'runName' | 'status' | 'pid' | 'host' | 'writer' | 'startedAt' | 'finishedAt' | 'error' | 'models' | 'metrics' | 'config' | 'cancellation'>
  & {
    /** A `rnnlab train` run's class names, in the model's order (its record's data.classes), for the model list. */
    classes?: string[];
    /** Who wrote the run, for the 404 of a job id naming it (RunStore.sourceOf). */
    source?: RunRecord['source'];
    /**
     * The compute precision the run trained in (environment.engine.precision): what ran, not what --precision asked,
     * since mixed_bfloat16 falls back to float32 without AVX512-BF16. Absent from records written before the field.
     */
    precision?: string;
  };

function headOf(r: RunRecord): RunHead {
  const classes = r.data?.classes;
  return { command: r.command, source: r.source, runName: r.runName, status: r.status, pid: r.pid, host: r.host, writer: r.writer, startedAt: r.startedAt,
    finishedAt: r.finishedAt, error: r.error, models: r.models, metrics: r.metrics, config: r.config, cancellation: r.cancellation,
    ...(Array.isArray(classes) && classes.every((c) => typeof c === 'string') ? { classes: classes as string[] } : {}),
    ...(precisionOf(r) === undefined ? {} : { precision: precisionOf(r) }) };
}

/** The precision a run trained in, from its head (the listing's) or its whole record (a run's page reads that). */
function precisionOf(r: RunHead | RunRecord): string | undefined {
  const p = 'environment' in r ? r.environment?.engine?.precision : r.precision;
  return typeof p === 'string' ? p : undefined;
}

const finite = (v: Num[]): number[] => v.filter((x): x is number => x !== null && Number.isFinite(x));

/**
 * `trainingHere` says whether this server is writing the run now. A record left "running" under this process's own
 * pid by an earlier server (a container restarts its server under the same small pid) is not alive for that, nor
 * one whose pid now names a process that started after the run did.
 */
function stateOf(r: RunHead, trainingHere: boolean, otherHost: boolean): RunState {
  // Another machine's pid says nothing here: its run stays "running" (summary.host names the machine) rather than
  // being called interrupted on the strength of an unrelated local process, or of none.
  if (otherHost) return r.status;
  // A run whose writer died (killed, machine rebooted) stays "running" in its file; say what it is.
  if (r.status === 'running' && r.pid !== null && (r.pid === process.pid ? !trainingHere : !writerAlive(r.pid, Date.parse(r.startedAt), r.writer))) return 'interrupted';
  return r.status;
}

/** Whether the record names a machine other than this one (records written before host was recorded name none). */
export function recordFromOtherHost(r: Pick<RunRecord, 'host'>, here = hostname()): boolean {
  return typeof r.host === 'string' && r.host !== here;
}

/**
 * Whether the process a "running" record names is alive and is the one that began the run: by the writer's boot id
 * and start ticks where the record has them (exact, whatever the wall clock did), else by process_identity's
 * wall-clock rule. A record of another machine counts as alive: this server cannot see its process, so it must
 * neither judge nor take over its run.
 */
export function recordWriterAlive(r: RunRecord): boolean {
  if (recordFromOtherHost(r)) return true;
  return r.pid !== null && writerAlive(r.pid, Date.parse(r.startedAt), r.writer);
}

/** A run folder's name starts with its start in local time (defaultOutDir): 20250108-100000-name. */
const FOLDER_TIME = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-|$)/;

/** The start time a folder's name gives, as an ISO time; null when the name has none. */
function folderTime(id: string): string | null {
  const m = FOLDER_TIME.exec(id);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = new Date(y, mo - 1, d, h, mi, s);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

/**
 * Newest first by the recorded start time, else (the record unreadable) the time the folder's name starts with; the
 * rest after every dated run. ISO times compare as strings, as the dashboard's column sort (web/js/runs.js) compares
 * them: comparing a folder name with the times put "add-broken" before every run.
 */
function newestFirst(a: RunSummary, b: RunSummary): number {
  const x = a.startedAt || folderTime(a.id), y = b.startedAt || folderTime(b.id);
  if (x !== y) {
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? 1 : -1;
  }
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** A run folder's report.html as GET .../report.html sees it; `error` says why one that is there is not served. */
type ReportState = { state: 'served' | 'none' } | { state: 'too-large' | 'refused'; error: string };

/**
 * The run folder `dir`'s (directly inside the runs folder) report.html, judged by safe_files.ts's rule with the size cap
 * static.ts serves under: a link out of the runs folder or a FIFO is a 403 there (refused), one over the cap a 413.
 */
function reportOf(dir: string): ReportState {
  let real: string;
  try {
    real = realpathSync(path.join(dir, 'report.html'));
  } catch {
    return { state: 'none' };
  }
  try {
    if (!real.startsWith(realpathSync(path.dirname(dir)) + path.sep)) return { state: 'refused', error: 'report.html leads outside the runs folder (a symbolic link?); it is not served' };
    const st = statSync(real);
    if (!st.isFile()) return { state: 'refused', error: 'report.html is not a regular file; it is not served' };
    if (st.size > MAX_SERVED_BYTES) {
      return { state: 'too-large', error: `report.html is ${st.size} bytes, over the ${MAX_SERVED_BYTES >> 20} MiB the dashboard serves; open it from the run folder` };
    }
    return { state: 'served' };
  } catch {
    // Removed while we looked.
    return { state: 'none' };
  }
}

/**
 * A folder without results.json is a run (one whose record was lost) only when it holds its report (one too large to
 * serve included: it is listed saying so), and never a sweep's.
 */
function noRunIn(dir: string, error: string | undefined): boolean {
  if (error !== `no ${RESULTS_FILE}`) return false;
  const { state } = reportOf(dir);
  return state === 'none' || state === 'refused' || existsSync(path.join(dir, SWEEP_FILE));
}

export function summarize(id: string, dir: string, r: RunHead | null, error?: string, trainingHere = false): RunSummary {
  const report = reportOf(dir);
  const base: RunSummary = {
    id, name: id, command: '', model: '', status: 'invalid', epochs: null, bestValAccuracy: null, testAccuracy: null, exactMatch: null, settings: '', secondsPerEpoch: null,
    startedAt: null, finishedAt: null, hasReport: report.state === 'served', ...('error' in report ? { reportError: report.error } : {}), hasModel: savedModelDir(dir) !== null,
  };
  if (!r) return { ...base, error };
  const otherHost = recordFromOtherHost(r);
  const val = r.models.flatMap((m) => finite(m.history.val_accuracy ?? []));
  // Whole epochs, as the record counts them and the CLI's mean is taken: a cancelled run's partial last epoch is the
  // last model's (the one stopped; compare starts no model after it), and took a fraction of an epoch's time.
  const partial = r.cancellation?.partialLastEpoch === true;
  const recordedOf = (m: RunHead['models'][number]) => Math.max(0, ...Object.values(m.history).map((v) => v.length));
  const wholeOf = (m: RunHead['models'][number], i: number) => Math.max(0, recordedOf(m) - (partial && i === r.models.length - 1 ? 1 : 0));
  const hasHistory = r.models.some((m) => Object.keys(m.history).length > 0);
  const secs = r.models.flatMap((m, i) => finite(partial && i === r.models.length - 1 ? m.secondsPerEpoch.slice(0, wholeOf(m, i)) : m.secondsPerEpoch));
  return {
    ...base,
    name: r.runName,
    command: r.command,
    model: r.models.map((m) => m.name).join(', '),
    status: stateOf(r, trainingHere, otherHost),
    // Whole epochs: a cancelled run's partial last epoch is in its curves, not in the count (as its record says).
    epochs: hasHistory ? Math.max(...r.models.map(wholeOf)) : null,
    bestValAccuracy: val.length ? Math.max(...val) : null,
    testAccuracy: metric(r, 'testAccuracy'),
    // The adder's records name it exactMatchAccuracy, rnnlab seq2seq's (greedy decoding) validationExact, and an
    // evaluate of a seq2seq model on a pairs file testExact.
    exactMatch: metric(r, 'exactMatchAccuracy') ?? metric(r, 'validationExact') ?? metric(r, 'testExact'),
    settings: settingsOf(r.config, precisionOf(r)),
    secondsPerEpoch: secs.length ? secs.reduce((a, b) => a + b, 0) / secs.length : null,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    error: r.error?.message,
    ...(r.status === 'running' && otherHost ? { host: r.host } : {}),
  };
}

function metric(r: RunHead, key: string): number | null {
  const v = r.metrics[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The settings that tell runs apart, in a fixed order; the rest stays in the run's record. */
const SETTING_KEYS = ['model', 'rnn', 'attention', 'tokens', 'bidirectionalEncoder', 'units', 'hidden', 'layers', 'embeddingDim', 'maxlen', 'vocab', 'limit', 'digits', 'trainingSize', 'reverse',
  'epochs', 'batchSize', 'optimizer', 'lr', 'beam', 'seed', 'precision'];

/**
 * `precision`: the one the run trained in (RunHead.precision), from its environment rather than its config: a run
 * asked for mixed_bfloat16 that fell back to float32 shows float32.
 */
export function settingsOf(config: Record<string, unknown>, precision?: string): string {
  const shown: Record<string, unknown> = precision === undefined ? config : { ...config, precision };
  return SETTING_KEYS.filter((k) => ['number', 'string', 'boolean'].includes(typeof shown[k])).map((k) => `${k}=${String(shown[k])}`).join(' ');
}

/** What an inference request needs to know about a saved model, from its record. */
export function modelMetaOf(r: Pick<RunRecord, 'command' | 'config'>): ModelMeta | null {
  const c = r.config;
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  if (r.command === 'imdb' && typeof c.model === 'string') return { task: 'imdb', kind: c.model, vocab: num(c.vocab, 10000), maxlen: num(c.maxlen, 500) };
  if (r.command === 'addition') return { task: 'addition', kind: typeof c.rnn === 'string' ? c.rnn : 'lstm', digits: num(c.digits, 3), reverse: c.reverse === true };
  return null;
}

/**
 * A `rnnlab train` run's text classifier as the model list shows it, from its record (the classes come from the model's
 * rnnlab-text.json once it is loaded); null for any other run, or a record that does not name two or more classes.
 */
export function textModelMetaOf(r: Pick<RunHead, 'command' | 'config' | 'classes'>): TextModelMeta | null {
  if (r.command !== 'train' || !r.classes || r.classes.length < 2) return null;
  const { model, maxlen } = r.config;
  return { task: 'text', kind: typeof model === 'string' ? model : 'text', classes: r.classes, maxlen: typeof maxlen === 'number' && Number.isFinite(maxlen) ? maxlen : null };
}

/**
 * Which file a results.json is, and which version of it. The mtime, size and inode alone are not enough: a folder
 * deleted and restored (tar x, cp -p, rsync -a) can get the freed inode number back with the old size and mtime;
 * the change time cannot be set back, and moves on every write and rename.
 */
const STAMP_FIELDS = ['mtimeMs', 'ctimeMs', 'birthtimeMs', 'size', 'ino', 'dev'] as const;
/** birthtimeMs is 0 where the file system does not record a birth time. */
type RecordStamp = Record<(typeof STAMP_FIELDS)[number], number>;

const sameStamp = (a: RecordStamp, b: RecordStamp) => STAMP_FIELDS.every((k) => a[k] === b[k]);
/** The stamp fields of a file's status, and only those (a cached entry holds nothing else of it). */
const stampOf = (st: RecordStamp): RecordStamp => Object.fromEntries(STAMP_FIELDS.map((k) => [k, st[k]])) as RecordStamp;

/** A results.json as last read: what it said, and the file it was (a rewrite, atomic or not, changes its stamp). */
interface CachedHead extends RecordStamp {
  head: RunHead | null;
  error?: string;
}

/**
 * A run folder as the last listing saw it. `key` holds the stamps of the folder, its results.json, its model/ folder
 * and its report.html: a file added, removed or renamed in the run folder (report.html, model/, a results.json renamed
 * in) moves the folder's own stamp, a model.json saved or removed moves model/'s, a record rewritten in place moves its
 * own, and a report grown in place past what is served its own. While the key holds, nothing summarize() checks can
 * have changed, so the summary is reused as it is.
 */
interface CachedFolder {
  key: string;
  head: RunHead | null;
  /** null: not a run to list (a sweep folder, or one holding nothing of a run). */
  summary: RunSummary | null;
}

/** How many folders' files are looked at at once: enough to keep the thread pool busy, not so many that one listing fills it. */
export const STAT_CONCURRENCY = 16;
/** A cold listing parses records synchronously; it lets other requests in between every this many folders. */
const PARSED_BEFORE_YIELD = 25;

/** fn over every item, at most `limit` at a time, results in the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A file's stamp, or the errno code that stands for it (a missing file is a state like any other). */
const stampOrCode = (p: Promise<RecordStamp>): Promise<RecordStamp | string> => p.then(stampOf, (e: NodeJS.ErrnoException) => e.code ?? 'error');

/** A run page's curves: each model's history and seconds per epoch. */
function curvesOf(results: RunRecord | null): RunCurve[] {
  return results?.models.map((m) => ({ label: m.name, history: m.history, seconds: m.secondsPerEpoch })) ?? [];
}

export class RunStore {
  /** Whether this server's job queue is training into the run folder now (the queue sets it). */
  trainingHere: (id: string) => boolean = () => false;
  /**
   * Why this server's job for the run folder failed, when it did (the server sets it): a job whose final record could
   * not be written (a full disk) leaves the record it wrote while training, "running" under this server's pid, and the
   * folder is listed with the job's failure rather than as interrupted.
   */
  jobFailure: (id: string) => string | null = () => null;

  /** By results.json path: GET /api/runs sorts every run on every request, and reads again only files that changed. */
  private heads = new Map<string, CachedHead>();
  /** By run id: what each folder was listed as, reused while the folder's key holds. */
  private folders = new Map<string, CachedFolder>();

  /** The folders every answer of the server redacts (the server sets them): a run's page is written out redacted once. */
  redactFolders: (string | undefined)[] = [];
  /**
   * Records as a run's page serves them, by path and stamps: a large record is read and parsed once per version, not on
   * every request (record_reader.ts bounds what it keeps).
   */
  readonly servedRecords = new RecordCache((bytes, name) => parseServed(bytes, name, this.redactFolders));

  /** Reads a results.json's text; a test counts the reads through it. */
  readText: (file: string) => { text: string } | { error: string } = readRecordText;

  constructor(readonly dir: string, readonly maxModelParams?: number) {}

  /**
   * Checks an id from a URL: one existing folder directly inside the runs folder, nothing else. A folder that is a
   * symbolic link leading out of the runs folder is refused (403): its results or model must not be read.
   */
  resolve(id: string): string {
    // A hidden folder is not listed, so it is not a run by id either.
    if (!RUN_ID_RE.test(id) || id.startsWith('.') || id.includes('/') || id.includes('\\')) throw notFound(`no run '${id}'`);
    const dir = path.join(this.dir, id);
    let st;
    try {
      st = statSync(dir);
    } catch {
      // The runs folder itself gone is said as such, not as one run missing.
      listRunsFolder(this.dir);
      throw notFound(`no run '${id}' in ${this.dir}`);
    }
    if (!st.isDirectory()) throw notFound(`no run '${id}' in ${this.dir}`);
    if (!this.insideRoot(dir)) throw new HttpError(403, `run '${id}' leads outside the runs folder (a symbolic link?); it is not read`);
    return dir;
  }

  /** Whether a run folder (maybe a symbolic link) really lies directly inside the runs folder. */
  private insideRoot(dir: string): boolean {
    try {
      return !lstatSync(dir).isSymbolicLink() || path.dirname(realpathSync(dir)) === realpathSync(this.dir);
    } catch {
      // Removed or relinked while we looked: not a folder to read.
      return false;
    }
  }

  /** The run folders' names; a runs folder gone or unreadable is an error naming it (runs_folder.ts), never an empty list. */
  private ids(): string[] {
    return runFolderNames(this.dir);
  }

  /** The run's record; a missing, damaged or invalid results.json is an error message, not an exception. */
  private read(dir: string): { results: RunRecord | null; error?: string } {
    const file = path.join(dir, RESULTS_FILE);
    const st = this.statRecord(file);
    return 'error' in st ? { results: null, error: st.error } : parseFile(file, this.readText);
  }

  /** results.json's file status, or why it is not read (missing, not a regular file, too large). */
  private statRecord(file: string): RecordStamp | { error: string } {
    let st;
    try {
      st = lstatSync(file);
    } catch {
      return { error: `no ${RESULTS_FILE}` };
    }
    // Only a regular file is read: a FIFO would block the server, a symlink could point anywhere.
    if (!st.isFile()) return { error: `${RESULTS_FILE} is not a regular file` };
    if (st.size > MAX_RECORD_BYTES) return { error: `${RESULTS_FILE} is larger than ${MAX_RECORD_BYTES >> 20} MiB` };
    return stampOf(st);
  }

  /** What summaries need of the run's record: parsed again only when its results.json changed since the last read. */
  private readHead(dir: string): { head: RunHead | null; error?: string } {
    const file = path.join(dir, RESULTS_FILE);
    const st = this.statRecord(file);
    if ('error' in st) {
      this.heads.delete(file);
      return { head: null, error: st.error };
    }
    const had = this.heads.get(file);
    if (had && sameStamp(had, st)) return had;
    const { results, error } = parseFile(file, this.readText);
    return this.keepHead(file, st, results, error);
  }

  /**
   * Keeps the head of a large record not yet read, read as a run's page reads it (in a worker): listed() then finds
   * it kept, and the server's thread never parses a record of megabytes for the listing.
   */
  private async readLargeHead(file: string, id: string): Promise<void> {
    const st = this.statRecord(file);
    if ('error' in st || st.size <= WORKER_PARSE_BYTES) return;
    const had = this.heads.get(file);
    if (had && sameStamp(had, st)) return;
    const read = await this.servedRecords.get(file, `${id}/${RESULTS_FILE}`);
    // Keyed by the stamps taken before the read: a change meanwhile shows as another stamp, and is read again.
    this.keepHead(file, st, 'error' in read ? null : read.light, 'error' in read ? read.error : undefined);
  }

  private keepHead(file: string, st: RecordStamp, results: RunRecord | null, error: string | undefined): CachedHead {
    const entry: CachedHead = { ...st, head: results && headOf(results), ...(error === undefined ? {} : { error }) };
    this.heads.set(file, entry);
    return entry;
  }

  /** Forgets the records of runs no longer in the folder (every listing calls it: a long-lived server sees many runs go). */
  private forgetAllBut(ids: string[]): void {
    const kept = new Set(ids.map((id) => path.join(this.dir, id, RESULTS_FILE)));
    for (const file of this.heads.keys()) if (!kept.has(file)) this.heads.delete(file);
    const keptIds = new Set(ids);
    for (const id of this.folders.keys()) if (!keptIds.has(id)) this.folders.delete(id);
  }

  /** The stamps a folder's listing depends on (CachedFolder says why these), looked at without blocking the server. */
  private async folderKey(id: string): Promise<string> {
    const dir = path.join(this.dir, id);
    const stamps = await Promise.all([stampOrCode(stat(dir)), stampOrCode(lstat(path.join(dir, RESULTS_FILE))), stampOrCode(stat(path.join(dir, 'model'))),
      stampOrCode(stat(path.join(dir, 'report.html')))]);
    return JSON.stringify(stamps);
  }

  /** What the listing makes of a folder whose key changed (or that it has not seen): its record read again only if that changed. */
  private listed(id: string): Omit<CachedFolder, 'key'> {
    const dir = path.join(this.dir, id);
    const { head, error } = this.readHead(dir);
    // A sweep folder is listed under Sweeps, not as a broken run.
    if (!head && noRunIn(dir, error)) return { head, summary: null };
    return { head, summary: summarize(id, dir, head, error, this.trainingHere(id)) };
  }

  /**
   * Every run folder's head and summary, in the runs folder's order. A warm listing looks at three file stamps per
   * folder, asynchronously, and reads or summarizes again only the folders that changed.
   */
  private async scan(): Promise<{ id: string; head: RunHead | null; summary: RunSummary | null }[]> {
    const ids = this.ids();
    this.forgetAllBut(ids);
    const keys = await mapBounded(ids, STAT_CONCURRENCY, (id) => this.folderKey(id));
    const out: { id: string; head: RunHead | null; summary: RunSummary | null }[] = [];
    let parsed = 0;
    for (const [i, id] of ids.entries()) {
      let f = this.folders.get(id);
      if (f?.key !== keys[i]) {
        // Keyed by the stamps taken before this read: a change made meanwhile shows as a new key next time.
        await this.readLargeHead(path.join(this.dir, id, RESULTS_FILE), id);
        f = { key: keys[i], ...this.listed(id) };
        this.folders.set(id, f);
        if (++parsed % PARSED_BEFORE_YIELD === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const { head, summary } = f;
      out.push({ id, head, summary: summary && head ? this.live(id, head, summary) : summary });
    }
    return out;
  }

  /** A running record's state is its writer's (or this server's job's), which no file stamp shows: judged on every request. */
  private live(id: string, head: RunHead, summary: RunSummary): RunSummary {
    if (head.status !== 'running') return summary;
    const status = stateOf(head, this.trainingHere(id), recordFromOtherHost(head));
    const failure = status === 'interrupted' && head.pid === process.pid ? this.jobFailure(id) : null;
    return failure === null ? { ...summary, status } : { ...summary, status: 'failed', error: failure };
  }

  async list(): Promise<RunSummary[]> {
    const out = (await this.scan()).flatMap((f) => (f.summary ? [f.summary] : []));
    out.sort(newestFirst);
    return out;
  }

  /** Every readable record with its folder name, for the job list rebuilt after a restart (the run list's first read reuses them). */
  records(): { id: string; record: RunRecord }[] {
    const out: { id: string; record: RunRecord }[] = [];
    for (const id of this.ids()) {
      const file = path.join(this.dir, id, RESULTS_FILE);
      const st = this.statRecord(file);
      if ('error' in st) continue;
      const { results, error } = parseFile(file, this.readText);
      this.keepHead(file, st, results, error);
      if (results) out.push({ id, record: results });
    }
    return out;
  }

  /**
   * A run by id, as the listing shows it: a folder the listing leaves out (no results.json, no report) is a 404, and a
   * results.json that is not a regular file (a link, a FIFO), listed as invalid, is a 403, never read.
   */
  get(id: string): RunDetail {
    const dir = this.resolve(id);
    const { results, error } = this.read(dir);
    if (noRunIn(dir, error)) throw notFound(`no run '${id}': its folder holds no ${RESULTS_FILE}`);
    if (error === `${RESULTS_FILE} is not a regular file`) throw new HttpError(403, `${id}/${RESULTS_FILE} is not a regular file; it is not read`);
    const summary = summarize(id, dir, results, error, this.trainingHere(id));
    return { summary: results ? this.live(id, results, summary) : summary, curves: curvesOf(results), results };
  }

  /**
   * GET /api/runs/:id's answer, as JSON bytes: get()'s, but read without holding up the server. The record is read
   * asynchronously, a large one parsed and written out in a worker thread, and kept by its file's stamps
   * (servedRecords), so asking again costs a stat and a copy; the summary, whose status is judged live, is made anew.
   */
  async detailJson(id: string): Promise<Buffer> {
    const dir = this.resolve(id);
    const read = await this.servedRecords.get(path.join(dir, RESULTS_FILE), `${id}/${RESULTS_FILE}`);
    const { light, json, error } = 'error' in read ? { light: null, json: null, error: read.error } : { ...read, error: undefined };
    if (noRunIn(dir, error)) throw notFound(`no run '${id}': its folder holds no ${RESULTS_FILE}`);
    if (error === `${RESULTS_FILE} is not a regular file`) throw new HttpError(403, `${id}/${RESULTS_FILE} is not a regular file; it is not read`);
    const summary = summarize(id, dir, light, error, this.trainingHere(id));
    const redact = pathRedactor(this.redactFolders);
    const head = redact(`{"summary":${JSON.stringify(light ? this.live(id, light, summary) : summary, finiteOrNull)},"curves":${JSON.stringify(curvesOf(light), finiteOrNull)},"results":`);
    return Buffer.concat([Buffer.from(head), json ?? Buffer.from('null'), Buffer.from('}')]);
  }

  /**
   * Who wrote a run: its record's source, 'unknown' when the record cannot be read (damaged, not a regular file, none
   * beside a report), null when there is no such run. Reads the record's head, as the listing keeps it.
   */
  sourceOf(id: string): RunRecord['source'] | 'unknown' | null {
    let dir: string;
    try {
      dir = this.resolve(id);
    } catch {
      return null;
    }
    const { head, error } = this.readHead(dir);
    return noRunIn(dir, error) ? null : head?.source ?? 'unknown';
  }

  /** A report file of a run (report.html or report.png). */
  file(id: string, name: 'report.html' | 'report.png'): string {
    const f = path.join(this.resolve(id), name);
    if (!existsSync(f)) throw notFound(`run '${id}' has no ${name}`);
    return f;
  }

  /** Runs whose folder holds a saved model the dashboard knows how to feed. */
  async modelRuns(): Promise<ModelInfo[]> {
    const out: ModelInfo[] = [];
    for (const { id, head, summary: s } of await this.scan()) {
      if (!s?.hasModel || !head) continue;
      const meta: ServedModelMeta | null = modelMetaOf(head) ?? textModelMetaOf(head);
      if (!meta) continue;
      if (s.status !== 'completed') continue;
      // A model its record says is over --max-model-params could only fail to load: not offered.
      const params = head.models[0]?.params;
      if (this.maxModelParams !== undefined && typeof params === 'number' && params > this.maxModelParams) continue;
      // A text classifier's record has no test set: its headline is the validation accuracy `rnnlab train` printed.
      const accuracy = meta.task === 'text' ? metric(head, 'validationAccuracy') : headlineAccuracy(head);
      out.push({ id, label: labelFor(id, meta), meta, source: 'disk', accuracy, createdAt: s.startedAt ?? undefined });
    }
    return out;
  }

  /**
   * Which version of a run's saved model is on disk now (its results.json's and model.json's stamps), or null when
   * the run, its record or its model is gone: a model loaded earlier is used only while this stays the same.
   */
  modelVersion(id: string): string | null {
    let dir: string;
    try {
      dir = this.resolve(id);
    } catch {
      return null;
    }
    return this.versionIn(dir);
  }

  /** modelVersion of a run folder already resolved. */
  private versionIn(dir: string): string | null {
    const record = this.statRecord(path.join(dir, RESULTS_FILE));
    const modelDir = savedModelDir(dir);
    if ('error' in record || modelDir === null) return null;
    try {
      return JSON.stringify([record, stampOf(lstatSync(path.join(modelDir, 'model.json')))]);
    } catch {
      return null;
    }
  }

  async loadModel(id: string): Promise<{ info: ModelInfo; model: Sequential; version: string | null } | null> {
    let dir: string;
    try {
      dir = this.resolve(id);
    } catch (e) {
      // A run folder leading outside is said to be refused; a missing one is simply no model.
      if (e instanceof HttpError && e.status === 403) throw e;
      return null;
    }
    const { results } = this.read(dir);
    const meta = results ? modelMetaOf(results) : null;
    if (!meta || !results) return null;
    // A run still training (or one that failed or was cancelled) may hold a model folder that is half-written or
    // not the run's result; GET /api/models lists completed runs only, and a model asked for by id is held to the same.
    const status = summarize(id, dir, results, undefined, this.trainingHere(id)).status;
    if (status !== 'completed') {
      if (savedModelDir(dir) === null) return null;
      throw notCompleted(id, status);
    }
    // Taken before reading, so a rewrite while the model loads makes the next request load again.
    const version = this.versionIn(dir);
    let model: Sequential | null;
    try {
      model = await loadSavedModel(dir, this.maxModelParams);
    } catch (e) {
      throw modelLoadError(id, e);
    }
    const modelDir = savedModelDir(dir);
    // Moved away while it loaded: no model, as for a folder without one.
    if (!model || modelDir === null) return null;
    const input = checkedModelMeta(id, meta, model, modelDir);
    return { info: { id, label: labelFor(id, input), meta: input, source: 'disk', accuracy: headlineAccuracy(results), createdAt: results.startedAt }, model, version };
  }
}

export function labelFor(id: string, meta: ServedModelMeta): string {
  if (meta.task === 'text') {
    const classes = meta.classes.length <= 4 ? meta.classes.join(', ') : `${meta.classes.length} classes`;
    return `${id} (text ${meta.kind}: ${classes})`;
  }
  return meta.task === 'imdb'
    ? `${id} (IMDb ${meta.kind}, maxlen ${meta.maxlen})`
    : `${id} (addition ${meta.kind}, ${meta.digits} digits${meta.reverse ? ', reversed' : ''})`;
}

export function headlineAccuracy(r: Pick<RunRecord, 'metrics'>): number | null {
  for (const k of ['testAccuracy', 'exactMatchAccuracy']) {
    const v = r.metrics[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

/**
 * results.json's text, or why it is not read. Checked again on the open file, not only by the lstat before: one swapped
 * for a FIFO (or a link) in between would otherwise block the server's one thread in a read that never returns.
 */
export function readRecordText(file: string): { text: string } | { error: string } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? `no ${RESULTS_FILE}` : code === 'ELOOP' || code === 'ENXIO' ? `${RESULTS_FILE} is not a regular file` : `${RESULTS_FILE} cannot be read (${code ?? 'error'})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { error: `${RESULTS_FILE} is not a regular file` };
    if (st.size > MAX_RECORD_BYTES) return { error: `${RESULTS_FILE} is larger than ${MAX_RECORD_BYTES >> 20} MiB` };
    return { text: readFileSync(fd, 'utf8') };
  } catch (e) {
    return { error: `${RESULTS_FILE} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    closeSync(fd);
  }
}

/** A regular results.json of acceptable size, parsed; damaged or invalid is an error message. */
function parseFile(file: string, readText = readRecordText): { results: RunRecord | null; error?: string } {
  const read = readText(file);
  if ('error' in read) return { results: null, error: read.error };
  let raw: unknown;
  try {
    // A record that says two things (a key given twice) is read as neither.
    raw = parseJsonOnce(read.text, RESULTS_FILE);
  } catch (e) {
    // The parser's message quotes the file's first bytes; say only what is wrong.
    return { results: null, error: e instanceof RepeatedKeyError ? e.message : `${RESULTS_FILE} is not valid JSON` };
  }
  try {
    return { results: parseRecord(raw, RESULTS_FILE) };
  } catch (e) {
    return { results: null, error: (e as Error).message };
  }
}

/** A run model asked for by id before its run completed (its model folder may be half-written or not its result). */
export function notCompleted(id: string, status: string): HttpError {
  return new HttpError(409, `run '${id}' has not completed (it is ${status}), so its model is not used: pick a completed run from GET /api/models`);
}

/** Why a run's saved model did not load: over serve's --max-model-params, or unreadable. */
export function modelLoadError(id: string, e: unknown): HttpError {
  if (e instanceof ModelTooLargeError) {
    return new HttpError(422, `the model saved in run '${id}' has ${e.atLeast ? 'at least ' : ''}${e.params.toLocaleString('en-US')} parameters, over this dashboard's limit of ${e.limit.toLocaleString('en-US')} (rnnlab serve --max-model-params)`);
  }
  return new HttpError(422, `the model saved in run '${id}' cannot be loaded: ${(e as Error).message}`);
}
