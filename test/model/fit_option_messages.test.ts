/**
 * The reasons fit, evaluate and fitDataset give: Keras-only options refused with what to do instead (Keras's
 * validationFreq and validationBatchSize work: test/model/validation_freq.test.ts); sampleWeight shapes checked with
 * the data, before training starts (epochs 0 too), per-step weights against the output's steps, named as the option;
 * NaN in y reported as the targets'; Keras's stepsPerEpoch / validationSteps pointed at fitDataset's names.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function dense(units = 1): rl.Sequential {
  rl.setSeed(4);
  const m = rl.sequential({ layers: [rl.layers.dense({ units, inputShape: [2], name: 'out' })] });
  m.compile({ optimizer: rl.train.sgd(0.1), loss: 'mse' });
  return m;
}

function sequenceModel(): rl.Sequential {
  rl.setSeed(4);
  const m = rl.sequential({ layers: [rl.layers.simpleRNN({ units: 2, returnSequences: true, inputShape: [3, 1], name: 'rnn' })] });
  m.compile({ optimizer: rl.train.sgd(0.1), loss: 'mse' });
  return m;
}

const X = rl.tensor([[1, 2], [0.5, -1], [3, 0], [-2, 1], [1, 1]]);
const Y = rl.tensor([[1], [0], [2], [-1], [0.5]]);
const weightsOf = (m: rl.Sequential) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('fit options refused with a reason that fits them', () => {
  it("stepsPerEpoch and validationSteps (Keras's) say so and what to do instead", async () => {
    for (const key of ['stepsPerEpoch', 'steps_per_epoch', 'validationSteps', 'validation_steps']) {
      await expect(dense().fit(X, Y, { verbose: 0, [key]: 2 } as never)).rejects.toThrow(new RegExp(`fit: option '${key}' is not supported by rnnlab \\(fit runs whole epochs over x and y; .*batchesPerEpoch`));
    }
  });

  it("fitDataset's stepsPerEpoch / validationSteps point at batchesPerEpoch / validationBatches", async () => {
    const ds = rl.data.zip({ xs: rl.data.array([[1, 2], [0, 1]]), ys: rl.data.array([[1], [0]]) }).batch(2);
    for (const key of ['stepsPerEpoch', 'steps_per_epoch']) {
      await expect(dense().fitDataset(ds, { verbose: 0, [key]: 1 } as never)).rejects.toThrow(new RegExp(`fitDataset: option '${key}' is not supported by rnnlab \\(did you mean batchesPerEpoch\\?`));
    }
    for (const key of ['validationSteps', 'validation_steps']) {
      await expect(dense().fitDataset(ds, { verbose: 0, [key]: 1 } as never)).rejects.toThrow(new RegExp(`fitDataset: option '${key}' is not supported by rnnlab \\(did you mean validationBatches\\?`));
    }
  });
});

describe('sampleWeight shapes', () => {
  it('weights that fit neither the samples nor the steps are named as the option, before training (epochs 0 too)', async () => {
    const bad = rl.ones([5, 3]);
    const why = /sampleWeight has shape \[5, 3\], which does not fit output 'out' \(no steps: one weight per sample\); sample weights: 15 weights for 5 samples \(give 5\): shape \[5\]/;
    for (const epochs of [0, 1]) {
      const m = dense();
      const before = weightsOf(m);
      await expect(m.fit(X, Y, { verbose: 0, epochs, sampleWeight: bad })).rejects.toThrow(new RegExp(`fit: ${why.source}`));
      expect(weightsOf(m)).toEqual(before);
    }
    expect(() => dense().evaluate(X, Y, { sampleWeight: bad })).toThrow(new RegExp(`evaluate: ${why.source}`));
    expect(() => dense().trainOnBatch(X, Y, bad)).toThrow(new RegExp(`trainOnBatch: ${why.source}`));
    expect(() => dense().testOnBatch(X, Y, bad)).toThrow(new RegExp(`testOnBatch: ${why.source}`));
    await expect(dense().fit(X, Y, { verbose: 0, validationData: [X, Y, bad] })).rejects.toThrow(/fit: validationData sampleWeight has shape \[5, 3\]/);
  });

  it("per-step weights [n, T] are checked against the output's steps before training", async () => {
    const m = sequenceModel();
    const x = rl.ones([2, 3, 1]), y = rl.ones([2, 3, 2]);
    const before = weightsOf(m);
    await expect(m.fit(x, y, { verbose: 0, epochs: 0, sampleWeight: rl.ones([2, 4]) })).rejects.toThrow(
      /fit: sampleWeight has shape \[2, 4\], which does not fit output 'rnn' \(3 steps per sample\); sample weights: 8 weights for 2 samples of 3 steps \(give 2 or 6\): shape \[2\] or \[2, 3\]/);
    expect(weightsOf(m)).toEqual(before);
    await expect(m.fit(x, y, { verbose: 0, epochs: 1, sampleWeight: rl.ones([2, 3]) })).resolves.toBeDefined();
  });
});

describe('NaN or Inf in y', () => {
  it('is reported as the targets, not the features', async () => {
    const yBad = rl.tensor([[NaN], [0], [2], [-1], [0.5]]);
    await expect(dense().fit(X, yBad, { verbose: 0 })).rejects.toThrow(/fit: y: value NaN at flat index 0 is not finite \(NaN or Inf in targets\)/);
    await expect(dense().fit(X, Y, { verbose: 0, validationData: [X, yBad] })).rejects.toThrow(/fit: validationData: y: value NaN at flat index 0 is not finite \(NaN or Inf in targets\)/);
    expect(() => dense().evaluate(X, yBad)).toThrow(/\(NaN or Inf in targets\)/);
    const i = rl.input({ shape: [2], name: 'i' });
    const f = rl.model({ inputs: i, outputs: rl.layers.dense({ units: 1, name: 'o' }).apply(i) as rl.SymbolicTensor });
    f.compile({ optimizer: 'sgd', loss: 'mse' });
    expect(() => f.evaluate(X, yBad)).toThrow(/evaluate: y: value NaN at flat index 0 is not finite \(NaN or Inf in targets\)/);
    // x keeps its label.
    expect(() => f.evaluate(rl.tensor([[Infinity, 0]]), rl.tensor([[1]]))).toThrow(/x: value Infinity at flat index 0 is not finite \(NaN or Inf in features\)/);
  });
});
