/**
 * What a sweep found: runs grouped by their settings with the metric's mean ± std over seeds, the effect of
 * each axis (the metric by value, averaged over everything else), mean curves per setting, and one finding
 * sentence built from those numbers.
 */
import type { FlagValue } from './spec.js';
import type { RunOutcome } from './outcome.js';

export interface RunEntry {
  id: string;
  axes: Record<string, FlagValue>;
  seed: number;
  status: 'pending' | 'completed' | 'failed';
  attempts: number;
  error?: string;
  /** The worker that runs or ran it (its run folder's worker.json). */
  worker?: string;
  /** The ranking metric's value, when completed. */
  value?: number;
  outcome?: RunOutcome;
}

export interface SettingRow {
  axes: Record<string, FlagValue>;
  label: string;
  mean: number;
  std: number;
  n: number;
  /** Per-epoch history averaged over seeds (only keys every seed has, truncated to the shortest). */
  curves: Record<string, number[]>;
}

export interface AxisEffect {
  axis: string;
  values: { value: FlagValue; mean: number; std: number; n: number }[];
  /** Best minus worst mean, in the goal's direction (≥ 0). */
  spread: number;
}

export interface SweepSummary {
  metric: string;
  goal: 'max' | 'min';
  rows: SettingRow[];
  /** The axes with at least one completed run, each with the values that have one. */
  effects: AxisEffect[];
  /** Axes none of whose runs completed (all failed or pending): no effect to show. Absent when there is none. */
  unmeasured?: string[];
  completed: number;
  failed: number;
  pending: number;
  finding: string;
  /** What the spec asked that the runs could not give (expand.ts specNotes), when there is any. */
  notes?: string[];
}

export function meanStd(xs: number[]): { mean: number; std: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0 };
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(v) };
}

/** The line saying which axes have no effect shown, or null when every axis has one. */
export function unmeasuredLine(s: Pick<SweepSummary, 'unmeasured'>): string | null {
  const axes = s.unmeasured ?? [];
  if (!axes.length) return null;
  return `No run varying ${axes.join(', ')} has completed: ${axes.length > 1 ? 'their effects are' : 'its effect is'} not shown.`;
}

export function settingLabel(axes: Record<string, FlagValue>): string {
  const parts = Object.entries(axes).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(', ') : '(fixed settings)';
}

function meanCurves(outcomes: RunOutcome[]): Record<string, number[]> {
  if (!outcomes.length) return {};
  const keys = Object.keys(outcomes[0].history).filter((k) => outcomes.every((o) => o.history[k]?.length));
  const out: Record<string, number[]> = {};
  for (const k of keys) {
    const len = Math.min(...outcomes.map((o) => o.history[k].length));
    out[k] = Array.from({ length: len }, (_, e) => meanStd(outcomes.map((o) => o.history[k][e])).mean);
  }
  return out;
}

/**
 * Whether a metric (or history key) is a fraction shown as a percentage: the accuracies are; losses are plain
 * numbers, also below 1. By name, not by value, so every value of one metric is shown alike.
 */
export function isPercentMetric(name: string): boolean {
  return /accuracy|(^|_)acc$/i.test(name);
}

/** A value of the metric `name`: 87.00% for an accuracy, 0.4100 for a loss. */
export function fmtMetric(name: string, v: number): string {
  return isPercentMetric(name) ? `${(v * 100).toFixed(2)}%` : v.toFixed(4);
}

/** mean ± std (std in percentage points for a percentage), or the mean alone for one run. */
function fmtPm(name: string, m: number, s: number, n: number): string {
  if (n <= 1) return fmtMetric(name, m);
  return `${fmtMetric(name, m)} ± ${isPercentMetric(name) ? (s * 100).toFixed(2) : s.toFixed(4)}`;
}

export function summarize(runs: RunEntry[], metric: string, goal: 'max' | 'min', notes: string[] = []): SweepSummary {
  const better = (a: number, b: number) => (goal === 'max' ? b - a : a - b);
  const done = runs.filter((r) => r.status === 'completed' && r.value !== undefined);
  const groups = new Map<string, RunEntry[]>();
  for (const r of done) {
    const key = JSON.stringify(r.axes);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: SettingRow[] = [...groups.values()].map((g) => {
    const { mean, std } = meanStd(g.map((r) => r.value!));
    return { axes: g[0].axes, label: settingLabel(g[0].axes), mean, std, n: g.length, curves: meanCurves(g.map((r) => r.outcome!).filter(Boolean)) };
  }).sort((a, b) => better(a.mean, b.mean));

  const axisNames = [...new Set(runs.flatMap((r) => Object.keys(r.axes)))];
  const measured = axisNames.filter((axis) => done.some((r) => axis in r.axes));
  const unmeasured = axisNames.filter((axis) => !measured.includes(axis));
  const effects: AxisEffect[] = measured.map((axis) => {
    const byValue = new Map<string, { value: FlagValue; xs: number[] }>();
    for (const r of done) {
      if (!(axis in r.axes)) continue;
      const v = r.axes[axis];
      const e = byValue.get(String(v)) ?? { value: v, xs: [] };
      e.xs.push(r.value!);
      byValue.set(String(v), e);
    }
    const values = [...byValue.values()].map(({ value, xs }) => ({ value, ...meanStd(xs), n: xs.length }));
    const means = values.map((v) => v.mean);
    const spread = means.length > 1 ? Math.max(...means) - Math.min(...means) : 0;
    return { axis, values, spread };
  }).sort((a, b) => b.spread - a.spread);

  const s: SweepSummary = {
    metric, goal, rows, effects,
    completed: done.length,
    failed: runs.filter((r) => r.status === 'failed').length,
    pending: runs.filter((r) => r.status === 'pending').length,
    finding: '',
    ...(unmeasured.length ? { unmeasured } : {}),
    ...(notes.length ? { notes } : {}),
  };
  s.finding = findingOf(s);
  return s;
}

/** The validation curve of a metric: val_<metric> where the run recorded one. */
function validationCurve(row: SettingRow, metric: string): { key: string; ys: number[] } | null {
  const base = metric.replace(/^(test|val)_?/i, '').replace(/^[A-Z]/, (c) => c.toLowerCase());
  const snake = base.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  for (const key of [`val_${snake}`, `val_${base}`, 'val_accuracy', 'val_loss']) {
    if (row.curves[key]?.length) return { key, ys: row.curves[key] };
  }
  return null;
}

/** Settings' labels in a sentence: two joined by 'and', more by ';' (a label holds commas), past four counted. */
function tiedLabels(labels: string[]): string {
  if (labels.length === 2) return `${labels[0]} and ${labels[1]}`;
  const shown = labels.slice(0, 4);
  return `${shown.join('; ')}${labels.length > shown.length ? `; and ${labels.length - shown.length} more` : ''}`;
}

/** One sentence from the numbers: the best setting, the axis that matters most, and where training peaks. */
export function findingOf(s: SweepSummary): string {
  if (!s.rows.length) return `No run has completed yet (${s.failed} failed, ${s.pending} pending).`;
  const best = s.rows[0];
  const fmt = (v: number) => fmtMetric(s.metric, v);
  // Settings equal as shown are tied: naming the first of them alone "Best" would be the sort order's choice.
  const tied = s.rows.filter((r) => fmt(r.mean) === fmt(best.mean));
  const parts = [tied.length > 1
    ? `Tied best: ${tiedLabels(tied.map((r) => r.label))} with ${s.metric} ${fmt(best.mean)}${tied.every((r) => r.n > 1) ? ' (means over seeds)' : ''}.`
    : `Best: ${best.label} with ${s.metric} ${fmtPm(s.metric, best.mean, best.std, best.n)}${best.n > 1 ? ` over ${best.n} seeds` : ''}.`];
  const top = s.effects[0];
  // With one seed per setting there is no seed-to-seed spread to weigh an axis's effect against.
  const oneSeed = s.rows.every((r) => r.n === 1);
  if (top && top.values.length > 1) {
    const vals = [...top.values].sort((a, b) => (s.goal === 'max' ? b.mean - a.mean : a.mean - b.mean));
    const noise = Math.max(...top.values.map((v) => v.std).filter((x) => Number.isFinite(x)), 0);
    const hi = vals[0], lo = vals[vals.length - 1];
    if (oneSeed && fmt(hi.mean) === fmt(lo.mean)) {
      parts.push(`No axis moves ${s.metric} (${top.axis}: ${fmt(hi.mean)} vs ${fmt(lo.mean)}); with one seed per setting, the seed-to-seed spread is not measured.`);
    } else if (oneSeed) {
      parts.push(`${top.axis} matters most: ${hi.value} gives ${fmt(hi.mean)} against ${fmt(lo.mean)} for ${lo.value}. With one seed per setting, the seed-to-seed spread is not measured.`);
    } else {
      parts.push(top.spread > noise
        ? `${top.axis} matters most: ${hi.value} gives ${fmt(hi.mean)} against ${fmt(lo.mean)} for ${lo.value}.`
        : `No axis moves ${s.metric} by more than the seed-to-seed spread (${top.axis}: ${fmt(hi.mean)} vs ${fmt(lo.mean)}).`);
    }
  }
  const curve = validationCurve(best, s.metric);
  if (curve && curve.ys.length > 1) {
    const lossLike = /loss/.test(curve.key);
    const ys = curve.ys;
    const fmt = (v: number) => fmtMetric(curve.key, v);
    let peak = 0;
    ys.forEach((y, i) => { if (lossLike ? y < ys[peak] : y > ys[peak]) peak = i; });
    const last = ys.length - 1;
    const eps = 1e-9;
    const worseAtEnd = lossLike ? ys[last] > ys[peak] + eps : ys[last] < ys[peak] - eps;
    const improved = lossLike ? ys[peak] < ys[0] - eps : ys[peak] > ys[0] + eps;
    if (peak < last && worseAtEnd) {
      parts.push(improved
        ? `More epochs help until epoch ${peak + 1} (${curve.key} ${fmt(ys[peak])}), then it overfits (${fmt(ys[last])} at epoch ${last + 1}).`
        : `${curve.key} is best after the first epoch (${fmt(ys[0])}) and worse by epoch ${last + 1} (${fmt(ys[last])}): fewer epochs suffice.`);
    } else if (!improved) {
      parts.push(`${curve.key} does not move over ${ys.length} epochs (${fmt(ys[last])}).`);
    } else {
      parts.push(`${curve.key} still improves at the last epoch (${fmt(ys[last])} at epoch ${last + 1}): more epochs may help.`);
    }
  }
  return parts.join(' ');
}
