/**
 * A frozen weight's regularization penalty stays in the reported loss, as tfjs and tf.keras 2 add it (Keras 3 adds
 * only trainable weights' penalties): code written for tfjs reports the same numbers. The penalty is a constant
 * there, so the frozen weights do not move.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const x = rl.tensor([[0.5, -1, 2], [1, 0.25, -0.5], [-1, 1, 0], [0.3, 0.3, 0.3]]);
const y = rl.tensor([[1], [0], [0.5], [0]]);

function model(regularized: boolean, trainable: boolean): rl.Sequential {
  rl.setSeed(9);
  const m = rl.sequential({ layers: [
    rl.layers.dense({ units: 2, inputShape: [3], trainable, ...(regularized ? { kernelRegularizer: rl.regularizers.l2({ l2: 1 }) } : {}) }),
    rl.layers.dense({ units: 1 }),
  ] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
  return m;
}

const lossOf = (m: rl.Sequential) => (m.evaluate(x, y, { returnDict: true }) as Record<string, number>).loss;
const sumSquares = (w: rl.Tensor) => Array.from(w.dataSync()).reduce((s, v) => s + v * v, 0);

describe("a frozen layer's regularizer (tfjs's and tf.keras 2's rule)", () => {
  it('adds its penalty to evaluate, fit and model.losses, whether the layer or the model is frozen', async () => {
    const plain = model(false, false);
    const kernel = plain.layers[0].getWeights()[0];
    const penalty = sumSquares(kernel);
    expect(penalty).toBeGreaterThan(0.1);
    for (const frozen of [model(true, false), (() => { const m = model(true, true); m.trainable = false; return m; })()]) {
      expect(lossOf(frozen)).toBeCloseTo(lossOf(plain) + penalty, 5);
      expect(frozen.calculateLosses().map((t) => t.dataSync()[0])[0]).toBeCloseTo(penalty, 5);
      const before = Array.from(frozen.layers[0].getWeights()[0].dataSync());
      const h = await frozen.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
      expect(h.history.loss[0]).toBeCloseTo(lossOf(model(false, false)) + penalty, 5);
      expect(Array.from(frozen.layers[0].getWeights()[0].dataSync())).toEqual(before);
    }
  });
});
