// ONNX import of the activation operators Elu, Selu, Softplus and Softsign (what exportOnnx writes for Dense's elu,
// selu, softplus and softsign, and what PyTorch writes for nn.ELU, nn.SELU, ...): they used to be refused
// ("operator Elu is not imported"), so such a model did not round-trip. An Elu or Selu whose constants are not
// Keras's is refused naming the node and the attribute.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import type { Activation } from '../../src/autograd/ops.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff, ortPredict, ortSession } from './helpers.js';

const L = rl.layers;
const r = new Random(3);
const x = rl.tensor(Float32Array.from({ length: 5 * 4 * 3 }, () => (r.next() - 0.5) * 6), [5, 4, 3]);

describe('activation operators import as Keras activations', () => {
  for (const activation of ['elu', 'selu', 'softplus', 'softsign'] as Activation[]) {
    it(`${activation}: Dense activation and an Activation layer round-trip, equal to predict and ONNX Runtime`, async () => {
      rl.setSeed(4);
      const m = rl.sequential({ layers: [L.lstm({ units: 4, returnSequences: true, inputShape: [4, 3] }), L.dense({ units: 3, activation }),
        L.flatten(), L.activation({ activation })] });
      const bytes = toOnnx(m);
      const back = modelFromOnnx(bytes, 'act.onnx');
      expect(back.layers.map((l) => l.className)).toEqual(['LSTM', 'TimeDistributed', 'Flatten', 'Activation']);
      expect(back.layers[3].getConfig()).toMatchObject({ activation });
      const want = (m.predict(x) as rl.Tensor).values;
      expect(maxAbsDiff((back.predict(x) as rl.Tensor).values, want)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(await ortPredict(await ortSession(bytes), x), want)).toBeLessThanOrEqual(1e-5);
    });
  }

  const gemmThen = (op: string, attrs: Record<string, unknown>) => {
    const g = new GraphBuilder();
    const y = g.node(op, [g.node('Gemm', ['x', g.floats('W', [0.5, -1, 2, 0.3, 0.1, -0.7], [3, 2]), g.floats('b', [0.2, -0.1], [2])])], attrs as never, 'act');
    return g.toBytes({ name: 'x', elemType: 'float32', shape: ['batch', 3] }, { name: y, elemType: 'float32', shape: ['batch', 2] }, 'g', '');
  };

  it("PyTorch's Elu with alpha 1 written out becomes Dense's activation; other constants are refused by attribute", async () => {
    const bytes = gemmThen('Elu', { alpha: { float: 1 } });
    const m = modelFromOnnx(bytes, 'elu.onnx');
    expect(m.layers[0].getConfig()).toMatchObject({ activation: 'elu' });
    const x2 = rl.tensor([1, -2, 0.5, -3, 0.2, 0.1], [2, 3]);
    expect(maxAbsDiff((m.predict(x2) as rl.Tensor).values, await ortPredict(await ortSession(bytes), x2))).toBeLessThanOrEqual(1e-6);
    expect(() => modelFromOnnx(gemmThen('Elu', { alpha: { float: 0.5 } }), 'elu.onnx')).toThrow(/elu\.onnx: node 'act_node' \(Elu\): only Elu with alpha 1 .*alpha is 0\.5/);
    expect(() => modelFromOnnx(gemmThen('Selu', { gamma: { float: 2 } }), 'selu.onnx')).toThrow(/node 'act_node' \(Selu\): .*gamma is 2/);
    expect(() => modelFromOnnx(gemmThen('HardSigmoid', { alpha: { float: 0.25 } }), 'hs.onnx')).toThrow(/node 'act_node' \(HardSigmoid\): only HardSigmoid with alpha 0\.2, beta 0\.5/);
  });
});
