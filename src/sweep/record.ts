/**
 * sweep.json: the spec, every run's settings, status and final metrics, and the summary. Rewritten atomically as
 * runs end (a local sweep every few seconds, and when it ends or stops), so a sweep folder says how far it got, and
 * re-running the sweep resumes it (from the run folders, which a run between two writes has written already).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { parseJsonOnce, RepeatedKeyError } from '../io/strict_json.js';
import { expandRuns, sameRunKey, type SweepRun } from './expand.js';
import { completedRun, precisionFallback, readOutcome } from './outcome.js';
import type { SweepSpec } from './spec.js';
import type { RunEntry, SweepSummary } from './summary.js';
import { runDirOf, unreadStampWarning } from './execute.js';
import { readWorkerStamp, stampAttempts } from './worker_file.js';

export const SWEEP_FILE = 'sweep.json';
export const SWEEP_SCHEMA_VERSION = 1;

export interface SweepRecord {
  schemaVersion: number;
  kind: 'sweep';
  spec: SweepSpec;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  runs: (Omit<RunEntry, 'outcome'> & { metrics?: Record<string, number>; secondsPerEpoch?: number | null })[];
  summary: Omit<SweepSummary, 'rows'> & { rows: Omit<SweepSummary['rows'][number], 'curves'>[] } | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What is wrong with a parsed sweep.json, naming the field ("runs[1] is not an object"), or null when it has the
 * shape every reader (the CLI on resume, the dashboard) relies on.
 */
export function sweepRecordProblem(r: unknown): string | null {
  if (!isObj(r) || r.kind !== 'sweep' || r.schemaVersion !== SWEEP_SCHEMA_VERSION) return `not a sweep record of version ${SWEEP_SCHEMA_VERSION}`;
  if (!isObj(r.spec) || typeof r.spec.command !== 'string') return 'spec is not a sweep spec (an object with a command)';
  // Every reader ranks the runs by it (a spec without one gets its command's default when parsed).
  if (typeof r.spec.metric !== 'string') return 'spec.metric is not a string';
  for (const k of ['createdAt', 'updatedAt'] as const) if (typeof r[k] !== 'string') return `${k} is not a time stamp`;
  if (r.finishedAt !== null && typeof r.finishedAt !== 'string') return 'finishedAt is neither a time stamp nor null';
  if (!Array.isArray(r.runs)) return 'runs is not a list';
  for (let i = 0; i < r.runs.length; i++) {
    const run: unknown = r.runs[i];
    if (!isObj(run)) return `runs[${i}] is not an object`;
    if (typeof run.id !== 'string') return `runs[${i}].id is not a string`;
    if (run.status !== 'pending' && run.status !== 'completed' && run.status !== 'failed') return `runs[${i}].status is not pending, completed or failed`;
    if (!isObj(run.axes)) return `runs[${i}].axes is not an object`;
    if (typeof run.seed !== 'number') return `runs[${i}].seed is not a number`;
    if (typeof run.attempts !== 'number') return `runs[${i}].attempts is not a number`;
    const fb: unknown = run.precisionFallback;
    // Absent from records written before the field, and from runs that trained in the precision they asked for.
    if (fb !== undefined && !(isObj(fb) && typeof fb.asked === 'string' && typeof fb.ran === 'string')) return `runs[${i}].precisionFallback is not {asked, ran}`;
  }
  if (r.summary !== null) {
    if (!isObj(r.summary)) return 'summary is neither an object nor null';
    if (!Array.isArray(r.summary.rows)) return 'summary.rows is not a list';
    if (!Array.isArray(r.summary.effects)) return 'summary.effects is not a list';
    for (let i = 0; i < r.summary.rows.length; i++) {
      const row: unknown = r.summary.rows[i];
      if (!isObj(row) || typeof row.label !== 'string' || !isObj(row.axes)) return `summary.rows[${i}] is not a ranked setting (label, axes, mean)`;
    }
    for (const k of ['metric', 'goal', 'finding'] as const) if (typeof r.summary[k] !== 'string') return `summary.${k} is not a string`;
    const un: unknown = r.summary.unmeasured;
    // Absent from records written before the field; the sweeps API builds its sentence from it.
    if (un !== undefined && !(Array.isArray(un) && un.every((a) => typeof a === 'string'))) return 'summary.unmeasured is not a list of axis names';
  }
  return null;
}

export function readSweepRecord(dir: string): SweepRecord | null {
  const file = path.join(dir, SWEEP_FILE);
  if (!existsSync(file)) return null;
  let rec: SweepRecord;
  try {
    rec = parseJsonOnce(readFileSync(file, 'utf8'), file) as SweepRecord;
  } catch (e) {
    // Given twice, a run's status or the spec's metric would be read as whichever came last.
    if (e instanceof RepeatedKeyError) throw new Error(`${e.message}; fix it or move it away to start the sweep afresh`);
    throw new Error(`${file}: not valid JSON (${(e as Error).message}); move it away to start the sweep afresh`);
  }
  const problem = sweepRecordProblem(rec);
  if (problem) throw new Error(`${file}: ${problem}; fix it or move it away to start the sweep afresh`);
  return rec;
}

/** A spec's value as its runs' command lines read it: 8 and "8" alike (runArgv writes both as 8), a mapping's key order aside. */
function meaning(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(meaning);
  if (typeof v === 'object' && v !== null) return Object.keys(v).sort().map((k) => [k, meaning((v as Record<string, unknown>)[k])]);
  return typeof v === 'number' || typeof v === 'string' ? String(v) : v;
}

/** What makes two specs run different runs, named by field (up to three, the rest counted): "flags.epochs is 41 here, 40 in the folder's sweep". */
export function specChanges(before: SweepSpec, now: SweepSpec): string {
  const changes: string[] = [];
  const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));
  const compare = (where: string, a: unknown, b: unknown) => {
    if (JSON.stringify(meaning(a)) !== JSON.stringify(meaning(b))) changes.push(`${where} is ${show(b)} here, ${show(a)} in the folder's sweep`);
  };
  compare('command', before.command, now.command);
  for (const key of ['flags', 'grid'] as const) {
    const names = [...new Set([...Object.keys(before[key] ?? {}), ...Object.keys(now[key] ?? {})])];
    for (const n of names) compare(`${key}.${n}`, (before[key] as Record<string, unknown>)?.[n], (now[key] as Record<string, unknown>)?.[n]);
  }
  // The axes' order names the runs' folders (hidden-4_rnn-gru), though each axis holds the same values.
  const axes = (s: SweepSpec) => Object.keys(s.grid ?? {}).join(', ');
  if (!changes.some((c) => c.startsWith('grid.')) && axes(before) !== axes(now)) changes.push(`grid's axes are in the order ${axes(now)} here, ${axes(before)} in the folder's sweep`);
  for (const key of ['samples', 'sampleSeed', 'list', 'seeds'] as const) compare(key, before[key], now[key]);
  const shown = changes.slice(0, 3).join('; ');
  return changes.length > 3 ? `${shown}; and ${changes.length - 3} more` : shown || 'the runs differ';
}

/**
 * The runs a spec makes, each as its folder and command line name it (flags in any order, 8 and "8" alike), sorted;
 * null when the spec cannot be expanded (a sweep.json edited by hand).
 */
function runsOf(spec: SweepSpec): string[] | null {
  try {
    return expandRuns(spec).map((r) => JSON.stringify([r.id, r.command, r.seed, sameRunKey(r.flags)])).sort();
  } catch {
    return null;
  }
}

/**
 * Why the folder's sweep.json is not a sweep this spec resumes (another spec's runs), or null; it throws when
 * sweep.json is unreadable. The specs are compared by the runs they make: the metric, goal and attempts only rank and
 * retry the runs, and a spelling that changes no run's folder or command line (flags' order, hidden: "8" for 8,
 * samples: 9 for 5 on a grid of 4) changes nothing, so the folder resumes.
 */
export function specMismatch(dir: string, spec: SweepSpec, old = readSweepRecord(dir)): string | null {
  if (!old) return null;
  const before = runsOf(old.spec), now = runsOf(spec);
  if (before && now && before.length === now.length && before.every((k, i) => k === now[i])) return null;
  return `${path.join(dir, SWEEP_FILE)} holds a sweep with another spec (${specChanges(old.spec, spec)}); use another --out, or the same spec to resume it`;
}

/** The folder's runs, checked against the spec: resuming with another spec would mix two sweeps' runs. */
export function openSweep(dir: string, spec: SweepSpec): { runs: SweepRun[]; createdAt: string; known: Map<string, Partial<RunEntry>> } {
  const runs = expandRuns(spec);
  const old = readSweepRecord(dir);
  const mismatch = specMismatch(dir, spec, old);
  if (mismatch) throw new Error(mismatch);
  // Attempts carry over; a failure does not: running the sweep again gives failed runs another chance.
  const known = new Map<string, Partial<RunEntry>>((old?.runs ?? []).map((r) => [r.id, { attempts: r.attempts }]));
  return { runs, createdAt: old?.createdAt ?? new Date().toISOString(), known };
}

/** Where a sweep's reader says what it found in a run's folder that changes no run's fate; a process warning without one. */
export type RunWarning = (run: SweepRun, message: string) => void;

const processWarning: RunWarning = (_run, message) => process.emitWarning(message);

/**
 * Each run's state as its folder shows it, merged with what the caller knows (attempts, errors). A worker.json that
 * cannot be read counts as none (no worker, no attempts from it): onWarning hears why, naming the file, the first time
 * this process finds it (unreadStampWarning), as the run's start would say it. Without that, sweep.json would show
 * such a run with no worker and no hint why, for as long as its start is to come, or forever when the sweep stops first.
 */
export function collectEntries(dir: string, spec: SweepSpec, runs: SweepRun[], known: Map<string, Partial<RunEntry>> = new Map(), onWarning: RunWarning = processWarning): RunEntry[] {
  return runs.map((run) => {
    const k = known.get(run.id) ?? {};
    const outcome = readOutcome(runDirOf(dir, run));
    const unread = unreadStampWarning(runDirOf(dir, run));
    if (unread) onWarning(run, `run ${run.id}: ${unread}`);
    const worker = readWorkerStamp(runDirOf(dir, run))?.worker;
    // The folder's count covers starts the caller never saw (a queued job lost with Redis before the sweep polled it).
    const attempts = Math.max(k.attempts ?? 0, stampAttempts(runDirOf(dir, run)));
    const base: RunEntry = { id: run.id, axes: run.axes, seed: run.seed, status: 'pending', attempts, ...(worker ? { worker } : {}) };
    if (outcome?.status === 'completed') {
      const judged = completedRun(outcome.recorded, spec.metric, run.id);
      const fallback = precisionFallback(run.flags, outcome);
      const ran = fallback ? { ...base, precisionFallback: fallback } : base;
      return judged.status === 'completed' ? { ...ran, ...judged, outcome } : { ...ran, ...judged };
    }
    if (k.status === 'failed') return { ...base, status: 'failed', error: k.error };
    return base;
  });
}

export function writeSweepRecord(dir: string, spec: SweepSpec, createdAt: string, entries: RunEntry[], summary: SweepSummary | null, finished: boolean): SweepRecord {
  const now = new Date().toISOString();
  const rec: SweepRecord = {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    kind: 'sweep',
    spec,
    createdAt,
    updatedAt: now,
    finishedAt: finished ? now : null,
    runs: entries.map(({ outcome, ...e }) => ({ ...e, ...(outcome ? { metrics: outcome.metrics, secondsPerEpoch: outcome.secondsPerEpoch } : {}) })),
    summary: summary ? { ...summary, rows: summary.rows.map(({ curves: _c, ...r }) => r) } : null,
  };
  const file = path.join(dir, SWEEP_FILE);
  try {
    writeFileAtomic(file, JSON.stringify(rec, null, 2) + '\n');
  } catch (e) {
    // A bare "ENOSPC: no space left on device, write" names no file; the old sweep.json is still whole.
    throw new Error(`cannot write ${file}: ${(e as Error)?.message ?? String(e)}`);
  }
  return rec;
}
