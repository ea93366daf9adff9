// ONNX import of the Masking layer exportOnnx writes (x · Unsqueeze(ReduceMax(Cast(Not(Equal(x, maskValue)))))): float
// sequence models with Masking exported to ONNX used to be refused on the way back ("operator Mul is not imported");
// now export -> import -> predict equals the original model and ONNX Runtime (<= 1e-5) on padded batches.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import type { Layer } from '../../src/layers/layer.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff, ortPredict, ortSession, randomize, tokenIds } from './helpers.js';

const L = rl.layers;
const F = 3;

/** Floats [n, T, F]: row 0 full, row 1 all padding, row 2 left padded, row 3 right padded, others with holes. */
function padded(n: number, T: number, seed: number, maskValue: number): rl.Tensor {
  const r = new Random(seed);
  const d = new Float32Array(n * T * F);
  for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) {
    const pad = i === 1 || (i === 2 && t < T / 2) || (i === 3 && t >= T / 2) || (i > 3 && r.next() < 0.3);
    for (let f = 0; f < F; f++) d[(i * T + t) * F + f] = pad ? maskValue : r.next() * 2 - 1;
  }
  return rl.tensor(d, [n, T, F]);
}

const CASES: { title: string; maskValue: number; T: number | null; layers: (maskValue: number, T: number | null) => Layer[]; classes: string[] }[] = [
  { title: 'Masking -> LSTM returnSequences -> GRU goBackwards -> Dense', maskValue: 0, T: 7,
    layers: (maskValue, T) => [L.masking({ maskValue, inputShape: [T, F] as number[] }), L.lstm({ units: 4, returnSequences: true }),
      L.gru({ units: 3, goBackwards: true, resetAfter: false }), L.dense({ units: 2, activation: 'softmax' })],
    classes: ['Masking', 'LSTM', 'GRU', 'Dense'] },
  { title: 'Masking(-1) -> Dense tanh -> Bidirectional(ave) SimpleRNN returnSequences -> TimeDistributed Dense', maskValue: -1, T: 6,
    layers: (maskValue, T) => [L.masking({ maskValue, inputShape: [T, F] as number[] }), L.dense({ units: 4, activation: 'tanh' }),
      L.bidirectional({ layer: L.simpleRNN({ units: 3, returnSequences: true }), mergeMode: 'ave' }), L.timeDistributed({ layer: L.dense({ units: 2 }) })],
    classes: ['Masking', 'TimeDistributed', 'Bidirectional', 'TimeDistributed'] },
  { title: 'Masking on any number of steps -> Bidirectional(concat) GRU resetAfter -> Dense sigmoid', maskValue: 0, T: null,
    layers: (maskValue, T) => [L.masking({ maskValue, inputShape: [T, F] as number[] }), L.bidirectional({ layer: L.gru({ units: 3, resetAfter: true }) }),
      L.dense({ units: 1, activation: 'sigmoid' })],
    classes: ['Masking', 'Bidirectional', 'Dense'] },
];

describe('Masking models round-trip through ONNX export and import', () => {
  for (const c of CASES) {
    it(c.title, async () => {
      rl.setSeed(3);
      const m = rl.sequential({ layers: c.layers(c.maskValue, c.T) });
      const xs = c.T === null ? [padded(6, 5, 1, c.maskValue), padded(5, 9, 2, c.maskValue)] : [padded(7, c.T, 1, c.maskValue), padded(1, c.T, 2, c.maskValue)];
      m.predict(xs[0]);
      randomize(m, 4);
      const bytes = toOnnx(m);
      const back = modelFromOnnx(bytes, 'masked.onnx');
      expect(back.layers.map((l) => l.className)).toEqual(c.classes);
      expect(back.layers[0].getConfig()).toMatchObject({ maskValue: c.maskValue });
      const session = await ortSession(bytes);
      for (const x of xs) {
        const want = (m.predict(x) as rl.Tensor).values;
        expect(maxAbsDiff((back.predict(x) as rl.Tensor).values, want)).toBeLessThanOrEqual(1e-5);
        expect(maxAbsDiff(await ortPredict(session, x), want)).toBeLessThanOrEqual(1e-5);
      }
    });
  }

  it('a Mul that is not the Masking pattern (mask over the wrong axis) is refused naming the node', () => {
    const g = new GraphBuilder();
    const differs = g.node('Cast', [g.node('Not', [g.node('Equal', ['x', g.scalar(0)])])], { to: 1 });
    const m = g.node('ReduceMax', [differs], { axes: [1], keepdims: 0 });
    const y = g.node('Mul', ['x', g.node('Unsqueeze', [m, g.ints([1])])], {}, 'odd_mask');
    const bytes = g.toBytes({ name: 'x', elemType: 'float32', shape: ['batch', 4, F] }, { name: y, elemType: 'float32', shape: ['batch', 4, F] }, 'g', '');
    expect(() => modelFromOnnx(bytes, 'odd.onnx')).toThrow(/odd\.onnx: node 'odd_mask_node' \(Mul\): only the Mul of a Masking layer/);
  });
});

describe("exportOnnx's masked GlobalAveragePooling1D (the mean over the real steps) imports back", () => {
  const build = (keepdims: boolean, maskedBy: 'embedding' | 'masking') => rl.sequential({ layers: [
    ...(maskedBy === 'embedding'
      ? [L.embedding({ inputDim: 20, outputDim: 4, inputLength: 7, maskZero: true })]
      : [L.masking({ inputShape: [7, F] }), L.lstm({ units: 4, returnSequences: true })]),
    L.globalAveragePooling1d({ keepdims }),
    ...(keepdims ? [L.flatten()] : []),
    L.dense({ units: 2 }),
  ] });

  for (const maskedBy of ['embedding', 'masking'] as const) {
    for (const keepdims of [false, true]) {
      it(`after ${maskedBy === 'embedding' ? 'an Embedding with maskZero' : 'Masking and an LSTM'}, keepdims ${keepdims}`, async () => {
        rl.setSeed(5);
        const m = build(keepdims, maskedBy);
        const x = maskedBy === 'embedding' ? tokenIds(6, 7, 20, 3, { pad: true, holes: true, allowEmpty: true }) : padded(6, 7, 3, 0);
        m.predict(x);
        randomize(m, 6);
        const bytes = toOnnx(m);
        const back = modelFromOnnx(bytes, 'gap.onnx');
        expect(back.layers.map((l) => l.className)).toEqual(m.layers.map((l) => l.className));
        expect((back.layers.find((l) => l.className === 'GlobalAveragePooling1D')!.getConfig() as { keepdims?: boolean }).keepdims ?? false).toBe(keepdims);
        const want = (m.predict(x) as rl.Tensor).values;
        expect(maxAbsDiff((back.predict(x) as rl.Tensor).values, want)).toBeLessThanOrEqual(1e-5);
        expect(maxAbsDiff(await ortPredict(await ortSession(bytes), x), want)).toBeLessThanOrEqual(1e-5);
      });
    }
  }

  it('a masked mean whose mask rnnlab would not carry there is refused naming the node', () => {
    // Steps whose largest feature is 0 weigh nothing: a mask no rnnlab layer makes, so the imported mean would differ.
    const g = new GraphBuilder();
    const m = g.node('Cast', [g.node('Not', [g.node('Equal', [g.node('ReduceMax', ['x'], { axes: [2], keepdims: 0 }), g.scalar(0)])])], { to: 1 });
    const steps = g.node('Unsqueeze', [m, g.ints([2])]);
    const sum = g.node('ReduceSum', [g.node('Mul', ['x', steps], {}, 'weigh'), g.ints([1])], { keepdims: 0 });
    const y = g.node('Div', [sum, g.node('Max', [g.node('ReduceSum', [steps, g.ints([1])], { keepdims: 0 }), g.scalar(1)])]);
    const bytes = g.toBytes({ name: 'x', elemType: 'float32', shape: ['batch', 4, F] }, { name: y, elemType: 'float32', shape: ['batch', F] }, 'g', '');
    expect(() => modelFromOnnx(bytes, 'odd.onnx')).toThrow(/odd\.onnx: node 'weigh_node' \(Mul\): a masked mean over the steps whose mask is not the padding mask rnnlab would carry/);
  });
});
