/** Accuracy counting as Keras's metrics do it: binary (threshold), categorical (argmax vs argmax), sparse (argmax vs id). */
import type { FArray } from '../backend/index.js';

type Values = FArray | Int32Array;

export interface Counts { correct: number; total: number }

/**
 * Keras's and tfjs's binary_accuracy hit: the target equals the thresholded prediction (0 or 1). A target that is
 * neither (a soft label, a regression value) never counts as a hit, as there.
 */
export function binaryHit(p: number, t: number, threshold: number): boolean {
  return t === (p > threshold ? 1 : 0);
}

/** Elements where the thresholded prediction equals the target: Keras's binary_accuracy (threshold 0.5 on probabilities). */
export function countBinary(p: Values, t: Values, threshold: number): Counts {
  let correct = 0;
  for (let i = 0; i < p.length; i++) if (binaryHit(p[i], t[i], threshold)) correct++;
  return { correct, total: p.length };
}

function argmax(v: Values, at: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (v[at + c] > v[at + best]) best = c;
  return best;
}

/** Rows where argmax(pred) equals argmax(target) (one-hot targets) or the target id (sparse). */
export function countArgmax(p: Values, t: Values, cols: number, sparse: boolean): Counts {
  const rows = p.length / cols;
  let correct = 0;
  for (let r = 0; r < rows; r++) if (argmax(p, r * cols, cols) === (sparse ? t[r] : argmax(t, r * cols, cols))) correct++;
  return { correct, total: rows };
}
