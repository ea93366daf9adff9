/**
 * sweep.json: the spec, every run's settings, status and final metrics, and the summary. Rewritten atomically
 * after every run, so a sweep folder always says how far it got, and re-running the sweep resumes it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { expandRuns, type SweepRun } from './expand.js';
import { metricValue, readOutcome } from './outcome.js';
import type { SweepSpec } from './spec.js';
import type { RunEntry, SweepSummary } from './summary.js';
import { runDirOf } from './execute.js';
import { readWorkerStamp } from './worker_file.js';

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

export function readSweepRecord(dir: string): SweepRecord | null {
  const file = path.join(dir, SWEEP_FILE);
  if (!existsSync(file)) return null;
  let rec: SweepRecord;
  try {
    rec = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}); move it away to start the sweep afresh`);
  }
  if (rec?.kind !== 'sweep' || rec.schemaVersion !== SWEEP_SCHEMA_VERSION) {
    throw new Error(`${file}: not a sweep record of version ${SWEEP_SCHEMA_VERSION}`);
  }
  return rec;
}

/** The folder's runs, checked against the spec: resuming with another spec would mix two sweeps' runs. */
export function openSweep(dir: string, spec: SweepSpec): { runs: SweepRun[]; createdAt: string; known: Map<string, Partial<RunEntry>> } {
  const runs = expandRuns(spec);
  const old = readSweepRecord(dir);
  if (old && JSON.stringify(old.spec) !== JSON.stringify(spec)) {
    throw new Error(`${path.join(dir, SWEEP_FILE)} holds a sweep with another spec; use another --out, or the same spec to resume it`);
  }
  // Attempts carry over; a failure does not: running the sweep again gives failed runs another chance.
  const known = new Map<string, Partial<RunEntry>>((old?.runs ?? []).map((r) => [r.id, { attempts: r.attempts }]));
  return { runs, createdAt: old?.createdAt ?? new Date().toISOString(), known };
}

/** Each run's state as its folder shows it, merged with what the caller knows (attempts, errors). */
export function collectEntries(dir: string, spec: SweepSpec, runs: SweepRun[], known: Map<string, Partial<RunEntry>> = new Map()): RunEntry[] {
  return runs.map((run) => {
    const k = known.get(run.id) ?? {};
    const outcome = readOutcome(runDirOf(dir, run));
    const worker = readWorkerStamp(runDirOf(dir, run))?.worker;
    const base: RunEntry = { id: run.id, axes: run.axes, seed: run.seed, status: 'pending', attempts: k.attempts ?? 0, ...(worker ? { worker } : {}) };
    if (outcome?.status === 'completed') {
      return { ...base, status: 'completed', value: metricValue(outcome, spec.metric, run.id), outcome };
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
  writeFileAtomic(path.join(dir, SWEEP_FILE), JSON.stringify(rec, null, 2) + '\n');
  return rec;
}
