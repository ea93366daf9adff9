/**
 * model.losses and model.calculateLosses() as tfjs's (and Keras's): the layers' regularization terms, not compile's
 * loss names, so tfjs code like `model.losses.map((f) => f())` runs unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('model.losses', () => {
  it('a Sequential: one term per regularized weight, the values of tfjs 4.22 for the same weights', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], kernelRegularizer: rl.regularizers.l2({ l2: 0.1 }) }),
      rl.layers.dense({ units: 1, biasInitializer: 'ones', biasRegularizer: rl.regularizers.l1({ l1: 0.5 }) })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelRegularizer: tf.regularizers.l2({ l2: 0.1 }) }),
      tf.layers.dense({ units: 1, biasRegularizer: tf.regularizers.l1({ l1: 0.5 }) })] });
    t.setWeights(m.getWeights().map((w) => tf.tensor(w.dataSync(), w.shape)));
    const ours = m.losses.map((f) => f().dataSync()[0]);
    const theirs = t.calculateLosses().map((x) => x.dataSync()[0]);
    expect(ours).toHaveLength(2);
    expect(ours[0]).toBeGreaterThan(0);
    expect(ours[1]).toBeCloseTo(0.5, 6);
    for (let i = 0; i < 2; i++) expect(ours[i]).toBeCloseTo(theirs[i], 6);
    expect(m.calculateLosses().map((x) => x.dataSync()[0])).toEqual(ours);
    expect(m.loss).toBe('meanSquaredError');
  });

  it('a functional model lists a nested model\'s terms too; no regularizer, no terms', () => {
    const ii = rl.input({ shape: [3] });
    const inner = rl.model({ inputs: ii, outputs: rl.layers.dense({ units: 2, kernelRegularizer: rl.regularizers.l2({ l2: 0.1 }) }).apply(ii) as rl.SymbolicTensor });
    const a = rl.input({ shape: [3] });
    const head = rl.layers.dense({ units: 1, kernelRegularizer: rl.regularizers.l1({ l1: 0.2 }) });
    const m = rl.model({ inputs: a, outputs: head.apply(inner.apply(a)) as rl.SymbolicTensor });
    const values = m.calculateLosses().map((x) => x.dataSync()[0]);
    expect(values).toHaveLength(2);
    expect(values[0]).toBeCloseTo(inner.calculateLosses()[0].dataSync()[0], 6);
    const k = head.getWeights()[0].dataSync();
    expect(values[1]).toBeCloseTo(0.2 * Array.from(k as ArrayLike<number>).reduce((s, v) => s + Math.abs(v), 0), 5);
    const plain = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    plain.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(plain.losses).toEqual([]);
  });
});
