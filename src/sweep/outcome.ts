/**
 * What a finished run left in its folder, as a sweep needs it: did it complete, its final metrics and its
 * per-epoch history. Reads the run's results.json through the one RunRecord reader; a missing or unreadable
 * one (a run killed while writing it) means "not done", so the run is run again.
 */
import { lstatSync } from 'node:fs';
import path from 'node:path';
import { readRecord, RESULTS_FILE, type Num, type RunStatus } from '../report/record.js';

export interface RunOutcome {
  status: RunStatus;
  /** The finite metrics. */
  metrics: Record<string, number>;
  /** Every metric as recorded, null (a NaN or infinity written) included: what a run is judged on (completedRun). */
  recorded: Record<string, number | null>;
  history: Record<string, number[]>;
  secondsPerEpoch: number | null;
  /**
   * The compute precision the run trained in (its environment.engine.precision): float32 for a run asked for
   * mixed_bfloat16 where the native kernels cannot run bf16. Absent from records written before the field.
   */
  precision?: string;
}

/** snake_case and camelCase name the same metric: test_accuracy = testAccuracy. */
export function metricKey(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function finite(o: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

const numbers = (xs: Num[]) => xs.map((x) => (x === null ? NaN : x));

/** The run's outcome, or null when it has not finished (no readable results.json, or one still marked running). */
export function readOutcome(runDir: string): RunOutcome | null {
  const file = path.join(runDir, RESULTS_FILE);
  // A link there is not the run's own record (a run writes a plain file, and refuses a link): another run's metrics
  // must not count as this run's.
  let entry;
  try { entry = lstatSync(file); } catch { return null; /* none, or the run's folder is not a folder */ }
  if (!entry.isFile()) return null;
  let rec;
  try {
    rec = readRecord(file);
  } catch {
    return null;
  }
  if (rec.status === 'running') return null;
  // A sweep's run trains one model; a command that trains several (compare) is ranked by its top-level metrics.
  const model = rec.models.length === 1 ? rec.models[0] : null;
  const spe = model ? numbers(model.secondsPerEpoch).filter(Number.isFinite) : [];
  return {
    status: rec.status,
    metrics: finite(rec.metrics),
    recorded: Object.fromEntries(Object.entries(rec.metrics).filter((e): e is [string, number | null] => typeof e[1] === 'number' || e[1] === null)),
    history: model ? Object.fromEntries(Object.entries(model.history).map(([k, v]) => [k, numbers(v)])) : {},
    secondsPerEpoch: spe.length ? spe.reduce((a, b) => a + b, 0) / spe.length : null,
    ...(typeof rec.environment?.engine?.precision === 'string' ? { precision: rec.environment.engine.precision } : {}),
  };
}

/**
 * What a run asked for and trained in, when they differ: --precision mixed_bfloat16 falls back to float32 where the
 * native kernels cannot run bf16 (a CPU without AVX512-BF16), saying so only on the run's stderr. Null when they
 * agree, or the record does not say (one written before the field).
 */
export function precisionFallback(flags: Record<string, unknown>, outcome: Pick<RunOutcome, 'precision'>): { asked: string; ran: string } | null {
  const asked = flags.precision === undefined ? 'float32' : String(flags.precision);
  return outcome.precision === undefined || outcome.precision === asked ? null : { asked, ran: outcome.precision };
}

/** The metric's value among a run's metrics under either spelling, or undefined when it has none that is a finite number. */
export function metricOf(metrics: Record<string, unknown>, metric: string): number | undefined {
  // The first finite value of the two spellings: a NaN under one must not hide a number under the other.
  return [metrics[metricKey(metric)], metrics[metric]].find((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** The value a run gives the metric that is not a finite number (NaN, Infinity, or null as a record writes those), if any. */
function nonFinite(metrics: Record<string, unknown>, metric: string): string | undefined {
  const v = [metrics[metricKey(metric)], metrics[metric]].find((x) => typeof x === 'number' || x === null);
  return v === undefined ? undefined : String(v);
}

/**
 * How a completed run counts in a sweep: completed with the metric's value, or failed with the reason when it does
 * not report the metric as a finite number (never aborting the sweep). The sweep and the dashboard's sweep view judge runs alike.
 */
export function completedRun(metrics: Record<string, unknown>, metric: string, runId: string): { status: 'completed'; value: number } | { status: 'failed'; error: string } {
  const value = metricOf(metrics, metric);
  if (value !== undefined) return { status: 'completed', value };
  const bad = nonFinite(metrics, metric);
  if (bad !== undefined) return { status: 'failed', error: `run ${runId} reports ${metric} = ${bad} (not a finite number)` };
  const has = Object.keys(metrics).filter((k) => metricOf(metrics, k) !== undefined);
  return { status: 'failed', error: `run ${runId} reports no metric '${metric}' (it has: ${has.join(', ') || 'none'})` };
}

