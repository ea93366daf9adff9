// ONNX import: a recurrent node that a padding mask reaches in rnnlab must take sequence_lens, and one it does not
// reach must not. Before, the importer only checked the second: a Masking (or an Embedding's token-id-0 mask) then an
// LSTM without sequence_lens imported as a masked layer that skips padded steps while ONNX Runtime runs every step,
// so the imported model gave other numbers than the file. Exported models whose mask stops before a later recurrent
// layer (Conv1D, RepeatVector) still round-trip.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import type { Layer } from '../../src/layers/layer.js';
import { maxAbsDiff, ortPredict, ortSession } from './helpers.js';

const L = rl.layers;
const F = 3, T = 4, H = 2;
const wave = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + s) * 0.6);

/** The exporter's Masking pattern on 'x'; returns the masked data and the [B, T] mask. */
function maskingPattern(g: GraphBuilder): { y: string; m: string } {
  const differs = g.node('Cast', [g.node('Not', [g.node('Equal', ['x', g.scalar(0)])])], { to: 1 });
  const m = g.node('ReduceMax', [differs], { axes: [2], keepdims: 0 });
  return { y: g.node('Mul', ['x', g.node('Unsqueeze', [m, g.ints([2])])], {}, 'masking'), m };
}

/** LSTM on time-major xt (D features), optionally with sequence_lens, then its last state as (batch, H). */
function lstmLast(g: GraphBuilder, xt: string, D: number, lens = ''): string {
  const W = g.floats('W', wave(4 * H * D, 1), [1, 4 * H, D]), R = g.floats('R', wave(4 * H * H, 2), [1, 4 * H, H]);
  const B = g.floats('B', wave(8 * H, 3), [1, 8 * H]);
  const [, Yh] = g.nodeN('LSTM', lens ? [xt, W, R, B, lens] : [xt, W, R, B], { hidden_size: H }, 'nolens', 2);
  return g.node('Squeeze', [Yh, g.ints([0])]);
}

describe('ONNX import: padding mask and sequence_lens must agree', () => {
  it('Masking then an LSTM without sequence_lens is refused naming the node (ONNX runs every step)', async () => {
    const g = new GraphBuilder();
    const { y } = maskingPattern(g);
    const out = lstmLast(g, g.node('Transpose', [y], { perm: [1, 0, 2] }), F);
    const bytes = g.toBytes({ name: 'x', elemType: 'float32', shape: ['batch', 'steps', F] }, { name: out, elemType: 'float32', shape: ['batch', H] }, 'g', '');
    // The file's own numbers count the padded steps: ONNX Runtime differs from skipping them, so importing it masked is wrong.
    const x = rl.tensor(Float32Array.from([0.5, -0.2, 0.1, 0.3, 0.4, -0.6, 0, 0, 0, 0, 0, 0]), [1, T, F]);
    const ort = await ortPredict(await ortSession(bytes), x);
    const skipped = await ortPredict(await ortSession(bytes), rl.tensor(x.values.slice(0, 2 * F), [1, 2, F]));
    expect(maxAbsDiff(ort, skipped)).toBeGreaterThan(1e-3);
    expect(() => modelFromOnnx(bytes, 'nolens.onnx')).toThrow(/nolens\.onnx: node 'nolens_node' \(LSTM\): a padding mask \(from a Masking layer\) reaches this node .* takes no sequence_lens/);
  });

  it("an Embedding whose token-id-0 mask is in the graph, then an LSTM without sequence_lens, is refused", () => {
    const g = new GraphBuilder();
    g.node('Equal', [g.node('Cast', ['x'], { to: 1 }), g.scalar(0)]);
    const emb = g.node('Gather', [g.floats('E', wave(10 * F, 4), [10, F]), 'x'], { axis: 0 });
    const out = lstmLast(g, g.node('Transpose', [emb], { perm: [1, 0, 2] }), F);
    const bytes = g.toBytes({ name: 'x', elemType: 'int32', shape: ['batch', T] }, { name: out, elemType: 'float32', shape: ['batch', H] }, 'g', '');
    expect(() => modelFromOnnx(bytes, 'ids.onnx')).toThrow(/ids\.onnx: node 'nolens_node' \(LSTM\): a padding mask \(from the Embedding's maskZero, token id 0\) reaches this node/);
  });

  it('sequence_lens on a node the mask no longer reaches (after a Conv) is refused', () => {
    const g = new GraphBuilder();
    const { y, m } = maskingPattern(g);
    const conv = g.node('Conv', [g.node('Transpose', [y], { perm: [0, 2, 1] }), g.floats('K', wave(F * F * 2, 5), [F, F, 2])], { kernel_shape: [2] });
    const lens = g.node('Cast', [g.node('ReduceSum', [m, g.ints([1])], { keepdims: 0 })], { to: 6 });
    const out = lstmLast(g, g.node('Transpose', [conv], { perm: [2, 0, 1] }), F, lens);
    const bytes = g.toBytes({ name: 'x', elemType: 'float32', shape: ['batch', T, F] }, { name: out, elemType: 'float32', shape: ['batch', H] }, 'g', '');
    expect(() => modelFromOnnx(bytes, 'conv.onnx')).toThrow(/conv\.onnx: node 'nolens_node' \(LSTM\): takes sequence_lens, but the padding mask does not reach this node/);
  });

  const DROPPED: [string, () => Layer[], rl.Tensor, string[]][] = [
    ['Embedding maskZero -> LSTM (last step) -> RepeatVector -> GRU', () => [L.embedding({ inputDim: 9, outputDim: 3, inputLength: 5, maskZero: true }),
      L.lstm({ units: 4 }), L.repeatVector({ n: 3 }), L.gru({ units: 2, resetAfter: true })],
    rl.tensor(Int32Array.from([0, 0, 3, 4, 5, 1, 2, 3, 4, 5, 0, 0, 0, 0, 7]), [3, 5]), ['Embedding', 'LSTM', 'RepeatVector', 'GRU']],
    ['Masking -> Conv1D -> LSTM', () => [L.masking({ inputShape: [5, F] }), L.conv1d({ filters: 2, kernelSize: 2 }), L.lstm({ units: 3 })],
      rl.tensor(Float32Array.from({ length: 2 * 5 * F }, (_, i) => (i % 7 < 3 ? 0 : Math.cos(i)) * (i < 6 ? 0 : 1)), [2, 5, F]), ['Masking', 'Conv1D', 'LSTM']],
  ];
  for (const [title, layers, x, classes] of DROPPED) {
    it(`a mask dropped before a later recurrent layer still round-trips: ${title}`, async () => {
      rl.setSeed(5);
      const m = rl.sequential({ layers: layers() });
      const want = (m.predict(x) as rl.Tensor).values;
      const bytes = toOnnx(m);
      const back = modelFromOnnx(bytes, 'dropped.onnx');
      expect(back.layers.map((l) => l.className)).toEqual(classes);
      expect(maxAbsDiff((back.predict(x) as rl.Tensor).values, want)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(await ortPredict(await ortSession(bytes), x), want)).toBeLessThanOrEqual(1e-5);
    });
  }
});
