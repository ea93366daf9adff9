// Functional models (rl.model) exported to ONNX and run by ONNX Runtime: several inputs and outputs, every merge
// layer, recurrent branches (masked, bidirectional) and TimeDistributed; outputs must equal predict's (max abs
// difference <= 1e-5). Layers the export cannot express are refused by name.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { maxAbsDiff, ortSession, tokenIds } from './helpers.js';

const TOL = 1e-5;
const one = (v: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => v as SymbolicTensor;

/** Every output of m on xs, from rnnlab and from ONNX Runtime, compared by output name. */
async function expectSameAsOrt(m: rl.Functional, xs: rl.Tensor[]): Promise<void> {
  const session = await ortSession(toOnnx(m));
  expect(session.inputNames).toEqual(m.inputNames);
  expect(session.outputNames).toEqual(m.outputNames);
  const feeds: Record<string, ort.Tensor> = {};
  xs.forEach((x, i) => {
    feeds[session.inputNames[i]] = x.dtype === 'int32' ? new ort.Tensor('int32', Int32Array.from(x.values), x.shape) : new ort.Tensor('float32', Float32Array.from(x.values), x.shape);
  });
  const theirs = await session.run(feeds);
  const ours = m.predict(xs);
  const list = Array.isArray(ours) ? ours : [ours];
  list.forEach((o, i) => {
    const t = theirs[session.outputNames[i]];
    expect(t.dims).toEqual(o.shape);
    expect(maxAbsDiff(o.values, t.data as Float32Array), session.outputNames[i]).toBeLessThanOrEqual(TOL);
  });
}

describe('functional models export and match predict in ONNX Runtime', () => {
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
  it('attention', () => {
    const q = rl.input({ shape: [3, 4] }), v = rl.input({ shape: [5, 4] });
    const y = one(rl.layers.attention({ name: 'att' }).apply([q, v]));
    expect(() => toOnnx(rl.model({ inputs: [q, v], outputs: y }))).toThrow(/layer 'att' \(Attention\) is not exported yet/);
  });

  it('a recurrent layer returning its states', () => {
    const x = rl.input({ shape: [3, 2] });
    const outs = rl.layers.lstm({ units: 2, returnState: true, name: 'stateful_out' }).apply(x) as SymbolicTensor[];
    expect(() => toOnnx(rl.model({ inputs: x, outputs: outs[0] }))).toThrow(/layer 'stateful_out' \(LSTM\) returns its states too/);
  });

  it('merging masked sequences', () => {
    const ids = rl.input({ shape: [4], dtype: 'int32' });
    const e1 = one(rl.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true }).apply(ids));
    const e2 = one(rl.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true }).apply(ids));
    const y = one(rl.layers.add({ name: 'masked_add' }).apply([e1, e2]));
    expect(() => toOnnx(rl.model({ inputs: ids, outputs: y }))).toThrow(/layer 'masked_add' \(Add\) merges masked sequences/);
  });
});
