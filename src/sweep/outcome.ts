/**
 * What a finished run left in its folder, as a sweep needs it: did it complete, its final metrics and its
 * per-epoch history. Reads the run's results.json through the one RunRecord reader; a missing or unreadable
 * one (a run killed while writing it) means "not done", so the run is run again.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readRecord, RESULTS_FILE, type Num, type RunStatus } from '../report/record.js';

export interface RunOutcome {
  status: RunStatus;
  metrics: Record<string, number>;
  history: Record<string, number[]>;
  secondsPerEpoch: number | null;
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
  if (!existsSync(file)) return null;
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
    history: model ? Object.fromEntries(Object.entries(model.history).map(([k, v]) => [k, numbers(v)])) : {},
    secondsPerEpoch: spe.length ? spe.reduce((a, b) => a + b, 0) / spe.length : null,
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
