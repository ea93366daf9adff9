/**
 * trainOnBatch's and testOnBatch's list form gives the values float32 Scalars hold under float32 tensors (tfjs's
 * trainOnBatch reads float32 scalars back), as their returnDict form and evaluate's Scalars do; under setPrecision(64)
 * the values stay whole.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function setup() {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'zeros', biasInitializer: 'zeros' })] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0 }), loss: 'mse', metrics: ['mae'] });
  return { m, x: rl.tensor([[1], [2], [3]]), y: rl.tensor([[0.1], [0.2], [0.3]]) };
}

describe('trainOnBatch / testOnBatch list form under float32', () => {
  afterEach(() => rl.setPrecision(32));

  it('gives float32 values, equal to evaluate\'s Scalars and to returnDict', () => {
    const { m, x, y } = setup();
    const scalars = (m.evaluate(x, y) as rl.Tensor[]).map((t) => t.dataSync()[0]);
    const tested = m.testOnBatch(x, y) as number[];
    expect(tested).toEqual(scalars);
    expect(tested.every((v) => Math.fround(v) === v)).toBe(true);
    expect(m.testOnBatch(x, y, null as never, true as never)).toEqual({ loss: tested[0], mae: tested[1] });
    // A learning rate of 0 leaves the weights: the training step's values are the test's.
    const trained = m.trainOnBatch(x, y) as number[];
    expect(trained).toEqual(scalars);
    expect(m.trainOnBatch(x, y, null as never, null as never, true as never)).toEqual({ loss: trained[0], mae: trained[1] });
  });

  it('gives the loss alone as a float32 value without metrics', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'zeros', biasInitializer: 'zeros' })] });
    m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0 }), loss: 'mse' });
    const x = rl.tensor([[1], [2], [3]]), y = rl.tensor([[0.1], [0.2], [0.3]]);
    const loss = (m.evaluate(x, y) as rl.Tensor).dataSync()[0];
    expect(m.trainOnBatch(x, y)).toBe(loss);
    expect(m.testOnBatch(x, y)).toBe(loss);
  });

  it('keeps float64 values whole under setPrecision(64)', () => {
    rl.setPrecision(64);
    const { m, x, y } = setup();
    const mse = (0.1 ** 2 + 0.2 ** 2 + 0.3 ** 2) / 3;
    const trained = m.trainOnBatch(x, y) as number[];
    expect(trained[0]).toBeCloseTo(mse, 15);
    expect(Math.fround(trained[0])).not.toBe(trained[0]);
  });
});
