/**
 * The Sweeps view's data: every folder directly inside the runs folder that holds a sweep.json (written by
 * `rnnlab sweep`), read through the safe file layer, as a listing with progress and as one sweep's ranked table
 * and per-axis effects.
 */
import { readdirSync } from 'node:fs';
import { SWEEP_FILE, SWEEP_SCHEMA_VERSION, type SweepRecord } from '../sweep/record.js';
import { notFound } from './http.js';
import { readJsonInside, UnsafeFileError } from './safe_files.js';

/** sweep.json grows with the runs; a few thousand runs fit well under this. */
const SWEEP_FILE_LIMITS = { maxBytes: 16 * 1024 * 1024 };
const ID_RE = /^[A-Za-z0-9_.+-][A-Za-z0-9_.+ -]*$/;

export interface SweepListing {
  id: string;
  command: string;
  metric: string;
  goal: 'max' | 'min';
  total: number;
  completed: number;
  failed: number;
  pending: number;
  finished: boolean;
  updatedAt: string;
  /** The best setting so far, when any run has completed. */
  best: { label: string; mean: number; std: number; n: number } | null;
  error?: string;
}

function statusCounts(rec: SweepRecord) {
  const count = (s: string) => rec.runs.filter((r) => r.status === s).length;
  return { total: rec.runs.length, completed: count('completed'), failed: count('failed'), pending: count('pending') };
}

export class SweepStore {
  constructor(readonly dir: string) {}

  private folders(): string[] {
    try {
      return readdirSync(this.dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.') && ID_RE.test(d.name)).map((d) => d.name);
    } catch {
      return [];
    }
  }

  /** The folder's sweep record; null when it holds no sweep.json. Damaged records throw, naming the file. */
  private async read(id: string): Promise<SweepRecord | null> {
    let rec: unknown;
    try {
      rec = await readJsonInside(this.dir, `${id}/${SWEEP_FILE}`, SWEEP_FILE_LIMITS);
    } catch (e) {
      if (e instanceof UnsafeFileError && e.reason === 'missing') return null;
      throw e;
    }
    const r = rec as Partial<SweepRecord> | null;
    if (r?.kind !== 'sweep' || r.schemaVersion !== SWEEP_SCHEMA_VERSION || !Array.isArray(r.runs) || !r.spec) {
      throw new Error(`${id}/${SWEEP_FILE}: not a sweep record of version ${SWEEP_SCHEMA_VERSION}`);
    }
    return r as SweepRecord;
  }

  async list(): Promise<SweepListing[]> {
    const out: SweepListing[] = [];
    for (const id of this.folders()) {
      let rec: SweepRecord | null;
      try {
        rec = await this.read(id);
      } catch (e) {
        out.push({ id, command: '', metric: '', goal: 'max', total: 0, completed: 0, failed: 0, pending: 0, finished: false, updatedAt: '', best: null, error: (e as Error).message });
        continue;
      }
      if (!rec) continue;
      const top = rec.summary?.rows[0];
      out.push({ id, command: rec.spec.command, metric: rec.summary?.metric ?? rec.spec.metric, goal: rec.summary?.goal ?? 'max',
        ...statusCounts(rec), finished: rec.finishedAt !== null, updatedAt: rec.updatedAt,
        best: top && Number.isFinite(top.mean) ? { label: top.label, mean: top.mean, std: top.std, n: top.n } : null });
    }
    out.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id));
    return out;
  }

  async get(id: string) {
    if (!ID_RE.test(id) || id === '.' || id === '..') throw notFound(`no sweep '${id}'`);
    const rec = await this.read(id);
    if (!rec) throw notFound(`no sweep '${id}'`);
    return {
      id, spec: rec.spec, createdAt: rec.createdAt, updatedAt: rec.updatedAt, finishedAt: rec.finishedAt, ...statusCounts(rec),
      runs: rec.runs.map((r) => ({ id: r.id, axes: r.axes, seed: r.seed, status: r.status, attempts: r.attempts, value: r.value ?? null, error: r.error ?? null })),
      summary: rec.summary,
    };
  }
}
