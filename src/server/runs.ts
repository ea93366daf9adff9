/**
 * The runs folder as the dashboard sees it: one sub-folder per run holding results.json (written by the
 * CLI or by this server), report.html / report.png, and for runs that saved one, the trained model.
 * Reading is tolerant: a folder with a damaged or half-written results.json is listed as such, not fatal.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Sequential } from '../models/sequential.js';
import { HttpError, notFound } from './http.js';
import type { ModelInfo, ModelMeta } from './models.js';
import { loadSavedModel, savedModelDir } from './model_io.js';

export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted' | 'unknown' | 'invalid';

export interface RunSummary {
  id: string;
  name: string;
  /** imdb, addition, compare, experiment name... */
  command: string;
  /** The model(s) the run trained. */
  model: string;
  status: RunStatus;
  /** Epochs trained (the longest history in the run). */
  epochs: number | null;
  /** Best validation accuracy over epochs and models (a fraction). */
  bestValAccuracy: number | null;
  /** Mean wall time of a training epoch. */
  secondsPerEpoch: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  hasReport: boolean;
  hasModel: boolean;
  error?: string;
}

export interface RunCurve {
  /** Which history of the run (a run comparing models has one per model). */
  label: string;
  history: Record<string, number[]>;
}

export interface RunDetail {
  summary: RunSummary;
  curves: RunCurve[];
  results: Record<string, unknown> | null;
}

const ID_RE = /^[A-Za-z0-9_.+-][A-Za-z0-9_.+ -]*$/;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const numArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null);

/** Every history in a results.json, whatever shape the writer gave it: `history` as one history (rnnlab imdb,
 * addition) or as one per model (rnnlab compare), `histories` (experiments), or `runs[].history`. */
export function curvesOf(r: Json): RunCurve[] {
  const out: RunCurve[] = [];
  const clean = (h: Json): Record<string, number[]> | null => {
    const entries = Object.entries(h).filter(([, v]) => numArray(v)) as [string, (number | null)[]][];
    return entries.length ? Object.fromEntries(entries.map(([k, v]) => [k, v.map((x) => (x === null ? NaN : x))])) : null;
  };
  const addMap = (m: Json) => {
    for (const [label, h] of Object.entries(m)) {
      if (!isObj(h)) continue;
      const c = clean(isObj(h.history) ? h.history : h);
      if (c) out.push({ label, history: c });
    }
  };
  for (const key of ['history', 'histories']) {
    const h = r[key];
    if (!isObj(h)) continue;
    const direct = clean(h);
    if (direct) out.push({ label: modelOf(r) || String(r.command ?? 'run'), history: direct });
    else addMap(h);
  }
  if (!out.length && Array.isArray(r.runs)) {
    for (const run of r.runs) {
      if (isObj(run) && isObj(run.history)) {
        const c = clean(run.history);
        if (c) out.push({ label: String(run.model ?? run.name ?? out.length + 1), history: c });
      }
    }
  }
  return out;
}

function modelOf(r: Json): string {
  const c = isObj(r.config) ? r.config : {};
  if (typeof c.model === 'string') return c.model;
  if (Array.isArray(c.models)) return c.models.join(', ');
  if (typeof c.rnn === 'string') return `${c.rnn} seq2seq`;
  if (typeof r.model === 'string') return r.model;
  if (isObj(r.histories)) return Object.keys(r.histories).join(', ');
  return '';
}

function mean(v: number[]): number | null {
  const f = v.filter((x) => Number.isFinite(x));
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : null;
}

function secondsPerEpoch(r: Json): number | null {
  const all: number[] = [];
  const take = (v: unknown) => {
    if (numArray(v)) all.push(...(v.filter((x) => x !== null) as number[]));
    else if (isObj(v)) for (const x of Object.values(v)) take(x);
  };
  const fromTiming = (t: unknown) => {
    if (!isObj(t)) return;
    take(t.secondsPerEpoch);
    take(t.epochSeconds);
  };
  fromTiming(r.timing);
  if (!all.length && Array.isArray(r.runs)) for (const run of r.runs) if (isObj(run)) fromTiming(run.timing);
  if (!all.length && isObj(r.timing)) {
    for (const k of ['meanSecondsPerEpoch', 'meanEpochSeconds']) if (typeof r.timing[k] === 'number') return r.timing[k] as number;
  }
  return mean(all);
}

function statusOf(r: Json): RunStatus {
  const s = r.status;
  if (s === 'running') {
    // A run whose writer died (killed, machine rebooted) stays "running" in its file; say what it is.
    const pid = typeof r.pid === 'number' ? r.pid : null;
    if (pid !== null && !processAlive(pid)) return 'interrupted';
    return 'running';
  }
  if (s === 'completed' || s === 'cancelled' || s === 'failed' || s === 'interrupted') return s;
  if (s === 'ok' || s === 'done' || s === 'finished' || s === 'complete') return 'completed';
  if (s === 'error') return 'failed';
  if (s === undefined && (r.finishedAt || isObj(r.numbers) || isObj(r.metrics))) return 'completed';
  return 'unknown';
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function summarize(id: string, dir: string, r: Json | null, error?: string): RunSummary {
  const base: RunSummary = {
    id, name: id, command: '', model: '', status: 'invalid', epochs: null, bestValAccuracy: null, secondsPerEpoch: null,
    startedAt: null, finishedAt: null, hasReport: existsSync(path.join(dir, 'report.html')), hasModel: savedModelDir(dir) !== null,
  };
  if (!r) return { ...base, error };
  const curves = curvesOf(r);
  let epochs: number | null = null;
  let best: number | null = null;
  for (const c of curves) {
    const n = Math.max(0, ...Object.values(c.history).map((v) => v.length));
    epochs = Math.max(epochs ?? 0, n);
    for (const v of c.history.val_accuracy ?? c.history.val_acc ?? []) if (Number.isFinite(v) && (best === null || v > best)) best = v;
  }
  const c = isObj(r.config) ? r.config : {};
  const command = typeof r.command === 'string' ? r.command : typeof r.task === 'string' ? r.task : typeof c.task === 'string' ? c.task : typeof r.name === 'string' ? r.name : '';
  return {
    ...base,
    name: typeof r.runName === 'string' ? r.runName : id,
    command,
    model: modelOf(r),
    status: statusOf(r),
    epochs,
    bestValAccuracy: best,
    secondsPerEpoch: secondsPerEpoch(r),
    startedAt: typeof r.startedAt === 'string' ? r.startedAt : null,
    finishedAt: typeof r.finishedAt === 'string' ? r.finishedAt : null,
    error: typeof r.error === 'string' ? r.error : isObj(r.error) && typeof r.error.message === 'string' ? r.error.message : undefined,
  };
}

/** What an inference request needs to know about a saved model, from its results.json. */
export function modelMetaOf(r: Json): ModelMeta | null {
  const c = isObj(r.config) ? r.config : {};
  const task = r.task ?? r.command ?? c.task;
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  if (task === 'imdb' && typeof c.model === 'string') {
    return { task: 'imdb', kind: c.model, vocab: num(c.vocab, 10000), maxlen: num(c.maxlen, 500) };
  }
  if (task === 'addition') {
    return { task: 'addition', kind: typeof c.rnn === 'string' ? c.rnn : 'lstm', digits: num(c.digits, 3), reverse: c.reverse === true };
  }
  return null;
}

export class RunStore {
  constructor(readonly dir: string) {}

  /** Checks an id from a URL: one existing folder directly inside the runs folder, nothing else. */
  resolve(id: string): string {
    if (!ID_RE.test(id) || id === '.' || id === '..' || id.includes('/') || id.includes('\\')) throw notFound(`no run '${id}'`);
    const dir = path.join(this.dir, id);
    let st;
    try {
      st = statSync(dir);
    } catch {
      throw notFound(`no run '${id}' in ${this.dir}`);
    }
    if (!st.isDirectory()) throw notFound(`no run '${id}' in ${this.dir}`);
    return dir;
  }

  private ids(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name);
    } catch {
      return [];
    }
    return names.filter((n) => ID_RE.test(n));
  }

  private read(dir: string): { results: Json | null; error?: string } {
    const file = path.join(dir, 'results.json');
    if (!existsSync(file)) return { results: null, error: 'no results.json' };
    try {
      const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (!isObj(v)) return { results: null, error: 'results.json is not a JSON object' };
      return { results: v };
    } catch (e) {
      return { results: null, error: `results.json cannot be read: ${(e as Error).message}` };
    }
  }

  list(): RunSummary[] {
    const out: RunSummary[] = [];
    for (const id of this.ids()) {
      const dir = path.join(this.dir, id);
      const { results, error } = this.read(dir);
      if (!results && error === 'no results.json' && !existsSync(path.join(dir, 'report.html'))) continue;
      out.push(summarize(id, dir, results, error));
    }
    // Newest first: folder names start with a timestamp; fall back to the recorded start time.
    out.sort((a, b) => (b.startedAt ?? b.id).localeCompare(a.startedAt ?? a.id) || b.id.localeCompare(a.id));
    return out;
  }

  get(id: string): RunDetail {
    const dir = this.resolve(id);
    const { results, error } = this.read(dir);
    return { summary: summarize(id, dir, results, error), curves: results ? curvesOf(results) : [], results };
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
    for (const id of this.ids()) {
      const dir = path.join(this.dir, id);
      if (savedModelDir(dir) === null) continue;
      const { results } = this.read(dir);
      const meta = results ? modelMetaOf(results) : null;
      if (!meta || !results) continue;
      const s = summarize(id, dir, results);
      if (s.status !== 'completed') continue;
      out.push({ id, label: labelFor(id, meta), meta, source: 'disk', accuracy: headlineAccuracy(results), createdAt: s.startedAt ?? undefined });
    }
    return out;
  }

  async loadModel(id: string): Promise<{ info: ModelInfo; model: Sequential } | null> {
    let dir: string;
    try {
      dir = this.resolve(id);
    } catch {
      return null;
    }
    const { results } = this.read(dir);
    const meta = results ? modelMetaOf(results) : null;
    if (!meta || !results) return null;
    let model: Sequential | null;
    try {
      model = await loadSavedModel(dir);
    } catch (e) {
      throw new HttpError(422, `the model saved in run '${id}' cannot be loaded: ${(e as Error).message}`);
    }
    if (!model) return null;
    return { info: { id, label: labelFor(id, meta), meta, source: 'disk', accuracy: headlineAccuracy(results), createdAt: typeof results.startedAt === 'string' ? results.startedAt : undefined }, model };
  }
}

export function labelFor(id: string, meta: ModelMeta): string {
  return meta.task === 'imdb'
    ? `${id} (IMDb ${meta.kind}, maxlen ${meta.maxlen})`
    : `${id} (addition ${meta.kind}, ${meta.digits} digits${meta.reverse ? ', reversed' : ''})`;
}

export function headlineAccuracy(r: Json): number | null {
  for (const src of [r.metrics, r.numbers]) {
    if (!isObj(src)) continue;
    for (const k of ['testAccuracy', 'exactMatchAccuracy', 'validationExact', 'valAccuracy', 'accuracy']) {
      if (typeof src[k] === 'number' && Number.isFinite(src[k])) return src[k] as number;
    }
  }
  return null;
}
