/**
 * docs/API.md's claims about compiled metrics and user losses say what the code does: 'accuracy' on a multi-unit
 * sigmoid follows tfjs (from the loss, not Keras 3's shape rule), r2Score is tfjs's per-batch value (a batch of equal
 * targets gives -Infinity), also in evaluateDataset, and a user loss gets targets shaped like the output (no ids).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { REPO_ROOT } from '../helpers/imdb.js';

const api = readFileSync(join(REPO_ROOT, 'docs', 'API.md'), 'utf8');
const flat = api.replace(/\s+/g, ' ');
const scalars = (r: unknown): number[] => (Array.isArray(r) ? r : [r]).map((s) => (s as rl.Tensor).dataSync()[0]);

describe('docs/API.md: metrics and user losses', () => {
  it("'accuracy' and 'crossentropy' on a multi-unit sigmoid: the docs say tfjs's rule and Keras 3's; the code counts binary", () => {
    expect(flat).toContain('pick binary, sparse or categorical as tfjs 4 does, from the compiled loss');
    expect(flat).toContain('Keras 3 picks `accuracy` by shape instead');
    expect(flat).not.toContain("Keras's meaning for the compiled loss");
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [3], activation: 'sigmoid', useBias: false })] });
    m.setWeights([rl.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]])]);
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy', 'crossentropy', 'binaryCrossentropy'] });
    const x = rl.tensor2d([[2, -2, 2], [-2, 2, -2], [2, 2, -2]]), y = rl.tensor2d([[1, 0, 0], [0, 1, 1], [1, 1, 0]]);
    const [loss, acc, ce, bce] = scalars(m.evaluate(x, y));
    // thresholded [1,0,1] [0,1,0] [1,1,0] against the targets: 7 of 9 (Keras 3's categorical accuracy would be 1)
    expect(acc).toBeCloseTo(7 / 9, 6);
    expect(ce).toBeCloseTo(bce, 6);
    expect(ce).toBeCloseTo(loss, 5);
  });

  it('r2Score: the docs say per batch and -Infinity for a batch of equal targets, in evaluate and evaluateDataset', async () => {
    expect(flat).toContain('a batch whose targets are all equal gives -Infinity');
    expect(flat).not.toContain('precision, recall, AUC and r2Score are the pass\'s');
    expect(flat).toContain('while `r2Score` is tfjs\'s per-batch value averaged weighted by batch size');
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: 'ones' })] });
    m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['r2Score'] });
    const xs = [[1], [2], [3], [4], [5], [6]], ys = [[1], [1], [1], [2], [3], [5]];
    expect(scalars(m.evaluate(rl.tensor2d(xs), rl.tensor2d(ys), { batchSize: 3 }))[1]).toBe(-Infinity);
    expect(Number.isFinite(scalars(m.evaluate(rl.tensor2d(xs), rl.tensor2d(ys), { batchSize: 6 }))[1])).toBe(true);
    // two batches of 3 through evaluateDataset: the per-batch mean, as evaluate with batchSize 3
    const ds = rl.data.array(xs.map((x, i) => ({ xs: x, ys: ys[i] }))).batch(3);
    expect(scalars(await m.evaluateDataset(ds))[1]).toBe(-Infinity);
    const ys2 = [[1], [3], [2], [2], [3], [5]];
    const ds2 = rl.data.array(xs.map((x, i) => ({ xs: x, ys: ys2[i] }))).batch(3);
    expect(scalars(await m.evaluateDataset(ds2))[1]).toBeCloseTo(scalars(m.evaluate(rl.tensor2d(xs), rl.tensor2d(ys2), { batchSize: 3 }))[1], 5);
  });

  it('a user loss gets targets shaped like the output: the docs state the limit, and class ids are refused', () => {
    expect(flat).toContain('a user loss cannot take sparse class ids');
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: function myLoss(t: rl.Tensor, p: rl.Tensor) { return rl.losses.sparseCategoricalCrossentropy(t, p); } });
    expect(() => m.evaluate(rl.tensor2d([[1, 2], [0, 1]]), rl.tensor1d([0, 2]))).toThrow(/y has shape \[2\], which does not fit the model's output \[null, 3\]/);
    // [n] targets for an [n, 1] output arrive as [n, 1]
    const shapes: number[][] = [];
    const one = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    one.compile({ optimizer: 'sgd', loss: function seen(t: rl.Tensor, p: rl.Tensor) { shapes.push(t.shape); return rl.losses.meanSquaredError(t, p); } });
    one.evaluate(rl.tensor2d([[1, 2], [0, 1]]), rl.tensor1d([1, 0]));
    expect(shapes[0]).toEqual([2, 1]);
  });
});
