/**
 * TensorBoard-style histograms of every trainable weight and of its last batch's gradient, taken after each epoch
 * of a dashboard job. The optimizer clears each gradient as soon as it applies it, so a capture wraps the model's
 * optimizer for the length of the fit and copies the raw gradients (before clipping) of every step into buffers
 * it reuses: at an epoch's end they hold that epoch's last batch. Copying changes no arithmetic.
 */
import type { Optimizer } from '../optimizers/optimizer.js';
import type { Variable } from '../variable.js';

/** Equal-width bins over min..max; bin i covers [min + i·w, min + (i+1)·w), the last one includes max. */
export interface Histogram {
  min: number;
  max: number;
  counts: number[];
}

export interface WeightHistogram {
  name: string;
  shape: number[];
  values: Histogram;
  /** Of the epoch's last batch; null when the weight received no gradient. */
  gradients: Histogram | null;
}

export interface EpochHistograms {
  /** 1-based, as the epoch events and the record's history count. */
  epoch: number;
  weights: WeightHistogram[];
}

export const HISTOGRAM_BINS = 30;

/**
 * Counts of values in `bins` equal-width bins over their finite min..max. Non-finite values are left out (their
 * count is the size minus the sum). Constant values (min = max) all go to the middle bin, so the chart shows one bar.
 */
export function histogram(values: ArrayLike<number>, bins = HISTOGRAM_BINS): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Array<number>(bins).fill(0);
  if (min > max) return { min: 0, max: 0, counts };
  if (min === max) {
    let n = 0;
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
    counts[Math.floor(bins / 2)] = n;
    return { min, max, counts };
  }
  const scale = bins / (max - min);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.floor((v - min) * scale))]++;
  }
  return { min, max, counts };
}

/** The left edges of a histogram's bins followed by its right end: bins + 1 numbers. */
export function binEdges(h: Histogram): number[] {
  const w = (h.max - h.min) / h.counts.length;
  return Array.from({ length: h.counts.length + 1 }, (_, i) => (i === h.counts.length ? h.max : h.min + i * w));
}

/** Keeps a copy of every variable's latest gradient while installed on an optimizer. */
export class GradientCapture {
  private last = new Map<Variable, Float32Array>();
  private restore: (() => void) | null = null;

  install(optimizer: Optimizer): void {
    if (this.restore) return;
    const own = Object.prototype.hasOwnProperty.call(optimizer, 'applyGradients');
    const original = optimizer.applyGradients;
    optimizer.applyGradients = (vars: Variable[]) => {
      for (const v of vars) if (v.grad) this.copy(v, v.grad);
      original.call(optimizer, vars);
    };
    this.restore = () => {
      if (own) optimizer.applyGradients = original;
      else delete (optimizer as Partial<Optimizer>).applyGradients;
    };
  }

  uninstall(): void {
    this.restore?.();
    this.restore = null;
  }

  gradientOf(v: Variable): Float32Array | null {
    return this.last.get(v) ?? null;
  }

  private copy(v: Variable, g: ArrayLike<number>): void {
    let buf = this.last.get(v);
    if (!buf || buf.length !== g.length) this.last.set(v, (buf = new Float32Array(g.length)));
    buf.set(g);
  }
}

export function weightHistograms(vars: readonly Variable[], capture: GradientCapture | null, bins = HISTOGRAM_BINS): WeightHistogram[] {
  return vars.map((v) => {
    const g = capture?.gradientOf(v) ?? null;
    return { name: v.name, shape: [...v.shape], values: histogram(v.values as ArrayLike<number>, bins), gradients: g ? histogram(g, bins) : null };
  });
}
