/**
 * The local pool: a sweep's runs on this machine, each in its own process, so that runs × kernel threads fit
 * the cores. A failed run is tried again up to the spec's `attempts`, then recorded as failed; the rest go on.
 */
import { availableParallelism, hostname } from 'node:os';
import { epochOfLine, executeRun, RunBusyError, RunFailedError, RunInterruptedError } from './execute.js';
import { specNotes, type SweepRun } from './expand.js';
import { collectEntries, openSweep, writeSweepRecord, type RunWarning, type SweepRecord } from './record.js';
import { writeSweepReport } from './report.js';
import type { SweepSpec } from './spec.js';
import { summarize, type RunEntry, type SweepSummary } from './summary.js';

export type SweepEvent =
  | { type: 'start'; run: SweepRun; attempt: number }
  | { type: 'epoch'; run: SweepRun; epoch: number; epochs: number; line: string }
  | { type: 'done'; run: SweepRun; value: number; how: 'ran' | 'resumed' | 'skipped' }
  | { type: 'failed'; run: SweepRun; error: string; retrying: boolean }
  /** Stopped through LocalSweepOptions.signal: left to the next time the sweep runs, from its checkpoint if it wrote one. */
  | { type: 'interrupted'; run: SweepRun }
  /** Something about the run's folder worth saying that does not change its fate (ExecuteOptions.onWarning). */
  | { type: 'warning'; run: SweepRun; message: string };

export interface PoolSize { parallel: number; threads: number }

/** Runs at once and threads per run: by default one single-threaded run per core (measured faster: docs/SCALING.md). */
export function poolSize(o: { parallel?: number; threads?: number }, cores = availableParallelism()): PoolSize {
  if (o.parallel !== undefined && o.threads !== undefined) return { parallel: o.parallel, threads: o.threads };
  if (o.threads !== undefined) return { parallel: Math.max(1, Math.floor(cores / o.threads)), threads: o.threads };
  if (o.parallel !== undefined) return { parallel: o.parallel, threads: Math.max(1, Math.floor(cores / o.parallel)) };
  return { parallel: cores, threads: 1 };
}

export interface LocalSweepOptions extends Partial<PoolSize> {
  dir: string;
  onEvent?: (e: SweepEvent) => void;
  /** Stops the sweep: no run starts after it, and the runs under way are stopped as Ctrl-C stops them (ExecuteOptions.signal). */
  signal?: AbortSignal;
}

export interface SweepOutcome { record: SweepRecord; summary: SweepSummary; entries: RunEntry[] }

/**
 * Writes sweep.json, and the report when `finished`, from the runs' entries as they stand. The report first: sweep.json
 * says "finished" only once the report it points to is written (a failed write leaves it as it was, so running the
 * sweep again writes both).
 */
function recordSweep(dir: string, spec: SweepSpec, createdAt: string, entries: RunEntry[], finished: boolean): SweepOutcome {
  const summary = summarize(entries, spec.metric, spec.goal, specNotes(spec), spec.grid);
  if (finished) writeSweepReport(dir, spec, summary);
  const record = writeSweepRecord(dir, spec, createdAt, entries, summary, finished);
  return { record, summary, entries };
}

/** Re-reads every run folder, then writes sweep.json and the report (recordSweep); onWarning as collectEntries'. */
export function finishSweep(dir: string, spec: SweepSpec, runs: SweepRun[], createdAt: string, known: Map<string, Partial<RunEntry>>, finished: boolean, onWarning?: RunWarning): SweepOutcome {
  return recordSweep(dir, spec, createdAt, collectEntries(dir, spec, runs, known, onWarning), finished);
}

/**
 * The error that broke a sweep, with the one its closing sweep.json write then met on a line of its own: the first says
 * why the sweep stopped, and the second (a folder gone meanwhile, a full disk) must not hide it. Its cause is the first.
 * The same words twice (a put-off write that broke the sweep, failing again) are said once.
 */
function withLaterFailure(first: unknown, second: unknown): unknown {
  const words = (e: unknown) => (e instanceof Error ? e.message : String(e));
  if (words(second) === words(first)) return first;
  return new Error(`${words(first)}\nThen sweep.json could not be written either, so it holds the sweep as its last write left it: ${words(second)}`, { cause: first });
}

/**
 * The least time between two writes of sweep.json while the sweep runs, and the most share of its time they may take:
 * each write holds every run's entry (22 MB for 100,000 runs), so writing it after every run would make a large
 * sweep quadratic, and hold up the slots (it is synchronous). A write put off is made when that time is up, rather than
 * when the next run ends (hours away in an imdb sweep); the last write, at the end or on a stop, is always made.
 */
const RECORD_EVERY_MS = 3000;
const RECORD_SHARE = 0.1;

export async function runSweepLocal(spec: SweepSpec, o: LocalSweepOptions): Promise<SweepOutcome> {
  const { parallel, threads } = poolSize(o);
  const { runs, createdAt, known } = openSweep(o.dir, spec);
  const warn: RunWarning = (run, message) => o.onEvent?.({ type: 'warning', run, message });
  // Read once here; from then on each run's entry is updated alone, from its own folder, when it ends.
  const entries = collectEntries(o.dir, spec, runs, known, warn);
  // An unexpected error in a slot or in a put-off write stops the sweep: no slot starts another run, and the runs under
  // way are stopped as Ctrl-C stops them (to be resumed), rather than going on after the sweep has reported its end.
  const stop = new AbortController();
  let broken: { error: unknown } | null = null;
  let lastWrite = Date.now(), writeMs = 0;
  let later: NodeJS.Timeout | undefined;
  const dropLater = () => {
    clearTimeout(later);
    later = undefined;
  };
  const record = (finished: boolean): SweepOutcome => {
    dropLater();
    const t = Date.now();
    const outcome = recordSweep(o.dir, spec, createdAt, entries, finished);
    lastWrite = Date.now();
    writeMs = lastWrite - t;
    return outcome;
  };
  record(false);
  const gap = () => Math.max(RECORD_EVERY_MS, writeMs / RECORD_SHARE);
  const recordNow = () => {
    if (Date.now() - lastWrite >= gap()) record(false);
    else if (!later) {
      later = setTimeout(() => {
        later = undefined;
        try {
          record(false);
        } catch (error) {
          broken ??= { error };
          stop.abort();
        }
      }, lastWrite + gap() - Date.now());
      // The runs under way keep the process alive; this write alone need not.
      later.unref();
    }
  };
  const onAbort = () => stop.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) stop.abort();
  let next = 0;
  const work = async (_unused: unknown, slot: number) => {
    const worker = `${hostname()}:${process.pid} slot ${slot + 1}`;
    while (next < runs.length && !stop.signal.aborted) {
      const at = next++;
      const run = runs[at];
      const before = known.get(run.id)?.attempts ?? 0;
      try {
        for (let attempt = 1; attempt <= spec.attempts; attempt++) {
          known.set(run.id, { attempts: before + attempt });
          // sweep.json, written meanwhile, counts the attempt under way.
          entries[at] = { ...entries[at], attempts: Math.max(entries[at].attempts, before + attempt) };
          o.onEvent?.({ type: 'start', run, attempt });
          try {
            const r = await executeRun(run, {
              sweepDir: o.dir, threads, signal: stop.signal, worker,
              onWarning: (message) => warn(run, message),
              onLine: (line) => { const e = epochOfLine(line); if (e) o.onEvent?.({ type: 'epoch', run, ...e, line }); },
            });
            if (r.how === 'skipped') known.set(run.id, { attempts: before });
            const entry = collectEntries(o.dir, spec, [run], undefined, warn)[0];
            if (entry.status === 'completed') o.onEvent?.({ type: 'done', run, value: entry.value!, how: r.how });
            else {
              // It ran to completion but lacks the metric: running it again would not add it.
              o.onEvent?.({ type: 'failed', run, error: entry.error ?? 'no metric', retrying: false });
              known.set(run.id, { attempts: before + attempt, status: 'failed', error: entry.error });
            }
            break;
          } catch (e) {
            if (e instanceof RunInterruptedError) {
              // Not an attempt that failed: the sweep was stopped under it.
              known.set(run.id, { attempts: before + attempt - 1 });
              o.onEvent?.({ type: 'interrupted', run });
              break;
            }
            const error = e instanceof RunFailedError ? e.message : (e as Error).message;
            // Exit code 2 is a usage error (a bad flag value): trying again would fail the same way. A run that a queue
            // worker is training into this folder is not this sweep's to run: it is reported, not run twice at once.
            const usage = e instanceof RunFailedError && e.exitCode === 2;
            const busy = e instanceof RunBusyError;
            // Not the run's failure (its folder could not be made, say): it stops the sweep, so no retry follows.
            const unexpected = !(e instanceof RunFailedError) && !busy;
            const retrying = attempt < spec.attempts && !stop.signal.aborted && !usage && !busy && !unexpected;
            o.onEvent?.({ type: 'failed', run, error, retrying });
            // Neither a busy run nor one stopped by an unexpected error (its folder not made) was started: no attempt spent.
            if (!retrying) known.set(run.id, { attempts: before + attempt - (busy || unexpected ? 1 : 0), status: 'failed', error });
            if (unexpected) throw e;
            if (!retrying) break;
          }
        }
      } finally {
        // This run's entry alone, from its folder: the other runs' entries stand as they were.
        entries[at] = collectEntries(o.dir, spec, [run], known, warn)[0];
      }
      recordNow();
    }
  };
  const guarded = async (u: unknown, slot: number) => {
    try {
      await work(u, slot);
    } catch (error) {
      broken ??= { error };
      stop.abort();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(parallel, runs.length) }, guarded));
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    dropLater();
  }
  // A run another worker (a queue's) completed meanwhile, refused here as busy or left pending, is recorded completed,
  // as its folder shows; the completed ones cannot have changed.
  entries.forEach((e, i) => {
    if (e.status !== 'completed') entries[i] = collectEntries(o.dir, spec, [runs[i]], known, warn)[0];
  });
  if (broken) {
    const first = (broken as { error: unknown }).error;
    try {
      record(false);
    } catch (second) {
      throw withLaterFailure(first, second);
    }
    throw first;
  }
  // A stop that came when no run was left to start or resume (the last ones completing as it came) ends the sweep as usual.
  return record(!o.signal?.aborted || !entries.some((e) => e.status === 'pending'));
}
