// A custom layer that keeps its input's shape needs no computeOutputShape, as in tfjs-layers (Layer's default
// returns the input shape).
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';

class Doubler extends rl.layers.Layer {
  static override readonly className = 'R12Doubler';
  call(x: Tensor): Tensor {
    return rl.mul(x, rl.scalar(2));
  }
}

describe('Layer.computeOutputShape default', () => {
  it('is the input shape: a shape-keeping custom layer fits in a Sequential model and trains', async () => {
    rl.setSeed(3);
    const model = rl.sequential({ layers: [rl.layers.dense({ units: 4, inputShape: [3] }), new Doubler({}), rl.layers.dense({ units: 1 })] });
    expect(model.layers[1].outputShape).toEqual([null, 4]);
    const x = rl.tensor([[1, 2, 3], [0, 1, 0]]);
    const y = model.predict(x) as Tensor;
    expect(y.shape).toEqual([2, 1]);
    // The layer really doubles: the head sees twice the first layer's output.
    const h = model.layers[0].apply(x) as Tensor;
    const head = model.layers[2].apply(rl.mul(h, rl.scalar(2))) as Tensor;
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(head.dataSync()[i], 5));
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const h1 = await model.fit(x, rl.tensor([[1], [0]]), { epochs: 2, verbose: 0 });
    expect(h1.history.loss.every((v) => Number.isFinite(v as number))).toBe(true);
  });
});
