/**
 * Nothing allocated inside a scratch scope outlives it. The scratch pool recycles every buffer of a scope (training
 * step, evaluation batch, predict batch) when the scope ends, small ones included; a result that escaped (a loss
 * scalar, a metric, a cached tensor, a carried state, a gradient) would silently read a later step's values. With
 * setScratchPoison(true) each returned buffer is filled with NaN and never reused, and buffers handed out without
 * zeroing come filled with NaN, so fit, evaluate, trainOnBatch and predict of a small model of every kind must give
 * the same bits with and without poisoning, and finite ones.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { allocFloat, bf16Support, setScratchPoison, withScratch } from '../../src/backend/index.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import { Random } from '../../src/random.js';
import type { Pair } from '../../src/seq2seq/pairs.js';
import type { Layer } from '../../src/layers/layer.js';
import { seqData, seqModel, textData, textModel } from '../model/fit_scenarios.js';
import { binaryLabels, oneHot } from '../io/helpers.js';

type Sym = rl.SymbolicTensor;
type Model = rl.Sequential | rl.LayersModel;
const L = rl.layers;

afterEach(() => setScratchPoison(false));

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : v instanceof rl.Tensor ? Array.from(v.dataSync()) : [v as number]);

/** Every number a model's fit, evaluate, trainOnBatch and predict produce, then its weights. */
async function everyNumber(built: Model, x: rl.Tensor | rl.Tensor[], y: rl.Tensor | rl.Tensor[], batchSize: number): Promise<number[]> {
  const model = built as rl.LayersModel; // Sequential's methods take the same calls with single tensors
  rl.setSeed(5);
  const out: number[] = [];
  const h = await model.fit(x, y, { epochs: 2, batchSize, verbose: 0, validationData: [x, y] as never });
  for (const k of Object.keys(h.history).sort()) out.push(...h.history[k]);
  out.push(...flat(await model.evaluate(x, y, { batchSize })));
  out.push(...flat(model.trainOnBatch(x, y)));
  for (const bs of [1, 3, 64]) out.push(...flat(model.predict(x, { batchSize: bs })));
  for (const w of model.getWeights()) out.push(...w.dataSync());
  return out;
}

/** A scenario's numbers without and with poisoning: bit for bit, and finite. */
async function expectNoEscape(label: string, scenario: () => Promise<number[]>): Promise<void> {
  const plain = await scenario();
  setScratchPoison(true);
  const poisoned = await scenario();
  setScratchPoison(false);
  expect(plain.every(Number.isFinite), label).toBe(true);
  expect(poisoned.length, label).toBe(plain.length);
  const first = poisoned.findIndex((v, i) => !Object.is(v, plain[i]));
  expect(first, `${label}: first difference at ${first}: ${poisoned[first]} against ${plain[first]}`).toBe(-1);
}

const modelScenario = (build: () => Model, x: rl.Tensor | rl.Tensor[], y: rl.Tensor | rl.Tensor[], batchSize = 8) =>
  () => everyNumber(build(), x, y, batchSize);

function sequential(seed: number, layers: Layer[], loss: string, metrics: string[] = ['accuracy']): () => rl.Sequential {
  return () => {
    rl.setSeed(seed);
    const m = rl.sequential({ layers });
    m.compile({ optimizer: 'adam', loss, metrics });
    return m;
  };
}

const features = (n: number, d: number, seed: number) => {
  const r = new Random(seed);
  return rl.tensor(Float32Array.from({ length: n * d }, () => r.normal()), [n, d]);
};

describe('the poison check', () => {
  it('turns a buffer that escaped its scope into NaN, of every size', () => {
    setScratchPoison(true);
    for (const n of [1, 7, 100, 20_000]) {
      const escaped = withScratch(() => { const a = allocFloat(n); a.fill(2); return a; });
      expect(Number.isNaN(escaped[n - 1]), `n = ${n}`).toBe(true);
    }
    const unzeroed = withScratch(() => Array.from(allocFloat(3, false)));
    expect(unzeroed.every(Number.isNaN)).toBe(true);
  });

  it('without it, a small buffer is reused by the next scope (so an escape would read another step\'s values)', () => {
    const first = withScratch(() => allocFloat(5).buffer);
    expect(withScratch(() => allocFloat(5).buffer)).toBe(first);
  });
});

describe('no scratch buffer escapes fit, evaluate, trainOnBatch or predict', () => {
  it('feed-forward: Dense, Dropout, BatchNormalization', async () => {
    // Fresh layers per build: the builder is called twice.
    const build = () => sequential(1, [L.dense({ units: 6, activation: 'relu', inputShape: [5] }), L.batchNormalization(),
      L.dropout({ rate: 0.3 }), L.dense({ units: 1, activation: 'sigmoid' })], 'binaryCrossentropy', ['accuracy', 'precision', 'auc'])();
    await expectNoEscape('dense', modelScenario(build, features(21, 5, 1), binaryLabels(21, 2)));
  });

  it('convolutional text model: Embedding, Conv1D, pooling', async () => {
    const t = textData();
    const build = () => sequential(2, [L.embedding({ inputDim: 30, outputDim: 4, inputLength: 9 }), L.conv1d({ filters: 3, kernelSize: 3, activation: 'relu' }),
      L.maxPooling1d({ poolSize: 2 }), L.globalAveragePooling1d(), L.dense({ units: 1, activation: 'sigmoid' })], 'binaryCrossentropy')();
    await expectNoEscape('cnn', modelScenario(build, t.x, t.y));
  });

  it('masked LSTM text classifier (native kernels, projected embedding table in predict)', async () => {
    const t = textData();
    await expectNoEscape('text lstm', modelScenario(() => textModel(), t.x, t.y));
  });

  it('the adder\'s shape: LSTM, RepeatVector, LSTM, TimeDistributed(Dense)', async () => {
    const s = seqData();
    await expectNoEscape('seq', modelScenario(() => seqModel(), s.x, s.y));
  });

  it('GRU (bidirectional, backwards), SimpleRNN, recurrent dropout', async () => {
    const x = oneHot(19, 6, 4, 3), y = binaryLabels(19, 5);
    const build = () => sequential(3, [L.bidirectional({ layer: L.gru({ units: 5, returnSequences: true }), inputShape: [6, 4] }),
      L.simpleRNN({ units: 4, returnSequences: true, goBackwards: true }), L.lstm({ units: 3, recurrentDropout: 0.2 }),
      L.dense({ units: 1, activation: 'sigmoid' })], 'binaryCrossentropy')();
    await expectNoEscape('gru', modelScenario(build, x, y));
  });

  it('a stateful LSTM carries its states between batches', async () => {
    const x = oneHot(16, 5, 3, 4), y = binaryLabels(16, 6);
    const build = () => sequential(4, [L.lstm({ units: 4, stateful: true, batchInputShape: [4, 5, 3] }), L.dense({ units: 1, activation: 'sigmoid' })], 'binaryCrossentropy')();
    // Batches of 4 everywhere: a stateful layer keeps its batch size; unshuffled, so the states carry over in order.
    await expectNoEscape('stateful', async () => {
      const model = build();
      rl.setSeed(5);
      const h = await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, shuffle: false });
      return [...h.history.loss, ...flat(model.evaluate(x, y, { batchSize: 4 })), ...flat(model.predict(x, { batchSize: 4 })),
        ...flat((model.layers[0] as unknown as { getStates(): rl.Tensor[] }).getStates()), ...model.getWeights().flatMap((w) => Array.from(w.dataSync()))];
    });
  });

  it('functional: two inputs, Attention, Concatenate, two outputs', async () => {
    const q = oneHot(13, 4, 5, 7), v = oneHot(13, 6, 5, 8);
    const build = () => {
      rl.setSeed(6);
      const qi = rl.input({ shape: [4, 5] }), vi = rl.input({ shape: [6, 5] });
      const qs = L.lstm({ units: 6, returnSequences: true }).apply(qi) as Sym;
      const vs = L.gru({ units: 6, returnSequences: true }).apply(vi) as Sym;
      const att = L.attention({ useScale: true }).apply([qs, vs]) as Sym;
      const pooled = L.globalAveragePooling1d().apply(L.concatenate().apply([qs, att]) as Sym) as Sym;
      const cls = L.dense({ units: 1, activation: 'sigmoid', name: 'cls' }).apply(pooled) as Sym;
      const reg = L.dense({ units: 2, name: 'reg' }).apply(L.additiveAttention().apply([qs, vs]) as Sym) as Sym;
      const m = rl.model({ inputs: [qi, vi], outputs: [cls, reg] });
      m.compile({ optimizer: 'adam', loss: ['binaryCrossentropy', 'meanSquaredError'], metrics: ['accuracy'] });
      return m;
    };
    const yReg = rl.tensor(Float32Array.from({ length: 13 * 4 * 2 }, (_, i) => Math.sin(i)), [13, 4, 2]);
    await expectNoEscape('functional', modelScenario(build, [q, v], [binaryLabels(13, 9), yReg], 4));
  });

  it('seq2seq with Luong attention: training, validation and greedy decoding', async () => {
    const rng = new Random(3);
    const pairs: Pair[] = Array.from({ length: 40 }, (_, i) => {
      const s = Array.from({ length: 2 + rng.int(3) }, () => 'abcd'[rng.int(4)]).join('');
      return { source: s, target: [...s].reverse().join(''), where: `gen:${i + 1}` };
    });
    await expectNoEscape('seq2seq', async () => {
      rl.setSeed(8);
      const r = await trainSeq2Seq(pairs, { units: 6, embeddingDim: 4, epochs: 2, batchSize: 8, samples: 2, beam: 2 });
      return [...r.history.loss, ...r.history.val_loss, r.greedy.perToken, r.beam!.perToken,
        ...r.net.model.getWeights().flatMap((w) => Array.from(w.dataSync()))];
    });
  }, 60_000);

  it.skipIf(!bf16Support().ok)('an LSTM under mixed_bfloat16 (cached bf16 weight packings)', async () => {
    const t = textData();
    rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16');
    try {
      await expectNoEscape('bf16 lstm', modelScenario(() => textModel(), t.x, t.y));
    } finally {
      rl.mixedPrecision.setGlobalPolicy('float32');
    }
  });
});
