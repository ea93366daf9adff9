// ONNX import of a causal Conv1D with strides > 1: its pads [span - 1, 0] were refused at any stride but 1 ("padding
// NOTSET [2,0] has no Keras equivalent"), though Keras's causal padding is the same at every stride.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff, ortPredict, ortSession } from './helpers.js';

const L = rl.layers;

describe('causal Conv1D with strides round-trips through ONNX', () => {
  for (const [kernelSize, strides] of [[3, 2], [2, 3], [4, 2]]) {
    it(`kernelSize ${kernelSize} strides ${strides}, then an LSTM`, async () => {
      rl.setSeed(kernelSize * 10 + strides);
      const m = rl.sequential({ layers: [L.conv1d({ filters: 3, kernelSize, strides, padding: 'causal', activation: 'relu', inputShape: [null, 2] as unknown as number[] }), L.lstm({ units: 2 })] });
      const r = new Random(strides);
      const xs = [9, 10, 4].map((T) => rl.tensor(Float32Array.from({ length: 3 * T * 2 }, () => r.next() * 2 - 1), [3, T, 2]));
      m.predict(xs[0]);
      const bytes = toOnnx(m);
      const back = modelFromOnnx(bytes, 'causal.onnx');
      expect(back.layers[0].getConfig()).toMatchObject({ padding: 'causal', strides: [strides], kernelSize: [kernelSize] });
      const session = await ortSession(bytes);
      for (const x of xs) {
        const want = (m.predict(x) as rl.Tensor).values;
        expect(maxAbsDiff((back.predict(x) as rl.Tensor).values, want)).toBeLessThanOrEqual(1e-5);
        expect(maxAbsDiff(await ortPredict(session, x), want)).toBeLessThanOrEqual(1e-5);
      }
    });
  }
});
