/**
 * returnDict (Keras's return_dict) gives the values the list form gives: float32 Scalars' values under float32
 * tensors, float64 under setPrecision(64), as evaluate's Scalars, testOnBatch's numbers and fit's History hold them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function setup() {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'zeros', biasInitializer: 'zeros' })] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0 }), loss: 'mse', metrics: ['mae'] });
  return { m, x: rl.tensor([[1], [2], [3]]), y: rl.tensor([[0.1], [0.2], [0.3]]) };
}

describe('returnDict values', () => {
  afterEach(() => rl.setPrecision(32));

  it('under setPrecision(64): float64, equal to the list form and to fit (float32 values under float32)', async () => {
    const f32 = setup();
    const list32 = (f32.m.evaluate(f32.x, f32.y) as rl.Tensor[]).map((t) => t.dataSync()[0]);
    const dict32 = f32.m.evaluate(f32.x, f32.y, { returnDict: true } as never) as unknown as Record<string, number>;
    expect(dict32).toEqual({ loss: list32[0], mae: list32[1] });
    expect(Math.fround(dict32.loss)).toBe(dict32.loss);
    rl.setPrecision(64);
    const { m, x, y } = setup();
    const mse = (0.1 ** 2 + 0.2 ** 2 + 0.3 ** 2) / 3, mae = (0.1 + 0.2 + 0.3) / 3;
    const list = (m.evaluate(x, y) as rl.Tensor[]).map((t) => t.dataSync()[0]);
    expect(list[0]).toBeCloseTo(mse, 15);
    expect(m.evaluate(x, y, { returnDict: true } as never)).toEqual({ loss: list[0], mae: list[1] });
    expect(list[1]).toBeCloseTo(mae, 15);
    expect(Math.fround(list[0])).not.toBe(list[0]);
    const train = m.trainOnBatch(x, y) as number[];
    expect(m.trainOnBatch(x, y, null as never, null as never, true as never)).toEqual({ loss: train[0], mae: train[1] });
    const h = await m.fit(x, y, { epochs: 1, batchSize: 3, verbose: 0 });
    expect(h.history.loss[0]).toBe(list[0]);
  });
});
