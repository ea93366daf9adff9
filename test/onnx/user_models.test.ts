// Users' own models (not the lab's) exported to ONNX and run in ONNX Runtime against predict (<= 1e-5): Masking with
// left, right and full padding into stacked and bidirectional recurrent layers with non-default options, dynamic batch
// and steps, shared layers, every activation, explicit input layers; and the exports that must be refused by name.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import type { Layer } from '../../src/layers/layer.js';
import type { Activation } from '../../src/autograd/ops.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { Random } from '../../src/random.js';
import { expectSameAsOrt as expectFunctionalSameAsOrt, maxAbsDiff, ortPredict, ortSession, tokenIds } from './helpers.js';

const L = rl.layers;
const one = (v: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => v as SymbolicTensor;

/** Floats [n, T, F]; padded steps (all features 0): row 0 none, row 1 all, row 2 left padding, row 3 right padding, others random. */
function padded(n: number, T: number, F: number, seed: number): rl.Tensor {
  const r = new Random(seed);
  const d = new Float32Array(n * T * F);
  for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) {
    const pad = i === 1 || (i === 2 && t < T / 2) || (i === 3 && t >= T / 2) || (i > 3 && r.next() < 0.3);
    for (let f = 0; f < F; f++) d[(i * T + t) * F + f] = pad ? 0 : r.next() * 2 - 1;
  }
  return rl.tensor(d, [n, T, F]);
}

/** Ids [n, T]: row 0 full, row 1 all padding, row 2 left padded, row 3 right padded, row 4 holes. */
function paddedIds(n: number, T: number, vocab: number, seed: number): rl.Tensor {
  const r = new Random(seed);
  const d = new Int32Array(n * T);
  for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) {
    const pad = i === 1 || (i === 2 && t < T / 2) || (i === 3 && t >= T / 2) || (i >= 4 && r.next() < 0.3);
    d[i * T + t] = pad ? 0 : 1 + Math.floor(r.next() * (vocab - 1));
  }
  return rl.tensor(d, [n, T], 'int32');
}

const floats = (shape: number[], seed: number): rl.Tensor => {
  const r = new Random(seed);
  return rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r.next() - 0.5) * 4), shape);
};

const slice = (x: rl.Tensor, rows: number): rl.Tensor => {
  const per = x.size / x.shape[0];
  return rl.tensor(x.values.slice(0, rows * per), [rows, ...x.shape.slice(1)], x.dtype as never);
};

async function same(m: rl.Sequential, xs: rl.Tensor[]): Promise<void> {
  m.predict(xs[0]); // builds a model whose first layer has no input shape
  const session = await ortSession(toOnnx(m));
  for (const x of xs) {
    const ours = m.predict(x);
    const theirs = await ortPredict(session, x);
    expect(maxAbsDiff(ours.values, theirs)).toBeLessThanOrEqual(1e-5);
  }
}

interface Case { title: string; layers: () => Layer[]; inputs: () => rl.Tensor[] }

const F = 3;
const floatIn = (T: number | null) => ({ inputShape: [T, F] as number[] }); // null: any number of steps

const CASES: Case[] = [
  { title: 'Masking -> LSTM relu/hard_sigmoid returnSequences -> LSTM goBackwards -> Dense', layers: () => [
    L.masking({ ...floatIn(8) }), L.lstm({ units: 4, activation: 'relu', recurrentActivation: 'hard_sigmoid', returnSequences: true }),
    L.lstm({ units: 3, goBackwards: true }), L.dense({ units: 2 })], inputs: () => [padded(7, 8, F, 1), slice(padded(7, 8, F, 1), 1)] },
  { title: 'Masking -> LSTM goBackwards returnSequences -> LSTM returnSequences', layers: () => [
    L.masking({ ...floatIn(6) }), L.lstm({ units: 4, goBackwards: true, returnSequences: true, useBias: false }),
    L.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid' })], inputs: () => [padded(7, 6, F, 2)] },
  ...[true, false].map((resetAfter): Case => ({ title: `GRU resetAfter ${resetAfter} useBias false, masked, stacked`, layers: () => [
    L.masking({ ...floatIn(7) }), L.gru({ units: 4, resetAfter, useBias: false, returnSequences: true }),
    L.gru({ units: 3, resetAfter, goBackwards: true, activation: 'relu', recurrentActivation: 'hard_sigmoid' })], inputs: () => [padded(6, 7, F, 3)] })),
  { title: 'SimpleRNN relu useBias false goBackwards returnSequences -> TimeDistributed Dense', layers: () => [
    L.masking({ ...floatIn(5) }), L.simpleRNN({ units: 4, activation: 'relu', useBias: false, goBackwards: true, returnSequences: true }),
    L.timeDistributed({ layer: L.dense({ units: 2, activation: 'sigmoid' }) })], inputs: () => [padded(6, 5, F, 4)] },
  ...(['concat', 'sum', 'mul', 'ave'] as const).flatMap((mergeMode) => [true, false].map((rs): Case => ({
    title: `Masking -> Bidirectional(${mergeMode}, returnSequences ${rs}) GRU/SimpleRNN`, layers: () => [
      L.masking({ ...floatIn(6) }), L.bidirectional({ layer: L.gru({ units: 3, returnSequences: true, resetAfter: false }), mergeMode }),
      L.bidirectional({ layer: L.simpleRNN({ units: 2, returnSequences: rs }), mergeMode })], inputs: () => [padded(6, 6, F, 5)] }))),
  { title: 'recurrent dropout and dropout (inference)', layers: () => [
    L.lstm({ units: 4, dropout: 0.3, recurrentDropout: 0.4, returnSequences: true, ...floatIn(5) }),
    L.gru({ units: 3, dropout: 0.2, recurrentDropout: 0.5 })], inputs: () => [padded(4, 5, F, 6)] },
  { title: 'dynamic steps: LSTM without a fixed length', layers: () => [L.masking({ ...floatIn(null) }), L.lstm({ units: 3 })],
    inputs: () => [padded(5, 4, F, 7), padded(5, 9, F, 8), slice(padded(5, 3, F, 9), 1)] },
  { title: 'Embedding maskZero without inputLength -> Bidirectional LSTM -> Dense softmax, batch 1 and all padding',
    layers: () => [L.embedding({ inputDim: 20, outputDim: 4, maskZero: true }), L.bidirectional({ layer: L.lstm({ units: 3, returnSequences: true }) }),
      L.globalAveragePooling1d(), L.dense({ units: 3, activation: 'softmax' })],
    inputs: () => [paddedIds(6, 8, 20, 10), paddedIds(6, 5, 20, 11), rl.tensor(new Int32Array(4), [1, 4], 'int32')] },
  { title: 'Conv1D same -> MaxPooling1D -> LSTM -> LayerNormalization -> Dense', layers: () => [
    L.conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', ...floatIn(10) }), L.maxPooling1d({ poolSize: 2 }),
    L.lstm({ units: 4, returnSequences: true }), L.layerNormalization(), L.batchNormalization(), L.globalMaxPooling1d(), L.dense({ units: 1 })],
  inputs: () => [padded(5, 10, F, 12)] },
  { title: 'RNN layer with stacked cells, goBackwards, masked', layers: () => [
    L.masking({ ...floatIn(6) }), L.rnn({ cell: [L.lstmCell({ units: 3 }), L.gruCell({ units: 2 })], goBackwards: true, returnSequences: true })],
  inputs: () => [padded(6, 6, F, 13)] },
  { title: 'RNN layer with GRU cells of both reset kinds and a bias-free LSTM cell, masked, returnSequences', layers: () => [
    L.masking({ ...floatIn(6) }), L.rnn({ cell: [L.gruCell({ units: 3, resetAfter: false }), L.gruCell({ units: 2, resetAfter: true }),
      L.lstmCell({ units: 2, useBias: false, activation: 'relu', recurrentActivation: 'hard_sigmoid' })], returnSequences: true })],
  inputs: () => [padded(6, 6, F, 16)] },
  { title: 'RNN layer with one SimpleRNN cell, masked', layers: () => [
    L.masking({ ...floatIn(6) }), L.rnn({ cell: L.simpleRNNCell({ units: 3 }) })], inputs: () => [padded(6, 6, F, 14)] },
  { title: 'Bidirectional around an RNN over one LSTM cell, then one GRU cell, masked', layers: () => [
    L.masking({ ...floatIn(6) }), L.bidirectional({ layer: L.rnn({ cell: L.lstmCell({ units: 3 }), returnSequences: true }) as never, mergeMode: 'sum' }),
    L.bidirectional({ layer: L.rnn({ cell: L.gruCell({ units: 2, resetAfter: false }) }) as never })],
  inputs: () => [padded(6, 6, F, 17)] },
  { title: 'Dense 3-D without bias -> LSTM', layers: () => [
    L.masking({ ...floatIn(6) }), L.dense({ units: 4, useBias: false, activation: 'tanh' }), L.lstm({ units: 3 })], inputs: () => [padded(6, 6, F, 15)] },
];

describe('user-style Sequential and functional models match predict in ONNX Runtime', () => {
  for (const c of CASES) {
    it(c.title, async () => {
      rl.setSeed(5);
      const m = rl.sequential({ layers: c.layers() });
      await same(m, c.inputs());
    });
  }

  it('functional: shared LSTM over two inputs, two outputs', async () => {
    rl.setSeed(6);
    const a = rl.input({ shape: [5, F], name: 'a' }), b = rl.input({ shape: [5, F], name: 'b' });
    const mask = L.masking();
    const shared = L.lstm({ units: 4, returnSequences: true, name: 'shared' });
    const ha = one(shared.apply(one(mask.apply(a)))), hb = one(shared.apply(one(L.masking().apply(b))));
    const att = one(L.attention({ name: 'att' }).apply([ha, hb]));
    const pooled = one(L.globalAveragePooling1d({ name: 'pooled' }).apply(att));
    const last = one(L.gru({ units: 2, name: 'last' }).apply(hb));
    const m = rl.model({ inputs: [a, b], outputs: [pooled, last] });
    await expectFunctionalSameAsOrt(m, [padded(6, 5, F, 20), padded(6, 5, F, 21)]);
  });

  it('functional: merges that broadcast (a (steps, 1) attention weight, a lower-rank input) match ONNX Runtime', async () => {
    rl.setSeed(8);
    const x = rl.input({ shape: [5, F], name: 'x' }), v = rl.input({ shape: [F], name: 'v' });
    const score = one(L.dense({ units: 1, activation: 'sigmoid', name: 'score' }).apply(x));
    const weighted = one(L.multiply({ name: 'weighted' }).apply([x, score]));
    const shifted = one(L.add({ name: 'shifted' }).apply([v, weighted, score]));
    const m = rl.model({ inputs: [x, v], outputs: [one(L.globalAveragePooling1d().apply(shifted)), shifted] });
    await expectFunctionalSameAsOrt(m, [padded(6, 5, F, 22), rl.tensor(Array.from({ length: 6 * F }, (_, i) => Math.sin(i)), [6, F])]);
  });

  it('a Bidirectional around an RNN over a stack of cells is refused naming the layer', () => {
    const m = rl.sequential({ layers: [L.bidirectional({ layer: L.rnn({ cell: [L.lstmCell({ units: 2 }), L.lstmCell({ units: 2 })] }) as never, name: 'bi', inputShape: [4, F] })] });
    expect(() => toOnnx(m)).toThrow(/layer 'bi' \(Bidirectional\) wraps an RNN over a stack of cells, which is not exported/);
  });

  it('stateful is refused naming the layer', () => {
    const m = rl.sequential({ layers: [L.lstm({ units: 2, stateful: true, batchInputShape: [2, 4, 3], name: 'st' })] });
    expect(() => toOnnx(m)).toThrow(/layer 'st' \(LSTM\).*stateful/);
  });
});

describe('activations, input layers, int32 inputs, output names, refusals', () => {
  it('Bidirectional mergeMode null exports its two outputs (two_ways, two_ways_1), each equal to predict', async () => {
    rl.setSeed(5);
    const x = rl.input({ shape: [4, F] });
    const outs = L.bidirectional({ layer: L.lstm({ units: 2 }), mergeMode: null, name: 'two_ways' }).apply(x) as SymbolicTensor[];
    await expectFunctionalSameAsOrt(rl.model({ inputs: x, outputs: outs }), [padded(6, 4, F, 8)]);
  });

  const ACTIVATIONS: Activation[] = ['elu', 'selu', 'softplus', 'softsign', 'relu6', 'swish', 'silu', 'gelu', 'gelu_new', 'mish', 'exponential'];
  for (const activation of ACTIVATIONS) {
    it(`activation '${activation}' in Dense, TimeDistributed(Dense), Conv1D and an Activation layer`, async () => {
      rl.setSeed(4);
      // exp of exp overflows: between two exponentials, tanh.
      const between: Activation = activation === 'exponential' ? 'tanh' : activation;
      const m = rl.sequential({ layers: [
        L.conv1d({ filters: 3, kernelSize: 2, activation: between, inputShape: [5, 2] }),
        L.timeDistributed({ layer: L.dense({ units: 3, activation }) }),
        L.flatten(), L.dense({ units: 4, activation: between }), L.activation({ activation }),
      ] });
      await same(m, [floats([4, 5, 2], 3)]);
    });
  }

  it('a Sequential starting with an InputLayer: int32 into Embedding, int32 read as numbers by Dense, float', async () => {
    rl.setSeed(5);
    const ids = rl.sequential({ layers: [L.inputLayer({ inputShape: [6], dtype: 'int32' }), L.embedding({ inputDim: 9, outputDim: 3, maskZero: true }), L.lstm({ units: 2 })] });
    await same(ids, [paddedIds(5, 6, 9, 1)]);
    const counts = rl.sequential({ layers: [L.inputLayer({ inputShape: [4], dtype: 'int32' }), L.dense({ units: 2 })] });
    await same(counts, [paddedIds(5, 4, 9, 2)]);
    const seq = rl.sequential({ layers: [L.inputLayer({ inputShape: [null as unknown as number, F] }), L.masking(), L.gru({ units: 2 })] });
    await same(seq, [padded(5, 6, F, 3), padded(5, 3, F, 4)]);
  });

  it('a functional int32 input read by a Dense (cast to float) and an Embedding (ids)', async () => {
    rl.setSeed(6);
    const ids = rl.input({ shape: [4], dtype: 'int32', name: 'ids' });
    const d = one(L.dense({ units: 2, name: 'counts' }).apply(ids));
    const e = one(L.lstm({ units: 2, name: 'seq' }).apply(one(L.embedding({ inputDim: 9, outputDim: 2, maskZero: true }).apply(ids))));
    await expectFunctionalSameAsOrt(rl.model({ inputs: ids, outputs: [d, e] }), [paddedIds(5, 4, 9, 7)]);
  });

  it('Conv1D same with strides 2 and 3 (ONNX SAME_UPPER pads as Keras)', async () => {
    rl.setSeed(7);
    for (const [kernelSize, strides] of [[3, 2], [4, 3]]) {
      await same(rl.sequential({ layers: [L.conv1d({ filters: 2, kernelSize, strides, padding: 'same', inputShape: [10, F] })] }), [floats([3, 10, F], kernelSize)]);
    }
  });

  it("output names are exact; of two that would share one, the layer's own name wins and the state is '<layer>_output<i>'", async () => {
    const x = rl.input({ shape: [3, 2], name: 'x' });
    const [, h] = L.lstm({ units: 2, returnState: true, name: 'enc' }).apply(x) as SymbolicTensor[];
    const d = one(L.dense({ units: 2, name: 'enc_1' }).apply(h));
    expect((await ortSession(toOnnx(rl.model({ inputs: x, outputs: [h, d] })))).outputNames).toEqual(['enc_output1', 'enc_1']);
    // A layer named like a tensor the graph makes on its own ('mask') still names its output exactly.
    const ids = rl.input({ shape: [4], dtype: 'int32', name: 'ids' });
    const y = one(L.dense({ units: 2, name: 'mask' }).apply(one(L.lstm({ units: 2 }).apply(one(L.embedding({ inputDim: 5, outputDim: 2, maskZero: true }).apply(ids))))));
    await expectFunctionalSameAsOrt(rl.model({ inputs: ids, outputs: y }), [paddedIds(5, 4, 5, 8)]);
  });
});
