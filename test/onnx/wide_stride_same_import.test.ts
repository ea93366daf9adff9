// Conv1D, MaxPooling1D and AveragePooling1D with padding 'same' and strides past the window export Keras's padding
// computed in the graph (time_export.ts's wideSamePads); the importer reads that subgraph back as the same layer, and
// refuses any other Pad whose pads are computed in the graph, saying what differs.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import type { Layer } from '../../src/layers/layer.js';
import { wideSamePads } from '../../src/onnx/time_export.js';
import { Random } from '../../src/random.js';
import { bytesOf, maxAbsDiff, ortPredict, ortSession, randomize, tokenIds } from './helpers.js';

const L = rl.layers;
const C = 2;

function floats(shape: number[], seed: number): rl.Tensor {
  const r = new Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r.next() - 0.5) * 4), shape);
}

const configOf = (l: { getConfig(): unknown }) => {
  const c = l.getConfig() as Record<string, unknown>;
  const one = (v: unknown) => [v].flat()[0];
  return { padding: c.padding, strides: one(c.strides), size: one(c.kernelSize ?? c.poolSize), dilationRate: one(c.dilationRate ?? 1) };
};

describe("round trip of 'same' windows whose strides pass their size", () => {
  const cases: [string, () => Layer, number, number][] = [
    ['conv1d k2 s3 relu', () => L.conv1d({ inputShape: [null, C], filters: 3, kernelSize: 2, strides: 3, padding: 'same', activation: 'relu' }), 2, 3],
    ['conv1d k1 s4', () => L.conv1d({ inputShape: [null, C], filters: 2, kernelSize: 1, strides: 4, padding: 'same' }), 1, 4],
    ['conv1d k2 s5 softmax', () => L.conv1d({ inputShape: [null, C], filters: 3, kernelSize: 2, strides: 5, padding: 'same', activation: 'softmax', useBias: false }), 2, 5],
    ['maxPooling1d p2 s3', () => L.maxPooling1d({ inputShape: [null, C] as unknown as number[], poolSize: 2, strides: 3, padding: 'same' }), 2, 3],
    ['maxPooling1d p1 s2', () => L.maxPooling1d({ inputShape: [null, C] as unknown as number[], poolSize: 1, strides: 2, padding: 'same' }), 1, 2],
    ['averagePooling1d p2 s3', () => L.averagePooling1d({ inputShape: [null, C] as unknown as number[], poolSize: 2, strides: 3, padding: 'same' }), 2, 3],
    ['averagePooling1d p3 s4', () => L.averagePooling1d({ inputShape: [null, C] as unknown as number[], poolSize: 3, strides: 4, padding: 'same' }), 3, 4],
  ];

  it.each(cases)('%s comes back as the same layer and predicts the same numbers at every length 1-12', (_name, make, size, strides) => {
    const m = rl.sequential({ layers: [make()] });
    randomize(m, 3);
    const back = modelFromOnnx(toOnnx(m), 'wide.onnx');
    expect(back.layers.map((l) => l.getClassName())).toEqual([m.layers[0].getClassName()]);
    expect(configOf(back.layers[0])).toEqual({ padding: 'same', strides, size, dilationRate: 1 });
    for (let T = 1; T <= 12; T++) {
      const x = floats([3, T, C], 20 + T);
      expect(Array.from((back.predict(x) as rl.Tensor).values), `T=${T}`).toEqual(Array.from((m.predict(x) as rl.Tensor).values));
    }
  });

  it('a stack of the three between an Embedding and an LSTM, fixed length, comes back layer for layer with the same predictions', () => {
    rl.setSeed(7);
    const m = rl.sequential({ layers: [
      L.embedding({ inputDim: 30, outputDim: 4, inputLength: 23 }),
      L.conv1d({ filters: 3, kernelSize: 2, strides: 3, padding: 'same', activation: 'tanh' }),
      L.maxPooling1d({ poolSize: 1, strides: 2, padding: 'same' }),
      L.averagePooling1d({ poolSize: 1, strides: 3, padding: 'same' }),
      L.lstm({ units: 2 }),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    randomize(m, 5);
    const back = modelFromOnnx(toOnnx(m), 'stack.onnx');
    expect(back.layers.map((l) => l.getClassName())).toEqual(['Embedding', 'Conv1D', 'MaxPooling1D', 'AveragePooling1D', 'LSTM', 'Dense']);
    expect(back.layers.slice(1, 4).map(configOf).map((c) => [c.padding, c.size, c.strides])).toEqual([['same', 2, 3], ['same', 1, 2], ['same', 1, 3]]);
    const x = tokenIds(4, 23, 30, 9);
    expect(Array.from((back.predict(x) as rl.Tensor).values)).toEqual(Array.from((m.predict(x) as rl.Tensor).values));
  });
});

/** x [batch, T, C] -> channels first -> Pad(pads) -> window -> channels last. */
function padded(build: (g: GraphBuilder, xt: string) => string): Uint8Array {
  const g = new GraphBuilder();
  const xt = g.node('Transpose', ['x'], { perm: [0, 2, 1] }, 'channels_first');
  return bytesOf(g, g.node('Transpose', [build(g, xt)], { perm: [0, 2, 1] }, 'channels_last'), ['batch', 'steps', C], ['batch', 'out_steps', 3]);
}

const kernel = (g: GraphBuilder, K: number) => g.floats('W', Float32Array.from({ length: 3 * C * K }, (_, i) => Math.sin(i + 1)), [3, C, K]);

describe("the computed pads read as Keras's 'same' at stride 1 too", () => {
  it('a dilated Conv after the pads of its span (5 = (3 - 1)·2 + 1) is Conv1D same with dilationRate 2, and equals ONNX Runtime', async () => {
    const bytes = padded((g, xt) => g.node('Conv', [g.node('Pad', [xt, wideSamePads(g, 'p', xt, 5, 1).pads]), kernel(g, 3)],
      { kernel_shape: [3], strides: [1], dilations: [2], auto_pad: 'VALID' }));
    const m = modelFromOnnx(bytes, 'dilated.onnx');
    expect(configOf(m.layers[0])).toEqual({ padding: 'same', strides: 1, size: 3, dilationRate: 2 });
    const session = await ortSession(bytes);
    for (const T of [1, 4, 7]) {
      const x = floats([2, T, C], T);
      expect(maxAbsDiff((m.predict(x) as rl.Tensor).values, await ortPredict(session, x)), `T=${T}`).toBeLessThanOrEqual(1e-5);
    }
  });
});

describe('other Pads whose pads are computed in the graph are refused, saying what differs', () => {
  const refused = (bytes: Uint8Array) => {
    try {
      modelFromOnnx(bytes, 'foreign.onnx');
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('imported');
  };

  it('pads of another formula (half the steps on each side) name the split and the case, not PyTorch', () => {
    const message = refused(padded((g, xt) => {
      const T = g.node('Gather', [g.node('Shape', [xt]), g.ints([2])], { axis: 0 });
      const half = g.node('Div', [T, g.ints([2])]);
      const pads = g.node('Concat', [g.ints([0, 0]), half, g.ints([0, 0]), half], { axis: 0 });
      return g.node('Conv', [g.node('Pad', [xt, pads], {}, 'foreign_pad'), kernel(g, 2)], { kernel_shape: [2], strides: [3] });
    }));
    expect(message).toMatch(/foreign\.onnx: node 'foreign_pad_node' \(Pad\): its pads are computed in the graph, which is imported only as exportOnnx writes Keras's 'same' padding of a Conv1D or pooling window whose strides pass its size .*; here the split \(left = pad \/ 2, right = pad - left\) differs/);
    expect(message).not.toMatch(/PyTorch|AvgPool1d/);
  });

  it("the exporter's pads before a window of another size say both sizes", () => {
    expect(refused(padded((g, xt) => g.node('Conv', [g.node('Pad', [xt, wideSamePads(g, 'p', xt, 2, 3).pads]), kernel(g, 3)], { kernel_shape: [3], strides: [3], auto_pad: 'VALID' }, 'conv'))))
      .toMatch(/its pads are Keras's same pads for a window of 2 steps moving by 3, but Conv node 'conv_node' spans 3 steps moving by 3/);
  });

  it('a MaxPool after zero (not -inf) pads is refused naming the fill', () => {
    expect(refused(padded((g, xt) => g.node('MaxPool', [g.node('Pad', [xt, wideSamePads(g, 'p', xt, 2, 3).pads])], { kernel_shape: [2], strides: [3], auto_pad: 'VALID' }))))
      .toMatch(/it fills with 0 before a MaxPool, where Keras's same padding needs -Infinity/);
  });

  it('an AveragePool of the padded data not divided by the count of real steps (it would average the pads in) is refused', () => {
    expect(refused(padded((g, xt) => g.node('AveragePool', [g.node('Pad', [xt, wideSamePads(g, 'p', xt, 2, 3).pads])], { kernel_shape: [2], strides: [3], auto_pad: 'VALID' }, 'avg'))))
      .toMatch(/AveragePool node 'avg_node' is not divided by the same window over the padded ones \(the count of real steps\)/);
  });

  it("a Pad whose axes input (opset 18) reorders the dimensions is refused naming the axes; the axes in order import", () => {
    const withAxes = (axes: number[]) => padded((g, xt) => g.node('Conv', [g.node('Pad', [xt, wideSamePads(g, 'p', xt, 2, 3).pads, g.scalar(0), g.ints(axes)]), kernel(g, 2)],
      { kernel_shape: [2], strides: [3], auto_pad: 'VALID' }));
    expect(refused(withAxes([2, 1, 0]))).toMatch(/its axes input is \[2,1,0\], not every axis in order/);
    expect(configOf(modelFromOnnx(withAxes([0, 1, 2]), 'axes.onnx').layers[0])).toMatchObject({ padding: 'same', strides: 3, size: 2 });
  });

  it("a Pad in mode 'reflect' is refused naming the mode", () => {
    expect(refused(padded((g, xt) => g.node('Conv', [g.node('Pad', [xt, wideSamePads(g, 'p', xt, 2, 3).pads], { mode: 'reflect' }), kernel(g, 2)], { kernel_shape: [2], strides: [3] }))))
      .toMatch(/its mode is 'reflect', not 'constant'/);
  });
});
