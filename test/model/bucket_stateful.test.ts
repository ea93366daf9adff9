/**
 * fit({bucket}) and stateful layers: bucketing sorts each pool's rows by length even with shuffle: false, so row i
 * of a batch would no longer continue row i of the batch before; it is refused, naming the stateful layer, before
 * any step or state changes.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { bucketBlocker } from '../../src/models/buckets.js';

const B = 2, T = 6, N = 8;
const ids = (() => {
  const d = new Int32Array(N * T);
  for (let i = 0; i < N; i++) for (let t = 0, len = 1 + ((i * 5) % T); t < len; t++) d[i * T + t] = 1 + ((i + t) % 9);
  return rl.tensor(d, [N, T], 'int32');
})();
const y = rl.tensor(Float32Array.from({ length: N }, (_, i) => Math.sin(i)), [N, 1]);

function model(stateful: boolean): rl.Sequential {
  rl.setSeed(4);
  const m = rl.sequential({ layers: [
    rl.layers.embedding({ inputDim: 10, outputDim: 3, maskZero: true, batchInputShape: [B, null] }),
    rl.layers.lstm({ units: 2, stateful, name: 'carry' }),
    rl.layers.dense({ units: 1 }),
  ] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
  return m;
}

const weightValues = (m: rl.Sequential) => m.getWeights().map((w) => Array.from(w.dataSync()));
const carried = (m: rl.Sequential) => (m.layers[1] as unknown as { getStates(): rl.Tensor[] }).getStates().map((s) => Array.from(s.dataSync()));

describe('fit bucket with a stateful layer', () => {
  it('is refused, naming the layer, and nothing moves (weights, carried states)', async () => {
    const m = model(true);
    await m.fit(ids, y, { batchSize: B, epochs: 1, verbose: 0, shuffle: false });
    const weights = weightValues(m), states = carried(m);
    expect(states.flat().some((v) => v !== 0)).toBe(true);
    await expect(m.fit(ids, y, { batchSize: B, epochs: 1, verbose: 0, shuffle: false, bucket: true }))
      .rejects.toThrow(/fit: bucket .*carry \(LSTM\) is stateful .*reorders the rows by length even with shuffle: false/);
    expect(weightValues(m)).toEqual(weights);
    expect(carried(m)).toEqual(states);
  });

  it('the same model without stateful buckets', async () => {
    const m = model(false);
    expect(bucketBlocker(m)).toBeNull();
    const h = await m.fit(ids, y, { batchSize: B, epochs: 1, verbose: 0, shuffle: false, bucket: true });
    expect(Number.isFinite(h.history.loss[0] as number)).toBe(true);
  });

  it('a stateful layer inside a nested model is named too', () => {
    const i = rl.input({ batchShape: [B, null, 3] });
    const inner = rl.model({ inputs: i, outputs: rl.layers.lstm({ units: 2, stateful: true, name: 'deep' }).apply(i) as rl.SymbolicTensor, name: 'inner' });
    const ids2 = rl.input({ batchShape: [B, null] });
    const e = rl.layers.embedding({ inputDim: 10, outputDim: 3, maskZero: true }).apply(ids2) as rl.SymbolicTensor;
    const outer = rl.model({ inputs: ids2, outputs: rl.layers.dense({ units: 1 }).apply(inner.apply(e) as rl.SymbolicTensor) as rl.SymbolicTensor });
    expect(bucketBlocker(outer)).toMatch(/^deep \(LSTM\) is stateful/);
  });
});
