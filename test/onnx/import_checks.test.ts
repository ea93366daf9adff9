// ONNX import of graphs a user (or another exporter) writes: what it accepts must predict what ONNX Runtime computes
// (<= 1e-5), and every node, attribute or layout it cannot express is refused naming the file, node and operator,
// never imported with the difference dropped. Plus round trips of user-style models through export and import.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import type { Layer } from '../../src/layers/layer.js';
import { Random } from '../../src/random.js';
import { bytesOf, type Dims, maxAbsDiff, ortPredict, ortSession, tokenIds } from './helpers.js';

const L = rl.layers;
const T = 5, D = 3, U = 4;

function values(n: number, seed: number, scale = 1): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: n }, () => (r.next() - 0.5) * scale);
}
const floats = (shape: number[], seed: number) => rl.tensor(values(shape.reduce((a, b) => a * b, 1), seed, 2), shape);
const seq = floats([3, T, D], 11);


/** An LSTM over x [batch, T, D] (time-major inside), nd directions; then build(Y, Y_h) gives the graph's output. */
function lstmGraph(nd: number, build: (g: GraphBuilder, Y: string, Yh: string) => string, outDims: Dims, attrs: Record<string, string | number> = {}): Uint8Array {
  const g = new GraphBuilder();
  const xt = g.node('Transpose', ['x'], { perm: [1, 0, 2] });
  const W = g.floats('W', values(nd * 4 * U * D, 3), [nd, 4 * U, D]), R = g.floats('R', values(nd * 4 * U * U, 5), [nd, 4 * U, U]);
  const B = g.floats('B', values(nd * 8 * U, 7), [nd, 8 * U]);
  const [Y, Yh] = g.nodeN('LSTM', [xt, W, R, B], { hidden_size: U, direction: nd === 2 ? 'bidirectional' : 'forward', ...attrs }, 'lstm', 2);
  return bytesOf(g, build(g, Y, Yh), ['batch', T, D], outDims);
}

const pick = (g: GraphBuilder, x: string, index: number, axis: number, name: string) => g.node('Gather', [x, g.ints([index], [])], { axis }, name);
const reverseTime = (g: GraphBuilder, x: string) => g.node('Slice', [x, g.ints([-1]), g.ints([-(2 ** 63)]), g.ints([1]), g.ints([-1])], {}, 'flip');
const gemm = (g: GraphBuilder, x: string) => g.node('Gemm', [x, g.floats('W', values(12, 1), [3, 4]), g.floats('b', values(4, 2), [4])]);

async function expectSameAsOrt(bytes: Uint8Array, x: rl.Tensor, layers: string[]): Promise<void> {
  const m = modelFromOnnx(bytes, 'user.onnx');
  expect(m.layers.map((l) => l.className)).toEqual(layers);
  expect(maxAbsDiff(m.predict(x).values, await ortPredict(await ortSession(bytes), x))).toBeLessThanOrEqual(1e-5);
}

describe('ONNX import refuses graphs whose meaning it would otherwise change', () => {
  it('a forward recurrent sequence read backwards (only a reverse layer has a processing order)', async () => {
    const bytes = lstmGraph(1, (g, Y) => reverseTime(g, pick(g, g.node('Transpose', [Y], { perm: [2, 0, 1, 3] }), 0, 2, 'seq')), ['batch', T, U]);
    expect(() => modelFromOnnx(bytes, 'flip.onnx')).toThrow(/flip\.onnx: node 'flip_node' \(Slice\): operator Slice is not imported/);
  });

  it('a reverse layer followed by a Slice that does not reverse the whole time axis', () => {
    const bytes = lstmGraph(1, (g, Y) => {
      const s = pick(g, g.node('Transpose', [Y], { perm: [2, 0, 1, 3] }), 0, 2, 'seq');
      return g.node('Slice', [s, g.ints([-1]), g.ints([-(2 ** 63)]), g.ints([2]), g.ints([-1])], {}, 'features');
    }, ['batch', T, U], { direction: 'reverse' });
    expect(() => modelFromOnnx(bytes, 'feat.onnx')).toThrow(/node 'features_node' \(Slice\): only a Slice reversing the whole time axis/);
  });

  it('one direction of a bidirectional node alone is that direction; the same direction twice, or swapped, is refused', () => {
    const forwardOnly = lstmGraph(2, (g, _Y, Yh) => pick(g, Yh, 0, 0, 'fwd'), ['batch', U]);
    expect(modelFromOnnx(forwardOnly, 'one.onnx').layers.map((l) => l.className)).toEqual(['LSTM']);
    const twice = lstmGraph(2, (g, _Y, Yh) => g.node('Concat', [pick(g, Yh, 0, 0, 'a'), pick(g, Yh, 0, 0, 'b')], { axis: 1 }, 'both'), ['batch', 2 * U]);
    expect(() => modelFromOnnx(twice, 'twice.onnx')).toThrow(/node 'both_node' \(Concat\): a direction merge must take the forward then the backward output \(here directions \[0, 0\]\)/);
    const swapped = lstmGraph(2, (g, _Y, Yh) => g.node('Add', [pick(g, Yh, 1, 0, 'b'), pick(g, Yh, 0, 0, 'a')], {}, 'sum'), ['batch', U]);
    expect(() => modelFromOnnx(swapped, 'swapped.onnx')).toThrow(/swapped\.onnx: node 'sum_node' \(Add\): a direction merge must take the forward then the backward output \(here directions \[1, 0\]\)/);
  });

  it("a ZeroPadding1D after a masked recurrent layer (its Pad looks like the exporter's mask plumbing)", () => {
    rl.setSeed(1);
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 9, outputDim: 3, inputLength: 5, maskZero: true }),
      L.lstm({ units: 3, returnSequences: true }), L.zeroPadding1d({ padding: [0, 2], name: 'pad' }), L.lstm({ units: 2 })] });
    expect(() => modelFromOnnx(toOnnx(m), 'padded.onnx')).toThrow(/padded\.onnx: node 'pad\/Pad_node' \(Pad\): only a Pad whose pads are all 0 .*; pads are \[0,0,0,0,2,0\]/);
  });

  it('a sequence-first recurrent node fed the input unpermuted (PyTorch batch_first=False) says to export with batch_first=True', () => {
    const g = new GraphBuilder();
    const W = g.floats('W', values(4 * U * D, 3), [1, 4 * U, D]), R = g.floats('R', values(4 * U * U, 5), [1, 4 * U, U]);
    const [, Yh] = g.nodeN('LSTM', ['x', W, R], { hidden_size: U }, 'seqfirst', 2);
    expect(() => modelFromOnnx(bytesOf(g, pick(g, Yh, 0, 0, 'last'), [T, 'batch', D], ['batch', U]), 'sf.onnx'))
      .toThrow(/node 'seqfirst_node' \(LSTM\): expects a time-major \(steps, batch, features\) input; the data here is laid out \(batch, steps, features\): .*export the PyTorch module with batch_first=True/);
  });

  it('a bias that is not one value per unit', () => {
    const g = new GraphBuilder();
    const y = g.node('Add', [g.node('MatMul', ['x', g.floats('W', values(12, 1), [3, 4])]), g.floats('b', values(8, 2), [2, 4])], {}, 'bias');
    expect(() => modelFromOnnx(bytesOf(g, y, [2, 3], [2, 4]), 'b.onnx')).toThrow(/node 'bias_node' \(Add\): a bias of shape \[2,4\] is not a per-unit bias of 4 units/);
  });

  it('a Cast that changes values, and a Dropout in training mode', () => {
    const g = new GraphBuilder();
    const y = g.node('Cast', [g.node('Cast', [gemm(g, 'x')], { to: 6 }, 'to_int')], { to: 1 });
    expect(() => modelFromOnnx(bytesOf(g, y, ['batch', 3], ['batch', 4]), 'cast.onnx')).toThrow(/node 'to_int_node' \(Cast\): Cast to data type 6 would change the values/);
    const h = new GraphBuilder();
    h.initializers.push({ name: 'training', dataType: 9, dims: [], rawData: new Uint8Array([1]) });
    const z = h.node('Dropout', [gemm(h, 'x'), h.scalar(0.5), 'training'], {}, 'drop');
    expect(() => modelFromOnnx(bytesOf(h, z, ['batch', 3], ['batch', 4]), 'drop.onnx')).toThrow(/node 'drop_node' \(Dropout\): a Dropout with training_mode other than a constant false/);
  });

  it('a MatMul or a last-axis Softmax on channels-first data (they would mix or normalize steps)', () => {
    const g = new GraphBuilder();
    const y = g.node('MatMul', [g.node('Transpose', ['x'], { perm: [0, 2, 1] }), g.floats('W', values(T * U, 1), [T, U])], {}, 'mm');
    expect(() => modelFromOnnx(bytesOf(g, y, ['batch', T, D], ['batch', D, U]), 'mm.onnx')).toThrow(/node 'mm_node' \(MatMul\): a MatMul on channels-first/);
    const h = new GraphBuilder();
    const conv = h.node('Conv', [h.node('Transpose', ['x'], { perm: [0, 2, 1] }), h.floats('K', values(3 * D, 1), [3, D, 1])], { kernel_shape: [1] });
    const z = h.node('Transpose', [h.node('Softmax', [conv], { axis: -1 }, 'sm')], { perm: [0, 2, 1] });
    expect(() => modelFromOnnx(bytesOf(h, z, ['batch', T, D], ['batch', T, 3]), 'sm.onnx')).toThrow(/node 'sm_node' \(Softmax\): this Softmax runs over the steps of \(batch, steps, features\) data .*only Softmax over the features \(the last axis\) is imported/);
  });

  it('a pre-13 Softmax on 3-D data, which flattens from axis 1 (its default) instead of using the last axis', () => {
    const g = new GraphBuilder();
    const y = g.node('Softmax', [g.node('MatMul', ['x', g.floats('W', values(D * U, 1), [D, U])])], {}, 'old_softmax');
    expect(() => modelFromOnnx(bytesOf(g, y, ['batch', T, D], ['batch', T, U], 11), 'old.onnx')).toThrow(/node 'old_softmax_node' \(Softmax\): only Softmax over the last axis is imported \(axis 1, rank 3, opset 11\)/);
  });

  it('recurrent weights of the wrong shape and a constant sequence_lens', () => {
    const g = new GraphBuilder();
    const xt = g.node('Transpose', ['x'], { perm: [1, 0, 2] });
    const W = g.floats('W', values(4 * U * D, 3), [1, 4 * U, D]), R = g.floats('R', values(4 * U * U, 5), [1, 4 * U, U]);
    const [, Yh] = g.nodeN('LSTM', [xt, W, R, g.floats('B', values(4 * U, 7), [1, 4 * U])], { hidden_size: U }, 'short_b', 2);
    expect(() => modelFromOnnx(bytesOf(g, g.node('Squeeze', [Yh, g.ints([0])]), ['batch', T, D], ['batch', U]), 'b.onnx')).toThrow(/node 'short_b_node' \(LSTM\): B has shape \[1,16\], expected \[1, 32\]/);
    const h = new GraphBuilder();
    const ids = h.node('Cast', ['x'], { to: 1 });
    h.node('Equal', [ids, h.scalar(0)]); // a padding mask, so that sequence_lens alone decides
    const emb = h.node('Gather', [h.floats('E', values(10 * D, 2), [10, D]), 'x'], { axis: 0 });
    const et = h.node('Transpose', [emb], { perm: [1, 0, 2] });
    const lens = 'lens';
    h.initializers.push({ name: lens, dataType: 6, dims: [2], rawData: new Uint8Array(Int32Array.from([2, 3]).buffer) });
    const [, Hh] = h.nodeN('LSTM', [et, h.floats('W', values(4 * U * D, 3), [1, 4 * U, D]), h.floats('R', values(4 * U * U, 5), [1, 4 * U, U]), '', lens], { hidden_size: U }, 'const_lens', 2);
    const out = h.node('Squeeze', [Hh, h.ints([0])]);
    const bytes = h.toBytes({ name: 'x', elemType: 'int32', shape: [2, T] }, { name: out, elemType: 'float32', shape: [2, U] }, 'g', '');
    expect(() => modelFromOnnx(bytes, 'lens.onnx')).toThrow(/node 'const_lens_node' \(LSTM\): a constant sequence_lens is not imported/);
  });
});

describe('ONNX import reads what other exporters write the way ONNX Runtime runs it', () => {
  it('HardSigmoid with alpha 0.2 and beta 0.5 written out (float32 0.2 is not the double 0.2)', async () => {
    const g = new GraphBuilder();
    const y = g.node('HardSigmoid', [gemm(g, 'x')], { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    await expectSameAsOrt(bytesOf(g, y, ['batch', 3], ['batch', 4]), floats([4, 3], 2), ['Dense']);
  });

  it('a Conv without kernel_shape (it is optional: the weight has it)', async () => {
    const g = new GraphBuilder();
    const conv = g.node('Conv', [g.node('Transpose', ['x'], { perm: [0, 2, 1] }), g.floats('K', values(3 * D * 2, 1), [3, D, 2])]);
    const y = g.node('Transpose', [g.node('Relu', [conv])], { perm: [0, 2, 1] });
    await expectSameAsOrt(bytesOf(g, y, ['batch', T, D], ['batch', T - 1, 3]), seq, ['Conv1D']);
  });

  it('opset 11: Squeeze with an axes attribute, Softmax over the last axis of 2-D data by default', async () => {
    const g = new GraphBuilder();
    const xt = g.node('Transpose', ['x'], { perm: [1, 0, 2] });
    const [, Yh] = g.nodeN('GRU', [xt, g.floats('W', values(3 * U * D, 3), [1, 3 * U, D]), g.floats('R', values(3 * U * U, 5), [1, 3 * U, U])], { hidden_size: U }, 'gru', 2);
    const h = g.node('Squeeze', [Yh], { axes: [0] });
    const y = g.node('Softmax', [g.node('Gemm', [h, g.floats('V', values(U * 2, 9), [U, 2])])]);
    await expectSameAsOrt(bytesOf(g, y, ['batch', T, D], ['batch', 2], 11), seq, ['GRU', 'Dense']);
  });
});

describe('user models round-trip through export and import with the same predictions', () => {
  const cases: [string, () => Layer[], () => rl.Tensor][] = [
    ['masked stack: LSTM relu/hard_sigmoid, goBackwards LSTM, GRU without bias, goBackwards SimpleRNN', () => [
      L.embedding({ inputDim: 20, outputDim: 4, maskZero: true }),
      L.lstm({ units: 4, activation: 'relu', recurrentActivation: 'hard_sigmoid', returnSequences: true }),
      L.lstm({ units: 3, goBackwards: true, returnSequences: true }), L.gru({ units: 3, resetAfter: false, useBias: false, returnSequences: true }),
      L.simpleRNN({ units: 2, goBackwards: true }), L.dense({ units: 2, activation: 'softmax' })],
    () => tokenIds(7, 9, 20, 3, { pad: true, holes: true, allowEmpty: true })],
    ...(['concat', 'sum', 'mul', 'ave'] as const).map((mergeMode): [string, () => Layer[], () => rl.Tensor] => [`masked Bidirectional(${mergeMode}) GRU then SimpleRNN`, () => [
      L.embedding({ inputDim: 20, outputDim: 4, inputLength: 7, maskZero: true }),
      L.bidirectional({ layer: L.gru({ units: 3, returnSequences: true }), mergeMode }), L.bidirectional({ layer: L.simpleRNN({ units: 2 }), mergeMode }), L.dense({ units: 1 })],
    () => tokenIds(6, 7, 20, 4, { pad: true, holes: true, allowEmpty: true })]),
    ['Conv1D same with stride, MaxPooling1D, LSTM, TimeDistributed, Flatten, RepeatVector, GRU', () => [
      L.embedding({ inputDim: 20, outputDim: 4, inputLength: 10 }), L.conv1d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      L.maxPooling1d({ poolSize: 2 }), L.lstm({ units: 3, returnSequences: true }), L.timeDistributed({ layer: L.dense({ units: 2, activation: 'tanh' }) }),
      L.flatten(), L.dense({ units: 2 }), L.repeatVector({ n: 3 }), L.gru({ units: 2 })],
    () => tokenIds(5, 10, 20, 5)],
    ['float input of any length, goBackwards LSTM sequence, hard_sigmoid Dense', () => [
      L.lstm({ units: 3, returnSequences: true, goBackwards: true, inputShape: [null, 2] as unknown as number[] }), L.dense({ units: 1, activation: 'hard_sigmoid' })],
    () => floats([3, 6, 2], 6)],
  ];
  for (const [title, layers, input] of cases) {
    it(title, () => {
      rl.setSeed(9);
      const m = rl.sequential({ layers: layers() });
      const x = input();
      const ours = m.predict(x); // builds a model whose first layer has no input length
      const back = modelFromOnnx(toOnnx(m), 'roundtrip.onnx');
      expect(maxAbsDiff(back.predict(x).values, ours.values)).toBeLessThanOrEqual(1e-5);
    });
  }
});
