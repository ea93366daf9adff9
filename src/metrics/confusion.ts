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

/**
 * Keras's AUC (ROC, interpolation summation) over its default thresholds: -epsilon, k / (n - 1) for k = 1..n-2, and
 * 1 + epsilon. Counted as Keras 3 counts evenly spaced thresholds, in float32: the prediction (as float32, clipped
 * to [0, 1]) goes to bucket ceil(float32(p * (n - 1))) - 1 (at least 0) and is above every threshold up to its
 * bucket. So a float32 prediction equal to float32(k / 199) is not above threshold k (float64 k / 199 can lie below
 * it), every prediction is above the first threshold and none above the last; a NaN prediction is above none.
 */
export class AUC implements Meter {
  private readonly n: number;
  private tp: Float64Array; private fp: Float64Array; private fn: Float64Array; private tn: Float64Array;
  constructor(numThresholds = AUC_THRESHOLDS) {
    this.n = numThresholds;
    [this.tp, this.fp, this.fn, this.tn] = [0, 1, 2, 3].map(() => new Float64Array(numThresholds));
  }
  /** The last threshold index p is above (-1: none). */
  private bucket(v: number): number {
    if (Number.isNaN(v)) return -1;
    const clipped = Math.min(Math.max(Math.fround(v), 0), 1);
    // A float32 times n - 1 is exact in float64; fround rounds it as a float32 multiply does.
    return Math.max(Math.ceil(Math.fround(clipped * (this.n - 1))) - 1, 0);
  }
  add(p: Values, t: Values): void {
    const n = this.n, posAt = new Float64Array(n), negAt = new Float64Array(n);
    let pos = 0, neg = 0;
    for (let i = 0; i < p.length; i++) {
      const truth = t[i] !== 0, b = this.bucket(p[i]);
      if (truth) pos++; else neg++;
      if (b >= 0) (truth ? posAt : negAt)[b]++;
    }
    // Above threshold j: every prediction whose bucket is j or more.
    for (let j = n - 1, cp = 0, cn = 0; j >= 0; j--) {
      cp += posAt[j]; cn += negAt[j];
      this.tp[j] += cp; this.fn[j] += pos - cp; this.fp[j] += cn; this.tn[j] += neg - cn;
    }
  }
  reset(): void { for (const a of [this.tp, this.fp, this.fn, this.tn]) a.fill(0); }
  /** [tp, fp, fn, tn] per threshold, in threshold order. */
  sums(): number[] { return Array.from({ length: this.n }, (_, j) => [this.tp[j], this.fp[j], this.fn[j], this.tn[j]]).flat(); }
  setSums(s: readonly number[]): void {
    for (let j = 0; j < this.n; j++) [this.tp[j], this.fp[j], this.fn[j], this.tn[j]] = s.slice(4 * j, 4 * j + 4);
  }
  value(): number {
    const tpr = (j: number) => ratio(this.tp[j], this.tp[j] + this.fn[j]);
    const fpr = (j: number) => ratio(this.fp[j], this.fp[j] + this.tn[j]);
    let area = 0;
    for (let j = 0; j + 1 < this.n; j++) area += (fpr(j) - fpr(j + 1)) * (tpr(j) + tpr(j + 1)) / 2;
    return area;
  }
}
