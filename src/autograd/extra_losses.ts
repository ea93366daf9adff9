/**
 * Losses without a native kernel, in float64 TypeScript, with tfjs-layers' formulas and epsilon (1e-7):
 * each row (the last axis) reduces to one value, and the loss is the mean over rows, as Keras's default
 * SUM_OVER_BATCH_SIZE reduction. value() fills grad with d loss / d pred for the whole batch.
 */
import type { FArray } from '../backend/index.js';

export type ExtraLoss = 'meanAbsoluteError' | 'meanAbsolutePercentageError' | 'meanSquaredLogarithmicError' | 'huber' | 'logCosh' |
  'hinge' | 'squaredHinge' | 'categoricalHinge' | 'kullbackLeiblerDivergence' | 'poisson' | 'cosineProximity';

const EPSILON = 1e-7;
/** Keras's huber delta default. */
const HUBER_DELTA = 1;

/** A loss that is the mean over the last axis of an elementwise term e(p, t). */
interface Elementwise { e(p: number, t: number): number; de(p: number, t: number): number }
/** A loss on a whole row: returns the row's value and writes d value / d p into g (scaled later). */
type RowLoss = (p: FArray, t: FArray, g: FArray) => number;

const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const msleLog = (v: number): number => Math.log(1 + Math.max(v, EPSILON));

const ELEMENTWISE: Partial<Record<ExtraLoss, Elementwise>> = {
  meanAbsoluteError: { e: (p, t) => Math.abs(p - t), de: (p, t) => Math.sign(p - t) },
  meanAbsolutePercentageError: {
    e: (p, t) => (100 * Math.abs(t - p)) / Math.max(Math.abs(t), EPSILON),
    de: (p, t) => (100 * Math.sign(p - t)) / Math.max(Math.abs(t), EPSILON),
  },
  meanSquaredLogarithmicError: {
    e: (p, t) => (msleLog(p) - msleLog(t)) ** 2,
    de: (p, t) => (p > EPSILON ? (2 * (msleLog(p) - msleLog(t))) / (1 + p) : 0),
  },
  huber: {
    e: (p, t) => { const a = Math.abs(p - t); return a <= HUBER_DELTA ? 0.5 * a * a : HUBER_DELTA * a - 0.5 * HUBER_DELTA * HUBER_DELTA; },
    de: (p, t) => { const d = p - t; return Math.abs(d) <= HUBER_DELTA ? d : HUBER_DELTA * Math.sign(d); },
  },
  // log(cosh(x)) = x + softplus(-2x) - log 2, which does not overflow for large |x|.
  logCosh: { e: (p, t) => { const x = p - t; return x + softplus(-2 * x) - Math.LN2; }, de: (p, t) => Math.tanh(p - t) },
  hinge: { e: (p, t) => Math.max(0, 1 - t * p), de: (p, t) => (1 - t * p > 0 ? -t : 0) },
  squaredHinge: { e: (p, t) => Math.max(0, 1 - t * p) ** 2, de: (p, t) => (1 - t * p > 0 ? -2 * t * (1 - t * p) : 0) },
  poisson: { e: (p, t) => p - t * Math.log(p + EPSILON), de: (p, t) => 1 - t / (p + EPSILON) },
};

const clip01 = (v: number): number => Math.min(Math.max(v, EPSILON), 1);

const ROWS: Partial<Record<ExtraLoss, RowLoss>> = {
  // tfjs: sum(yTrue * log(clip(yTrue) / clip(yPred))) over the last axis.
  kullbackLeiblerDivergence(p, t, g) {
    let v = 0;
    for (let i = 0; i < p.length; i++) {
      v += t[i] * Math.log(clip01(t[i]) / clip01(p[i]));
      g[i] = p[i] > EPSILON && p[i] < 1 ? -t[i] / p[i] : 0;
    }
    return v;
  },
  // max(0, 1 + max((1 - t) * p) - sum(t * p)), tfjs's categoricalHinge.
  categoricalHinge(p, t, g) {
    let pos = 0, neg = -Infinity, at = 0;
    for (let i = 0; i < p.length; i++) {
      pos += t[i] * p[i];
      const n = (1 - t[i]) * p[i];
      if (n > neg) { neg = n; at = i; }
    }
    const v = Math.max(0, 1 + neg - pos);
    for (let i = 0; i < p.length; i++) g[i] = v > 0 ? -t[i] + (i === at ? 1 - t[i] : 0) : 0;
    return v;
  },
  // -cos(t, p) with tfjs's l2Normalize (squared norm floored at epsilon): Keras's cosine_similarity loss sign.
  cosineProximity(p, t, g) {
    let pp = 0, tt = 0, tp = 0;
    for (let i = 0; i < p.length; i++) { pp += p[i] * p[i]; tt += t[i] * t[i]; tp += t[i] * p[i]; }
    const np = Math.sqrt(Math.max(pp, EPSILON)), nt = Math.sqrt(Math.max(tt, EPSILON));
    const cos = tp / (np * nt);
    // d/dp of -(t·p)/(|t||p|): the projection term drops out where the norm is floored (constant there).
    for (let i = 0; i < p.length; i++) g[i] = -(t[i] / nt) / np + (pp > EPSILON ? (cos * p[i]) / (np * np) : 0);
    return -cos;
  },
};

export function isExtraLoss(kind: string): kind is ExtraLoss {
  return kind in ELEMENTWISE || kind in ROWS;
}

/** The mean loss over rows; grad receives its gradient with respect to pred. */
export function extraLoss(kind: ExtraLoss, p: FArray, t: FArray, cols: number, grad: FArray): number {
  const rows = p.length / cols;
  const el = ELEMENTWISE[kind];
  let sum = 0;
  if (el) {
    for (let i = 0; i < p.length; i++) {
      sum += el.e(p[i], t[i]);
      grad[i] = el.de(p[i], t[i]) / (cols * rows);
    }
    return sum / (cols * rows);
  }
  const row = ROWS[kind]!;
  for (let r = 0; r < rows; r++) {
    const g = grad.subarray(r * cols, (r + 1) * cols);
    sum += row(p.subarray(r * cols, (r + 1) * cols), t.subarray(r * cols, (r + 1) * cols), g);
    for (let i = 0; i < cols; i++) g[i] /= rows;
  }
  return sum / rows;
}
