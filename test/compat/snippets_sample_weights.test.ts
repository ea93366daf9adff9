/**
 * Keras's per-sample weights where tfjs has none: trainOnBatch(x, y, sampleWeight, classWeight), and fitDataset /
 * evaluateDataset batches carrying weights ([xs, ys, w] or {xs, ys, sampleWeight}); each must equal fit's step.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function model(): rl.Sequential {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 4, inputShape: [3], activation: 'tanh' }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
  m.compile({ optimizer: rl.train.sgd(0.5), loss: 'binaryCrossentropy' });
  return m;
}

const x = rl.tensor2d([[1, 0, 2], [0, 1, -1], [2, 2, 0], [-1, 0, 1]]);
const y = rl.tensor2d([[1], [0], [1], [0]]);
const w = rl.tensor1d([1, 0, 3, 0.5]);
const weightsOf = (m: rl.Sequential) => m.getWeights().map((t) => Array.from(t.dataSync()));

describe('sample weights outside fit', () => {
  it('trainOnBatch(x, y, sampleWeight) takes fit\'s weighted step and returns the weighted loss', async () => {
    const a = model(), b = model(), c = model();
    const weighted = a.evaluate(x, y, { sampleWeight: w }) as rl.Tensor;
    const loss = a.trainOnBatch(x, y, w);
    expect(loss).toBeCloseTo(weighted.dataSync()[0], 6);
    await b.fit(x, y, { sampleWeight: w, batchSize: 4, epochs: 1, shuffle: false, verbose: 0 });
    expect(weightsOf(a)).toEqual(weightsOf(b));
    c.trainOnBatch(x, y);
    expect(weightsOf(c)).not.toEqual(weightsOf(a));
  });

  it('a zero weight removes the sample from the step; classWeight multiplies', () => {
    const a = model(), b = model();
    a.trainOnBatch(x, y, [1, 0, 1, 1]);
    b.trainOnBatch(x, rl.tensor2d([[1], [1], [1], [0]]), [1, 0, 1, 1]);
    expect(weightsOf(a)).toEqual(weightsOf(b));
    const c = model(), d = model();
    c.trainOnBatch(x, y, undefined, { 0: 2, 1: 1 });
    d.trainOnBatch(x, y, [1, 2, 1, 2]);
    weightsOf(c).forEach((ws, i) => ws.forEach((v, k) => expect(v).toBeCloseTo(weightsOf(d)[i][k], 6)));
    expect(() => model().trainOnBatch(x, y, [1, 2])).toThrow(/trainOnBatch: sampleWeight must hold one weight per sample \(shape \[4\]\)/);
    expect(() => model().trainOnBatch(x, y, [1, -1, 1, 1])).toThrow(/sampleWeight\[1\] must be finite and non-negative/);
  });

  it('fitDataset takes [xs, ys, w] and {xs, ys, sampleWeight} batches, equal to fit with sampleWeight', async () => {
    const a = model(), b = model(), c = model();
    await a.fit(x, y, { sampleWeight: w, batchSize: 2, epochs: 2, shuffle: false, verbose: 0 });
    const rows = (t: rl.Tensor, s: number) => t.slice([s], [2]);
    const asPairs = rl.data.array([0, 2]).map((s) => [rows(x, s), rows(y, s), rows(w, s)]);
    const asObjects = rl.data.array([0, 2]).map((s) => ({ xs: rows(x, s), ys: rows(y, s), sampleWeight: rows(w, s) }));
    await b.fitDataset(asPairs, { epochs: 2 });
    const h = await c.fitDataset(asObjects, { epochs: 2, validationData: asObjects });
    expect(weightsOf(b)).toEqual(weightsOf(a));
    expect(weightsOf(c)).toEqual(weightsOf(a));
    const ev = (await c.evaluateDataset(asObjects)) as rl.Tensor;
    expect(ev.dataSync()[0]).toBeCloseTo((c.evaluate(x, y, { sampleWeight: w }) as rl.Tensor).dataSync()[0], 6);
    expect(h.history.val_loss).toHaveLength(2);
    const bad = rl.data.array([0]).map((s) => ({ xs: rows(x, s), ys: rows(y, s), weights: rows(w, s) }));
    await expect(model().fitDataset(bad)).rejects.toThrow(/a batch has field 'weights'; batches hold xs, ys, sampleWeight/);
  });

  it('per-timestep weights for sequence outputs weight each step (Keras 3); a wrong step count is named', () => {
    const m = rl.sequential({ layers: [rl.layers.simpleRNN({ units: 2, returnSequences: true, inputShape: [3, 1] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = rl.ones([2, 3, 1]), y = rl.ones([2, 3, 2]);
    const full = m.evaluate(x, y) as rl.Tensor;
    const none = m.evaluate(x, y, { sampleWeight: rl.zeros([2, 3]) }) as rl.Tensor;
    expect(none.dataSync()[0]).toBe(0);
    expect((m.evaluate(x, y, { sampleWeight: rl.ones([2, 3]) }) as rl.Tensor).dataSync()[0]).toBeCloseTo(full.dataSync()[0], 6);
    expect(() => m.trainOnBatch(x, y, rl.ones([2, 4]))).toThrow(/sample weights: 8 weights for 2 samples of 3 steps \(give 2 or 6\)/);
  });
});
