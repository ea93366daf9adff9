/**
 * What every run leaves behind in its output folder: results.json (config, history, metrics, timing,
 * engine and machine), report.html (self-contained) and report.png (the curves).
 */
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { commitStaged, discardStaged, fsyncDir, stageFile, sweepDeadWritersTemps, writeFileAtomic } from '../io/atomic.js';
import { ownProcessStart } from '../io/process_alive.js';
import { errnoWords, FolderError, folderError, folderWriteWords, makeFolders } from '../local_files.js';
import { tempName } from '../temp_names.js';
import { environment, type Environment } from './environment.js';
import { allCharts, renderHtml, type ReportDoc } from './html.js';
import { svgToPng } from './png.js';
import { chartGridSvg } from './svg.js';
import { parseJsonOnce } from '../io/strict_json.js';
import { isRunRecordFile, RecordError, recordJson, recordProblems, REPORT_FILES, RESULTS_FILE, RUN_RECORD_VERSION, type RecordBody, type RunRecord, type RunStatus } from './record.js';

/** runs/<timestamp>-<name>, the timestamp in local time and safe in file names. */
export function defaultOutDir(name: string, now = new Date(), base = 'runs'): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return path.join(base, `${stamp}-${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}`);
}

/**
 * Creates a new run folder named `dir` (e.g. defaultOutDir's), or `dir-2`, `dir-3`, ... when that name is taken, and
 * returns the one it made. Each try is one mkdir without `recursive`, so checking that the name is free and taking it
 * are one step: two runs started in the same second never share a folder.
 */
export function createRunDir(dir: string): string {
  // The first folder mkdir made (runs/, say), so that a failed run removes it too when nothing else went in.
  const madeParent = makeFolders(path.dirname(dir));
  if (madeParent !== undefined) parentsMade.set(path.resolve(path.dirname(dir)), path.resolve(madeParent));
  for (let k = 1; k <= 10_000; k++) {
    const candidate = k === 1 ? dir : `${dir}-${k}`;
    try {
      mkdirSync(candidate);
      return candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw folderError(candidate, e);
    }
  }
  throw new Error(`cannot create a run folder: ${dir} and 10000 numbered variants of it already exist`);
}

/** The parent folders createRunDir made in this process: each to the outermost folder it created. */
const parentsMade = new Map<string, string>();

/**
 * Removes a folder createRunDir made for a run that failed before writing anything into it, and the parents it made
 * for it (a first run's runs/) when they are empty; one that holds anything stays.
 */
export function removeRunDirIfEmpty(dir: string): void {
  try { rmdirSync(dir); } catch { return; /* not empty: keep what the run wrote */ }
  const parent = path.resolve(path.dirname(dir)), outermost = parentsMade.get(parent);
  if (outermost === undefined) return;
  for (let at = parent; ; at = path.dirname(at)) {
    try { rmdirSync(at); } catch { return; /* another run's folder is in it */ }
    if (at === outermost) break;
  }
  parentsMade.delete(parent);
}

export { environment, rnnlabVersion, type Environment } from './environment.js';

/** This process's start, for the record's `writer` (absent where /proc cannot say: not Linux). */
function writerOf(): Pick<RunRecord, 'writer'> {
  const start = ownProcessStart();
  return start ? { writer: { ...start } } : {};
}

/** A record of a run that has just started; the task fills in its body, finishRecord its end. */
export function startRecord(o: { command: string; argv: readonly string[]; source: RunRecord['source']; runName: string; startedAt: Date; config?: Record<string, unknown> }): RunRecord {
  return {
    schemaVersion: RUN_RECORD_VERSION, command: o.command, argv: [...o.argv], source: o.source, runName: o.runName, status: 'running', pid: process.pid, host: hostname(),
    ...writerOf(),
    startedAt: o.startedAt.toISOString(), finishedAt: null, environment: environment(), config: o.config ?? {}, data: null, models: [], metrics: {},
    timing: { totalSeconds: null }, finding: '', error: null, cancellation: null,
  };
}

/** The record at the end of a run: the task's body, the final status, the time. */
export function finishRecord(start: RunRecord, body: RecordBody, status: Exclude<RunStatus, 'running'> = 'completed', extra: Partial<RunRecord> = {}): RunRecord {
  const finishedAt = new Date();
  // pid and writer name the process while it runs; a finished record names none.
  const { writer: _running, ...rest } = start;
  return {
    ...rest, ...body, status, pid: null, finishedAt: finishedAt.toISOString(),
    timing: { totalSeconds: (finishedAt.getTime() - Date.parse(start.startedAt)) / 1000 }, ...extra,
  };
}

export interface RunFiles { dir: string; results: string; html: string; png: string | null; pngError?: string }

/**
 * Writes report.html, report.png and results.json. Everything slow (rendering the reports, serializing and checking
 * the record) is done and written to temp files beside them first, while the folder still holds the earlier run
 * whole; then results.json is replaced by this run's record marked `running` (so a reader lists a folder caught
 * mid-replacement as interrupted, never as a finished run), the reports are renamed in, and the final record is
 * renamed in last. A kill at any point leaves the earlier run, an interrupted run, or this one.
 */
export function writeRun(dir: string, record: RunRecord, doc: ReportDoc): RunFiles {
  const at = { file: dir };
  try {
    return writeRunFiles(dir, record, doc, at);
  } catch (e) {
    // Checked writable before the run; still a full disk or a folder removed meanwhile is said in words, naming it
    // and the file being written when it failed.
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof FolderError || e instanceof RecordError) throw e;
    // Only a system's errno code (EACCES, ENOSPC...) is the folder's trouble; Node's own ERR_* codes and errors without
    // a code (a RangeError) are bugs to see as such, kept in their own words beside the file they stopped.
    if (code === undefined || code.startsWith('ERR_')) throw Object.assign(new Error(`cannot write ${at.file}: ${(e as Error)?.message ?? String(e)}`), { cause: e });
    throw new Error(`cannot write the run folder ${dir}: ${folderWriteWords(e)}${at.file === dir ? '' : ` (writing ${at.file})`}`);
  }
}

/** Test hook: called before each step of keepRunFolder's restore() and drop() with the path it puts back or removes; a throw there is that step failing. */
let keepStepHook: ((step: 'restore' | 'drop', file: string) => void) | null = null;
export function setKeepRunFolderHook(fn: ((step: 'restore' | 'drop', file: string) => void) | null): void {
  keepStepHook = fn;
}

/** What keepRunFolder keeps, in the order restore() puts it back: the record last (see there). */
const KEPT_IN_RESTORE_ORDER = [...REPORT_FILES.filter((n) => n !== RESULTS_FILE), 'model', RESULTS_FILE];

/**
 * What a run that saves <dir>/model replaces there (model/, results.json and the reports), copied aside before the
 * first of them changes: a failure after the model's save (a report or record that cannot be written) then puts the
 * folder back as it was with restore(), this run's files removed and the earlier ones renamed back; drop() removes
 * the copies once the run is written. A run folder's model is small beside the training that made it. The copies are
 * named as this process's temp files, so those of a killed run, or ones drop() could not remove, are swept by the
 * next run's writes into dir (writeRun's sweep takes the files, the model save's the model-old folder).
 *
 * restore() is for a run not yet recorded: results.json then reads `running` under this process (markRunBeingReplaced,
 * then writeRun's running record, until writeRun's last rename). It puts results.json back LAST, after the reports and
 * model/: killed midway, the folder still reads as an interrupted run, which the next run replaces, never as the
 * earlier run's finished record beside this run's reports or model. drop() never throws: it returns the copies it
 * could not remove (a tidy-up; the sweep above takes them).
 */
export function keepRunFolder(dir: string): { restore(): void; drop(): string[] } {
  const kept: [string, string | null][] = [];
  const drop = (): string[] => {
    const left: string[] = [];
    for (const [, copy] of kept) {
      if (!copy) continue;
      try {
        keepStepHook?.('drop', copy);
        rmSync(copy, { recursive: true, force: true });
      } catch { left.push(copy); }
    }
    return left;
  };
  try {
    for (const name of KEPT_IN_RESTORE_ORDER) {
      const file = path.join(dir, name);
      let exists = true;
      try { lstatSync(file); } catch { exists = false; }
      // model/ as a save's own old-model folder is named, so that sweep takes a killed run's copy.
      const copy = exists ? path.join(dir, tempName(name === 'model' ? 'model-old' : name)) : null;
      kept.push([file, copy]);
      if (copy) cpSync(file, copy, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    }
  } catch (e) {
    drop();
    throw new Error(`cannot keep a copy of the earlier run in ${dir} while it is replaced: ${errnoWords(e)}; nothing was changed`);
  }
  return {
    restore: () => {
      for (const [file, copy] of kept) {
        keepStepHook?.('restore', file);
        // A file is renamed over this run's in one step, so results.json is never missing; a folder (model/) must go first.
        if (!copy || isFolder(file) || isFolder(copy)) rmSync(file, { recursive: true, force: true });
        if (copy) renameSync(copy, file);
      }
    },
    drop,
  };
}

function isFolder(p: string): boolean {
  return lstatSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** The record as this process writes it while it replaces a folder's files: `running`, naming this process. */
function runningAs(record: RunRecord): RunRecord {
  return { ...record, status: 'running', pid: process.pid, host: hostname(), ...writerOf(), finishedAt: null };
}

/** The record's JSON, checked against the schema (a writer bug fails loudly, before anything is written). */
function checkedRecordJson(dir: string, record: RunRecord): string {
  const json = recordJson(record);
  const problems = recordProblems(JSON.parse(json));
  if (problems.length) throw new RecordError(`refusing to write an invalid ${RESULTS_FILE} to ${dir}: ${problems.join('; ')}`);
  return json + '\n';
}

/**
 * Before a command saves <dir>/model (train, seq2seq, imdb), an earlier run's results.json in dir is marked
 * `running` under this process: killed between the model's swap and writeRun, the folder reads as an interrupted run
 * (and the next run into it replaces it as any earlier run's), not as the earlier run beside a model it did not train.
 * A folder without a record gets `starting` (this run's start record, `running`), so a kill there too leaves an
 * interrupted run rather than a model/ without a record; a results.json that is no run record is left alone.
 * `says`: what the marked earlier record must say of this run instead (seq2seq --generate: its `data`, so that a kill
 * after it wrote pairs.tsv leaves a record that says who generated them).
 * Returns what puts the folder back as it was (the earlier record, or none), when something was written.
 */
export function markRunBeingReplaced(dir: string, starting?: RunRecord, says: Partial<Pick<RunRecord, 'data'>> = {}): (() => void) | null {
  const file = path.join(dir, RESULTS_FILE);
  if (!isRunRecordFile(file)) {
    if (!starting || existsSync(file)) return null;
    makeFolders(dir);
    writeFileAtomic(file, checkedRecordJson(dir, runningAs(starting)));
    return () => { try { unlinkSync(file); } catch { /* it then reads as interrupted */ } };
  }
  let text: string, earlier: RunRecord;
  try { text = readFileSync(file, 'utf8'); earlier = parseJsonOnce(text, file) as RunRecord; } catch { return null; }
  if (earlier.status === 'running' && earlier.pid === process.pid) return null;
  const marked = runningAs({ ...earlier, ...says });
  // An older record the schema no longer takes is not rewritten: the model swap then goes on as it did before.
  if (recordProblems(JSON.parse(recordJson(marked))).length) return null;
  writeFileAtomic(file, recordJson(marked) + '\n');
  // For a swap that failed with the earlier model still in place: its record goes back as it was.
  return () => { try { writeFileAtomic(file, text); } catch { /* it then reads as interrupted */ } };
}

/** `at.file`: the file being written, for writeRun's error. */
function writeRunFiles(dir: string, record: RunRecord, doc: ReportDoc, at: { file: string }): RunFiles {
  makeFolders(dir);
  // Temp files an earlier run into dir staged and never renamed (it was killed): whole-size reports otherwise stay.
  sweepDeadWritersTemps(dir, () => true);
  const files: RunFiles = { dir, results: path.join(dir, RESULTS_FILE), html: path.join(dir, 'report.html'), png: path.join(dir, 'report.png') };
  const env: Environment = record.environment;
  const full: ReportDoc = {
    ...doc,
    config: doc.config ?? record.config,
    environment: doc.environment ?? {
      // The precision that ran (mixed_bfloat16 falls back to float32 without AVX512-BF16); older records lack it.
      engine: `${env.engine.backend} (${env.engine.isa}, ${env.engine.threads} thread${env.engine.threads === 1 ? '' : 's'}${env.engine.precision ? `, ${env.engine.precision}` : ''})`,
      cpu: `${env.cpu} x ${env.cpuCount}`, node: env.node, platform: `${env.platform}-${env.arch}`, rnnlab: env.rnnlab,
      started: record.startedAt, finished: record.finishedAt ?? '',
    },
  };
  at.file = files.results;
  const recordText = checkedRecordJson(dir, record);
  const runningText = checkedRecordJson(dir, runningAs(record));
  const staged: string[] = [];
  let html: string, png: string | null = null, final: string;
  try {
    at.file = files.html;
    html = stageFile(files.html, renderHtml(full));
    staged.push(html);
    try {
      png = stageFile(files.png!, svgToPng(chartGridSvg(allCharts(full))));
      staged.push(png);
    } catch (e) {
      files.pngError = `cannot write ${files.png}: ${(e as Error).message}`;
    }
    at.file = files.results;
    final = stageFile(files.results, recordText);
    staged.push(final);
    // Nothing in dir has changed yet. From here on each step is a rename or a small write.
    writeFileAtomic(files.results, runningText);
  } catch (e) {
    for (const t of staged) discardStaged(t);
    throw e;
  }
  try {
    at.file = files.html;
    commitStaged(html, files.html);
    at.file = files.png!;
    if (png !== null) commitStaged(png, files.png!);
    else {
      // An earlier run's report.png would sit beside this run's record with another run's charts.
      try {
        unlinkSync(files.png!);
        files.pngError += "; the earlier run's report.png there was removed";
      } catch { /* there was none */ }
      files.png = null;
    }
    at.file = files.results;
    commitStaged(final, files.results);
  } catch (e) {
    // Those renamed in are gone from their temp names already; the rest would wait an hour for a sweep.
    for (const t of staged) discardStaged(t);
    throw e;
  } finally {
    fsyncDir(dir);
  }
  return files;
}
