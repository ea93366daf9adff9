// ONNX import of nodes carrying an attribute their operator does not have at the file's opset (a misspelling, or one
// from a later opset): ONNX Runtime refuses such a model, and the importer refuses it too, naming file, node and
// attribute, instead of importing with the attribute dropped. A recurrent node without hidden_size is refused naming
// that attribute. The same nodes without the extra attribute import.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { onnxSchema } from '../../src/onnx/proto.js';

const L = rl.layers;

/** The model's bytes with edit applied to the first node of opType (and the opset set, when given). */
function edited(m: rl.Sequential, opType: string, edit: (attrs: { name: string; type: number; i?: number; f?: number }[]) => void, opset?: number): Uint8Array {
  const onnx = onnxSchema();
  const model = onnx.ModelProto.decode(toOnnx(m));
  const node = model.graph!.node!.find((n) => n.opType === opType)!;
  const attrs = (node.attribute ?? []) as { name: string; type: number; i?: number }[];
  edit(attrs);
  node.attribute = attrs as never;
  if (opset !== undefined) model.opsetImport = [{ domain: '', version: opset }];
  return onnx.ModelProto.encode(model).finish();
}
const INT = 2;

describe('node attributes the operator does not have', () => {
  const lstm = rl.sequential({ layers: [L.lstm({ units: 3, inputShape: [null, 3] })] });
  const dense = rl.sequential({ layers: [L.dense({ units: 2, inputShape: [3] })] });
  const pooled = rl.sequential({ layers: [L.globalAveragePooling1d({ inputShape: [null, 3] })] });

  it('an unknown attribute on LSTM and Gemm is refused naming it, as ONNX Runtime refuses the file', async () => {
    const bad = edited(lstm, 'LSTM', (a) => a.push({ name: 'foo', type: INT, i: 1 }));
    await expect(ort.InferenceSession.create(bad)).rejects.toThrow(/foo/);
    expect(() => modelFromOnnx(bad, 'lstm_foo.onnx')).toThrow(/^lstm_foo\.onnx: node '[^']+' \(LSTM\): attribute 'foo' is not an attribute of LSTM/);
    expect(() => modelFromOnnx(edited(dense, 'Gemm', (a) => a.push({ name: 'transC', type: INT, i: 1 })), 'gemm.onnx'))
      .toThrow(/gemm\.onnx: node '[^']+' \(Gemm\): attribute 'transC' is not an attribute of Gemm/);
  });

  it('an attribute of a later opset is refused naming the opset; at that opset it is read', async () => {
    const early = edited(pooled, 'ReduceMean', (a) => a.push({ name: 'noop_with_empty_axes', type: INT, i: 0 }));
    await expect(ort.InferenceSession.create(early)).rejects.toThrow(/noop_with_empty_axes/);
    expect(() => modelFromOnnx(early, 'mean.onnx')).toThrow(/mean\.onnx: node '[^']+' \(ReduceMean\): attribute 'noop_with_empty_axes' exists only from opset 18, and the model declares opset 17/);
    const lstm13 = edited(lstm, 'LSTM', (a) => a.push({ name: 'layout', type: INT, i: 0 }), 13);
    expect(() => modelFromOnnx(lstm13, 'old.onnx')).toThrow(/attribute 'layout' exists only from opset 14, and the model declares opset 13/);
    expect(modelFromOnnx(edited(lstm, 'LSTM', (a) => a.push({ name: 'layout', type: INT, i: 0 }))).layers[0].className).toBe('LSTM');
  });

  it('a recurrent node without hidden_size is refused naming it', () => {
    const bytes = edited(lstm, 'LSTM', (a) => a.splice(a.findIndex((x) => x.name === 'hidden_size'), 1));
    expect(() => modelFromOnnx(bytes, 'nohs.onnx')).toThrow(/nohs\.onnx: node '[^']+' \(LSTM\): has no attribute 'hidden_size' \(the number of units\)/);
    const zero = edited(lstm, 'LSTM', (a) => { a.find((x) => x.name === 'hidden_size')!.i = 0; });
    expect(() => modelFromOnnx(zero, 'zero.onnx')).toThrow(/zero\.onnx: node '[^']+' \(LSTM\): hidden_size 0 is not a number of units/);
  });

  it('the unedited files import', () => {
    for (const m of [lstm, dense, pooled]) expect(modelFromOnnx(toOnnx(m)).layers.length).toBe(1);
  });
});
