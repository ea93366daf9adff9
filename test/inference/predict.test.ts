/**
 * predict's forward-only path against the training forward pass (the same layers outside predict, through
 * Sequential.trace and Functional.execute): the lab's recurrent models, masked and unmasked, the table-projected
 * embedding path (a batch with more steps than vocabulary rows) and the per-step one, RepeatVector's shared
 * projection, the cells the forward-only kernels do not cover (SimpleRNN, GRU without resetAfter), and a
 * functional model with two recurrent branches.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { imdbModel, additionModel, type ImdbModelName } from '../../src/experiments/lab_models.js';
import type { Tensor } from '../../src/tensor.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';

const VOCAB = 40, STEPS = 12;
const one = (v: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => v as SymbolicTensor;

function ids(batch: number, seed: number, padded: boolean): Tensor {
  const r = new rl.Random(seed);
  const d = new Int32Array(batch * STEPS);
  for (let b = 0; b < batch; b++) {
    const pad = padded ? r.int(STEPS) : 0;
    for (let t = pad; t < STEPS; t++) d[b * STEPS + t] = 1 + r.int(VOCAB - 1);
  }
  return rl.tensor(d, [batch, STEPS], 'int32');
}

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync(), y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

describe('predict equals the training forward pass', () => {
  const models: ImdbModelName[] = ['lstm', 'gru', 'cnn_lstm', 'bilstm', 'simple_rnn'];
  for (const name of models) {
    for (const maskZero of [false, true]) {
      it(`${name}${maskZero ? ' with maskZero' : ''}: table-projected and per-step batches`, () => {
        rl.setSeed(3);
        const m = imdbModel(name, { vocab: VOCAB, maxlen: STEPS, embeddingDim: 6, units: 9, maskZero });
        const x = ids(10, 5, maskZero);
        const want = m.trace(x).output;
        // Batches of 10 and 5 (x 12 steps >= 40 table rows): the projected table, shared by the batches; 3: per step.
        for (const batchSize of [10, 5, 3]) expect(maxDiff(m.predict(x, { batchSize }), want), `batch ${batchSize}`).toBe(0);
      });
    }
  }

  it('predict runs the forward-only kernels, training forward the storing ones', () => {
    rl.setSeed(3);
    const m = imdbModel('lstm', { vocab: VOCAB, maxlen: STEPS, embeddingDim: 6, units: 9 });
    const x = ids(10, 5, false);
    rl.setProfiling(true);
    try {
      rl.profileReport();
      m.predict(x);
      const kernelsOf = () => rl.profileReport().map((r) => r.kernel);
      expect(kernelsOf()).toContain('lstmInfer');
      m.trace(x);
      expect(kernelsOf()).toContain('lstmForward');
    } finally {
      rl.setProfiling(false);
    }
  });

  it('GRU without resetAfter and a going-backwards LSTM with returnSequences', () => {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [
      rl.layers.embedding({ inputDim: VOCAB, outputDim: 5, inputLength: STEPS }),
      rl.layers.lstm({ units: 7, returnSequences: true, goBackwards: true }),
      rl.layers.gru({ units: 6, resetAfter: false }),
      rl.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    const x = ids(6, 9, false);
    expect(maxDiff(m.predict(x, { batchSize: 6 }), m.trace(x).output)).toBe(0);
  });

  it('the addition seq2seq (RepeatVector feeding the decoder), LSTM and GRU', () => {
    for (const rnn of ['lstm', 'gru'] as const) {
      rl.setSeed(5);
      const m = additionModel({ digits: 2, hidden: 16, rnn });
      const r = new rl.Random(2);
      const d = new Float32Array(9 * 5 * 12);
      for (let i = 0; i < 9 * 5; i++) d[i * 12 + r.int(12)] = 1;
      const x = rl.tensor(d, [9, 5, 12]);
      expect(maxDiff(m.predict(x, { batchSize: 4 }), m.trace(x).output), rnn).toBe(0);
    }
  });

  it('a functional model with two inputs and recurrent branches', () => {
    rl.setSeed(6);
    const a = rl.input({ shape: [STEPS], dtype: 'int32' }), b = rl.input({ shape: [4, 3] });
    const ea = one(rl.layers.lstm({ units: 5 }).apply(one(rl.layers.embedding({ inputDim: VOCAB, outputDim: 4 }).apply(a))));
    const eb = one(rl.layers.gru({ units: 5 }).apply(b));
    const out = rl.layers.dense({ units: 1, activation: 'sigmoid' }).apply(rl.layers.concatenate().apply([ea, eb]));
    const m = rl.model({ inputs: [a, b], outputs: out });
    const xa = ids(8, 11, false), xb = rl.randomNormal([8, 4, 3], 0, 1, 'float32', 3);
    const want = m.runGraph([xa, xb], { training: false, mask: null })[0];
    expect(maxDiff(m.predict([xa, xb], { batchSize: 8 }) as Tensor, want)).toBe(0);
  });
});
