// ONNX import of the normalization, LeakyReLU, clipping and average-pooling nodes: rnnlab's own exports of those
// layers read back as layers that predict the same, PyTorch-style nodes (BatchNormalization over channels-first
// data, LayerNormalization, LeakyRelu, Clip, AveragePool) predict what ONNX Runtime computes, and forms with no
// Keras equivalent are refused naming the node.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { Random } from '../../src/random.js';
import { bytesOf, type Dims, maxAbsDiff, ortPredict, ortSession, randomize } from './helpers.js';

const L = rl.layers;

function values(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: n }, () => (r.next() - 0.5) * scale + offset);
}
const floats = (shape: number[], seed: number) => rl.tensor(values(shape.reduce((a, b) => a * b, 1), seed, 4), shape);

/** Random weights, with every BatchNormalization's moving variance (its last weight) made positive. */
function weighted<M extends rl.Sequential>(m: M, seed: number): M {
  randomize(m, seed);
  for (const l of m.layers) {
    if (l.className !== 'BatchNormalization') continue;
    const w = l.getWeightValues();
    w[w.length - 1] = w[w.length - 1].map((v) => Math.abs(v) + 0.3);
    l.setWeights(w);
  }
  return m;
}

async function expectRoundTrip(m: rl.Sequential, x: rl.Tensor, layers: string[]): Promise<void> {
  const bytes = toOnnx(m);
  const back = modelFromOnnx(bytes, 'roundtrip.onnx');
  expect(back.layers.map((l) => l.className)).toEqual(layers);
  const ours = m.predict(x).values;
  expect(maxAbsDiff(back.predict(x).values, ours)).toBeLessThanOrEqual(1e-5);
  expect(maxAbsDiff(ours, await ortPredict(await ortSession(bytes), x))).toBeLessThanOrEqual(1e-5);
}


async function expectSameAsOrt(bytes: Uint8Array, x: rl.Tensor, layers: string[]): Promise<rl.Sequential> {
  const m = modelFromOnnx(bytes, 'user.onnx');
  expect(m.layers.map((l) => l.className)).toEqual(layers);
  expect(maxAbsDiff(m.predict(x).values, await ortPredict(await ortSession(bytes), x))).toBeLessThanOrEqual(1e-5);
  return m;
}

describe("rnnlab's exports of these layers import back", () => {
  it('Dense, BatchNormalization, LeakyReLU, Dense relu6, ReLU maxValue, LayerNormalization, Dense', async () => {
    const m = weighted(rl.sequential({ layers: [
      L.dense({ units: 6, inputShape: [5] }), L.batchNormalization({ epsilon: 0.01 }), L.leakyReLU({ alpha: 0.2 }),
      L.dense({ units: 5, activation: 'relu6' }), L.reLU({ maxValue: 0.4 }), L.layerNormalization({ epsilon: 0.001 }), L.dense({ units: 2 }),
    ] }), 3);
    await expectRoundTrip(m, floats([7, 5], 4), ['Dense', 'BatchNormalization', 'LeakyReLU', 'Dense', 'ReLU', 'LayerNormalization', 'Dense']);
  });

  it('Conv1D, AveragePooling1D same and valid, BatchNormalization and LayerNormalization over (batch, steps, features)', async () => {
    const m = weighted(rl.sequential({ layers: [
      L.conv1d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [9, 3] }), L.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same' }),
      L.batchNormalization({ scale: false }), L.averagePooling1d({ poolSize: 2 }), L.layerNormalization({ center: false }),
      L.leakyReLU(), L.flatten(), L.dense({ units: 1, activation: 'sigmoid' }),
    ] }), 5);
    await expectRoundTrip(m, floats([4, 9, 3], 6),
      ['Conv1D', 'AveragePooling1D', 'BatchNormalization', 'AveragePooling1D', 'LayerNormalization', 'LeakyReLU', 'Flatten', 'Dense']);
  });

  it('the imported BatchNormalization fine-tunes (its weights are layers, not constants)', async () => {
    const m = weighted(rl.sequential({ layers: [L.dense({ units: 4, inputShape: [3] }), L.batchNormalization(), L.dense({ units: 1, activation: 'sigmoid' })] }), 8);
    const back = modelFromOnnx(toOnnx(m), 'bn.onnx');
    const x = floats([16, 3], 9), y = rl.tensor(Float32Array.from({ length: 16 }, (_, i) => i % 2), [16, 1]);
    back.compile({ optimizer: rl.train.adam(0.05), loss: 'binaryCrossentropy' });
    const before = back.layers[1].getWeightValues()[0].slice();
    await back.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    expect(maxAbsDiff(back.layers[1].getWeightValues()[0], before)).toBeGreaterThan(0);
  });
});

describe('PyTorch-style nodes', () => {
  const C = 4, T = 6;

  it('Conv -> BatchNormalization -> LeakyRelu on channels-first data, then a Linear (BatchNorm1d, default alpha 0.01)', async () => {
    const g = new GraphBuilder();
    const xt = g.node('Transpose', ['x'], { perm: [0, 2, 1] });
    const conv = g.node('Conv', [xt, g.floats('W', values(C * 3 * 3, 1), [C, 3, 3]), g.floats('b', values(C, 2), [C])], { kernel_shape: [3] });
    const bn = g.node('BatchNormalization', [conv, g.floats('s', values(C, 3), [C]), g.floats('B', values(C, 4), [C]),
      g.floats('mean', values(C, 5), [C]), g.floats('var', values(C, 6, 1, 1), [C])], { epsilon: { float: 1e-5 }, momentum: { float: 0.9 } });
    const act = g.node('LeakyRelu', [bn]);
    const back = g.node('Transpose', [act], { perm: [0, 2, 1] });
    const y = g.node('Gemm', [g.node('Flatten', [back]), g.floats('Wd', values((T - 2) * C * 2, 7), [(T - 2) * C, 2])]);
    const m = await expectSameAsOrt(bytesOf(g, y, ['batch', T, 3], ['batch', 2]), floats([3, T, 3], 8),
      ['Conv1D', 'BatchNormalization', 'LeakyReLU', 'Flatten', 'Dense']);
    expect((m.layers[2].getConfig() as { alpha: number }).alpha).toBeCloseTo(0.01, 7);
    expect((m.layers[1].getConfig() as { momentum: number }).momentum).toBeCloseTo(0.9, 7);
  });

  it('Gemm -> BatchNormalization on (batch, features), LayerNormalization with Scale and B, Clip(0, 6) and Clip(0, 2)', async () => {
    const g = new GraphBuilder();
    const d = g.node('Gemm', ['x', g.floats('W', values(15, 1), [3, 5])]);
    const bn = g.node('BatchNormalization', [d, g.floats('s', values(5, 3), [5]), g.floats('B', values(5, 4), [5]),
      g.floats('mean', values(5, 5), [5]), g.floats('var', values(5, 6, 1, 1), [5])]);
    const ln = g.node('LayerNormalization', [bn, g.floats('ls', values(5, 9, 1, 1), [5]), g.floats('lb', values(5, 10), [5])], { axis: -1, epsilon: { float: 1e-5 } });
    const six = g.node('Clip', [ln, g.scalar(0), g.scalar(6)]);
    const d2 = g.node('Gemm', [six, g.floats('W2', values(10, 11, 8), [5, 2])]);
    const y = g.node('Clip', [d2, g.scalar(0), g.scalar(2)]);
    const m = await expectSameAsOrt(bytesOf(g, y, ['batch', 3], ['batch', 2]), floats([6, 3], 12),
      ['Dense', 'BatchNormalization', 'LayerNormalization', 'ReLU', 'Dense', 'ReLU']);
    expect((m.layers[3].getConfig() as { maxValue: number }).maxValue).toBe(6);
    // Clip(0, 2) after a Gemm is no Keras activation: the Dense stays linear and a ReLU layer clips.
    expect((m.layers[4].getConfig() as { activation: string }).activation).toBe('linear');
    expect((m.layers[5].getConfig() as { maxValue: number }).maxValue).toBe(2);
  });

  it("a Gemm's Clip(0, 6) is its relu6; an opset-10 Clip reads its bounds from attributes", async () => {
    const g = new GraphBuilder();
    const d = g.node('Gemm', ['x', g.floats('W', values(6, 1, 8), [3, 2])]);
    const y = g.node('Clip', [d, g.scalar(0), g.scalar(6)]);
    const m = await expectSameAsOrt(bytesOf(g, y, ['batch', 3], ['batch', 2]), floats([5, 3], 2), ['Dense']);
    expect((m.layers[0].getConfig() as { activation: string }).activation).toBe('relu6');

    const old = new GraphBuilder();
    const y10 = old.node('Clip', ['x'], { min: { float: 0 }, max: { float: 1.5 } });
    const m10 = modelFromOnnx(bytesOf(old, y10, ['batch', 3], ['batch', 3], 10), 'old.onnx');
    const x = floats([4, 3], 3);
    expect(maxAbsDiff(m10.predict(x).values, x.values.map((v) => Math.min(Math.max(v, 0), 1.5)))).toBe(0);
  });

  it('AveragePool valid with count_include_pad 1 (pads do not matter), and SAME_UPPER averaging the real steps', async () => {
    const forms: Record<string, number[] | number | string>[] = [{ kernel_shape: [2], strides: [2], count_include_pad: 1 }, { kernel_shape: [3], strides: [1], auto_pad: 'SAME_UPPER' }];
    for (const attrs of forms) {
      const g = new GraphBuilder();
      const pooled = g.node('AveragePool', [g.node('Transpose', ['x'], { perm: [0, 2, 1] })], attrs);
      const y = g.node('Transpose', [pooled], { perm: [0, 2, 1] });
      const steps = attrs.auto_pad ? T : T / 2;
      await expectSameAsOrt(bytesOf(g, y, ['batch', T, C], ['batch', steps, C]), floats([2, T, C], 4), ['AveragePooling1D']);
    }
  });
});

describe('refused, naming the node', () => {
  const one = (op: string, inputs: (g: GraphBuilder) => string[], attrs: Record<string, unknown>, dims: Dims, opset?: number) => {
    const g = new GraphBuilder();
    const y = g.node(op, inputs(g), attrs as never, 'odd');
    return modelFromOnnx.bind(null, bytesOf(g, y, dims, dims, opset), 'odd.onnx');
  };
  const bnInputs = (c: number) => (g: GraphBuilder) => ['x', ...['s', 'B', 'm', 'v'].map((k) => g.floats(k, new Float32Array(c).fill(1), [c]))];

  it('a Clip whose lower bound is not 0, and one whose max is not above 0', () => {
    expect(one('Clip', (g) => ['x', g.scalar(-1), g.scalar(1)], {}, ['batch', 3])).toThrow(/odd\.onnx: node 'odd_node' \(Clip\): only Clip from 0 .*min is -1/);
    expect(one('Clip', (g) => ['x', g.scalar(0), g.scalar(0)], {}, ['batch', 3])).toThrow(/\(Clip\): Clip's max 0 is not above its min 0/);
  });

  it('BatchNormalization in training mode, or over the steps of (batch, steps, features)', () => {
    expect(one('BatchNormalization', bnInputs(3), { training_mode: 1 }, ['batch', 3])).toThrow(/\(BatchNormalization\): training_mode 1/);
    expect(one('BatchNormalization', bnInputs(4), {}, ['batch', 4, 3])).toThrow(/\(BatchNormalization\): normalizes axis 1, which here is the steps/);
  });

  it('LayerNormalization over an axis other than the last', () => {
    const ln = (g: GraphBuilder) => ['x', g.floats('s', new Float32Array(12).fill(1), [4, 3])];
    expect(one('LayerNormalization', ln, { axis: 1 }, ['batch', 4, 3])).toThrow(/\(LayerNormalization\): only LayerNormalization over the features .*axis 1, rank 3/);
  });

  it('AveragePool counting its pads', () => {
    const g = new GraphBuilder();
    const pooled = g.node('AveragePool', [g.node('Transpose', ['x'], { perm: [0, 2, 1] })], { kernel_shape: [3], pads: [1, 1], count_include_pad: 1 }, 'odd');
    const y = g.node('Transpose', [pooled], { perm: [0, 2, 1] });
    expect(() => modelFromOnnx(bytesOf(g, y, ['batch', 5, 2], ['batch', 5, 2]), 'odd.onnx')).toThrow(/\(AveragePool\): count_include_pad 1 with padding/);
  });

  it('a Mul by a per-feature constant without the Add of a folded BatchNormalization', () => {
    expect(one('Mul', (g) => ['x', g.floats('s', [1, 2, 3], [3])], {}, ['batch', 3])).toThrow(/odd\.onnx: node 'odd_node' \(Mul\): only the Mul of a Masking layer .*or a Mul and Add/);
  });
});
