/**
 * What a finished run left in its folder, as a sweep needs it: did it complete, its final metrics and its
 * per-epoch history. Reads the run's results.json only; a missing or unreadable one means "not done".
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface RunOutcome {
  status: 'completed' | 'failed' | 'cancelled' | 'running';
  metrics: Record<string, number>;
  history: Record<string, number[]>;
  secondsPerEpoch: number | null;
}

const RESULTS = 'results.json';

/** snake_case and camelCase name the same metric: test_accuracy = testAccuracy. */
export function metricKey(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function numbers(o: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (o && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  return out;
}

function history(o: unknown): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  if (o && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) if (Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null)) out[k] = v.map((x) => (x === null ? NaN : x));
  }
  return out;
}

/** The run's outcome, or null when it has not finished (no results.json, or one still marked running). */
export function readOutcome(runDir: string): RunOutcome | null {
  const file = path.join(runDir, RESULTS);
  if (!existsSync(file)) return null;
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  const status = (rec.status as RunOutcome['status'] | undefined) ?? 'completed';
  if (status === 'running') return null;
  const timing = (rec.timing ?? {}) as Record<string, unknown>;
  const spe = timing.meanSecondsPerEpoch ?? timing.secondsPerEpoch;
  return {
    status,
    metrics: numbers(rec.metrics),
    history: history(rec.history),
    secondsPerEpoch: typeof spe === 'number' ? spe : Array.isArray(spe) && spe.length ? spe.reduce((a: number, b: number) => a + b, 0) / spe.length : null,
  };
}

/** The metric's value in an outcome; throws naming what the run does report when the metric is absent. */
export function metricValue(o: RunOutcome, metric: string, runId: string): number {
  const v = o.metrics[metricKey(metric)] ?? o.metrics[metric];
  if (v === undefined) {
    throw new Error(`run ${runId} reports no metric '${metric}' (it has: ${Object.keys(o.metrics).join(', ') || 'none'})`);
  }
  return v;
}
