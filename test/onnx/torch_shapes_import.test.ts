// ONNX import of the graph shapes torch.onnx.export (1.13, opsets 11-17) writes for RNN models that the importer used
// to refuse: stacked layers (num_layers > 1, zero initial states sliced from one ConstantOfShape), a bidirectional
// sequence joined by Transpose [0, 2, 1, 3] + Reshape [0, 0, -1], h_n[-1] (Gather -1 on Y_h), and a Conv1d whose
// transpose(1, 2) folds into the recurrent layer's time-major Transpose [2, 0, 1]. Built here node for node as
// PyTorch writes them; ONNX Runtime is the oracle (<= 1e-5). The forms that have no Keras equivalent stay refused,
// naming the node.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { onnxSchema } from '../../src/onnx/proto.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff, ortPredict, ortSession, tokenIds } from './helpers.js';

const V = 20, E = 6, H = 5, T = 7;

function values(n: number, seed: number): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: n }, () => (r.next() - 0.5) * 1.2);
}

/** A ConstantOfShape node (its value a float32 tensor attribute, which GraphBuilder's attributes do not cover). */
function constantOfShape(g: GraphBuilder, shape: string, value: number, prefix: string): string {
  const out = g.name(prefix);
  const raw = new Uint8Array(Float32Array.from([value]).buffer);
  g.nodes.push({ opType: 'ConstantOfShape', name: g.name(`${prefix}_node`), input: [shape], output: [out],
    attribute: [{ name: 'value', type: onnxSchema().AttributeProto.AttributeType.TENSOR, t: { dataType: 1, dims: [1], rawData: raw } }] });
  return out;
}

const GATES: Record<string, number> = { LSTM: 4, GRU: 3, RNN: 1 };

/** PyTorch's zero states [layers·dirs, batch, H]: built from the batch size of x at run time. */
function zeroStates(g: GraphBuilder, x: string, count: number, value = 0): string {
  const batch = g.node('Unsqueeze', [g.node('Gather', [g.node('Shape', [x]), g.ints([0], [])], { axis: 0 }), g.ints([0])]);
  return constantOfShape(g, g.node('Concat', [g.ints([count]), batch, g.ints([H])], { axis: 0 }), value, 'zeros');
}

interface Layer { op: 'LSTM' | 'GRU' | 'RNN'; dirs: number; inSize: number }

/** One recurrent node as PyTorch writes it: W/R/B initializers, empty sequence_lens, states sliced from the zeros. */
function torchRnn(g: GraphBuilder, xt: string, zeros: string, layer: Layer, index: number, seed: number): [string, string] {
  const G = GATES[layer.op], nd = layer.dirs;
  const W = g.floats('W', values(nd * G * H * layer.inSize, seed), [nd, G * H, layer.inSize]);
  const R = g.floats('R', values(nd * G * H * H, seed + 1), [nd, G * H, H]);
  const B = g.floats('B', values(nd * 2 * G * H, seed + 2), [nd, 2 * G * H]);
  const slice = () => g.node('Slice', [zeros, g.ints([index * nd]), g.ints([(index + 1) * nd]), g.ints([0])]);
  const states = layer.op === 'LSTM' ? [slice(), slice()] : [slice()];
  const attrs: Record<string, number | string> = { hidden_size: H, ...(nd === 2 ? { direction: 'bidirectional' } : {}), ...(layer.op === 'GRU' ? { linear_before_reset: 1 } : {}) };
  const [Y, Yh] = g.nodeN(layer.op, [xt, W, R, B, '', ...states], attrs, layer.op, 2);
  return [Y, Yh];
}

/** Y [T, dirs, B, H] -> [T, B, dirs·H] as PyTorch joins it. */
function joinDirections(g: GraphBuilder, Y: string, dirs: number, shape = [0, 0, -1]): string {
  if (dirs === 1) return g.node('Squeeze', [Y, g.ints([1])]);
  return g.node('Reshape', [g.node('Transpose', [Y], { perm: [0, 2, 1, 3] }), g.ints(shape)]);
}

function model(g: GraphBuilder, y: string, outDims: (number | string)[], elemType: 'int64' | 'float32' = 'int64', inDims: (number | string)[] = ['batch', T]): Uint8Array {
  return g.toBytes({ name: 'x', elemType, shape: inDims }, { name: y, elemType: 'float32', shape: outDims }, 'torch_jit', '');
}

/** Embedding -> stacked recurrent layers (batch_first) -> head(sequence [B, T, F]) . */
function stacked(layers: Layer[], head: (g: GraphBuilder, seq: string, Yh: string) => string, outDims: (number | string)[], zeroValue = 0): Uint8Array {
  const g = new GraphBuilder();
  const emb = g.node('Gather', [g.floats('embedding', values(V * E, 1), [V, E]), 'x'], {}, 'embedding');
  const zeros = zeroStates(g, emb, layers.length * layers[0].dirs, zeroValue);
  let xt = g.node('Transpose', [emb], { perm: [1, 0, 2] }), Yh = '';
  layers.forEach((l, i) => {
    const [Y, h] = torchRnn(g, xt, zeros, l, i, 10 * (i + 1));
    xt = joinDirections(g, Y, l.dirs);
    Yh = h;
  });
  return model(g, head(g, g.node('Transpose', [xt], { perm: [1, 0, 2] }), Yh), outDims);
}

const lastStepLinear = (g: GraphBuilder, seq: string, features: number) => g.node('Sigmoid', [g.node('Gemm', [
  g.node('Gather', [seq, g.ints([-1], [])], { axis: 1 }), g.floats('linear', values(features, 3), [1, features]), g.floats('bias', [0.3], [1])], { transB: 1 })]);
const perStepLinear = (g: GraphBuilder, seq: string, features: number) => g.node('Add', [g.floats('bias', [0.1, -0.2], [2]), g.node('MatMul', [seq, g.floats('linear', values(2 * features, 4), [features, 2])])]);

const ids = (n: number) => {
  const t = tokenIds(n, T, V, n);
  return rl.tensor(Int32Array.from(t.values), t.shape, 'int32');
};

async function expectSameAsOrt(bytes: Uint8Array, layers: string[]): Promise<void> {
  const m = modelFromOnnx(bytes, 'torch.onnx');
  expect(m.layers.map((l) => l.className)).toEqual(layers);
  const session = await ortSession(bytes);
  for (const x of [ids(4), ids(1)]) {
    const feeds = rl.tensor(Float32Array.from(x.values), x.shape);
    expect(maxAbsDiff((m.predict(x) as rl.Tensor).values, await ortPredict(session, feeds))).toBeLessThanOrEqual(1e-5);
  }
}

describe('PyTorch-shaped RNN graphs import and predict as ONNX Runtime runs them', () => {
  for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
    it(`${op}(num_layers=2, batch_first) -> out[:, -1] -> Linear -> sigmoid: zero states sliced from one ConstantOfShape`, async () => {
      const bytes = stacked([{ op, dirs: 1, inSize: E }, { op, dirs: 1, inSize: H }], (g, seq) => lastStepLinear(g, seq, H), ['batch', 1]);
      const name = op === 'RNN' ? 'SimpleRNN' : op;
      await expectSameAsOrt(bytes, ['Embedding', name, name, 'Dense']);
    });
  }

  it('bidirectional GRU(num_layers=2) sequence -> Linear per step: Transpose [0, 2, 1, 3] + Reshape [0, 0, -1] is a concat merge', async () => {
    const bytes = stacked([{ op: 'GRU', dirs: 2, inSize: E }, { op: 'GRU', dirs: 2, inSize: 2 * H }], (g, seq) => perStepLinear(g, seq, 2 * H), ['batch', T, 2]);
    await expectSameAsOrt(bytes, ['Embedding', 'Bidirectional', 'Bidirectional', 'TimeDistributed']);
    const m = modelFromOnnx(bytes);
    expect(m.layers[1].getConfig()).toMatchObject({ mergeMode: 'concat' });
  });

  it('LSTM h_n[-1] -> Linear -> softmax (Gather -1 on Y_h of a one-direction node)', async () => {
    const bytes = stacked([{ op: 'LSTM', dirs: 1, inSize: E }], (g, _seq, Yh) => g.node('Softmax', [g.node('Gemm', [
      g.node('Gather', [Yh, g.ints([-1], [])], { axis: 0 }), g.floats('linear', values(3 * H, 3), [3, H]), g.floats('bias', values(3, 4), [3])], { transB: 1 })], { axis: -1 }), ['batch', 3]);
    await expectSameAsOrt(bytes, ['Embedding', 'LSTM', 'Dense']);
  });

  it('float input -> Conv1d(padding 1) -> relu -> transpose(1, 2) folded into the GRU input Transpose [2, 0, 1]', async () => {
    const g = new GraphBuilder();
    const C = 3, F = 4;
    const conv = g.node('Conv', [g.node('Transpose', ['x'], { perm: [0, 2, 1] }), g.floats('conv', values(F * C * 3, 8), [F, C, 3]), g.floats('conv_b', values(F, 9), [F])],
      { kernel_shape: [3], pads: [1, 1], strides: [1], dilations: [1] });
    const relu = g.node('Relu', [conv]);
    const zeros = zeroStates(g, g.node('Transpose', [relu], { perm: [0, 2, 1] }), 1);
    const [Y] = torchRnn(g, g.node('Transpose', [relu], { perm: [2, 0, 1] }), zeros, { op: 'GRU', dirs: 1, inSize: F }, 0, 20);
    const seq = g.node('Transpose', [g.node('Squeeze', [Y, g.ints([1])])], { perm: [1, 0, 2] });
    const bytes = model(g, lastStepLinear(g, seq, H), ['batch', 1], 'float32', ['batch', T, C]);
    const m = modelFromOnnx(bytes, 'torch.onnx');
    expect(m.layers.map((l) => l.className)).toEqual(['Conv1D', 'GRU', 'Dense']);
    expect(m.layers[0].getConfig()).toMatchObject({ padding: 'same', activation: 'relu' });
    const session = await ortSession(bytes);
    const r = new Random(5);
    const x = rl.tensor(Float32Array.from({ length: 4 * T * C }, () => r.next() * 2 - 1), [4, T, C]);
    expect(maxAbsDiff((m.predict(x) as rl.Tensor).values, await ortPredict(session, x))).toBeLessThanOrEqual(1e-5);
  });
});

describe('PyTorch-shaped graphs with no Keras equivalent are refused naming the node', () => {
  it('the last step of a bidirectional sequence (its backward half has seen one step)', () => {
    const bytes = stacked([{ op: 'LSTM', dirs: 2, inSize: E }], (g, seq) => lastStepLinear(g, seq, 2 * H), ['batch', 1]);
    expect(() => modelFromOnnx(bytes, 'torch.onnx')).toThrow(/torch\.onnx: node '.*' \(Gather\): taking the last step of a reverse or bidirectional output/);
  });

  it('h_n[-1] of stacked layers (the states of both layers concatenated) imports as the last layer state', async () => {
    const g = new GraphBuilder();
    const emb = g.node('Gather', [g.floats('embedding', values(V * E, 1), [V, E]), 'x']);
    const zeros = zeroStates(g, emb, 2);
    const [Y0, h0] = torchRnn(g, g.node('Transpose', [emb], { perm: [1, 0, 2] }), zeros, { op: 'GRU', dirs: 1, inSize: E }, 0, 10);
    const [, h1] = torchRnn(g, joinDirections(g, Y0, 1), zeros, { op: 'GRU', dirs: 1, inSize: H }, 1, 20);
    const last = g.node('Gather', [g.node('Concat', [h0, h1], { axis: 0 }, 'h_n'), g.ints([-1], [])], { axis: 0 });
    const bytes = model(g, g.node('Gemm', [last, g.floats('linear', values(H, 3), [1, H])], { transB: 1 }), ['batch', 1]);
    const m = modelFromOnnx(bytes, 'torch.onnx');
    expect(m.layers.map((l) => l.className)).toEqual(['Embedding', 'GRU', 'GRU', 'Dense']);
    const x = tokenIds(4, T, V, 1);
    expect(maxAbsDiff(m.predict(x).values, await ortPredict(await ortSession(bytes), x))).toBeLessThanOrEqual(1e-5);
  });

  it('a Reshape of the two directions to anything but [0, 0, -1] names the node and the shape', () => {
    const g = new GraphBuilder();
    const emb = g.node('Gather', [g.floats('embedding', values(V * E, 1), [V, E]), 'x']);
    const [Y] = torchRnn(g, g.node('Transpose', [emb], { perm: [1, 0, 2] }), zeroStates(g, emb, 2), { op: 'GRU', dirs: 2, inSize: E }, 0, 10);
    const joined = g.node('Reshape', [g.node('Transpose', [Y], { perm: [0, 2, 1, 3] }), g.ints([0, -1, H])], {}, 'odd_reshape');
    expect(() => modelFromOnnx(model(g, joined, [T, 'batch', H]), 'torch.onnx')).toThrow(/node 'odd_reshape_node' \(Reshape\): only a Reshape to \[0, 0, -1\]/);
  });

  it('states from a ConstantOfShape of a non-zero value, sliced, are still non-zero initial states', () => {
    const bytes = stacked([{ op: 'LSTM', dirs: 1, inSize: E }, { op: 'LSTM', dirs: 1, inSize: H }], (g, seq) => lastStepLinear(g, seq, H), ['batch', 1], 0.5);
    expect(() => modelFromOnnx(bytes, 'torch.onnx')).toThrow(/node 'LSTM_node' \(LSTM\): non-zero initial states are not imported/);
  });
});
