/**
 * What a sweep found: runs grouped by their settings with the metric's mean ± std over seeds, the effect of
 * each grid axis (the metric by value, averaged over the grid's other settings), mean curves per setting, and one
 * finding sentence built from those numbers.
 */
import { writtenAlike } from './expand.js';
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
  /** The precision the run asked for (--precision) and the one it trained in, where they differ (outcome.ts precisionFallback). */
  precisionFallback?: { asked: string; ran: string };
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
  /** `ranIn`: for a precision value some of whose runs fell back, what they trained in ("float32", "float32 in 1 of 2 runs"). */
  values: { value: FlagValue; mean: number; std: number; n: number; ranIn?: string }[];
  /** Best minus worst mean, in the goal's direction (≥ 0). */
  spread: number;
}

export interface SweepSummary {
  metric: string;
  goal: 'max' | 'min';
  rows: SettingRow[];
  /** The axes with at least one completed run, each with the values that have one (the grid's axes and runs, when summarize is given the grid). */
  effects: AxisEffect[];
  /**
   * Axes none of whose runs (of the grid's, when summarize is given the grid) completed: no effect to show. A completed
   * list entry may still set one (unmeasuredLine says so). Absent when there is none.
   */
  unmeasured?: string[];
  /**
   * The seed-to-seed spread the finding weighs the top axis's effect against (seedSpread over the settings the effects
   * come from); absent when none of them has two completed seeds.
   */
  seedStd?: number;
  completed: number;
  failed: number;
  pending: number;
  finding: string;
  /** What the spec asked that the runs could not give (expand.ts specNotes), and that list entries make no effect; when there is any. */
  notes?: string[];
  /**
   * Completed runs that trained in another precision than they asked for (`runs` of the `of` that asked for `asked`),
   * one entry per pair; absent when there is none. Their settings' labels say so ("precision=mixed_bfloat16 ran in float32").
   */
  precisionFallbacks?: { asked: string; ran: string; runs: number; of: number }[];
}

export function meanStd(xs: number[]): { mean: number; std: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0 };
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(v) };
}

/**
 * The line saying which axes have no effect shown, or null when every axis has one. The terminal, report.html and the
 * dashboard (through the sweeps API, which computes it from sweep.json's summary) all show this one.
 */
export function unmeasuredLine(s: Pick<SweepSummary, 'unmeasured'> & { rows: readonly Pick<SettingRow, 'axes'>[] }): string | null {
  const axes = s.unmeasured ?? [];
  if (!axes.length) return null;
  // A completed setting that sets such an axis is a list entry (a completed grid run would have measured it): there,
  // "no run has completed" would be false, and the reason it makes no effect is that it is a list entry.
  const listed = axes.filter((a) => s.rows.some((r) => a in r.axes));
  const none = axes.filter((a) => !listed.includes(a));
  const notShown = (xs: string[]) => `${xs.length > 1 ? 'their effects are' : 'its effect is'} not shown.`;
  return [
    ...(none.length ? [`No run varying ${none.join(', ')} has completed: ${notShown(none)}`] : []),
    ...(listed.length ? [`Of the runs varying ${listed.join(', ')}, only list entries have completed, and list entries count in no axis's effect: ${notShown(listed)}`] : []),
  ].join(' ');
}

export function settingLabel(axes: Record<string, FlagValue>): string {
  const parts = Object.entries(axes).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(', ') : '(fixed settings)';
}

/**
 * What runs of one setting (or one axis value) trained in, where they fell back from the precision they asked for:
 * "float32", or "float32 in 1 of 2 runs" where only some did (workers on other CPUs); null where none did.
 */
function ranIn(runs: readonly RunEntry[]): string | null {
  const fell = runs.filter((r) => r.precisionFallback);
  if (!fell.length) return null;
  const ran = [...new Set(fell.map((r) => r.precisionFallback!.ran))].join(' or ');
  return fell.length === runs.length ? ran : `${ran} in ${fell.length} of ${runs.length} runs`;
}

/** A setting's label, its precision marked where its runs trained in another ("precision=mixed_bfloat16 ran in float32"). */
function runsLabel(axes: Record<string, FlagValue>, runs: readonly RunEntry[]): string {
  const ran = ranIn(runs);
  if (!ran) return settingLabel(axes);
  const asked = runs.find((r) => r.precisionFallback)!.precisionFallback!.asked;
  // A precision the spec's fixed flags set is in no setting's axes: the mark names it all the same.
  const parts = Object.entries(axes).map(([k, v]) => (k === 'precision' ? `${k}=${v} ran in ${ran}` : `${k}=${v}`));
  if (!('precision' in axes)) parts.push(`precision=${asked} ran in ${ran}`);
  return parts.join(', ');
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

/** Whether a run's settings are a point of the grid: its axes are the grid's, each at one of the grid's values. */
function onGrid(axes: Record<string, FlagValue>, grid: Record<string, FlagValue[]>): boolean {
  const names = Object.keys(grid);
  if (Object.keys(axes).length !== names.length) return false;
  // As runs are told apart (expand.ts sameRunKey): a list entry { units: "32" } is grid units 32's run.
  return names.every((n) => n in axes && grid[n].some((v) => writtenAlike(v, axes[n])));
}

/** The note saying that list entries are ranked but make no effect, or null when the runs hold none. */
function listNote(listed: number, gridAxes: number): string | null {
  if (!listed) return null;
  const entries = `${listed} list setting${listed > 1 ? 's are' : ' is'} ranked`;
  return gridAxes
    ? `(${entries} with the grid's but left out of each axis's effect, which compares the grid's settings only: a list entry may change several flags at once)`
    : `(${entries}; no axis's effect is shown, since a list entry may change several flags at once)`;
}

/**
 * `grid` is the spec's grid: the axes' effects are taken over its settings alone, since they form a product (or a
 * random sample of one) where the marginal means compare like with like; list entries, which may change several flags
 * at once, are ranked but make no effect, and a note says so. Without `grid`, every setting counts toward the effects.
 */
export function summarize(runs: RunEntry[], metric: string, goal: 'max' | 'min', notes: string[] = [], grid?: Record<string, FlagValue[]>): SweepSummary {
  const better = (a: number, b: number) => (goal === 'max' ? b - a : a - b);
  const done = runs.filter((r) => r.status === 'completed' && r.value !== undefined);
  const gridRuns = grid ? runs.filter((r) => onGrid(r.axes, grid)) : runs;
  const gridDone = gridRuns.filter((r) => r.status === 'completed' && r.value !== undefined);
  const onGridSet = new Set(gridRuns);
  const listed = new Set(runs.filter((r) => !onGridSet.has(r)).map((r) => JSON.stringify(r.axes))).size;
  const note = listNote(listed, grid ? Object.keys(grid).length : 0);
  const groups = new Map<string, RunEntry[]>();
  for (const r of done) {
    const key = JSON.stringify(r.axes);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: SettingRow[] = [...groups.values()].map((g) => {
    const { mean, std } = meanStd(g.map((r) => r.value!));
    return { axes: g[0].axes, label: runsLabel(g[0].axes, g), mean, std, n: g.length, curves: meanCurves(g.map((r) => r.outcome!).filter(Boolean)) };
  }).sort((a, b) => better(a.mean, b.mean));

  const axisNames = grid ? Object.keys(grid) : [...new Set(runs.flatMap((r) => Object.keys(r.axes)))];
  const measured = axisNames.filter((axis) => gridDone.some((r) => axis in r.axes));
  const unmeasured = axisNames.filter((axis) => !measured.includes(axis));
  const effects: AxisEffect[] = measured.map((axis) => {
    const byValue = new Map<string, { value: FlagValue; xs: number[]; runs: RunEntry[] }>();
    for (const r of gridDone) {
      if (!(axis in r.axes)) continue;
      const v = r.axes[axis];
      const e = byValue.get(String(v)) ?? { value: v, xs: [], runs: [] };
      e.xs.push(r.value!);
      e.runs.push(r);
      byValue.set(String(v), e);
    }
    const values = [...byValue.values()].map(({ value, xs, runs: rs }) => {
      const ran = axis === 'precision' ? ranIn(rs) : null;
      return { value, ...meanStd(xs), n: xs.length, ...(ran ? { ranIn: ran } : {}) };
    });
    const means = values.map((v) => v.mean);
    const spread = means.length > 1 ? Math.max(...means) - Math.min(...means) : 0;
    return { axis, values, spread };
  }).sort((a, b) => b.spread - a.spread);

  const effectRows = grid ? rows.filter((r) => onGrid(r.axes, grid)) : rows;
  const precisionFallbacks = fallbacksOf(done);
  const seedStd = seedSpread(effectRows);
  const s: SweepSummary = {
    metric, goal, rows, effects,
    ...(seedStd === null ? {} : { seedStd }),
    completed: done.length,
    failed: runs.filter((r) => r.status === 'failed').length,
    pending: runs.filter((r) => r.status === 'pending').length,
    finding: '',
    ...(unmeasured.length ? { unmeasured } : {}),
    ...(notes.length || note ? { notes: note ? [...notes, note] : notes } : {}),
    ...(precisionFallbacks.length ? { precisionFallbacks } : {}),
  };
  s.finding = findingOf(s);
  return s;
}

/** The completed runs that fell back, counted by what they asked for and trained in, against all that asked for it. */
function fallbacksOf(done: readonly RunEntry[]): NonNullable<SweepSummary['precisionFallbacks']> {
  const out = new Map<string, { asked: string; ran: string; runs: number; of: number }>();
  for (const r of done) {
    const fb = r.precisionFallback;
    if (!fb) continue;
    const key = JSON.stringify([fb.asked, fb.ran]);
    // A run that did not fall back asked for what it ran (its record's), or, in a record that does not say, its axis's.
    const askedOf = (d: RunEntry) => d.precisionFallback?.asked ?? d.outcome?.precision ?? (d.axes.precision === undefined ? undefined : String(d.axes.precision));
    const e = out.get(key) ?? { ...fb, runs: 0, of: done.filter((d) => askedOf(d) === fb.asked).length };
    e.runs++;
    out.set(key, e);
  }
  return [...out.values()];
}

/** The line saying which runs trained in another precision than they asked for, or null when none did. */
export function precisionFallbackLine(s: Pick<SweepSummary, 'precisionFallbacks'>): string | null {
  const fbs = s.precisionFallbacks ?? [];
  if (!fbs.length) return null;
  const each = fbs.map((f) => `${whoAsked(f)} asking for ${f.asked} trained in ${f.ran}`);
  return `${each.join('; ')}. mixed_bfloat16 falls back to float32 where the native kernels cannot run bf16 (a CPU without AVX512-BF16); `
    + 'each run\'s results.json names the precision that ran (environment.engine.precision), and the summary marks such settings "ran in float32".';
}

/** "The run", "All 4 runs" or "2 of the 4 runs": which of the runs asking for a precision fell back. */
function whoAsked(f: { runs: number; of: number }): string {
  if (f.runs !== f.of) return `${f.runs} of the ${f.of} runs`;
  return f.runs === 1 ? 'The run' : `All ${f.runs} runs`;
}

/** An axis value as the finding names it, with what a precision value's runs trained in where they fell back. */
const valueText = (v: { value: FlagValue; ranIn?: string }) => (v.ranIn ? `${v.value} (ran in ${v.ranIn})` : String(v.value));

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

/**
 * The seed-to-seed spread: the std over seeds within one setting, pooled over the settings run with two seeds or more
 * (their variances weighted by their degrees of freedom, so many settings of two seeds do not make the largest of
 * their noisy stds the bar); null when no setting has two. Not the std of an axis value's runs, which holds the other
 * axes' effects as well as the seeds'.
 */
export function seedSpread(rows: Pick<SettingRow, 'std' | 'n'>[]): number | null {
  const seeded = rows.filter((r) => r.n > 1 && Number.isFinite(r.std));
  const df = seeded.reduce((a, r) => a + r.n - 1, 0);
  if (df === 0) return null;
  return Math.sqrt(seeded.reduce((a, r) => a + (r.n - 1) * r.std ** 2, 0) / df);
}

/** One sentence from the numbers: the best setting, the axis that matters most, and where training peaks. */
export function findingOf(s: SweepSummary): string {
  // With none pending, no run is yet to complete: "yet" would promise one.
  if (!s.rows.length) return s.pending ? `No run has completed yet (${s.failed} failed, ${s.pending} pending).` : `No run completed (${s.failed} failed).`;
  const best = s.rows[0];
  const fmt = (v: number) => fmtMetric(s.metric, v);
  // Settings equal as shown are tied: naming the first of them alone "Best" would be the sort order's choice.
  const tied = s.rows.filter((r) => fmt(r.mean) === fmt(best.mean));
  const parts = [tied.length > 1
    ? `Tied best: ${tiedLabels(tied.map((r) => r.label))} with ${s.metric} ${fmt(best.mean)}${tied.every((r) => r.n > 1) ? ' (means over seeds)' : ''}.`
    : `Best: ${best.label} with ${s.metric} ${fmtPm(s.metric, best.mean, best.std, best.n)}${best.n > 1 ? ` over ${best.n} seeds` : ''}.`];
  const top = s.effects[0];
  const noise = s.seedStd;
  // With one seed per setting there is no seed-to-seed spread to weigh an axis's effect against.
  const oneSeed = noise === undefined;
  if (top && top.values.length > 1) {
    const vals = [...top.values].sort((a, b) => (s.goal === 'max' ? b.mean - a.mean : a.mean - b.mean));
    const hi = vals[0], lo = vals[vals.length - 1];
    // A value whose runs fell back to another precision is named, or "precision: 10.00% vs 10.00%" would read as a measurement.
    const versus = hi.ranIn || lo.ranIn ? `${valueText(hi)} ${fmt(hi.mean)} vs ${valueText(lo)} ${fmt(lo.mean)}` : `${fmt(hi.mean)} vs ${fmt(lo.mean)}`;
    if (oneSeed && fmt(hi.mean) === fmt(lo.mean)) {
      parts.push(`No axis moves ${s.metric} (${top.axis}: ${versus}); with one seed per setting, the seed-to-seed spread is not measured.`);
    } else if (oneSeed) {
      parts.push(`${top.axis} matters most: ${valueText(hi)} gives ${fmt(hi.mean)} against ${fmt(lo.mean)} for ${valueText(lo)}. With one seed per setting, the seed-to-seed spread is not measured.`);
    } else {
      parts.push(top.spread > noise!
        ? `${top.axis} matters most: ${valueText(hi)} gives ${fmt(hi.mean)} against ${fmt(lo.mean)} for ${valueText(lo)}.`
        : `No axis moves ${s.metric} by more than the seed-to-seed spread (${top.axis}: ${versus}).`);
    }
  }
  for (const f of s.precisionFallbacks ?? []) {
    parts.push(`${whoAsked(f)} asking for ${f.asked} trained in ${f.ran}: the settings marked "ran in ${f.ran}" measure ${f.ran}, not ${f.asked}.`);
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
