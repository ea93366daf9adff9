import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { CallContext } from '../../src/layers/layer.js';

const ctx = (mask: Uint8Array | null = null): CallContext => ({ training: false, mask });

function rand(shape: number[], seed: number): rl.Tensor {
  const r = new rl.Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return rl.tensor(Float32Array.from({ length: n }, () => r.uniform(-1, 1)), shape);
}

describe('recurrent layers: states, masks, introspection', () => {
  it('run() takes initial states and returns the final ones (returnState)', () => {
    rl.setSeed(1);
    const lstm = rl.layers.lstm({ units: 4, returnState: true, inputShape: [5, 3] });
    const x = rand([2, 5, 3], 1);
    const zero = lstm.run(x, ctx());
    const given = lstm.run(x, ctx(), [rand([2, 4], 2), rand([2, 4], 3)]);
    expect(given.states.map((s) => s.shape)).toEqual([[2, 4], [2, 4]]);
    expect(Array.from(given.output.values)).toEqual(Array.from(given.states[0].values));
    expect(Array.from(given.output.values)).not.toEqual(Array.from(zero.output.values));
    const gru = rl.layers.gru({ units: 4, inputShape: [5, 3] });
    expect(gru.run(x, ctx(), [rand([2, 4], 4)]).states).toHaveLength(1);
  });

  it('masked steps carry the state: trailing padding leaves the output unchanged', () => {
    rl.setSeed(2);
    const layer = rl.layers.simpleRNN({ units: 3, inputShape: [4, 2] });
    const x = rand([1, 4, 2], 5);
    const full = layer.run(rl.tensor(x.values.slice(0, 6), [1, 3, 2]), ctx()).output;
    const masked = layer.run(x, ctx(Uint8Array.from([1, 1, 1, 0]))).output;
    for (let i = 0; i < 3; i++) expect(masked.values[i]).toBeCloseTo(full.values[i], 6);
  });

  it('embedding({maskZero}) masks padded steps for the recurrent layer that follows', async () => {
    rl.setSeed(3);
    const m = rl.sequential({ layers: [
      rl.layers.embedding({ inputDim: 20, outputDim: 4, maskZero: true }),
      rl.layers.lstm({ units: 5 }),
    ] });
    const a = m.predict(rl.tensor(Int32Array.from([0, 0, 0, 7, 3, 9]), [1, 6], 'int32'));
    const b = m.predict(rl.tensor(Int32Array.from([0, 7, 3, 9]), [1, 4], 'int32'));
    for (let i = 0; i < 5; i++) expect(a.values[i]).toBeCloseTo(b.values[i], 6);
  });

  it('trace() returns hidden states and LSTM gates per step; hiddenStateGradients() returns dL/dh_t', () => {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 3, inputShape: [6, 2] }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const x = rand([2, 6, 2], 6);
    const { layers } = m.trace(x);
    expect(layers).toHaveLength(1);
    expect(layers[0].hiddenStates.shape).toEqual([2, 6, 3]);
    expect(Object.keys(layers[0].gates!)).toEqual(['input', 'forget', 'candidate', 'output']);
    for (const g of ['input', 'forget', 'output']) for (const v of layers[0].gates![g].values) expect(v > 0 && v < 1).toBe(true);
    const g = m.hiddenStateGradients(x, rl.tensor([[1], [0]]));
    expect(g.layers[0].shape).toEqual([2, 6, 3]);
    const norms = Array.from({ length: 6 }, (_, t) => Math.hypot(...Array.from(g.layers[0].dh.subarray(t * 3, t * 3 + 3))));
    expect(norms.every((v) => v > 0)).toBe(true);
    // The loss reads only the last step, so the gradient is largest there.
    expect(norms[5]).toBeGreaterThan(norms[0]);
  });

  it('rejects wrong rank, wrong feature size, bad initial states and masks that do not fit', () => {
    const lstm = rl.layers.lstm({ units: 4, inputShape: [5, 3] });
    lstm.build([null, 5, 3]);
    expect(() => lstm.run(rand([2, 5], 1), ctx())).toThrow(/expected input of rank 3/);
    expect(() => lstm.run(rand([2, 5, 4], 1), ctx())).toThrow(/input has 4 features but the layer was built for 3/);
    expect(() => lstm.run(rand([2, 5, 3], 1), ctx(), [rand([2, 4], 2)])).toThrow(/expected 2 initial state tensor\(s\), got 1/);
    expect(() => lstm.run(rand([2, 5, 3], 1), ctx(), [rand([2, 3], 2), rand([2, 4], 3)])).toThrow(/initial state 0 must have shape \[2, 4\], got \[2, 3\]/);
    expect(() => lstm.run(rand([2, 5, 3], 1), ctx(new Uint8Array(7)))).toThrow(/mask has 7 entries, but input \[2, 5, 3\] needs 10/);
    const m = rl.sequential({ layers: [rl.layers.gru({ units: 2, inputShape: [5, 3] })] });
    expect(() => m.predict(rand([2, 5, 4], 1))).toThrow(/sequential\S*\.predict: x has shape \[2, 5, 4\] but gru\S* expects \[null, 5, 3\]/);
    // The layer itself, run alone, says the same in its own words.
    expect(() => m.layers[0].apply(rand([2, 5, 4], 1))).toThrow(/gru.*expected input of shape \(None, 5, 3\), got \[2, 5, 4\]/);
  });
});
