/** Metrics as functions (against tfjs and hand counts) and as compiled names in fit/evaluate/trainOnBatch. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { evaluated } from '../io/helpers.js';

const T = [[1], [0], [1], [1], [0], [0]];
const P = [[0.9], [0.6], [0.3], [0.7], [0.2], [0.55]];

describe('rl.metrics functions', () => {
  it('binary and categorical accuracies equal tfjs per sample', () => {
    expect(Array.from(rl.metrics.binaryAccuracy(T, P).dataSync())).toEqual(Array.from(tf.metrics.binaryAccuracy(tf.tensor2d(T), tf.tensor2d(P)).dataSync()));
    const ct = [[0, 1, 0], [1, 0, 0], [0, 0, 1]], cp = [[0.2, 0.7, 0.1], [0.3, 0.6, 0.1], [0.1, 0.2, 0.7]];
    expect(Array.from(rl.metrics.categoricalAccuracy(ct, cp).dataSync())).toEqual([1, 0, 1]);
    expect(Array.from(rl.metrics.categoricalAccuracy(ct, cp).dataSync())).toEqual(Array.from(tf.metrics.categoricalAccuracy(tf.tensor2d(ct), tf.tensor2d(cp)).dataSync()));
    expect(Array.from(rl.metrics.sparseCategoricalAccuracy([1, 1, 2], cp).dataSync())).toEqual([1, 1, 1]);
  });

  it('precision and recall count at threshold 0.5 (Keras); on 0/1 predictions they equal tfjs, which does not threshold', () => {
    // predicted positive: .9 .6 .7 .55 -> tp 2 (rows 0, 3), fp 2; fn 1 (row 2)
    expect(rl.metrics.precision(T, P).dataSync()[0]).toBeCloseTo(0.5, 6);
    expect(rl.metrics.recall(T, P).dataSync()[0]).toBeCloseTo(2 / 3, 6);
    const hard = P.map((r) => r.map((v) => (v > 0.5 ? 1 : 0)));
    expect(rl.metrics.precision(T, hard).dataSync()[0]).toBeCloseTo(tf.metrics.precision(tf.tensor2d(T), tf.tensor2d(hard)).dataSync()[0], 6);
    expect(rl.metrics.recall(T, hard).dataSync()[0]).toBeCloseTo(tf.metrics.recall(tf.tensor2d(T), tf.tensor2d(hard)).dataSync()[0], 6);
  });

  it('auc is the ROC area (Keras, 200 thresholds)', () => {
    expect(rl.metrics.auc([[0], [0], [1], [1]], [[0.1], [0.4], [0.35], [0.8]]).dataSync()[0]).toBeCloseTo(0.75, 6);
    expect(rl.metrics.auc([[0], [1]], [[0.2], [0.9]]).dataSync()[0]).toBeCloseTo(1, 6);
    // Positives 1, 3, 4 (scores .9 .3 .7) vs negatives (.6 .2 .55): 7 of 9 pairs ordered right.
    expect(rl.metrics.auc(T, P).dataSync()[0]).toBeCloseTo(7 / 9, 6);
  });
});

describe('compiled metrics', () => {
  function model(metrics: unknown): rl.Sequential {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: metrics as never });
    return m;
  }
  const X = [[1, 0.5], [-1, 2], [0.3, -0.2], [2, 1], [-0.5, -1], [0.1, 0.1]];

  it("metrics: 'accuracy' as a plain string, and precision/recall/auc logged by fit", async () => {
    const m = model('accuracy');
    expect(m.metrics).toEqual(['accuracy']);
    const m2 = model(['accuracy', 'precision', rl.metrics.recall, 'auc']);
    const h = await m2.fit(X, T, { epochs: 1, batchSize: 4, verbose: 0, validationData: [X, T] });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'auc', 'loss', 'precision', 'recall', 'val_accuracy', 'val_auc', 'val_loss', 'val_precision', 'val_recall']);
  });

  it('evaluate and trainOnBatch return one value per metric, equal to the functions on predict', async () => {
    const m = model(['binaryAccuracy', 'precision', 'recall', 'auc']);
    const p = m.predict(X);
    const [, acc, prec, rec, auc] = evaluated(m.evaluate(X, T));
    const mean = (t: rl.Tensor) => Array.from(t.dataSync()).reduce((a, b) => a + b, 0) / t.size;
    expect(acc).toBeCloseTo(mean(rl.metrics.binaryAccuracy(T, p)), 6);
    expect(prec).toBeCloseTo(rl.metrics.precision(T, p).dataSync()[0], 6);
    expect(rec).toBeCloseTo(rl.metrics.recall(T, p).dataSync()[0], 6);
    expect(auc).toBeCloseTo(rl.metrics.auc(T, p).dataSync()[0], 6);
    expect((m.trainOnBatch(X, T) as number[]).length).toBe(5);
  });

  it('names an unknown metric and refuses threshold metrics on sparse labels', async () => {
    expect(() => model(['accuracy', 'f1'])).toThrow(/unknown metric 'f1'; use one of accuracy/);
    expect(() => model(['accuracy', function accuracy() { return rl.scalar(1); }])).toThrow(/two metrics are named 'accuracy'/);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
    expect(() => m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['precision'] })).toThrow(/'precision' needs targets shaped like the output/);
  });
});
