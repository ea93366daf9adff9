/**
 * Keras's threshold metrics, accumulated over batches: precision and recall at threshold 0.5, and AUC (ROC)
 * over 200 thresholds with Keras's trapezoidal ('interpolation') summation.
 */
import type { FArray } from '../backend/index.js';

type Values = FArray | Int32Array;

export interface Meter {
  add(p: Values, t: Values): void;
  value(): number;
  reset(): void;
  /** The running counts (what a mid-epoch checkpoint keeps), and back from them. */
  sums(): number[];
  setSums(s: readonly number[]): void;
}

/**
 * True/false positives and negatives at one threshold, over every element: a prediction above the threshold is
 * positive, and a target is positive when it is non-zero (Keras casts y_true to bool, so a target of 0.3 or 2 is a
 * positive label, not a negative one as a 0.5 cut would make it).
 */
class ThresholdCounts {
  tp = 0; fp = 0; fn = 0; tn = 0;
  constructor(readonly threshold: number) {}
  reset(): void { this.tp = this.fp = this.fn = this.tn = 0; }
  sums(): number[] { return [this.tp, this.fp, this.fn, this.tn]; }
  setSums(s: readonly number[], at = 0): void { [this.tp, this.fp, this.fn, this.tn] = s.slice(at, at + 4); }
  add(p: Values, t: Values): void {
    for (let i = 0; i < p.length; i++) {
      const pos = p[i] > this.threshold, truth = t[i] !== 0;
      if (pos && truth) this.tp++; else if (pos) this.fp++; else if (truth) this.fn++; else this.tn++;
    }
  }
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export class Precision implements Meter {
  private c = new ThresholdCounts(0.5);
  add(p: Values, t: Values): void { this.c.add(p, t); }
  reset(): void { this.c.reset(); }
  sums(): number[] { return this.c.sums(); }
  setSums(s: readonly number[]): void { this.c.setSums(s); }
  value(): number { return ratio(this.c.tp, this.c.tp + this.c.fp); }
}

export class Recall implements Meter {
  private c = new ThresholdCounts(0.5);
  add(p: Values, t: Values): void { this.c.add(p, t); }
  reset(): void { this.c.reset(); }
  sums(): number[] { return this.c.sums(); }
  setSums(s: readonly number[]): void { this.c.setSums(s); }
  value(): number { return ratio(this.c.tp, this.c.tp + this.c.fn); }
}

/** Keras's default num_thresholds. */
export const AUC_THRESHOLDS = 200;
// Keras's epsilon past each end, so predictions of exactly 0 and 1 land inside the extreme thresholds.
const AUC_EPSILON = 1e-7;

export class AUC implements Meter {
  private counts: ThresholdCounts[];
  constructor(numThresholds = AUC_THRESHOLDS) {
    const inner = Array.from({ length: numThresholds - 2 }, (_, i) => (i + 1) / (numThresholds - 1));
    this.counts = [-AUC_EPSILON, ...inner, 1 + AUC_EPSILON].map((th) => new ThresholdCounts(th));
  }
  add(p: Values, t: Values): void { for (const c of this.counts) c.add(p, t); }
  reset(): void { for (const c of this.counts) c.reset(); }
  sums(): number[] { return this.counts.flatMap((c) => c.sums()); }
  setSums(s: readonly number[]): void { this.counts.forEach((c, i) => c.setSums(s, 4 * i)); }
  value(): number {
    const tpr = this.counts.map((c) => ratio(c.tp, c.tp + c.fn));
    const fpr = this.counts.map((c) => ratio(c.fp, c.fp + c.tn));
    let area = 0;
    for (let i = 0; i + 1 < this.counts.length; i++) area += (fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2;
    return area;
  }
}
