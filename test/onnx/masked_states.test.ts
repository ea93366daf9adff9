// Recurrent layers at the edges of masking, exported and run by ONNX Runtime against rnnlab's predict (<= 1e-5) and
// imported back: returnState and initialState in functional models with rows that are all padding, and sequences of
// one step, a batch of one and rows of padding only, through every cell, direction and returnSequences.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { Random } from '../../src/random.js';
import { expectSameAsOrt, maxAbsDiff, ortPredict, ortSession, tokenIds } from './helpers.js';

const L = rl.layers;
const CELLS = ['lstm', 'gru', 'simpleRNN'] as const;
const ids = (rows: number[][]) => rl.tensor(Int32Array.from(rows.flat()), [rows.length, rows[0].length], 'int32');

function floats(shape: number[], seed: number): rl.Tensor {
  const r = new Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.next() * 2 - 1), shape);
}

describe('returnState with initial states over masked ids, an all-padding row included', () => {
  for (const cell of CELLS) for (const returnSequences of [false, true]) for (const goBackwards of [false, true]) {
    it(`${cell}, returnSequences ${returnSequences}, goBackwards ${goBackwards}`, async () => {
      rl.setSeed(3);
      const tokens = rl.input({ shape: [7], dtype: 'int32', name: 'tokens' });
      const context = rl.input({ shape: [4], name: 'context' });
      const e = L.embedding({ inputDim: 20, outputDim: 3, maskZero: true }).apply(tokens) as SymbolicTensor;
      // Non-zero initial states: a row with no real step must carry them (or give the zero output) exactly as predict.
      const states = Array.from({ length: cell === 'lstm' ? 2 : 1 }, (_, k) => L.dense({ units: 4, activation: 'tanh', name: `state_${k}` }).apply(context) as SymbolicTensor);
      const outs = L[cell]({ units: 4, returnSequences, goBackwards, returnState: true, name: 'rec' }).apply(e, { initialState: states }) as SymbolicTensor[];
      const m = rl.model({ inputs: [tokens, context], outputs: outs });
      await expectSameAsOrt(m, [tokenIds(6, 7, 20, 4, { pad: true, holes: true, allowEmpty: true }), floats([6, 4], 9)]);
    });
  }
});

describe('one step, a batch of one, rows of padding only', () => {
  for (const cell of CELLS) for (const returnSequences of [false, true]) for (const goBackwards of [false, true]) {
    it(`${cell}, returnSequences ${returnSequences}, goBackwards ${goBackwards}: ONNX Runtime and the imported model equal predict`, async () => {
      rl.setSeed(2);
      const m = rl.sequential({ layers: [
        L.embedding({ inputDim: 9, outputDim: 3, maskZero: true, batchInputShape: [null, null] }),
        L[cell]({ units: 3, goBackwards, returnSequences }),
      ] });
      const bytes = toOnnx(m);
      const session = await ortSession(bytes);
      const imported = modelFromOnnx(bytes, 'edge.onnx');
      for (const x of [ids([[0]]), ids([[5]]), ids([[0], [3]]), ids([[0, 0, 0]]), ids([[1, 0, 2, 0]])]) {
        const ours = m.predict(x);
        expect(maxAbsDiff(ours.values, await ortPredict(session, x)), JSON.stringify(x.values)).toBeLessThanOrEqual(1e-5);
        expect(maxAbsDiff(ours.values, imported.predict(x).values)).toBeLessThanOrEqual(1e-5);
      }
    });
  }
});

describe('a Bidirectional layer returning its states', () => {
  it('is refused at export naming the Bidirectional layer, not a Sequential export', () => {
    const x = rl.input({ shape: [4, 3] });
    const outs = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, returnState: true }), name: 'bi' }).apply(x) as SymbolicTensor[];
    const m = rl.model({ inputs: x, outputs: outs });
    expect(() => toOnnx(m)).toThrow(/bi.*initial states and returnState of a Bidirectional layer are not exported/);
    expect(() => toOnnx(m)).not.toThrow(/Sequential/);
  });
});
