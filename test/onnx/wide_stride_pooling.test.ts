// 'same' pooling whose stride is longer than its window: Keras pads max((ceil(T/s) - 1)·s + k - T, 0) steps, which
// goes to zero for some lengths, where ONNX Runtime's SAME_UPPER refused to run ("padding values must be non-negative").
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff, ortPredict, ortSession } from './helpers.js';

const L = rl.layers;
const floats = (shape: number[], seed: number): rl.Tensor => {
  const r = new Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r.next() - 0.5) * 4), shape);
};

describe("ONNX export of 'same' pooling with strides longer than the window", () => {
  for (const kind of ['maxPooling1d', 'averagePooling1d'] as const) {
    for (const [poolSize, strides] of [[2, 3], [1, 2], [2, 5], [3, 4]]) {
      it(`${kind} poolSize ${poolSize} strides ${strides} matches predict at every length (any number of steps)`, async () => {
        const m = rl.sequential({ layers: [L[kind]({ poolSize, strides, padding: 'same', inputShape: [null, 2] as unknown as number[] })] });
        const session = await ortSession(toOnnx(m));
        // Lengths where Keras pads nothing (the formula is negative) and where it pads one or more steps.
        for (const T of [1, 2, 3, 4, 5, 6, 7, 9, 10, 11]) {
          const x = floats([3, T, 2], T);
          const want = m.predict(x) as rl.Tensor;
          const got = await ortPredict(session, x);
          expect(got.length, `T=${T}`).toBe(want.size);
          expect(maxAbsDiff(want.values, got), `T=${T}`).toBeLessThanOrEqual(1e-5);
        }
      });
    }
  }

  it('inside a model with a fixed length, before an LSTM, batch 1 and 4', async () => {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [L.conv1d({ filters: 3, kernelSize: 2, padding: 'same', inputShape: [9, 2] }),
      L.averagePooling1d({ poolSize: 2, strides: 3, padding: 'same' }), L.maxPooling1d({ poolSize: 1, strides: 2, padding: 'same' }), L.lstm({ units: 2 })] });
    const session = await ortSession(toOnnx(m));
    for (const x of [floats([1, 9, 2], 1), floats([4, 9, 2], 2)]) expect(maxAbsDiff((m.predict(x) as rl.Tensor).values, await ortPredict(session, x))).toBeLessThanOrEqual(1e-5);
  });
});
