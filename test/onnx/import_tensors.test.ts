// ONNX import of files whose tensors or recurrent attributes do not say what they claim: refused naming the file and
// the tensor or node, never imported as NaN weights, as a layer of the size the dims claim (a file of a few bytes
// declaring billions of weights), or with a recurrent node's attribute left to a default.
import { describe, expect, it } from 'vitest';
import { modelFromOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';

const values = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i));
const bytesOf = (g: GraphBuilder, y: string, inDims: (number | string)[], outDims: (number | string)[], inType: 'float32' | 'int32' = 'float32') =>
  g.toBytes({ name: 'x', elemType: inType, shape: inDims }, { name: y, elemType: 'float32', shape: outDims }, 'g', '');
const raw = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('initializers whose data does not match their dims', () => {
  it('a Gemm weight with fewer values than its dims (read past its end, the Dense would have NaN weights)', () => {
    const g = new GraphBuilder();
    g.initializers.push({ name: 'W', dataType: 1, dims: [3, 4], rawData: raw(values(5)) });
    expect(() => modelFromOnnx(bytesOf(g, g.node('Gemm', ['x', 'W']), ['batch', 3], ['batch', 4]), 'short.onnx'))
      .toThrow("short.onnx: tensor 'W' has 5 values, but its dims [3,4] say 12");
  });

  it('an Embedding table declaring a billion rows in a file of a few hundred bytes is refused before anything is built', () => {
    const g = new GraphBuilder();
    g.initializers.push({ name: 'E', dataType: 1, dims: [1e9, 3], rawData: raw(values(6)) });
    const y = g.node('Gather', ['E', 'x'], { axis: 0 });
    expect(() => modelFromOnnx(bytesOf(g, y, ['batch', 4], ['batch', 4, 3], 'int32'), 'huge.onnx'))
      .toThrow("huge.onnx: tensor 'E' has 6 values, but its dims [1000000000,3] say 3000000000");
  });

  it('float data given as floatData rather than raw bytes is counted the same way', () => {
    const g = new GraphBuilder();
    g.initializers.push({ name: 'W', dataType: 1, dims: [3, 4], floatData: Array.from(values(13)) });
    expect(() => modelFromOnnx(bytesOf(g, g.node('Gemm', ['x', 'W']), ['batch', 3], ['batch', 4]), 'long.onnx'))
      .toThrow("long.onnx: tensor 'W' has 13 values, but its dims [3,4] say 12");
  });

  it('raw data that is not a whole number of values is an import error naming the tensor, not a RangeError', () => {
    const g = new GraphBuilder();
    g.initializers.push({ name: 'W', dataType: 1, dims: [3, 4], rawData: new Uint8Array(47) });
    expect(() => modelFromOnnx(bytesOf(g, g.node('Gemm', ['x', 'W']), ['batch', 3], ['batch', 4]), 'odd.onnx'))
      .toThrow("odd.onnx: tensor 'W' has 47 bytes of raw data, not a whole number of 4-byte values");
    const h = new GraphBuilder();
    h.initializers.push({ name: 'shape', dataType: 7, dims: [2], rawData: new Uint8Array(12) });
    const y = h.node('Reshape', [h.node('Gemm', ['x', h.floats('W', values(12), [3, 4])]), 'shape']);
    expect(() => modelFromOnnx(bytesOf(h, y, ['batch', 3], ['batch', 4]), 'odd64.onnx'))
      .toThrow("odd64.onnx: tensor 'shape' has 12 bytes of raw data, not a whole number of 8-byte values");
  });

  it('weights stored as external data are named as such, not counted as zero values', () => {
    const g = new GraphBuilder();
    g.initializers.push({ name: 'W', dataType: 1, dims: [3, 4], dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }] });
    expect(() => modelFromOnnx(bytesOf(g, g.node('Gemm', ['x', 'W']), ['batch', 3], ['batch', 4]), 'ext.onnx'))
      .toThrow(/ext\.onnx: tensor 'W' is stored as external data, which is not imported; save the model with its weights inside the file/);
  });

  it('negative dims', () => {
    const g = new GraphBuilder();
    g.initializers.push({ name: 'W', dataType: 1, dims: [-3, -4], rawData: raw(values(12)) });
    expect(() => modelFromOnnx(bytesOf(g, g.node('Gemm', ['x', 'W']), ['batch', 3], ['batch', 4]), 'neg.onnx'))
      .toThrow("neg.onnx: tensor 'W' has dims [-3,-4], which are not sizes");
  });
});

describe('recurrent nodes whose attributes ONNX Runtime would refuse', () => {
  const U = 2, D = 3;
  /** A one-direction recurrent node of opType with G gate blocks, its final state the output. */
  function recurrent(opType: string, G: number, attrs: Record<string, string | number | string[]>): Uint8Array {
    const g = new GraphBuilder();
    const xt = g.node('Transpose', ['x'], { perm: [1, 0, 2] });
    const [, Yh] = g.nodeN(opType, [xt, g.floats('W', values(G * U * D), [1, G * U, D]), g.floats('R', values(G * U * U), [1, G * U, U])], { hidden_size: U, ...attrs }, 'rec', 2);
    return bytesOf(g, g.node('Squeeze', [Yh, g.ints([0])]), ['batch', 4, D], ['batch', U]);
  }

  it('activations listing too few functions (the rest would be left to defaults) or too many (dropped)', () => {
    expect(() => modelFromOnnx(recurrent('LSTM', 4, { activations: ['Relu'] }), 'few.onnx'))
      .toThrow("few.onnx: node 'rec_node' (LSTM): activations lists 1 functions; LSTM takes 3 per direction (3 here)");
    expect(() => modelFromOnnx(recurrent('GRU', 3, { activations: ['Sigmoid', 'Tanh', 'Relu'] }), 'many.onnx'))
      .toThrow("many.onnx: node 'rec_node' (GRU): activations lists 3 functions; GRU takes 2 per direction (2 here)");
  });

  it('a direction ONNX does not define (it would have been read as forward)', () => {
    expect(() => modelFromOnnx(recurrent('RNN', 1, { direction: 'sideways' }), 'dir.onnx'))
      .toThrow("dir.onnx: node 'rec_node' (RNN): direction 'sideways' is not an ONNX direction (forward, reverse, bidirectional)");
  });

  it('the same nodes with valid attributes still import', () => {
    expect(modelFromOnnx(recurrent('LSTM', 4, { activations: ['Sigmoid', 'Relu', 'Relu'] })).layers.map((l) => l.className)).toEqual(['LSTM']);
    expect(modelFromOnnx(recurrent('RNN', 1, { direction: 'reverse' })).layers[0].getConfig()).toMatchObject({ goBackwards: true });
  });
});
