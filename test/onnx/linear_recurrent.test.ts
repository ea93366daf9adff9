// Recurrent layers with activation 'linear' (which rnnlab's cells accept) export as ONNX's Affine activation with
// alpha 1 and beta 0 said outright; they used to be refused ("activation 'linear' has no ONNX recurrent equivalent").
// ONNX Runtime against predict (<= 1e-5), mixed with hard_sigmoid (whose alpha and beta then go in the same lists),
// and back through import.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import type { Layer } from '../../src/layers/layer.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff, ortPredict, ortSession, randomize } from './helpers.js';

const L = rl.layers;
const T = 6, F = 3;

function padded(n: number, seed: number): rl.Tensor {
  const r = new Random(seed);
  const d = new Float32Array(n * T * F);
  for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) {
    const pad = i === 1 || (i === 2 && t < 2) || (i > 2 && r.next() < 0.3);
    for (let f = 0; f < F; f++) d[(i * T + t) * F + f] = pad ? 0 : r.next() * 2 - 1;
  }
  return rl.tensor(d, [n, T, F]);
}

const CASES: [string, () => Layer[]][] = [
  ['SimpleRNN linear, returnSequences', () => [L.simpleRNN({ units: 4, activation: 'linear', returnSequences: true, inputShape: [T, F] })]],
  ['LSTM linear with hard_sigmoid gates, goBackwards', () => [L.lstm({ units: 3, activation: 'linear', recurrentActivation: 'hard_sigmoid', goBackwards: true, inputShape: [T, F] })]],
  ['GRU hard_sigmoid with linear gates, resetAfter false', () => [L.gru({ units: 3, activation: 'hard_sigmoid', recurrentActivation: 'linear', resetAfter: false, inputShape: [T, F] })]],
  ['masked Bidirectional(sum) GRU linear, resetAfter', () => [L.masking({ inputShape: [T, F] }), L.bidirectional({ layer: L.gru({ units: 3, activation: 'linear', returnSequences: true }), mergeMode: 'sum' })]],
];

describe("recurrent activation 'linear' in ONNX (Affine 1, 0)", () => {
  for (const [title, layers] of CASES) {
    it(title, async () => {
      rl.setSeed(2);
      const m = rl.sequential({ layers: layers() });
      randomize(m, 3);
      const bytes = toOnnx(m);
      const back = modelFromOnnx(bytes, 'linear.onnx');
      const session = await ortSession(bytes);
      for (const x of [padded(5, 1), padded(1, 2)]) {
        const want = (m.predict(x) as rl.Tensor).values;
        expect(maxAbsDiff(await ortPredict(session, x), want)).toBeLessThanOrEqual(1e-5);
        expect(maxAbsDiff((back.predict(x) as rl.Tensor).values, want)).toBeLessThanOrEqual(1e-5);
      }
    });
  }

  it('import refuses Affine without its alpha and beta said, or with others, naming the node and attribute', () => {
    const graph = (attrs: Record<string, unknown>) => {
      const g = new GraphBuilder();
      const xt = g.node('Transpose', ['x'], { perm: [1, 0, 2] });
      const W = g.floats('W', new Float32Array(2 * F).fill(0.1), [1, 2, F]), R = g.floats('R', new Float32Array(4).fill(0.2), [1, 2, 2]);
      const [, Yh] = g.nodeN('RNN', [xt, W, R], { hidden_size: 2, activations: ['Affine'], ...attrs } as never, 'rnn', 2);
      const y = g.node('Squeeze', [Yh, g.ints([0])]);
      return g.toBytes({ name: 'x', elemType: 'float32', shape: ['batch', T, F] }, { name: y, elemType: 'float32', shape: ['batch', 2] }, 'g', '');
    };
    expect(() => modelFromOnnx(graph({}), 'a.onnx')).toThrow(/a\.onnx: node 'rnn_node' \(RNN\): activation_alpha \[\] and activation_beta \[\] .*expected \[1\] and \[0\]/);
    expect(() => modelFromOnnx(graph({ activation_alpha: { floats: [2] }, activation_beta: { floats: [0] } }), 'a.onnx')).toThrow(/activation_alpha \[2\] and activation_beta \[0\]/);
    expect(modelFromOnnx(graph({ activation_alpha: { floats: [1] }, activation_beta: { floats: [0] } }), 'a.onnx').layers[0].getConfig()).toMatchObject({ activation: 'linear' });
  });
});
