// compile({loss: fn}) and user metric functions as tfjs takes them, and Keras's sampleWeight / classWeight in
// fit and evaluate (weighted loss = mean over samples of weight x sample loss).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { evaluated, maxAbsDiff, removeDir, tempDir } from '../io/helpers.js';

const X = [[1, 2, 3], [0, -1, 0.5], [2, 2, -1], [-0.5, 0, 1], [1, -1, 1], [0.3, 0.2, 0.1]];
const Y = [[1], [0], [1], [0], [0], [1]];
const W = [[[0.5], [-1.25], [2]], [[0.1]]];

/** The same tfjs program for both libraries: only the namespace differs. */
function program(lib: typeof rl | typeof tf, loss: unknown, metrics: unknown[] = [], activation = 'sigmoid') {
  const model = (lib.sequential as (a: unknown) => rl.Sequential)({ layers: [lib.layers.dense({ units: 1, inputShape: [3], activation } as never)] });
  model.setWeights([lib.tensor2d(W[0]), lib.tensor1d(W[1][0])] as never);
  model.compile({ optimizer: lib.train.sgd(0.5) as never, loss: loss as never, metrics: metrics as never });
  return model;
}

const flatWeights = (m: rl.Sequential | tf.Sequential) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
const bce = (y: number, p: number) => -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const preds = () => X.map((r) => sigmoid(r.reduce((a, v, j) => a + v * W[0][j][0], W[1][0][0])));

describe('a user loss function in compile', () => {
  it('trains exactly as tfjs with the same function', async () => {
    type Ops = { mean: (t: unknown) => unknown; square: (t: unknown) => unknown; sub: (a: unknown, b: unknown) => unknown };
    const mse = (lib: typeof rl | typeof tf) => { const o = lib as unknown as Ops; return (yt: unknown, yp: unknown) => o.mean(o.square(o.sub(yt, yp))); };
    const ours = program(rl, mse(rl), [], 'linear'), theirs = program(tf, mse(tf), [], 'linear');
    const h1 = await ours.fit(rl.tensor2d(X), rl.tensor2d(Y), { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    const h2 = await theirs.fit(tf.tensor2d(X) as never, tf.tensor2d(Y) as never, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    // tfjs accumulates in float32: agreement to float32 rounding of losses around 1-10.
    const rel = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(1, Math.abs(b[i]))));
    expect(rel(h1.history.loss as number[], h2.history.loss as number[])).toBeLessThan(1e-5);
    expect(rel(flatWeights(ours), flatWeights(theirs))).toBeLessThan(1e-5);
  });

  it('per-sample results are averaged (Keras); a scaled loss moves the weights by the scaled step', async () => {
    const perSample = program(rl, (yt: rl.Tensor, yp: rl.Tensor) => rl.mean(rl.square(rl.sub(yt, yp)), -1));
    const builtIn = program(rl, 'meanSquaredError');
    const twice = program(rl, (yt: rl.Tensor, yp: rl.Tensor) => rl.mul(rl.losses.meanSquaredError(yt, yp), 2));
    const x = rl.tensor2d(X), y = rl.tensor2d(Y);
    expect(evaluated(perSample.evaluate(x, y))[0]).toBeCloseTo(evaluated(builtIn.evaluate(x, y))[0], 6);
    const w0 = flatWeights(builtIn);
    for (const m of [perSample, builtIn, twice]) m.trainOnBatch(x, y);
    expect(maxAbsDiff(flatWeights(perSample), flatWeights(builtIn))).toBeLessThan(1e-6);
    const step = flatWeights(builtIn).map((v, i) => v - w0[i]);
    expect(maxAbsDiff(flatWeights(twice).map((v, i) => v - w0[i]), step.map((d) => 2 * d))).toBeLessThan(1e-6);
  });

  it('a loss that does not depend on yPred through recorded ops, or returns no tensor, is an error naming it', async () => {
    const m = program(rl, function constant() { return rl.scalar(1); });
    await expect(m.fit(rl.tensor2d(X), rl.tensor2d(Y), { verbose: 0 })).rejects.toThrow(/loss function 'constant': its result does not depend on yPred/);
    const n = program(rl, function bad() { return 3; });
    expect(() => n.evaluate(rl.tensor2d(X), rl.tensor2d(Y))).toThrow(/loss function 'bad' must return a Tensor, got number/);
    expect(() => program(rl, 42)).toThrow(/compile: loss must be a loss name or a function/);
  });

  it('is saved under its name; loading it needs {compile: false}', async () => {
    const dir = tempDir('rnnlab-customloss-');
    try {
      const m = program(rl, function myLoss(yt: rl.Tensor, yp: rl.Tensor) { return rl.mean(rl.square(rl.sub(yt, yp))); });
      await m.save(`file://${dir}`);
      expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).trainingConfig.loss).toBe('myLoss');
      await expect(rl.loadModel(`file://${dir}`)).rejects.toThrow(/unknown loss 'myLoss'/);
      expect((await rl.loadModel(`file://${dir}`, { compile: false })).countParams()).toBe(4);
    } finally { removeDir(dir); }
  });
});

describe('user metric functions', () => {
  it('are logged under the function name, averaged over every value (Keras MeanMetricWrapper)', async () => {
    function meanPrediction(_yt: rl.Tensor, yp: rl.Tensor) { return rl.mean(yp, -1); }
    const m = program(rl, 'binaryCrossentropy', ['accuracy', meanPrediction]);
    const [, , mp] = evaluated(m.evaluate(rl.tensor2d(X), rl.tensor2d(Y), { batchSize: 4 }));
    const p = preds();
    // The sigmoid folded into the loss is undone: the metric sees probabilities.
    expect(mp).toBeCloseTo(p.reduce((a, b) => a + b, 0) / p.length, 6);
    const h = await m.fit(rl.tensor2d(X), rl.tensor2d(Y), { epochs: 1, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'meanPrediction']);
  });
});

describe('sampleWeight and classWeight', () => {
  it('evaluate weights each sample\'s loss: mean(w * loss), checked by hand', () => {
    const m = program(rl, 'binaryCrossentropy');
    const w = [1, 0, 2, 0.5, 3, 0];
    const [l] = evaluated(m.evaluate(rl.tensor2d(X), rl.tensor2d(Y), { sampleWeight: rl.tensor1d(w), batchSize: 4 }));
    const p = preds();
    const hand = p.reduce((a, pi, i) => a + w[i] * bce(Y[i][0], pi), 0) / p.length;
    expect(l).toBeCloseTo(hand, 5);
  });

  it('fit with sampleWeight [2, 2, 0, 0] trains as the first two samples alone', async () => {
    const a = program(rl, 'binaryCrossentropy'), b = program(rl, 'binaryCrossentropy');
    await a.fit(rl.tensor2d(X.slice(0, 4)), rl.tensor2d(Y.slice(0, 4)), { epochs: 2, batchSize: 4, shuffle: false, verbose: 0, sampleWeight: [2, 2, 0, 0] });
    await b.fit(rl.tensor2d(X.slice(0, 2)), rl.tensor2d(Y.slice(0, 2)), { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
    expect(maxAbsDiff(flatWeights(a), flatWeights(b))).toBeLessThan(1e-6);
  });

  it('classWeight trains as tfjs\'s, and equals the matching sampleWeight', async () => {
    const cw = { 0: 1, 1: 3 };
    const ours = program(rl, 'binaryCrossentropy'), theirs = program(tf, 'binaryCrossentropy');
    await ours.fit(rl.tensor2d(X), rl.tensor2d(Y), { epochs: 3, batchSize: 2, shuffle: false, verbose: 0, classWeight: cw });
    await theirs.fit(tf.tensor2d(X) as never, tf.tensor2d(Y) as never, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0, classWeight: cw });
    expect(maxAbsDiff(flatWeights(ours), flatWeights(theirs))).toBeLessThan(1e-5);
    const bySample = program(rl, 'binaryCrossentropy');
    await bySample.fit(rl.tensor2d(X), rl.tensor2d(Y), { epochs: 3, batchSize: 2, shuffle: false, verbose: 0, sampleWeight: Y.map(([c]) => (c ? 3 : 1)) });
    expect(maxAbsDiff(flatWeights(ours), flatWeights(bySample))).toBeLessThan(1e-6);
  });

  it('validationSplit splits the sample weights too; classWeight applies to training samples only', async () => {
    const w = [1, 2, 3, 4, 0.5, 2];
    const m = program(rl, 'binaryCrossentropy');
    const h = await m.fit(rl.tensor2d(X), rl.tensor2d(Y), { epochs: 1, batchSize: 8, verbose: 0, validationSplit: 0.5, sampleWeight: w, classWeight: { 0: 1, 1: 10 } });
    const [vl] = evaluated(m.evaluate(rl.tensor2d(X.slice(3)), rl.tensor2d(Y.slice(3)), { sampleWeight: w.slice(3) }));
    expect(h.history.val_loss[0]).toBeCloseTo(vl, 5);
  });

  it('bad weights are errors naming the option', async () => {
    const m = program(rl, 'binaryCrossentropy');
    const x = rl.tensor2d(X), y = rl.tensor2d(Y);
    await expect(m.fit(x, y, { verbose: 0, sampleWeight: [1, 2] })).rejects.toThrow(/fit: sampleWeight must hold one weight per sample \(shape \[6\]\) or per sample and step \(shape \[6, steps\]\), got shape \[2\]/);
    await expect(m.fit(x, y, { verbose: 0, sampleWeight: [1, 2, 3, 4, -1, 0] })).rejects.toThrow(/fit: sampleWeight\[4\] must be finite and non-negative, found -1/);
    await expect(m.fit(x, y, { verbose: 0, classWeight: { 0: 2 } })).rejects.toThrow(/fit: classWeight has no weight for class 1, which sample 0 belongs to/);
    await expect(m.fit(x, y, { verbose: 0, classWeight: { a: 2 } as never })).rejects.toThrow(/fit: classWeight: key 'a' is not a class id/);
    expect(() => m.evaluate(x, y, { sampleWeight: [[1, 2, 3], [4, 5, 6]] })).toThrow(/evaluate: sampleWeight must hold one weight per sample/);
  });
});

