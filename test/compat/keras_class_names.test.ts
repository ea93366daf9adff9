/**
 * Keras's class names (keras.metrics.get / keras.losses.get take them) work in compile as aliases of the metrics and
 * losses rnnlab has; a metric is logged under the name given, as Keras 3's compile names it. Class names of things
 * rnnlab lacks, or that compute something else, stay an error naming them.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[2, -2, 1], [-1, 0.5, 0], [1, 1, -2], [0.5, -0.5, 0.25]];
const Y = [[1, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 1]];
const K = [[0.5, -0.3, 0.2], [-1.25, 0.2, 0.4], [2, 0.7, -0.6]];

function model(loss: string, metrics: string[] = []) {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [3], activation: 'sigmoid', useBias: false })] });
  m.setWeights([rl.tensor2d(K)]);
  m.compile({ optimizer: 'sgd', loss, metrics });
  return m;
}
const evaluate = (m: rl.Sequential): number[] => {
  const r = m.evaluate(rl.tensor2d(X), rl.tensor2d(Y));
  return (Array.isArray(r) ? r : [r]).map((s) => s.dataSync()[0]);
};

describe("Keras's class names in compile", () => {
  it('metric class names compute what their rnnlab names do and log under the name given', async () => {
    const pairs: [string, string][] = [
      ['Precision', 'precision'], ['Recall', 'recall'], ['AUC', 'auc'], ['BinaryAccuracy', 'binaryAccuracy'], ['Accuracy', 'accuracy'],
      ['MeanSquaredError', 'mse'], ['MeanAbsoluteError', 'mae'], ['MeanAbsolutePercentageError', 'mape'],
      ['BinaryCrossentropy', 'binaryCrossentropy'], ['bce', 'binaryCrossentropy'], ['CategoricalCrossentropy', 'categoricalCrossentropy'],
      ['CategoricalAccuracy', 'categoricalAccuracy'],
    ];
    const keras = evaluate(model('binaryCrossentropy', pairs.map((p) => p[0])));
    const ours = evaluate(model('binaryCrossentropy', pairs.map((p) => p[1])));
    expect(keras).toHaveLength(pairs.length + 1);
    keras.forEach((v, i) => expect(v).toBeCloseTo(ours[i], 6));
    const h = await model('binaryCrossentropy', ['Precision', 'BinaryAccuracy']).fit(rl.tensor2d(X), rl.tensor2d(Y), { epochs: 1, verbose: 0, validationData: [rl.tensor2d(X), rl.tensor2d(Y)] });
    expect(Object.keys(h.history).sort()).toEqual(['BinaryAccuracy', 'Precision', 'loss', 'val_BinaryAccuracy', 'val_Precision', 'val_loss']);
  });

  it('SparseCategoricalAccuracy and SparseCategoricalCrossentropy go with the sparse loss', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [3], activation: 'softmax', useBias: false })] });
    m.setWeights([rl.tensor2d(K)]);
    const ids = rl.tensor1d([0, 1, 0, 2]);
    m.compile({ optimizer: 'sgd', loss: 'SparseCategoricalCrossentropy', metrics: ['SparseCategoricalAccuracy', 'SparseCategoricalCrossentropy'] });
    const a = (m.evaluate(rl.tensor2d(X), ids) as rl.Tensor[]).map((s) => s.dataSync()[0]);
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['sparseCategoricalAccuracy', 'sparseCategoricalCrossentropy'] });
    const b = (m.evaluate(rl.tensor2d(X), ids) as rl.Tensor[]).map((s) => s.dataSync()[0]);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));
  });

  it('loss class names are the losses of those names', () => {
    const pairs: [string, string][] = [
      ['BinaryCrossentropy', 'binaryCrossentropy'], ['bce', 'binaryCrossentropy'], ['BCE', 'binaryCrossentropy'],
      ['CategoricalCrossentropy', 'categoricalCrossentropy'], ['MeanSquaredError', 'meanSquaredError'], ['MeanAbsoluteError', 'meanAbsoluteError'],
      ['MeanAbsolutePercentageError', 'meanAbsolutePercentageError'], ['MeanSquaredLogarithmicError', 'meanSquaredLogarithmicError'],
      ['Huber', 'huber'], ['LogCosh', 'logCosh'], ['Hinge', 'hinge'], ['SquaredHinge', 'squaredHinge'], ['CategoricalHinge', 'categoricalHinge'],
      ['KLDivergence', 'kullbackLeiblerDivergence'], ['Poisson', 'poisson'], ['CosineSimilarity', 'cosineProximity'],
    ];
    for (const [keras, ours] of pairs) expect(evaluate(model(keras))[0], keras).toBeCloseTo(evaluate(model(ours))[0], 6);
  });

  it('the aliases are compile names, not new rl.losses functions', () => {
    expect(Object.keys(rl.losses)).not.toContain('BinaryCrossentropy');
    expect(Object.keys(rl.losses)).not.toContain('bce');
  });

  it('class names rnnlab lacks or computes differently are refused by name', () => {
    for (const name of ['CosineSimilarity', 'R2Score', 'F1Score', 'TopKCategoricalAccuracy', 'MeanSquaredLogarithmicError']) {
      expect(() => model('binaryCrossentropy', [name]), name).toThrow(`unknown metric '${name}'`);
    }
    for (const name of ['BinaryFocalCrossentropy', 'Tversky', 'CTC']) expect(() => model(name), name).toThrow(`unknown loss '${name}'`);
  });
});
