// LayerNormalization over any set of axes exports: listed out of order (axis [2, 1], whose gamma has shape [4, 3]
// though rnnlab, as Keras and tfjs, reads its values in the axes' ascending order) and over axes that are not the
// trailing ones (moved last around ONNX's node and back, as rnnlab does). ONNX Runtime must equal predict (<= 1e-5),
// rank 3 and 4, with and without scale and center, and with a padding mask passing through to an LSTM.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff, ortPredict, ortSession, randomize, tokenIds } from './helpers.js';

const L = rl.layers;

function values(shape: number[], seed: number): rl.Tensor {
  const r = new Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.uniform(-3, 3)), shape);
}

describe('ONNX export of LayerNormalization over any axes', () => {
  const cases: [number | number[], number[], Record<string, unknown>][] = [
    [[2, 1], [3, 4], {}],
    [[-1, -2], [3, 4], { center: false }],
    [[3, 1, 2], [2, 3, 4], {}],
    [[3, 2], [2, 3, 4], {}],
    [1, [3, 4], {}],
    [[1], [3, 4], { scale: false }],
    [[1, 3], [2, 3, 4], {}],
    [[2, 1], [2, 3, 4], { center: false }],
  ];
  for (const [axis, inputShape, opts] of cases) {
    it(`axis ${JSON.stringify(axis)} on (batch, ${inputShape.join(', ')}) ${JSON.stringify(opts)}`, async () => {
      const m = rl.sequential({ layers: [L.layerNormalization({ axis, inputShape, ...opts })] });
      randomize(m, inputShape.length + 3);
      const x = values([2, ...inputShape], 5);
      expect(maxAbsDiff(m.predict(x).values, await ortPredict(await ortSession(toOnnx(m)), x))).toBeLessThanOrEqual(1e-5);
    });
  }

  it('over the steps axis, between a masked Embedding and an LSTM (the mask passes)', async () => {
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputLength: 5 }), L.layerNormalization({ axis: [2, 1] }), L.lstm({ units: 2 })] });
    randomize(m, 8);
    const x = tokenIds(3, 5, 9, 2, { pad: true, holes: true });
    expect(maxAbsDiff(m.predict(x).values, await ortPredict(await ortSession(toOnnx(m)), x))).toBeLessThanOrEqual(1e-5);
  });
});
