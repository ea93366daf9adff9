/**
 * A batch size declared on a layer (batchInputShape [64, null], as Keras's converter files carry) binds only stateful
 * layers: tfjs 4.22 and Keras predict any batch with the others; a stateful layer refuses another batch by name.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';

describe('a declared batch size', () => {
  it('does not bind a non-stateful model: predictions for 5 rows equal tfjs 4.22 on the same weights', () => {
    const build = <L extends typeof rl.layers | typeof tf.layers>(layers: L) => [
      (layers.embedding as typeof rl.layers.embedding)({ inputDim: 10, outputDim: 4, batchInputShape: [64, null] } as never),
      (layers.lstm as typeof rl.layers.lstm)({ units: 3, recurrentActivation: 'sigmoid' }),
      (layers.dense as typeof rl.layers.dense)({ units: 2 }),
    ];
    const m = rl.sequential({ layers: build(rl.layers) });
    const t = tf.sequential({ layers: build(tf.layers) as never });
    t.setWeights(m.getWeights().map((w) => tf.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
    const ids = [[1, 2, 3, 0], [4, 5, 6, 7], [9, 8, 7, 6], [1, 1, 1, 1], [2, 3, 4, 5]];
    const ours = m.predict(rl.tensor2d(ids, undefined, 'int32')) as rl.Tensor;
    const theirs = t.predict(tf.tensor2d(ids, undefined, 'int32')) as tf.Tensor;
    expect(ours.shape).toEqual([5, 2]);
    const a = Array.from(ours.dataSync()), b = Array.from(theirs.dataSync());
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-5);
  });

  it('binds a stateful layer: another batch is refused naming the layer and its shape', () => {
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 3, stateful: true, batchInputShape: [2, 4, 3] })] });
    expect(m.predict(rl.zeros([2, 4, 3])).shape).toEqual([2, 3]);
    expect(() => m.predict(rl.zeros([3, 4, 3]))).toThrow(/predict: lstm\w* \(LSTM\): stateful layer was built for batches of 2, but 3 samples in batches of 32 give it a batch of 3; pass batchSize: 2/);
  });
});
