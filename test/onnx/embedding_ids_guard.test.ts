// The guard before an Embedding's Gather: ids predict refuses (negative, 2^31 - 1 and any id past the table, and for
// float ids a fraction or NaN) are refused by ONNX Runtime too, instead of reading some row; an Embedding fed float
// ids (rl.input's default dtype, or after another layer) exports a file ONNX Runtime loads and runs as predict does;
// both forms import back.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as rl from '../../src/index.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { GraphBuilder, ID_GUARD_DIVISOR } from '../../src/onnx/graph.js';
import { maxAbsDiff, ortSession, randomize } from './helpers.js';

const L = rl.layers;
const one = (t: unknown) => t as SymbolicTensor;

async function run(session: ort.InferenceSession, type: 'int32' | 'float32', ids: number[][]): Promise<Float32Array> {
  const data = type === 'int32' ? Int32Array.from(ids.flat()) : Float32Array.from(ids.flat());
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor(type, data, [ids.length, ids[0].length]) });
  return out[session.outputNames[0]].data as Float32Array;
}

const GOOD = [[1, 2, 0, 3], [4, 5, 9, 0]];

describe('an Embedding fed float ids', () => {
  const a = rl.input({ shape: [null] });
  const functional = rl.model({ inputs: a, outputs: one(L.lstm({ units: 2 }).apply(one(L.embedding({ inputDim: 10, outputDim: 3, maskZero: true }).apply(a)))) });
  const afterDropout = rl.sequential({ layers: [L.dropout({ rate: 0.1, inputShape: [4] }), L.embedding({ inputDim: 10, outputDim: 2 }), L.flatten()] });
  const afterReshape = rl.sequential({ layers: [L.inputLayer({ batchInputShape: [null, 2, 2], dtype: 'int32' }), L.reshape({ targetShape: [4] }), L.embedding({ inputDim: 10, outputDim: 2 })] });
  const inner = rl.input({ shape: [4], dtype: 'int32' });
  const intModel = rl.model({ inputs: inner, outputs: one(L.globalAveragePooling1d().apply(one(L.embedding({ inputDim: 10, outputDim: 3 }).apply(inner)))) });
  const outer = rl.input({ shape: [4] });
  const nested = rl.model({ inputs: outer, outputs: one(L.dense({ units: 2 }).apply(one(intModel.apply(outer)))) });
  const models = { 'rl.input (float32) -> Embedding(maskZero) -> LSTM': [functional, 'float32'], 'Sequential Dropout -> Embedding': [afterDropout, 'float32'],
    'int32 input -> Reshape -> Embedding': [afterReshape, 'int32'], 'float input -> nested int32 model': [nested, 'float32'] } as const;

  for (const [title, [model, type]] of Object.entries(models)) {
    it(`${title}: ONNX Runtime loads the file and gives predict's numbers`, async () => {
      randomize(model, 3);
      const session = await ortSession(toOnnx(model));
      const x = rl.tensor(GOOD.flat(), title.startsWith('int32') ? [2, 2, 2] : [2, 4], type);
      const feed = type === 'int32' ? new ort.Tensor('int32', Int32Array.from(x.values), x.shape) : new ort.Tensor('float32', Float32Array.from(x.values), x.shape);
      const out = (await session.run({ [session.inputNames[0]]: feed }))[session.outputNames[0]];
      const ours = model.predict(x) as rl.Tensor;
      expect(out.dims).toEqual(ours.shape);
      expect(maxAbsDiff(ours.values, out.data as Float32Array)).toBeLessThanOrEqual(1e-6);
    });
  }

  it('ids predict refuses (negative, past the table, a fraction, NaN) are refused by ONNX Runtime', async () => {
    const session = await ortSession(toOnnx(afterDropout));
    for (const bad of [-1, -10, 10, 2147483647, 1.5, 0.25, NaN]) {
      expect(() => afterDropout.predict(rl.tensor([[1, bad, 2, 3]], [1, 4]))).toThrow();
      await expect(run(session, 'float32', [[1, bad, 2, 3]]), `id ${bad}`).rejects.toThrow(/out of (data )?bounds|indices/i);
    }
  });

  it('imports back, reading float ids as the original does', () => {
    randomize(afterDropout, 4);
    const back = modelFromOnnx(toOnnx(afterDropout));
    expect(back.layers.map((l) => l.className)).toEqual(['Embedding', 'Flatten']);
    const x = rl.tensor(GOOD.flat(), [2, 4]);
    expect(maxAbsDiff(back.predict(x).values, afterDropout.predict(x).values)).toBeLessThanOrEqual(1e-6);
  });
});

describe('token id 2^31 - 1 in an int32 model', () => {
  it('is refused by ONNX Runtime as by predict, in a Sequential and a functional model; the file still imports', async () => {
    const seq = rl.sequential({ layers: [L.embedding({ inputDim: 5, outputDim: 2, inputShape: [null] })] });
    const ids = rl.input({ shape: [3], dtype: 'int32' });
    const fn = rl.model({ inputs: ids, outputs: one(L.embedding({ inputDim: 5, outputDim: 2 }).apply(ids)) });
    for (const model of [seq, fn]) {
      randomize(model, 5);
      const session = await ortSession(toOnnx(model));
      expect(() => model.predict(rl.tensor([[1, 2147483647, 2]], [1, 3], 'int32'))).toThrow(/2147483647/);
      await expect(run(session, 'int32', [[1, 2147483647, 2]])).rejects.toThrow(/out of (data )?bounds|indices/i);
      await expect(run(session, 'int32', [[1, -2147483648, 2]])).rejects.toThrow(/out of (data )?bounds|indices/i);
      const good = [[0, 4, 2]];
      expect(maxAbsDiff(await run(session, 'int32', good), (model.predict(rl.tensor(good, [1, 3], 'int32')) as rl.Tensor).values)).toBeLessThanOrEqual(1e-7);
    }
    const back = modelFromOnnx(toOnnx(seq));
    const x = rl.tensor([[0, 4, 2, 1]], [1, 4], 'int32');
    expect(maxAbsDiff(back.predict(x).values, seq.predict(x).values)).toBeLessThanOrEqual(1e-7);
  });
});

describe('files of earlier exporters', () => {
  it('Mod(ids, 2^31 - 1) before the Gather still imports', () => {
    const g = new GraphBuilder();
    const table = Float32Array.from({ length: 10 }, (_, i) => i / 4);
    const ids = g.node('Mod', ['ids', g.int32Scalar(ID_GUARD_DIVISOR)], { fmod: 0 }, 'ids_mod');
    const y = g.node('Gather', [g.floats('embeddings', table, [5, 2]), ids], { axis: 0 }, 'gather');
    const bytes = g.toBytes({ name: 'ids', elemType: 'int32', shape: ['batch', 3] }, { name: y, elemType: 'float32', shape: ['batch', 3, 2] }, 'old', '');
    const back = modelFromOnnx(bytes);
    expect(back.layers.map((l) => l.className)).toEqual(['Embedding']);
    expect(Array.from(back.predict(rl.tensor([[4, 0, 1]], [1, 3], 'int32')).values)).toEqual([2, 2.25, 0, 0.25, 0.5, 0.75]);
  });
});
