/**
 * Keras's snake_case option names for fit, evaluate and predict are aliases of tfjs's (as compile's loss_weights):
 * the same numbers as the camelCase names, both spellings of one option an error naming both. evaluate's returnDict
 * (Keras's return_dict) returns {loss, <metric>: value, ...} keyed as metricsNames, as Keras 3 does.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[1, 2], [0.5, -1], [3, 0], [-2, 1], [1, 1], [0, 2]];
const Y = [[1], [0], [2], [-1], [0.5], [1]];

function model(): rl.Sequential {
  rl.setSeed(9);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], name: 'out' })] });
  m.compile({ optimizer: rl.train.sgd(0.05), loss: 'mse', metrics: ['mae'] });
  return m;
}

const values = (t: unknown) => Array.from((t as rl.Tensor).dataSync());
const weights = (m: rl.Sequential) => m.getWeights().map(values);

describe("fit's Keras spellings", () => {
  it('batch_size, validation_split, sample_weight, initial_epoch train as the tfjs names', async () => {
    const w = rl.tensor([1, 2, 0.5, 1, 1, 3]);
    const a = model(), b = model();
    const ha = await a.fit(X, Y, { epochs: 3, shuffle: false, verbose: 0, batch_size: 2, validation_split: 0.34, sample_weight: w, initial_epoch: 1 });
    const hb = await b.fit(X, Y, { epochs: 3, shuffle: false, verbose: 0, batchSize: 2, validationSplit: 0.34, sampleWeight: w, initialEpoch: 1 });
    expect(ha.epoch).toEqual([1, 2]);
    expect(ha.history).toEqual(hb.history);
    expect(ha.params).toEqual(hb.params);
    expect(weights(a)).toEqual(weights(b));
  });

  it('validation_data and class_weight too', async () => {
    rl.setSeed(1);
    const mk = () => {
      rl.setSeed(3);
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
      m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
      return m;
    };
    const yb = [[1], [0], [1], [0], [1], [1]];
    const a = mk(), b = mk();
    const ha = await a.fit(X, yb, { shuffle: false, verbose: 0, validation_data: [X, yb], class_weight: { 0: 2, 1: 0.5 } });
    const hb = await b.fit(X, yb, { shuffle: false, verbose: 0, validationData: [X, yb], classWeight: { 0: 2, 1: 0.5 } });
    expect(ha.history).toEqual(hb.history);
    expect(ha.history.val_loss).toHaveLength(1);
  });

  it('both spellings of one option are an error naming both; a typo still names the nearest option', async () => {
    await expect(model().fit(X, Y, { verbose: 0, batchSize: 2, batch_size: 3 })).rejects.toThrow(/^fit: give batchSize or batch_size, not both$/);
    await expect(model().fit(X, Y, { verbose: 0, sampleWeight: [1, 1, 1, 1, 1, 1], sample_weight: [1, 1, 1, 1, 1, 1] })).rejects.toThrow(/fit: give sampleWeight or sample_weight, not both/);
    await expect(model().fit(X, Y, { verbose: 0, batch_sise: 2 } as never)).rejects.toThrow(/fit: unknown option 'batch_sise' \(did you mean 'batch_size'\?\)/);
  });
});

describe("evaluate's and predict's Keras spellings", () => {
  it('batch_size and sample_weight evaluate as batchSize and sampleWeight', () => {
    const m = model();
    const w = [1, 2, 0, 1, 1, 3];
    expect((m.evaluate(X, Y, { batch_size: 4, sample_weight: w }) as rl.Tensor[]).map(values))
      .toEqual((m.evaluate(X, Y, { batchSize: 4, sampleWeight: w }) as rl.Tensor[]).map(values));
    expect(() => m.evaluate(X, Y, { batchSize: 2, batch_size: 2 })).toThrow(/evaluate: give batchSize or batch_size, not both/);
  });

  it('returnDict / return_dict: {loss, <metric>} as numbers, keyed as metricsNames', () => {
    const m = model();
    const list = (m.evaluate(X, Y) as rl.Tensor[]).map((t) => t.dataSync()[0]);
    const dict = m.evaluate(X, Y, { returnDict: true });
    expect(Object.keys(dict)).toEqual(m.metricsNames);
    expect(Object.keys(dict)).toEqual(['loss', 'mae']);
    expect(Object.values(dict)).toEqual(list);
    expect(m.evaluate(X, Y, { return_dict: true })).toEqual(dict);
    expect(values((m.evaluate(X, Y, { returnDict: false }) as rl.Tensor[])[0])).toEqual([list[0]]);
    expect(() => m.evaluate(X, Y, { returnDict: 'yes' } as never)).toThrow(/evaluate: returnDict must be true or false, got "yes"/);
    expect(() => m.evaluate(X, Y, { returnDict: true, return_dict: true })).toThrow(/give returnDict or return_dict, not both/);
    // Only the loss: still a dict.
    const plain = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    plain.compile({ optimizer: 'sgd', loss: 'mse' });
    expect(Object.keys(plain.evaluate(X, Y, { returnDict: true }))).toEqual(['loss']);
  });

  it("a Functional model's dict holds each output's loss, as metricsNames", () => {
    rl.setSeed(2);
    const i = rl.input({ shape: [2], name: 'i' });
    const a = rl.layers.dense({ units: 1, name: 'a' }).apply(i) as rl.SymbolicTensor;
    const b = rl.layers.dense({ units: 1, name: 'b' }).apply(i) as rl.SymbolicTensor;
    const f = rl.model({ inputs: i, outputs: [a, b] });
    f.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    const list = (f.evaluate(X, [Y, Y]) as rl.Tensor[]).map((t) => t.dataSync()[0]);
    const dict = f.evaluate(X, { a: Y, b: Y }, { return_dict: true, batch_size: 2 });
    expect(Object.keys(dict)).toEqual(f.metricsNames);
    expect(Object.keys(dict)).toEqual(['loss', 'a_loss', 'b_loss', 'a_mae', 'b_mae']);
    Object.values(dict).forEach((v, k) => expect(v).toBeCloseTo(list[k], 6));
    expect(values((f.predict(X, { batch_size: 2 }) as rl.Tensor[])[0])).toEqual(values((f.predict(X) as rl.Tensor[])[0]));
  });

  it('predict takes batch_size (not with batchSize)', () => {
    const m = model();
    expect(values(m.predict(X, { batch_size: 4 }))).toEqual(values(m.predict(X, { batchSize: 4 })));
    expect(() => m.predict(X, { batchSize: 2, batch_size: 2 })).toThrow(/predict: give batchSize or batch_size, not both/);
    expect(() => m.predict(X, { batch_size: 0 })).toThrow(/batchSize must be a positive integer/);
  });
});
