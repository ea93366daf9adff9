// Token ids below 0: rnnlab's Embedding refuses them, and so does the exported model in ONNX Runtime (its guard sends
// them past the table before the Gather, which would otherwise count a negative index from the table's end), for a
// Sequential and a functional model; in-range ids give predict's numbers and the file still imports.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { maxAbsDiff, ortSession, randomize } from './helpers.js';

const L = rl.layers;

async function run(session: ort.InferenceSession, ids: number[][]): Promise<Float32Array> {
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('int32', Int32Array.from(ids.flat()), [ids.length, ids[0].length]) });
  return out[session.outputNames[0]].data as Float32Array;
}

describe('negative token ids in an exported model', () => {
  const seq = rl.sequential({ layers: [L.embedding({ inputDim: 10, outputDim: 3, inputLength: 4, maskZero: true }), L.lstm({ units: 2 }), L.dense({ units: 1 })] });
  randomize(seq, 5);
  const input = rl.input({ shape: [4], dtype: 'int32', name: 'ids' });
  const fn = rl.model({ inputs: input, outputs: L.dense({ units: 2 }).apply(L.globalAveragePooling1d().apply(L.embedding({ inputDim: 10, outputDim: 3 }).apply(input))) as rl.SymbolicTensor });
  randomize(fn, 6);

  for (const [what, model] of [['Sequential', seq], ['functional', fn]] as const) {
    it(`${what}: are refused by ONNX Runtime as by predict; ids in range give predict's numbers`, async () => {
      const session = await ortSession(toOnnx(model));
      const good = [[0, 1, 9, 3], [5, 0, 0, 2]];
      const ours = model.predict(rl.tensor(good, [2, 4], 'int32')) as rl.Tensor;
      expect(maxAbsDiff(await run(session, good), ours.values)).toBeLessThanOrEqual(1e-6);
      for (const bad of [-1, -10, 10]) {
        expect(() => model.predict(rl.tensor([[1, bad, 2, 3]], [1, 4], 'int32'))).toThrow();
        await expect(run(session, [[1, bad, 2, 3]]), `id ${bad}`).rejects.toThrow(/out of (data )?bounds|indices/i);
      }
    });
  }

  it('the Sequential export still imports, predicting as before', () => {
    const back = modelFromOnnx(toOnnx(seq));
    const x = rl.tensor([[0, 1, 9, 3], [5, 0, 0, 2]], [2, 4], 'int32');
    expect(maxAbsDiff(back.predict(x).values, seq.predict(x).values)).toBeLessThanOrEqual(1e-6);
  });
});
