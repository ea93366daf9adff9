// Attention, AdditiveAttention and Dot exported to ONNX and run by ONNX Runtime against rnnlab's predict (max abs
// difference <= 1e-5), with every option rnnlab's layers take: learned scales, causal masks, padding masks on the
// query and the value, a separate key, the attention weights as a second output, dropout (the identity here), and
// Dot's axes and normalize.
import { describe, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { expectSameAsOrt, tokenIds } from './helpers.js';

const one = (v: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => v as SymbolicTensor;
const list = (v: SymbolicTensor | SymbolicTensor[]): SymbolicTensor[] => (Array.isArray(v) ? v : [v]);
const floats = (shape: number[], seed: number) => rl.randomNormal(shape, 0, 1, 'float32', seed);

/** Sets a layer's learned scale to values that are not its initial ones, so the export must carry it. */
function perturbScale(layer: { getWeightValues(): Float32Array[]; setWeights(v: Float32Array[]): void }): void {
  const [s] = layer.getWeightValues();
  layer.setWeights([Float32Array.from(s, (v, i) => v * 0.7 + 0.3 * (i + 1))]);
}

type AttentionKind = 'attention' | 'additiveAttention';

describe('Attention and AdditiveAttention export and match predict in ONNX Runtime', () => {
  for (const kind of ['attention', 'additiveAttention'] as AttentionKind[]) {
    for (const useScale of [false, true]) {
      it(`${kind}, useScale ${useScale}, causal, the weights as a second output, dropout 0.3 (identity at inference)`, async () => {
        rl.setSeed(21);
        const q = rl.input({ shape: [4, 6], name: 'query' }), v = rl.input({ shape: [5, 6], name: 'value' });
        const layer = rl.layers[kind]({ useScale, causal: true, dropout: 0.3, returnAttentionScores: true, name: 'att' });
        const outs = list(layer.apply([q, v]));
        if (useScale) perturbScale(layer);
        await expectSameAsOrt(rl.model({ inputs: [q, v], outputs: outs }), [floats([3, 4, 6], 1), floats([3, 5, 6], 2)]);
      });
    }

    it(`${kind} with padding masks on query and value (embeddings with maskZero), causal, and a separate key`, async () => {
      rl.setSeed(22);
      const qi = rl.input({ shape: [5], dtype: 'int32', name: 'query_ids' }), vi = rl.input({ shape: [7], dtype: 'int32', name: 'value_ids' });
      const qe = one(rl.layers.embedding({ inputDim: 20, outputDim: 4, maskZero: true }).apply(qi));
      const ve = one(rl.layers.embedding({ inputDim: 20, outputDim: 4, maskZero: true }).apply(vi));
      const ke = one(rl.layers.dense({ units: 4, activation: 'tanh' }).apply(ve));
      const layer = rl.layers[kind]({ returnAttentionScores: true, causal: true });
      const [ctx, w] = list(layer.apply([qe, ve, ke]));
      if (kind === 'additiveAttention') perturbScale(layer);
      // The context keeps the query's mask: an LSTM after it skips the padded query steps.
      const h = one(rl.layers.lstm({ units: 3 }).apply(ctx));
      const m = rl.model({ inputs: [qi, vi], outputs: [h, w, ctx] });
      await expectSameAsOrt(m, [tokenIds(6, 5, 20, 3, { pad: true, holes: true }), tokenIds(6, 7, 20, 4, { pad: true, holes: true })]);
    });
  }

  it('useCausalMask (Keras 3 spelling) without a value mask, on a self-attention over one sequence', async () => {
    rl.setSeed(23);
    const x = rl.input({ shape: [6, 3] });
    const y = one(rl.layers.attention({ useCausalMask: true }).apply([x, x]));
    await expectSameAsOrt(rl.model({ inputs: x, outputs: y }), [floats([4, 6, 3], 3)]);
  });
});

describe('Dot exports with its axes and normalize', () => {
  const cases: { shapes: [number[], number[]]; axes: number | [number, number] }[] = [
    { shapes: [[5], [5]], axes: 1 },
    { shapes: [[5], [5]], axes: -1 },
    { shapes: [[3, 4], [5, 4]], axes: 2 },
    { shapes: [[3, 4], [3, 5]], axes: 1 },
    { shapes: [[3, 4], [4, 6]], axes: [2, 1] },
    { shapes: [[4, 3], [6, 4]], axes: [1, 2] },
    { shapes: [[3, 4], [5, 4]], axes: [-1, -1] },
  ];
  for (const { shapes, axes } of cases) {
    for (const normalize of [false, true]) {
      it(`inputs ${JSON.stringify(shapes)}, axes ${JSON.stringify(axes)}, normalize ${normalize}`, async () => {
        const a = rl.input({ shape: shapes[0] }), b = rl.input({ shape: shapes[1] });
        const y = one(rl.layers.dot({ axes, normalize }).apply([a, b]));
        const xa = floats([4, ...shapes[0]], 5), xb = floats([4, ...shapes[1]], 6);
        xa.values.fill(0, 0, shapes[0].reduce((p, d) => p * d, 1)); // a zero sample: normalize's clipped norm
        await expectSameAsOrt(rl.model({ inputs: [a, b], outputs: y }), [xa, xb]);
      });
    }
  }

});
