/**
 * Loss kernels: native against the reference (float64 oracle), the reference's gradients against finite
 * differences in float64, Keras's values at the clipping edges, and argument checking.
 */
import { describe, expect, it } from 'vitest';
import type { FArray } from '../../src/backend/index.js';
import {
  Rng, describeNative, describeNativeEachIsa, expectClose, f64, numericGrad, randF32, randF64, randInt32, referenceKernels as ref,
  relErr, scalarRelErr,
} from './util.js';

/** Random rows of probabilities (not normalised: categoricalCrossentropy renormalises). */
function probRows(rng: Rng, rows: number, cols: number, normalise: boolean): Float32Array {
  const p = randF32(rng, rows * cols, 0.01, 1);
  if (normalise) {
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += p[r * cols + j];
      for (let j = 0; j < cols; j++) p[r * cols + j] /= s;
    }
  }
  return p;
}

/** Random target distributions (rows sum to 1) or one-hot rows. */
function targetRows(rng: Rng, rows: number, cols: number, oneHot: boolean): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (oneHot) { t[r * cols + rng.int(0, cols)] = 1; continue; }
    let s = 0;
    for (let j = 0; j < cols; j++) s += (t[r * cols + j] = rng.next());
    for (let j = 0; j < cols; j++) t[r * cols + j] /= s;
  }
  return t;
}

const binaryTargets = (rng: Rng, n: number): Float32Array => {
  const z = new Float32Array(n);
  for (let i = 0; i < n; i++) z[i] = rng.next() < 0.5 ? 0 : 1;
  return z;
};

const SIZES = [1, 2, 5, 17, 128, 1000, 100_003];
const SHAPES: [number, number][] = [[1, 1], [1, 2], [3, 7], [128, 2], [64, 10], [33, 17], [5000, 12], [40, 2001]];

describeNativeEachIsa('losses: native vs reference', (nat) => {
  it('sigmoidCrossEntropyWithLogits', () => {
    const rng = new Rng(1);
    for (const n of SIZES) {
      const x = randF32(rng, n, -30, 30), z = binaryTargets(rng, n);
      for (let i = 0; i < n; i += 4) z[i] = rng.next();  // soft targets too
      const g = new Float32Array(n), gr = new Float64Array(n);
      const l = nat.sigmoidCrossEntropyWithLogits(n, x, z, g);
      const lr = ref.sigmoidCrossEntropyWithLogits(n, f64(x), f64(z), gr);
      expect(scalarRelErr(l, lr), `n=${n}`).toBeLessThan(1e-5);
      expectClose(g, gr, 1e-5, `grad n=${n}`);
    }
  });

  it('binaryCrossentropy', () => {
    const rng = new Rng(2);
    for (const n of SIZES) {
      const p = randF32(rng, n, 0, 1), z = binaryTargets(rng, n);
      // Values at and beyond the clip.
      if (n >= 5) { p[0] = 0; p[1] = 1; p[2] = 1e-9; p[3] = 1 - 2 ** -24; p[4] = 1e-7; }
      const g = new Float32Array(n), gr = new Float64Array(n);
      const l = nat.binaryCrossentropy(n, p, z, g);
      const lr = ref.binaryCrossentropy(n, f64(p), f64(z), gr);
      expect(scalarRelErr(l, lr), `n=${n}`).toBeLessThan(1e-5);
      expectClose(g, gr, 1e-5, `grad n=${n}`);
    }
  });

  it('softmaxCrossEntropyWithLogits (soft and one-hot targets)', () => {
    const rng = new Rng(3);
    for (const [rows, cols] of SHAPES) {
      for (const oneHot of [false, true]) {
        const x = randF32(rng, rows * cols, -10, 10), t = targetRows(rng, rows, cols, oneHot);
        const g = new Float32Array(rows * cols), gr = new Float64Array(rows * cols);
        const l = nat.softmaxCrossEntropyWithLogits(rows, cols, x, t, g);
        const lr = ref.softmaxCrossEntropyWithLogits(rows, cols, f64(x), f64(t), gr);
        expect(scalarRelErr(l, lr), `${rows}x${cols}`).toBeLessThan(1e-5);
        expectClose(g, gr, 1e-5, `grad ${rows}x${cols}`);
      }
    }
  });

  it('sparseSoftmaxCrossEntropyWithLogits', () => {
    const rng = new Rng(4);
    for (const [rows, cols] of SHAPES) {
      const x = randF32(rng, rows * cols, -10, 10), labels = randInt32(rng, rows, 0, cols);
      const g = new Float32Array(rows * cols), gr = new Float64Array(rows * cols);
      const l = nat.sparseSoftmaxCrossEntropyWithLogits(rows, cols, x, labels, g);
      const lr = ref.sparseSoftmaxCrossEntropyWithLogits(rows, cols, f64(x), labels, gr);
      expect(scalarRelErr(l, lr), `${rows}x${cols}`).toBeLessThan(1e-5);
      expectClose(g, gr, 1e-5, `grad ${rows}x${cols}`);
    }
  });

  it('categoricalCrossentropy (unnormalised rows, clipped entries)', () => {
    const rng = new Rng(5);
    for (const [rows, cols] of SHAPES) {
      const p = probRows(rng, rows, cols, false), t = targetRows(rng, rows, cols, rows % 2 === 0);
      if (cols >= 2) { p[0] = 0; p[1] = 1e-12; }  // below the clip after renormalisation
      const g = new Float32Array(rows * cols), gr = new Float64Array(rows * cols);
      const l = nat.categoricalCrossentropy(rows, cols, p, t, g);
      const lr = ref.categoricalCrossentropy(rows, cols, f64(p), f64(t), gr);
      expect(scalarRelErr(l, lr), `${rows}x${cols}`).toBeLessThan(1e-5);
      expectClose(g, gr, 1e-5, `grad ${rows}x${cols}`);
    }
  });

  it('meanSquaredError', () => {
    const rng = new Rng(6);
    for (const n of SIZES) {
      const y = randF32(rng, n, -3, 3), t = randF32(rng, n, -3, 3);
      const g = new Float32Array(n), gr = new Float64Array(n);
      const l = nat.meanSquaredError(n, y, t, g);
      const lr = ref.meanSquaredError(n, f64(y), f64(t), gr);
      expect(scalarRelErr(l, lr), `n=${n}`).toBeLessThan(1e-5);
      expectClose(g, gr, 1e-5, `grad n=${n}`);
    }
  });

  it('a count of 0 gives 0', () => {
    const e = new Float32Array(0);
    expect(nat.meanSquaredError(0, e, e, e)).toBe(0);
    expect(nat.sparseSoftmaxCrossEntropyWithLogits(0, 3, e, new Int32Array(0), e)).toBe(0);
  });
});

describeNative('losses: argument checking', (nat) => {
  const a = new Float32Array(12), short = new Float32Array(5);
  const cases: [string, () => unknown][] = [
    ['sigmoidCE: logits too short', () => nat.sigmoidCrossEntropyWithLogits(12, short, a, a)],
    ['sigmoidCE: grad too short', () => nat.sigmoidCrossEntropyWithLogits(12, a, a, short)],
    ['sigmoidCE: n negative', () => nat.sigmoidCrossEntropyWithLogits(-1, a, a, a)],
    ['binaryCrossentropy: target Float64Array', () => nat.binaryCrossentropy(12, a, new Float64Array(12), a)],
    ['binaryCrossentropy: n not an integer', () => nat.binaryCrossentropy(2.5, a, a, a)],
    ['softmaxCE: target too short', () => nat.softmaxCrossEntropyWithLogits(3, 4, a, short, a)],
    ['softmaxCE: shape too big', () => nat.softmaxCrossEntropyWithLogits(4, 4, a, a, a)],
    ['sparse: labels too short', () => nat.sparseSoftmaxCrossEntropyWithLogits(3, 4, a, new Int32Array(2), a)],
    ['sparse: labels not Int32Array', () => nat.sparseSoftmaxCrossEntropyWithLogits(3, 4, a, new Float32Array(3) as unknown as Int32Array, a)],
    ['sparse: label out of range', () => nat.sparseSoftmaxCrossEntropyWithLogits(3, 4, a, new Int32Array([0, 4, 1]), a)],
    ['sparse: negative label', () => nat.sparseSoftmaxCrossEntropyWithLogits(3, 4, a, new Int32Array([0, -1, 1]), a)],
    ['categorical: grad too short', () => nat.categoricalCrossentropy(3, 4, a, a, short)],
    ['mse: pred missing', () => (nat.meanSquaredError as unknown as (...x: unknown[]) => number)(12)],
  ];
  for (const [name, call] of cases) it(name, () => expect(call).toThrow(RangeError));
});

describe('losses: reference gradients against finite differences (float64)', () => {
  /** d(loss)/d(input) by finite differences on the returned mean loss. */
  function check(lossOf: (x: Float64Array, grad: FArray) => number, x: Float64Array, label: string): void {
    const scratch = new Float64Array(x.length);
    const num = numericGrad(() => lossOf(x, scratch), x);
    const grad = new Float64Array(x.length);
    lossOf(x, grad);
    expect(relErr(grad, num), label).toBeLessThan(1e-6);
  }

  it('every loss', () => {
    const rng = new Rng(7);
    const n = 23, rows = 5, cols = 6;
    const z = f64(binaryTargets(rng, n));
    for (let i = 0; i < n; i += 3) z[i] = rng.next();
    check((x, g) => ref.sigmoidCrossEntropyWithLogits(n, x, z, g), randF64(rng, n, -6, 6), 'sigmoidCrossEntropyWithLogits');
    check((x, g) => ref.binaryCrossentropy(n, x, z, g), randF64(rng, n, 0.02, 0.98), 'binaryCrossentropy');
    check((x, g) => ref.meanSquaredError(n, x, z, g), randF64(rng, n, -2, 2), 'meanSquaredError');
    for (const oneHot of [false, true]) {
      const t = f64(targetRows(rng, rows, cols, oneHot));
      check((x, g) => ref.softmaxCrossEntropyWithLogits(rows, cols, x, t, g), randF64(rng, rows * cols, -4, 4), 'softmaxCE');
      check((x, g) => ref.categoricalCrossentropy(rows, cols, x, t, g), f64(probRows(rng, rows, cols, false)), 'categoricalCrossentropy');
    }
    const labels = randInt32(rng, rows, 0, cols);
    check((x, g) => ref.sparseSoftmaxCrossEntropyWithLogits(rows, cols, x, labels, g), randF64(rng, rows * cols, -4, 4), 'sparseSoftmaxCE');
  });

  it('Keras values: clipping at eps = 1e-7 and renormalisation', () => {
    const g = new Float64Array(2);
    // p = 0 and p = 1 against the wrong targets cost -log(1e-7) each; the clip blocks their gradient.
    const l = ref.binaryCrossentropy(2, f64([0, 1]), f64([1, 0]), g);
    expect(l).toBeCloseTo(-Math.log(1e-7), 6);
    expect(Array.from(g)).toEqual([0, 0]);
    // categorical: rows are renormalised first, so scaling a row changes nothing.
    const t = f64([0, 1, 0]);
    const g1 = new Float64Array(3), g2 = new Float64Array(3);
    const l1 = ref.categoricalCrossentropy(1, 3, f64([0.2, 0.5, 0.3]), t, g1);
    const l2 = ref.categoricalCrossentropy(1, 3, f64([0.4, 1.0, 0.6]), t, g2);
    expect(l1).toBeCloseTo(-Math.log(0.5), 12);
    expect(l2).toBeCloseTo(l1, 12);
    // and the gradient scales inversely with the row sum
    for (let j = 0; j < 3; j++) expect(g2[j]).toBeCloseTo(g1[j] / 2, 12);
    // sparse and dense softmax cross-entropy agree on one-hot targets
    const x = f64([0.3, -1.2, 2.0, 0.1, 0.1, 0.1]);
    const ga = new Float64Array(6), gb = new Float64Array(6);
    const la = ref.softmaxCrossEntropyWithLogits(2, 3, x, f64([0, 0, 1, 1, 0, 0]), ga);
    const lb = ref.sparseSoftmaxCrossEntropyWithLogits(2, 3, x, new Int32Array([2, 0]), gb);
    expect(la).toBeCloseTo(lb, 12);
    expect(relErr(ga, gb)).toBeLessThan(1e-12);
  });

  it('the logits form is stable for huge logits', () => {
    const g = new Float64Array(2);
    const l = ref.sigmoidCrossEntropyWithLogits(2, f64([1000, -1000]), f64([0, 1]), g);
    expect(l).toBeCloseTo(1000, 6);
    expect(Array.from(g)).toEqual([0.5, -0.5]);
    expect(Number.isFinite(ref.softmaxCrossEntropyWithLogits(1, 2, f64([1e4, -1e4]), f64([0, 1]), g))).toBe(true);
  });

  it('reference rejects out-of-range labels', () => {
    expect(() => ref.sparseSoftmaxCrossEntropyWithLogits(1, 3, f64([0, 0, 0]), new Int32Array([3]), new Float64Array(3)))
      .toThrow(RangeError);
  });
});
