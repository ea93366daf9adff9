import { describe, expect, it } from 'vitest';
import { binEdges, GradientCapture, histogram, weightHistograms } from '../../src/experiments/weight_histograms.js';
import { SGD } from '../../src/optimizers/sgd.js';
import { Variable } from '../../src/variable.js';

const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);

describe('histogram', () => {
  it('puts every value in the bin of its equal-width range, the maximum in the last bin', () => {
    const h = histogram([0, 0.5, 1, 1.5, 2, 3.99, 4], 4);
    expect(h).toEqual({ min: 0, max: 4, counts: [2, 2, 1, 2] });
    expect(binEdges(h)).toEqual([0, 1, 2, 3, 4]);
  });

  it('counts sum to the size and every value lies within its bin edges', () => {
    let s = 7;
    const v = Float32Array.from({ length: 1001 }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 6 - 3);
    const h = histogram(v, 30);
    expect(sum(h.counts)).toBe(v.length);
    expect(h.min).toBe(Math.min(...v));
    expect(h.max).toBe(Math.max(...v));
    const e = binEdges(h);
    expect(e).toHaveLength(31);
    expect(e[0]).toBe(h.min);
    expect(e[30]).toBe(h.max);
    const recount = new Array<number>(30).fill(0);
    for (const x of v) recount[e.findIndex((lo, i) => i === 29 || (x >= lo && x < e[i + 1]))]++;
    expect(recount).toEqual(h.counts);
  });

  it('puts constant values in the middle bin and leaves non-finite values out', () => {
    expect(histogram([0.25, 0.25, 0.25], 5)).toEqual({ min: 0.25, max: 0.25, counts: [0, 0, 3, 0, 0] });
    expect(histogram([NaN, 1, Infinity, 3], 2)).toEqual({ min: 1, max: 3, counts: [1, 1] });
    expect(histogram([], 3)).toEqual({ min: 0, max: 0, counts: [0, 0, 0] });
  });

  it('rejects a bin count that is not a positive integer', () => {
    expect(() => histogram([1], 0)).toThrow(/bins must be a positive integer, got 0/);
    expect(() => histogram([1], 2.5)).toThrow(/bins/);
  });
});

describe('GradientCapture', () => {
  const step = (capture: GradientCapture | null): { w: Float32Array; v: Variable } => {
    const v = new Variable('dense/kernel', [2, 2]);
    v.assign([1, 2, 3, 4]);
    const opt = new SGD({ learningRate: 0.5 });
    capture?.install(opt);
    v.grad = Float32Array.from([0.5, -1, 0, 2]);
    opt.applyGradients([v]);
    capture?.uninstall();
    expect(Object.prototype.hasOwnProperty.call(opt, 'applyGradients')).toBe(false);
    return { w: Float32Array.from(v.values as Float32Array), v };
  };

  it('keeps the last gradient the optimizer applied and leaves the update unchanged', () => {
    const capture = new GradientCapture();
    const { w, v } = step(capture);
    expect(v.grad).toBeNull();
    expect(Array.from(capture.gradientOf(v)!)).toEqual([0.5, -1, 0, 2]);
    expect(Array.from(w)).toEqual(Array.from(step(null).w));
    expect(Array.from(w)).toEqual([0.75, 2.5, 3, 3]);
    const [h] = weightHistograms([v], capture, 3);
    expect(h.name).toBe('dense/kernel');
    expect(h.shape).toEqual([2, 2]);
    expect(h.values).toEqual({ min: 0.75, max: 3, counts: [1, 0, 3] });
    expect(h.gradients).toEqual({ min: -1, max: 2, counts: [1, 2, 1] });
    expect(weightHistograms([v], new GradientCapture(), 3)[0].gradients).toBeNull();
  });
});
