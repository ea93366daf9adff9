// Export direction at serving shapes: every lab model (src/experiments/lab_models.ts, with the options the lab's
// CLI and dashboard give them) and every recurrent layer configuration, exported with toOnnx and run in ONNX
// Runtime at batch sizes and sequence lengths other than the ones the model was built and first run with
// (one step included); ONNX Runtime must equal rnnlab's predict (<= 1e-5). Stateful layers are refused by name.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx, OnnxExportError, toOnnx } from '../../src/onnx/index.js';
import { additionModel, imdbModel, type ImdbModelName } from '../../src/experiments/lab_models.js';
import type { Layer } from '../../src/layers/layer.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff, ortPredict, ortSession, randomize, tokenIds } from './helpers.js';

const L = rl.layers;
const TOL = 1e-5;
const VOCAB = 30;

/** Runs m on each input in rnnlab and in ONNX Runtime (one session for all), expecting the same shape and numbers. */
async function expectServedEqual(m: rl.Sequential, inputs: rl.Tensor[]): Promise<void> {
  const session = await ortSession(toOnnx(m));
  for (const x of inputs) {
    const ours = m.predict(x);
    const theirs = await ortPredict(session, x);
    expect(theirs.length, `shape ${x.shape}`).toBe(ours.size);
    expect(maxAbsDiff(ours.values, theirs), `input shape [${x.shape}]`).toBeLessThanOrEqual(TOL);
  }
}

function floats(shape: number[], seed: number): rl.Tensor {
  const r = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return rl.tensor(Float32Array.from({ length: n }, () => (r.next() - 0.5) * 2), shape);
}

/** Padded ids (left padding, a hole, an all-padding row) at the shapes a server sees, after a first run at [8, 6]. */
const servedIds = (masked: boolean) => [[8, 6], [3, 11], [5, 1], [1, 4]].map(([n, T], i) =>
  tokenIds(n, T, VOCAB, 10 + i, masked ? { pad: true, holes: true, allowEmpty: n > 2 } : {}));

describe('the lab models served at other batch sizes and lengths', () => {
  const RECURRENT: ImdbModelName[] = ['simple_rnn', 'lstm', 'gru', 'bilstm', 'cnn_lstm'];
  for (const name of RECURRENT) {
    for (const o of [{}, { maskZero: name !== 'cnn_lstm' }, { layers: 2, dropout: 0.2 }]) {
      it(`${name} ${JSON.stringify(o)}`, async () => {
        rl.setSeed(1);
        const m = imdbModel(name, { vocab: VOCAB, embeddingDim: 4, units: 3, freeLength: true, ...o });
        m.predict(servedIds(false)[0]);
        randomize(m, 5);
        // cnn_lstm pools pairs of steps: at least two.
        await expectServedEqual(m, servedIds(Boolean((o as { maskZero?: boolean }).maskZero)).filter((x) => name !== 'cnn_lstm' || x.shape[1] >= 2));
      });
    }
  }

  // Flatten fixes the length; the batch stays free.
  for (const name of ['ff_raw', 'ff_embed', 'cnn'] as ImdbModelName[]) {
    it(`${name} (fixed length 6)`, async () => {
      rl.setSeed(1);
      const m = imdbModel(name, { vocab: VOCAB, maxlen: 6, embeddingDim: 4, units: 5, dropout: 0.3 });
      const ids = [8, 3, 1].map((n, i) => tokenIds(n, 6, VOCAB, 20 + i));
      const xs = name === 'ff_raw' ? ids.map((x) => rl.tensor(Float32Array.from(x.values), x.shape)) : ids;
      m.predict(xs[0]);
      randomize(m, 6);
      await expectServedEqual(m, xs);
    });
  }

  for (const rnn of ['lstm', 'gru', 'simple_rnn'] as const) {
    it(`the addition encoder-decoder with ${rnn}, two decoder layers`, async () => {
      rl.setSeed(2);
      const m = additionModel({ digits: 2, hidden: 4, layers: 2, rnn, vocabSize: 6 });
      randomize(m, 7);
      await expectServedEqual(m, [floats([8, 5, 6], 1), floats([3, 5, 6], 2), floats([1, 5, 6], 3)]);
    });
  }
});

type Cell = 'lstm' | 'gru' | 'gruResetBefore' | 'simpleRNN';
const CELLS: Cell[] = ['lstm', 'gru', 'gruResetBefore', 'simpleRNN'];
function cell(kind: Cell, args: Record<string, unknown>): Layer {
  if (kind === 'lstm') return L.lstm(args as never);
  if (kind === 'simpleRNN') return L.simpleRNN(args as never);
  return L.gru({ ...args, resetAfter: kind === 'gru' } as never);
}

describe('every recurrent layer configuration served at other batch sizes and lengths', () => {
  for (const kind of CELLS) {
    for (const returnSequences of [false, true]) {
      for (const goBackwards of [false, true]) {
        for (const masked of [false, true]) {
          it(`${kind} returnSequences=${returnSequences} goBackwards=${goBackwards}${masked ? ' under maskZero' : ''}, stacked on a second layer`, async () => {
            rl.setSeed(3);
            const m = rl.sequential({ layers: [L.embedding({ inputDim: VOCAB, outputDim: 4, maskZero: masked }),
              cell(kind, { units: 3, returnSequences: true }), cell(kind, { units: 3, returnSequences, goBackwards }), L.dense({ units: 2, activation: 'softmax' })] });
            m.predict(servedIds(false)[0]);
            randomize(m, 8);
            await expectServedEqual(m, servedIds(masked));
          });
        }
      }
    }
  }

  for (const mergeMode of ['concat', 'sum', 'mul', 'ave'] as const) {
    for (const returnSequences of [false, true]) {
      for (const masked of [false, true]) {
        it(`Bidirectional(${mergeMode}) of each cell, returnSequences=${returnSequences}${masked ? ' under maskZero' : ''}`, async () => {
          for (const kind of CELLS) {
            rl.setSeed(4);
            const m = rl.sequential({ layers: [L.embedding({ inputDim: VOCAB, outputDim: 4, maskZero: masked }),
              L.bidirectional({ layer: cell(kind, { units: 3, returnSequences }) as never, mergeMode }), L.dense({ units: 1 })] });
            m.predict(servedIds(false)[0]);
            randomize(m, 9);
            await expectServedEqual(m, servedIds(masked));
          }
        });
      }
    }
  }

  it('float features through Masking into a Bidirectional GRU and a goBackwards LSTM, any batch and length', async () => {
    rl.setSeed(5);
    const m = rl.sequential({ layers: [L.masking({ maskValue: 0, inputShape: [null, 3] }),
      L.bidirectional({ layer: L.gru({ units: 3, returnSequences: true }) as never }), L.lstm({ units: 2, goBackwards: true }), L.dense({ units: 1 })] });
    randomize(m, 10);
    const xs = [[8, 6], [3, 9], [2, 1]].map(([n, T], i) => {
      const x = floats([n, T, 3], 30 + i).values as Float32Array;
      if (T > 2) x.fill(0, 0, 6); // row 0: its first two steps masked
      return rl.tensor(x, [n, T, 3]);
    });
    await expectServedEqual(m, xs);
  });

  it('a stateful recurrent layer is refused naming the layer and the option', () => {
    for (const kind of CELLS) {
      const m = rl.sequential({ layers: [L.embedding({ inputDim: VOCAB, outputDim: 4, batchInputShape: [2, 5] } as never),
        cell(kind, { units: 3, stateful: true, name: `kept_${kind}` })] });
      expect(() => toOnnx(m)).toThrow(OnnxExportError);
      expect(() => toOnnx(m)).toThrow(new RegExp(`kept_${kind}.*stateful`));
    }
  });
});

describe('activations over the channels axis', () => {
  // Conv1D's elementwise activation sits between its channel transposes; softmax there would run over the steps.
  const CASES: [string, () => Layer[], string[]][] = [
    ['Conv1D softmax', () => [L.conv1d({ filters: 4, kernelSize: 2, padding: 'same', activation: 'softmax' })], ['Embedding', 'Conv1D']],
    ['Conv1D log_softmax', () => [L.conv1d({ filters: 4, kernelSize: 3, activation: 'log_softmax' as never })], ['Embedding', 'Conv1D']],
    ['Dense log_softmax after an LSTM', () => [L.lstm({ units: 3 }), L.dense({ units: 4, activation: 'log_softmax' as never })], ['Embedding', 'LSTM', 'Dense']],
    ['per-step Dense then an Activation log_softmax', () => [L.gru({ units: 3, returnSequences: true }), L.dense({ units: 4 }), L.activation({ activation: 'log_softmax' as never })],
      ['Embedding', 'GRU', 'TimeDistributed']],
  ];
  for (const [title, make, imported] of CASES) {
    it(`${title}: ONNX Runtime and the re-imported model equal predict`, async () => {
      rl.setSeed(6);
      const m = rl.sequential({ layers: [L.embedding({ inputDim: VOCAB, outputDim: 3 }), ...make()] });
      m.predict(servedIds(false)[0]);
      randomize(m, 11);
      const xs = servedIds(false).filter((x) => x.shape[1] >= 3);
      await expectServedEqual(m, xs);
      const back = modelFromOnnx(toOnnx(m), 'act.onnx');
      expect(back.layers.map((l) => l.className)).toEqual(imported);
      for (const x of xs) expect(maxAbsDiff(back.predict(x).values, m.predict(x).values)).toBeLessThanOrEqual(TOL);
    });
  }
});
