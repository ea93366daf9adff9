/**
 * The approximate quantiles behind Keras 3.15+'s Discretization.adapt, step for step as Keras computes them with NumPy
 * (a summary of sorted values and weights per batch, merged and compressed by interpolating cumulative weights),
 * with float32 rounding where Keras's arrays are float32 and doubles where NumPy's interpolation works in them.
 */

/** Keras's summary: partition values and their weights (counts), both float32-rounded. */
export interface Summary { values: number[]; weights: number[] }

export function emptySummary(): Summary { return { values: [], weights: [] }; }

/** One batch reduced to about 1 / epsilon sorted points, each weighing the number of values it stands for. */
export function summarize(data: readonly number[], epsilon: number): Summary {
  const sorted = data.map(Math.fround).sort((a, b) => a - b);
  const increment = sorted.length / (1 / epsilon);
  const step = Math.max(increment, 1);
  // Keras 3.15+'s values[int(step - 1)::int(step)] (#22892; earlier Keras started at int(increment)): the last value
  // of each step-sized run, so every point closes the share it weighs; a fractional step strides by its integer part
  // but weighs in full.
  const values: number[] = [];
  for (let i = Math.trunc(step - 1); i < sorted.length; i += Math.trunc(step)) values.push(sorted[i]);
  return { values, weights: values.map(() => Math.fround(step)) };
}

/** Keras's merge_summaries: the new batch's points then the old ones, sorted by value, then compressed. */
export function mergeSummaries(next: Summary, prev: Summary, epsilon: number): Summary {
  const points = [...next.values.map((v, i) => [v, next.weights[i]]), ...prev.values.map((v, i) => [v, prev.weights[i]])];
  // A stable sort; NumPy's argsort (quicksort) may order equal values differently, which moves weights among them.
  points.sort((p, q) => p[0] - q[0]);
  return compressSummary({ values: points.map((p) => p[0]), weights: points.map((p) => p[1]) }, epsilon);
}

/** The numBins - 1 inner boundaries read off a summary (Keras's get_bin_boundaries). */
export function quantileBoundaries(summary: Summary, numBins: number): number[] {
  return compressSummary(summary, 1 / numBins).values.slice(0, -1);
}

/**
 * Keras's compress_summary: at the cumulative-weight fractions epsilon, 2 epsilon, ..., 1 (NumPy's arange), the
 * values and cumulative weights interpolated; a summary with fewer than 1 / epsilon points stays as it is.
 */
function compressSummary(summary: Summary, epsilon: number): Summary {
  const n = summary.values.length;
  if (n * epsilon < 1) return summary;
  const count = Math.ceil(1 / epsilon);
  const percents = Array.from({ length: count }, (_, i) => epsilon + i * epsilon);
  const cum: number[] = [];
  let acc = 0;
  for (const w of summary.weights) { acc = Math.fround(acc + w); cum.push(acc); }
  const fractions = cum.map((c) => Math.fround(c / acc));
  const bins = percents.map((p) => interp(p, fractions, summary.values));
  const cumNew = percents.map((p) => interp(p, fractions, cum));
  return { values: bins.map(Math.fround), weights: cumNew.map((c, i) => Math.fround(c - (i === 0 ? 0 : cumNew[i - 1]))) };
}

/** NumPy's interp: linear between the surrounding points, the end values outside them. */
export function interp(x: number, xp: readonly number[], fp: readonly number[]): number {
  const last = xp.length - 1;
  if (x < xp[0]) return fp[0];
  if (x >= xp[last]) return fp[last];
  // j: the last point at or below x (xp ascending, ties possible); x < xp[j + 1] then.
  let lo = 0, hi = last;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (xp[mid] <= x) lo = mid; else hi = mid - 1; }
  const j = lo;
  if (xp[j] === x) return fp[j];
  const slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
  return slope * (x - xp[j]) + fp[j];
}
