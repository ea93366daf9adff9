// Two limits of the ONNX file: protobuf reads at most 2^31 - 1 bytes, so a larger model is refused before anything is
// written, naming its size and largest weights (checked here on sizes alone: no test allocates 2 GB); and a declared
// batch size stays fixed in the file, so a stateful model's refusal says how to get a copy that takes any batch.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { OnnxExportError, toOnnx } from '../../src/onnx/index.js';
import { checkOnnxSize, GraphBuilder, PROTOBUF_LIMIT } from '../../src/onnx/graph.js';
import { onnxSchema } from '../../src/onnx/proto.js';
import { maxAbsDiff, ortSession, randomize } from './helpers.js';

const L = rl.layers;
const GiB = 2 ** 30;

describe("the file's size limit", () => {
  it('is protobuf\'s 2^31 - 1 bytes: at the limit nothing is said, one byte over is refused naming the size and the largest weights', () => {
    const tensors = [{ name: 'dense_1/bias', bytes: 400 }, { name: 'embedding_1/embeddings', bytes: 1.5 * GiB }, { name: 'lstm_1/W', bytes: 0.5 * GiB }];
    expect(() => checkOnnxSize(PROTOBUF_LIMIT, tensors)).not.toThrow();
    let error: unknown;
    try { checkOnnxSize(PROTOBUF_LIMIT + 1, tensors); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(OnnxExportError);
    expect((error as Error).message).toBe(`ONNX export: the model file would be 2.00 GiB (${2 ** 31} bytes), over the 2147483647 bytes (2 GiB) protobuf reads `
      + "in one file, so ONNX Runtime could not load it; largest weights: 'embedding_1/embeddings' (1.50 GiB), 'lstm_1/W' (512.0 MiB), 'dense_1/bias' (400 bytes). "
      + 'rnnlab does not write ONNX external data: export a smaller model (fewer units, a smaller vocabulary)');
  });

  it('is checked on the weights before they are encoded (tensors that only claim their size: nothing is allocated)', () => {
    const g = new GraphBuilder();
    const x = g.node('Identity', ['input'], {}, 'y');
    // What toBytes reads of an initializer's data is its size; the bytes themselves are never reached.
    g.initializers.push({ name: 'huge/kernel', dataType: 1, dims: [2 ** 29 + 1], rawData: { byteLength: 2 * GiB + 4 } as Uint8Array });
    const io = (name: string) => ({ name, elemType: 'float32' as const, shape: [1] });
    expect(() => g.toBytes(io('input'), io(x), 'm', '')).toThrow(/the model file would be 2\.00 GiB \(2147483652 bytes\).*largest weights: 'huge\/kernel' \(2\.00 GiB\)/);
  });

  it('leaves an ordinary model alone', async () => {
    const m = rl.sequential({ layers: [L.dense({ units: 3, inputShape: [4] })] });
    expect((await ortSession(toOnnx(m))).outputNames).toEqual(['output']);
  });
});

describe('a declared batch size', () => {
  const inputDims = (bytes: Uint8Array) => onnxSchema().ModelProto.decode(bytes).graph!.input![0].type!.tensorType!.shape!.dim!
    .map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));

  it('stays fixed in the file (batchInputShape [4, 5, 2]); inputShape leaves it free', () => {
    const fixed = rl.sequential({ layers: [L.lstm({ units: 3, batchInputShape: [4, 5, 2] })] });
    const free = rl.sequential({ layers: [L.lstm({ units: 3, inputShape: [5, 2] })] });
    expect(inputDims(toOnnx(fixed))).toEqual([4, 5, 2]);
    expect(inputDims(toOnnx(free))).toEqual(['batch', 5, 2]);
  });

  const HINT = 'is stateful: an ONNX graph cannot carry states from one run to the next; export a copy built with stateful: false and '
    + 'no batch size in its input shape (a Sequential: inputShape in place of batchInputShape; a functional model: '
    + 'rl.input({shape}) in place of rl.input({batchShape})), so the file takes any batch size, its weights set from this model '
    + '(copy.setWeights(model.getWeights()))';

  it("a stateful model's refusal says how to get a copy that takes any batch, and that copy exports to the same predictions", async () => {
    const stateful = rl.sequential({ layers: [L.lstm({ units: 3, stateful: true, batchInputShape: [4, 5, 2] }), L.dense({ units: 2 })] });
    randomize(stateful, 5);
    expect(() => toOnnx(stateful)).toThrow(HINT);
    // The hint, followed.
    const copy = rl.sequential({ layers: [L.lstm({ units: 3, inputShape: [5, 2] }), L.dense({ units: 2 })] });
    copy.setWeights(stateful.getWeights());
    const bytes = toOnnx(copy);
    expect(inputDims(bytes)).toEqual(['batch', 5, 2]);
    const x = rl.randomUniform([3, 5, 2], -1, 1, 'float32', 7);
    const session = await ortSession(bytes);
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.values), x.shape) });
    stateful.resetStates();
    const first = stateful.predict(rl.concat([x, rl.zeros([1, 5, 2])], 0)).values.slice(0, 6);
    expect(maxAbsDiff(out.output.data as Float32Array, first)).toBeLessThanOrEqual(1e-5);
  });

  it("a functional model's refusal gives its change too (rl.input({shape}), not batchShape), and that copy takes any batch", () => {
    const build = (input: rl.SymbolicTensor, stateful: boolean) => rl.model({ inputs: input,
      outputs: L.dense({ units: 2 }).apply(L.gru({ units: 3, stateful }).apply(input)) as rl.SymbolicTensor });
    const stateful = build(rl.input({ batchShape: [4, 5, 2] }), true);
    randomize(stateful, 6);
    expect(() => toOnnx(stateful)).toThrow(HINT);
    const copy = build(rl.input({ shape: [5, 2] }), false);
    copy.setWeights(stateful.getWeights());
    expect(inputDims(toOnnx(copy))).toEqual(['batch', 5, 2]);
  });
});
