// Functional models (rl.model) exported to ONNX and run by ONNX Runtime: several inputs and outputs, every merge
// layer, recurrent branches (masked, bidirectional) and TimeDistributed; outputs must equal predict's (max abs
// difference <= 1e-5). Layers the export cannot express are refused by name.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { expectSameAsOrt, tokenIds } from './helpers.js';

const one = (v: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => v as SymbolicTensor;

describe('functional models export and match predict in ONNX Runtime', () => {
  it("a layer's later outputs are named by their index among its outputs, whatever the model lists first", async () => {
    const q = rl.input({ shape: [3, 4] }), v = rl.input({ shape: [5, 4] });
    const [ctx, w] = rl.layers.attention({ returnAttentionScores: true, name: 'att' }).apply([q, v]) as SymbolicTensor[];
    const att = rl.model({ inputs: [q, v], outputs: [w, ctx] });
    const xs = [rl.randomNormal([2, 3, 4]), rl.randomNormal([2, 5, 4])];
    await expectSameAsOrt(att, xs);
    expect(att.outputs.map((t) => t.outputIndex)).toEqual([1, 0]);
    const x = rl.input({ shape: [3, 2] });
    const [, h, c] = rl.layers.lstm({ units: 2, returnState: true, name: 'enc' }).apply(x) as SymbolicTensor[];
    await expectSameAsOrt(rl.model({ inputs: x, outputs: [h, c] }), [rl.randomNormal([2, 3, 2])]);
  });

  it('a sum of masked embeddings (the mask of the first input flows on, as in rnnlab) into a masked LSTM', async () => {
    rl.setSeed(13);
    const ids = rl.input({ shape: [6], dtype: 'int32' });
    const e1 = one(rl.layers.embedding({ inputDim: 12, outputDim: 3, maskZero: true }).apply(ids));
    const e2 = one(rl.layers.embedding({ inputDim: 12, outputDim: 3, maskZero: true }).apply(ids));
    const h = one(rl.layers.lstm({ units: 4 }).apply(one(rl.layers.add().apply([e1, e2]))));
    await expectSameAsOrt(rl.model({ inputs: ids, outputs: h }), [tokenIds(5, 6, 12, 8, { pad: true, holes: true })]);
  });

  it('two inputs (masked ids through a bidirectional LSTM, a float sequence through a GRU), concatenated, two outputs', async () => {
    rl.setSeed(11);
    const ids = rl.input({ shape: [9], dtype: 'int32', name: 'tokens' }), seq = rl.input({ shape: [4, 3], name: 'series' });
    const emb = one(rl.layers.embedding({ inputDim: 30, outputDim: 5, maskZero: true }).apply(ids));
    const a = one(rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 4 }) }).apply(emb));
    const b = one(rl.layers.gru({ units: 6 }).apply(seq));
    const joined = one(rl.layers.concatenate({ name: 'joined' }).apply([a, b]));
    const p = one(rl.layers.dense({ units: 1, activation: 'sigmoid', name: 'sentiment' }).apply(joined));
    const q = one(rl.layers.dense({ units: 3, activation: 'softmax', name: 'topic' }).apply(b));
    const m = rl.model({ inputs: [ids, seq], outputs: [p, q] });
    await expectSameAsOrt(m, [tokenIds(6, 9, 30, 3, { pad: true }), rl.randomNormal([6, 4, 3], 0, 1, 'float32', 4)]);
  });

  for (const merge of ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum'] as const) {
    it(`${merge} of dense branches, then TimeDistributed over a repeated vector`, async () => {
      rl.setSeed(12);
      const x = rl.input({ shape: [5] });
      const u = one(rl.layers.dense({ units: 4, activation: 'tanh' }).apply(x));
      const v = one(rl.layers.dense({ units: 4, activation: 'relu' }).apply(x));
      const branches = merge === 'subtract' ? [u, v] : [u, v, one(rl.layers.dense({ units: 4 }).apply(x))];
      const merged = one(rl.layers[merge]().apply(branches));
      const rep = one(rl.layers.repeatVector({ n: 3 }).apply(merged));
      const h = one(rl.layers.lstm({ units: 5, returnSequences: true }).apply(rep));
      const y = one(rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 2, activation: 'softmax' }) }).apply(h));
      await expectSameAsOrt(rl.model({ inputs: x, outputs: y }), [rl.randomNormal([7, 5], 0, 1, 'float32', 5)]);
    });
  }
});

describe('functional export refuses what it cannot express, naming the layer', () => {
  it('a layer with no ONNX export (a recurrent layer with a linear activation is exported, as Affine)', async () => {
    const x = rl.input({ shape: [3, 2] });
    class Custom extends rl.layerClasses.Dense { static override readonly className: string = 'MyCustom'; }
    const custom = one(new Custom({ units: 2, name: 'mine' }).apply(x));
    expect(() => toOnnx(rl.model({ inputs: x, outputs: custom }))).toThrow(/layer 'mine' \(MyCustom\) has no ONNX export/);
    const outs = rl.layers.gru({ units: 2, activation: 'linear', returnState: true, name: 'linear_gru' }).apply(x) as SymbolicTensor[];
    await expectSameAsOrt(rl.model({ inputs: x, outputs: outs }), [rl.tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), [2, 3, 2])]);
  });

  it('a Concatenate of masked sequences along time', () => {
    const ids = rl.input({ shape: [4], dtype: 'int32' });
    const e1 = one(rl.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true }).apply(ids));
    const e2 = one(rl.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true }).apply(ids));
    const y = one(rl.layers.concatenate({ axis: 1, name: 'time_join' }).apply([e1, e2]));
    expect(() => toOnnx(rl.model({ inputs: ids, outputs: y }))).toThrow(/layer 'time_join' \(Concatenate\) joins masked sequences along time/);
  });
});
