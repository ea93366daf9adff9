/**
 * fit({bucket: true}) promises the same results as unbucketed batches whenever bucketBlocker lets it run. Masked
 * models whose results still depend on how many padding steps a batch has are refused, naming the layer:
 * zeroOutputForMask on a recurrent layer (or Bidirectional) that ends the time axis (its output is zeros when a
 * row's last step is padding), and a timeDistributed wrapping batch statistics (its moving statistics move once per
 * step). Masked models without them still bucket and train as unbucketed on one batch (lr 0: same loss).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';

const L = rl.layers;
/** Three rows that share one step of post-padding (the 4th), and a 5-step batch sharing two. */
const x4 = () => rl.tensor([[1, 2, 0, 0], [3, 4, 1, 0], [2, 0, 0, 0]], [3, 4], 'int32');
const x5 = () => rl.tensor([[1, 2, 0, 0, 0], [3, 4, 1, 0, 0], [2, 0, 0, 0, 0]], [3, 5], 'int32');
const y = () => rl.tensor([[1], [1], [1]]);

function model(middle: () => Layer[], seed = 1): rl.Sequential {
  rl.setSeed(seed);
  const m = rl.sequential({ layers: [
    L.embedding({ inputDim: 5, outputDim: 3, maskZero: true, embeddingsInitializer: 'glorotUniform' }),
    ...middle(),
    L.dense({ units: 1, kernelInitializer: 'ones', biasInitializer: 'zeros' }),
  ] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0 }), loss: 'mse' });
  return m;
}

/** Two copies of one model, with the same weights. */
function twins(middle: () => Layer[], x: rl.Tensor): [rl.Sequential, rl.Sequential] {
  const a = model(middle), b = model(middle);
  a.predict(x);
  b.predict(x);
  b.setWeights(a.getWeights());
  return [a, b];
}

const fit = (m: rl.Sequential, x: rl.Tensor, bucket: boolean) => m.fit(x, y(), { epochs: 1, batchSize: 3, shuffle: false, verbose: 0, ...(bucket ? { bucket: true } : {}) });

describe('fit bucket: masked layers whose result depends on the padding steps', () => {
  it('an lstm with zeroOutputForMask ending the time axis is refused, naming it', async () => {
    const m = model(() => [L.lstm({ units: 4, zeroOutputForMask: true, biasInitializer: 'ones', name: 'zeroing_lstm' })]);
    await expect(fit(m, x4(), true)).rejects.toThrow(/fit: bucket .*cannot apply: zeroing_lstm \(LSTM\) has zeroOutputForMask without returnSequences/);
    // With returnSequences, the zeroed padding steps stay masked for the next recurrent layer: it still buckets, exactly.
    const middle = () => [L.lstm({ units: 4, zeroOutputForMask: true, returnSequences: true }), L.lstm({ units: 2 })];
    const [a, b] = twins(middle, x4());
    const [ha, hb] = [await fit(a, x4(), false), await fit(b, x4(), true)];
    expect(hb.history.loss[0]).toBeCloseTo(ha.history.loss[0] as number, 6);
  });

  it('so is a bidirectional whose layer has zeroOutputForMask', async () => {
    const m = model(() => [L.bidirectional({ layer: L.gru({ units: 2, zeroOutputForMask: true }) as never, name: 'bi' })]);
    await expect(fit(m, x4(), true)).rejects.toThrow(/fit: bucket .*cannot apply: bi \(Bidirectional\) has zeroOutputForMask without returnSequences/);
  });

  it('a timeDistributed wrapping batchNormalization is refused, naming both', async () => {
    const m = model(() => [L.timeDistributed({ layer: L.batchNormalization({ momentum: 0.5, name: 'tdbn' }), name: 'td' }), L.lstm({ units: 2 })]);
    await expect(fit(m, x5(), true)).rejects.toThrow(/fit: bucket .*cannot apply: td \(TimeDistributed\) wraps tdbn \(BatchNormalization\), which uses batch statistics/);
    // A timeDistributed dense computes each step alone: it still buckets, with the loss of unbucketed batches.
    const middle = () => [L.timeDistributed({ layer: L.dense({ units: 3, activation: 'tanh' }) }), L.lstm({ units: 2 })];
    const [a, b] = twins(middle, x5());
    const [ha, hb] = [await fit(a, x5(), false), await fit(b, x5(), true)];
    expect(hb.history.loss[0]).toBeCloseTo(ha.history.loss[0] as number, 6);
  });

  it('so is one wrapping a model that holds a batchNormalization', async () => {
    const inner = () => rl.sequential({ layers: [L.dense({ units: 3, inputShape: [3] }), L.batchNormalization()] }) as unknown as Layer;
    const m = model(() => [L.timeDistributed({ layer: inner(), name: 'td_model' }), L.lstm({ units: 2 })]);
    await expect(fit(m, x5(), true)).rejects.toThrow(/fit: bucket .*cannot apply: td_model \(TimeDistributed\) wraps .*uses batch statistics/);
  });

});
