/**
 * timeDistributed hands each step's padding mask to the layer it wraps, as Keras 3's TimeDistributed.step_function
 * passes mask[:, t]: a wrapped BatchNormalization's training statistics (and moving ones) count only real rows.
 * Expected values from PyTorch with Keras 3's masked moments (sums over real rows / (count + 1e-7), epsilon 1e-3).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;
const ids = () => rl.tensor([[1, 2, 0], [2, 0, 0]], [2, 3], 'int32');

/** Embedding 0 (padding) -> 10, 1 -> 1, 2 -> 3, into timeDistributed(inner). */
function wrapped(inner: rl.layerClasses.Layer) {
  const i = rl.input({ shape: [3], dtype: 'int32' });
  const emb = L.embedding({ inputDim: 3, outputDim: 1, maskZero: true });
  const m = rl.model({ inputs: i, outputs: L.timeDistributed({ layer: inner }).apply(emb.apply(i)) as rl.SymbolicTensor });
  emb.setWeights([rl.tensor([[10], [1], [3]])]);
  return m;
}

describe('timeDistributed passes each step its padding mask', () => {
  it('a wrapped batchNormalization in training normalizes each step over its real rows only', () => {
    const m = wrapped(L.batchNormalization({ momentum: 0 }));
    // Inference is as before: the moving statistics (0, 1), padding rows included.
    const inferred = (m.apply(ids(), { training: false }) as rl.Tensor).arraySync() as number[][][];
    const s = Math.sqrt(1 + 1e-3);
    expect(inferred.flat(2).map((v) => +v.toFixed(4))).toEqual([1, 3, 10, 3, 10, 10].map((v) => +(v / s).toFixed(4)));
    const y = (m.apply(ids(), { training: true }) as rl.Tensor).arraySync() as number[][][];
    const want = [[-0.9995, 0, 316.2278], [0.9995, 221.3594, 316.2278]];
    y.forEach((row, b) => row.forEach((v, t) => expect(v[0], `[${b}, ${t}]`).toBeCloseTo(want[b][t], 3)));
  });

  it("its moving statistics move with the real rows' moments (an all-padding step gives 0, 0)", () => {
    const bn = L.batchNormalization({ momentum: 0 });
    const m = wrapped(bn);
    m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0 }), loss: 'mse' });
    m.trainOnBatch(ids(), rl.zeros([2, 3, 1]));
    // momentum 0: the last step's statistics, where every row is padding.
    expect(bn.getWeights().slice(2).map((t) => t.dataSync()[0])).toEqual([0, 0]);

    const bn2 = L.batchNormalization({ momentum: 0.5 });
    const m2 = wrapped(bn2);
    m2.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0 }), loss: 'mse' });
    m2.trainOnBatch(ids(), rl.zeros([2, 3, 1]));
    // Steps: (1, 3) mean 2 var 1; (3) mean 3 var 0; none mean 0 var 0. moving = moving / 2 + batch / 2 from 0 and 1.
    const [mean, variance] = bn2.getWeights().slice(2).map((t) => t.dataSync()[0]);
    const n2 = 1 / (1 + 1e-7);
    const m1 = 4 / (2 + 1e-7), v1 = ((1 - m1) ** 2 + (3 - m1) ** 2) / (2 + 1e-7);
    const wantMean = ((0 / 2 + m1 / 2) / 2 + (3 * n2) / 2) / 2;
    const wantVar = ((1 / 2 + v1 / 2) / 2 + ((3 - 3 * n2) ** 2 * n2) / 2) / 2;
    expect(mean).toBeCloseTo(wantMean, 5);
    expect(variance).toBeCloseTo(wantVar, 5);
  });

  it('a wrapped model holding a batchNormalization gets the mask too', () => {
    const bn = L.batchNormalization({ momentum: 0 });
    const inner = rl.sequential({ layers: [L.dense({ units: 1, inputShape: [1], kernelInitializer: 'ones', biasInitializer: 'zeros' }), bn] });
    const m = wrapped(inner as unknown as rl.layerClasses.Layer);
    const y = (m.apply(ids(), { training: true }) as rl.Tensor).arraySync() as number[][][];
    expect(y[1][1][0]).toBeCloseTo(221.3594, 3);
    expect(y[0][0][0]).toBeCloseTo(-0.9995, 3);
  });

});
