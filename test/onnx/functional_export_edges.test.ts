// Functional models at the edges of the ONNX export: an RNN over one cell called with initial states or returning
// its states exports as the layer it equals (ONNX Runtime equals predict, <= 1e-5), over a stack of cells it is
// refused naming the RNN layer; a model input listed as an output comes out through an Identity named
// '<input>_output', with the input's own type.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as rl from '../../src/index.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { toOnnx } from '../../src/onnx/index.js';
import { Random } from '../../src/random.js';
import { expectSameAsOrt, maxAbsDiff, ortSession, randomize, tokenIds } from './helpers.js';

const L = rl.layers;
const list = (t: unknown) => t as SymbolicTensor[];
const one = (t: unknown) => t as SymbolicTensor;

function values(shape: number[], seed: number): rl.Tensor {
  const r = new Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.uniform(-2, 2)), shape);
}

describe('an RNN over one cell with states, in a functional model', () => {
  for (const [name, cell] of [['lstmCell', () => L.lstmCell({ units: 3 })], ['gruCell', () => L.gruCell({ units: 3 })], ['simpleRNNCell', () => L.simpleRNNCell({ units: 3 })]] as const) {
    it(`${name}: returnState, unmasked and masked, and initial states from another layer`, async () => {
      const a = rl.input({ shape: [null, 2] });
      const plain = rl.model({ inputs: a, outputs: list(L.rnn({ cell: cell(), returnState: true }).apply(a)) });
      randomize(plain, 1);
      await expectSameAsOrt(plain, [values([2, 4, 2], 2)]);

      const ids = rl.input({ shape: [5], dtype: 'int32' });
      const enc = list(L.rnn({ cell: cell(), returnState: true }).apply(one(L.embedding({ inputDim: 9, outputDim: 2, maskZero: true }).apply(ids))));
      const dec = L.rnn({ cell: cell(), returnSequences: true, returnState: true }).apply(one(L.embedding({ inputDim: 9, outputDim: 2 }).apply(ids)), { initialState: enc.slice(1) });
      const masked = rl.model({ inputs: ids, outputs: list(dec) });
      randomize(masked, 3);
      await expectSameAsOrt(masked, [tokenIds(3, 5, 9, 4, { pad: true, holes: true, allowEmpty: true })]);
    });
  }

  it('over a stack of cells: refused naming the RNN layer and what is not exported', () => {
    const a = rl.input({ shape: [null, 2] });
    const stacked = L.rnn({ cell: [L.lstmCell({ units: 2 }), L.lstmCell({ units: 2 })], returnState: true, name: 'stack' });
    const m = rl.model({ inputs: a, outputs: list(stacked.apply(a)) });
    expect(() => toOnnx(m)).toThrow(/layer 'stack' \(RNN\) runs over a stack of cells: its returnState is not exported/);
  });
});

describe('a model input listed as an output', () => {
  it('float and int32 inputs pass through an Identity named <input>_output, with their own type', async () => {
    const x = rl.input({ shape: [3], name: 'features' });
    const ids = rl.input({ shape: [2], dtype: 'int32', name: 'ids' });
    const y = L.dense({ units: 2, name: 'head' }).apply(one(L.concatenate().apply([x, one(L.flatten().apply(one(L.embedding({ inputDim: 5, outputDim: 2 }).apply(ids))))])));
    const m = rl.model({ inputs: [x, ids], outputs: [x, one(y), ids] });
    randomize(m, 6);
    const session = await ortSession(toOnnx(m));
    expect(session.outputNames).toEqual(['features_output', 'head', 'ids_output']);
    const xv = values([2, 3], 7), iv = rl.tensor([[1, 4], [0, 3]], [2, 2], 'int32');
    const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(xv.values), [2, 3]), ids: new ort.Tensor('int32', Int32Array.from(iv.values), [2, 2]) });
    const ours = m.predict([xv, iv]) as rl.Tensor[];
    expect(out.ids_output.type).toBe('int32');
    expect(Array.from(out.ids_output.data as Int32Array)).toEqual(Array.from(iv.values));
    expect(maxAbsDiff(out.features_output.data as Float32Array, ours[0].values)).toBe(0);
    expect(maxAbsDiff(out.head.data as Float32Array, ours[1].values)).toBeLessThanOrEqual(1e-5);
  });

  it("beside a layer named <input>_output, the layer keeps the name and the input passes as '<input>_output0'", async () => {
    const x = rl.input({ shape: [3], name: 'x' });
    const m = rl.model({ inputs: x, outputs: [one(L.dense({ units: 2, name: 'x_output' }).apply(x)), x] });
    expect((await ortSession(toOnnx(m))).outputNames).toEqual(['x_output', 'x_output0']);
  });
});
