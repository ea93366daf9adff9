// A Sequential's ONNX input is what its predict takes: the steps a later layer fixed when the first predict built the
// model (the same file `rnnlab export` writes for the model saved), and the dtype of a leading InputLayer (float32 by
// default, as rl.input's for a functional model). A plain object whose layers list is empty is refused as an object.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as rl from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { main } from '../../src/cli/main.js';
import { maxAbsDiff, ortSession, randomize } from './helpers.js';

const L = rl.layers;
const ids = (rows: number, steps: number, dtype: 'int32' | 'float32' = 'int32') =>
  rl.tensor(Array.from({ length: rows * steps }, (_, i) => 1 + (i % 8)), [rows, steps], dtype);
const declared = (s: ort.InferenceSession) => (s as unknown as { inputMetadata: { shape: (number | string)[]; type: string }[] }).inputMetadata[0];

let dir = '';
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'rnnlab-onnx-r57-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('a Sequential built by its first predict, whose layers fix the steps', () => {
  const cases: [string, () => Layer[]][] = [
    ['Embedding -> BatchNormalization over the steps', () => [L.embedding({ inputDim: 9, outputDim: 2 }), L.batchNormalization({ axis: 1 })]],
    ['Embedding -> Flatten -> Dense', () => [L.embedding({ inputDim: 9, outputDim: 2 }), L.flatten(), L.dense({ units: 2 })]],
  ];
  for (const [title, layers] of cases) {
    it(`${title}: declares the built length, as predict and the CLI's file of the saved model do`, async () => {
      const m = rl.sequential({ layers: layers() });
      m.predict(ids(2, 7));
      expect(() => m.predict(ids(2, 4))).toThrow('expects [null, 7]');
      const bytes = rl.toOnnx(m);
      const session = await ortSession(bytes);
      expect(declared(session).shape).toEqual(['batch', 7]);
      // ONNX Runtime refuses the lengths predict refuses (it broadcast 1 step and failed deep in the graph on 4).
      for (const steps of [1, 4]) {
        await expect(session.run({ input: new ort.Tensor('int32', Int32Array.from(ids(2, steps).values), [2, steps]) })).rejects.toThrow(/index: 1 Got: \d Expected: 7/);
      }
      const x = ids(3, 7);
      const out = await session.run({ input: new ort.Tensor('int32', Int32Array.from(x.values), x.shape) });
      expect(maxAbsDiff(m.predict(x).values, out.output.data as Float32Array)).toBeLessThanOrEqual(1e-5);
      const saved = join(dir, title.replace(/\W+/g, '_'));
      await m.save(saved);
      let err = '';
      const code = await main(['export', '--model', saved, '--out', `${saved}.onnx`], { out: { write: () => undefined }, err: { write: (s: string) => (err += s) } });
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(Buffer.from(bytes).equals(readFileSync(`${saved}.onnx`))).toBe(true);
    });
  }
});

describe("a Sequential's leading InputLayer gives the input's dtype", () => {
  it('float32 (inputShape without dtype, or batchInputShape) into an Embedding: a float32 input, run on float ids as predict; int32 stays int32', async () => {
    for (const first of [L.inputLayer({ inputShape: [null as unknown as number] }), L.inputLayer({ batchInputShape: [null, null] })]) {
      const m = rl.sequential({ layers: [first, L.embedding({ inputDim: 9, outputDim: 3 }), L.lstm({ units: 2 })] });
      const x = ids(2, 5, 'float32');
      m.predict(x);
      randomize(m, 5);
      const session = await ortSession(rl.toOnnx(m));
      expect(declared(session).type).toBe('float32');
      const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.values), x.shape) });
      expect(maxAbsDiff(m.predict(x).values, out.output.data as Float32Array)).toBeLessThanOrEqual(1e-5);
      // A fraction is no id: refused by ONNX Runtime (the guard) as by predict.
      const frac = rl.tensor([1, 2.5, 3, 4, 5, 6, 7, 8, 1, 2], [2, 5]);
      expect(() => m.predict(frac)).toThrow('token id 2.5 at position [0, 1] (row 0 of x) is not an integer');
      await expect(session.run({ input: new ort.Tensor('float32', Float32Array.from(frac.values), frac.shape) })).rejects.toThrow(/Gather.*out of data bounds/s);
    }
    // int32 given, and no InputLayer before an Embedding, stay an int32 input.
    const given = rl.sequential({ layers: [L.inputLayer({ inputShape: [5], dtype: 'int32' }), L.embedding({ inputDim: 9, outputDim: 3 }), L.flatten()] });
    const bare = rl.sequential({ layers: [L.embedding({ inputDim: 9, outputDim: 3, inputLength: 5 }), L.flatten()] });
    for (const m of [given, bare]) {
      randomize(m, 6);
      const session = await ortSession(rl.toOnnx(m));
      expect(declared(session).type).toBe('int32');
      const x = ids(2, 5);
      const out = await session.run({ input: new ort.Tensor('int32', Int32Array.from(x.values), x.shape) });
      expect(maxAbsDiff(m.predict(x).values, out.output.data as Float32Array)).toBeLessThanOrEqual(1e-5);
    }
  });
});

describe('a plain object with an empty layers list', () => {
  it('is refused as an object, as {} is, not as a model without a name', () => {
    const expected = 'ONNX export (toOnnx): the model (first argument) must be a Sequential or functional model (rl.sequential, rl.model), got an object';
    expect(() => rl.toOnnx({ layers: [] } as never)).toThrow(expected);
    expect(() => rl.toOnnx(Object.assign(Object.create(null) as object, { layers: [] }) as never)).toThrow(expected);
    // An empty Sequential is a model: said by its name.
    expect(() => rl.toOnnx(rl.sequential({ name: 'empty_r57' }))).toThrow("ONNX export: model 'empty_r57' has no layers");
  });
});
