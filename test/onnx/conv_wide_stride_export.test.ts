// Conv1D 'same' with a stride past its window: Keras pads max((ceil(T/s) - 1)·s + k - T, 0), which ONNX Runtime's
// SAME_UPPER does not clamp at 0 (it shifted every window where the formula went below -2); the exporter computes the
// pads in the graph. And a Sequential built by its first predict declares its output's steps as unknown, as its input's.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { onnxSchema } from '../../src/onnx/proto.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff, ortPredict, ortSession, randomize } from './helpers.js';

const L = rl.layers;

function floats(shape: number[], seed: number): rl.Tensor {
  const r = new Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.next() * 2 - 1), shape);
}

describe("Conv1D padding 'same' with strides > kernelSize", () => {
  it.each([[1, 4], [2, 5], [1, 5], [3, 6], [1, 2], [2, 3], [3, 4]])('kernel %i, stride %i: ONNX Runtime equals predict at every length 1-16', async (k, s) => {
    const m = rl.sequential({ layers: [L.conv1d({ inputShape: [null, 2], filters: 3, kernelSize: k, strides: s, padding: 'same', activation: 'tanh' })] });
    m.predict(floats([1, 8, 2], 1));
    randomize(m, 2);
    const session = await ortSession(toOnnx(m));
    for (let T = 1; T <= 16; T++) {
      const x = floats([2, T, 2], 10 + T);
      const ours = m.predict(x);
      expect(ours.shape, `T=${T}`).toEqual([2, Math.ceil(T / s), 3]);
      expect(maxAbsDiff(ours.values, await ortPredict(session, x)), `T=${T}`).toBeLessThanOrEqual(1e-5);
    }
  });

  it("the case that shifted: kernel 1, stride 4 on [10, 20, 30, 40] gives 10 (Keras pads nothing)", async () => {
    const m = rl.sequential({ layers: [L.conv1d({ inputShape: [null, 1], filters: 1, kernelSize: 1, strides: 4, padding: 'same', useBias: false })] });
    m.layers[0].setWeights([rl.tensor([1], [1, 1, 1])]);
    const x = rl.tensor([10, 20, 30, 40], [1, 4, 1]);
    expect(Array.from(m.predict(x).values)).toEqual([10]);
    expect(Array.from(await ortPredict(await ortSession(toOnnx(m)), x))).toEqual([10]);
  });
});

describe('the declared output shape', () => {
  const dims = (bytes: Uint8Array, which: 'input' | 'output') => {
    const model = onnxSchema().ModelProto.decode(bytes) as unknown as { graph: Record<string, { type: { tensorType: { shape: { dim: { dimParam?: string; dimValue?: unknown }[] } } } }[]> };
    return model.graph[which][0].type.tensorType.shape.dim.map((d) => d.dimParam || Number(d.dimValue));
  };

  it('a Sequential built by its first predict (no input shape) declares unknown steps in and out, and runs at other lengths', async () => {
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 20, outputDim: 4 }), L.lstm({ units: 3, returnSequences: true })] });
    m.predict(rl.tensor(new Int32Array(14).fill(3), [2, 7], 'int32'));
    const bytes = toOnnx(m);
    expect(dims(bytes, 'input')).toEqual(['batch', 'dim_1']);
    expect(dims(bytes, 'output')).toEqual(['batch', 'output_dim_1', 3]);
    const x = rl.tensor(Int32Array.from({ length: 55 }, (_, i) => 1 + (i % 19)), [5, 11], 'int32');
    expect(maxAbsDiff(m.predict(x).values, await ortPredict(await ortSession(bytes), x))).toBeLessThanOrEqual(1e-5);
  });

  it('a model whose Flatten fixes the length, built by its first predict, declares the length it was built for', async () => {
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 20, outputDim: 2 }), L.flatten(), L.dense({ units: 1 })] });
    const x = rl.tensor(Int32Array.from({ length: 10 }, (_, i) => 1 + i), [2, 5], 'int32');
    m.predict(x);
    const bytes = toOnnx(m);
    expect(dims(bytes, 'output')).toEqual(['batch', 1]);
    expect(maxAbsDiff(m.predict(x).values, await ortPredict(await ortSession(bytes), x))).toBeLessThanOrEqual(1e-5);
  });

  it('a model built for a fixed length keeps it in both', () => {
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 20, outputDim: 4, inputLength: 6 }), L.conv1d({ filters: 2, kernelSize: 3, strides: 2 })] });
    m.predict(rl.tensor(new Int32Array(12).fill(1), [2, 6], 'int32'));
    const bytes = toOnnx(m);
    expect(dims(bytes, 'input')).toEqual(['batch', 6]);
    expect(dims(bytes, 'output')).toEqual(['batch', 2, 2]);
  });
});
