// The functional API as tfjs-layers has it: rl.input, layer.apply on symbolic tensors, rl.model with several
// inputs and outputs, shared layers, sub-models, recurrent states, and training through the Sequential loop.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxDiff } from './functional_helpers.js';
import { evaluated } from '../io/helpers.js';

type Sym = rl.SymbolicTensor;
const one = (v: Sym | Sym[]): Sym => v as Sym;
const many = (v: Sym | Sym[]): Sym[] => v as Sym[];

function ids(n: number, T: number, vocab: number, seed: number): rl.Tensor {
  const r = new rl.Random(seed);
  return rl.tensor(Int32Array.from({ length: n * T }, () => 1 + r.int(vocab - 1)), [n, T], 'int32');
}

function labels(n: number, seed: number): rl.Tensor {
  const r = new rl.Random(seed);
  return rl.tensor(Float32Array.from({ length: n }, () => r.int(2)), [n, 1]);
}

describe('building a graph', () => {
  it('rl.input gives a symbolic tensor whose shape flows through apply', () => {
    const x = rl.input({ shape: [7], dtype: 'int32', name: 'tokens' });
    expect(x).toBeInstanceOf(rl.SymbolicTensor);
    expect(x.shape).toEqual([null, 7]);
    expect(x.dtype).toBe('int32');
    const e = one(rl.layers.embedding({ inputDim: 20, outputDim: 4 }).apply(x));
    expect(e.shape).toEqual([null, 7, 4]);
    const lstm = rl.layers.lstm({ units: 3, returnSequences: true });
    const h = one(lstm.apply(e));
    expect(h.shape).toEqual([null, 7, 3]);
    expect(lstm.input).toBe(e);
    expect(lstm.output).toBe(h);
    expect(lstm.inboundNodes).toHaveLength(1);
  });

  it('apply on a real tensor still computes, with kwargs as tfjs takes them', () => {
    rl.setSeed(3);
    const d = rl.layers.dense({ units: 2, inputShape: [3] });
    const y = d.apply(rl.ones([4, 3])) as rl.Tensor;
    expect(y.shape).toEqual([4, 2]);
    const k = d.getWeightValues()[0];
    expect(y.dataSync()[0]).toBeCloseTo(k[0] + k[2] + k[4], 6);
    expect(() => d.apply(rl.ones([4, 3]), { bogus: 1 } as never)).toThrow(/apply does not take 'bogus'/);
  });

  it('rl.model collects layers in order (inputs first) and finds them by name or index', () => {
    const a = rl.input({ shape: [4], name: 'a_in' });
    const d1 = rl.layers.dense({ units: 3, name: 'hidden' });
    const d2 = rl.layers.dense({ units: 1, name: 'out' });
    const m = rl.model({ inputs: a, outputs: one(d2.apply(one(d1.apply(a)))), name: 'mlp' });
    expect(m.layers.map((l) => l.name)).toEqual(['a_in', 'hidden', 'out']);
    expect(m.getLayer('hidden')).toBe(d1);
    expect(m.getLayer(undefined, 2)).toBe(d2);
    expect(m.inputs).toEqual([a]);
    expect(m.countParams()).toBe(4 * 3 + 3 + 3 + 1);
    const lines: string[] = [];
    m.summary(undefined, undefined, (l) => lines.push(l));
    expect(lines.join('\n')).toMatch(/a_in \(InputLayer\)\s+\(None, 4\)\s+0[\s\S]*hidden \(Dense\)\s+\(None, 3\)\s+15[\s\S]*Total params: 19/);
    expect(lines[2]).toMatch(/^Layer \(type\)\s+Output Shape\s+Param #\s+Receives inputs\s*$/);
    expect(lines.find((l) => l.startsWith('out (Dense)'))).toMatch(/\(None, 1\)\s+4\s+hidden\[0\]\[0\]/);
    expect(lines[1]).toHaveLength(98);
    expect(() => m.getLayer('nope')).toThrow(/no layer named 'nope'/);
    expect(() => m.getLayer(undefined, 9)).toThrow(/index in \[0, 3\)/);
  });

  it('a graph that needs an input the model does not list is an error naming that input', () => {
    const a = rl.input({ shape: [2], name: 'left' });
    const b = rl.input({ shape: [2], name: 'right' });
    const sum = one(rl.layers.add({ name: 'plus' }).apply([a, b]));
    expect(() => rl.model({ inputs: a, outputs: sum })).toThrow(/graph disconnected.*input 'right'.*layer 'plus'/);
  });

  it('a merge of mismatched shapes is an error naming the layer', () => {
    const a = rl.input({ shape: [3] });
    const b = rl.input({ shape: [4] });
    expect(() => rl.layers.add({ name: 'bad_add' }).apply([a, b])).toThrow(/bad_add \(Add\): inputs must have the same shape, or sizes of 1 where they differ \(Keras's broadcast\), got \(None, 3\) and \(None, 4\)/);
    expect(() => rl.layers.concatenate({ name: 'cat', axis: 1 }).apply([rl.input({ shape: [2, 3] }), rl.input({ shape: [3, 3] })])).not.toThrow();
    expect(() => rl.layers.concatenate({ name: 'cat2' }).apply([rl.input({ shape: [2, 3] }), rl.input({ shape: [3, 3] })])).toThrow(/cat2 \(Concatenate\): inputs must agree on every axis but -1/);
    expect(() => rl.layers.dense({ units: 2 }).apply([a, b])).toThrow(/takes one input tensor, got 2/);
    expect(() => rl.layers.add().apply(a)).toThrow(/expects a list of at least 2 input tensors, got 1/);
    expect(() => rl.layers.subtract().apply([a, a, a])).toThrow(/expects a list of 2 input tensors, got 3/);
  });

  it('rl.model rejects inputs that are not rl.input() tensors and duplicate layer names', () => {
    const a = rl.input({ shape: [2] });
    const h = one(rl.layers.dense({ units: 2 }).apply(a));
    expect(() => rl.model({ inputs: h, outputs: h })).toThrow(/not from rl.input\(\)/);
    const b = rl.input({ shape: [2] });
    const o = one(rl.layers.dense({ units: 1, name: 'twin' }).apply(one(rl.layers.dense({ units: 2, name: 'twin' }).apply(b))));
    expect(() => rl.model({ inputs: b, outputs: o })).toThrow(/two layers are named 'twin'/);
    expect(() => rl.input({ shape: [2], foo: 1 } as never)).toThrow(/unknown option 'foo'/);
    expect(() => rl.input({ shape: [2], sparse: true })).toThrow(/sparse = true is not supported/);
  });
});

describe('shared layers and sub-models', () => {
  it('one layer applied twice shares its weights, and gradients from both calls add up', async () => {
    rl.setSeed(5);
    const a = rl.input({ shape: [3] });
    const b = rl.input({ shape: [3] });
    const shared = rl.layers.dense({ units: 2, name: 'shared' });
    const out = one(rl.layers.dense({ units: 1, name: 'head' }).apply(one(rl.layers.subtract().apply([one(shared.apply(a)), one(shared.apply(b))]))));
    const m = rl.model({ inputs: [a, b], outputs: out });
    expect(m.weights).toHaveLength(4);
    expect(shared.inboundNodes).toHaveLength(2);
    expect(() => shared.output).toThrow(/applied 2 times/);
    // Same input on both sides: the shared layer's contributions cancel, so the output is the head's bias alone.
    const x = rl.randomNormal([5, 3]);
    const p = m.predict([x, x]) as rl.Tensor;
    const headBias = m.getLayer('head').getWeightValues()[1][0];
    for (const v of p.dataSync()) expect(v).toBeCloseTo(headBias, 6);
    m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
    const before = shared.getWeightValues()[0].slice();
    m.trainOnBatch([x, x], rl.ones([5, 1]));
    // The gradient from the two calls is equal and opposite: the shared kernel does not move.
    expect(maxDiff(shared.getWeightValues()[0], before)).toBeLessThan(1e-7);
    const y = rl.randomNormal([5, 3]);
    m.trainOnBatch([x, y], rl.ones([5, 1]));
    expect(maxDiff(shared.getWeightValues()[0], before)).toBeGreaterThan(1e-4);
  });

  it('a sub-model from getLayer(name).output computes the intermediate values and shares weights', () => {
    rl.setSeed(8);
    const x = rl.input({ shape: [6], dtype: 'int32' });
    const emb = rl.layers.embedding({ inputDim: 12, outputDim: 4 });
    const h = one(rl.layers.lstm({ units: 5, name: 'lstm' }).apply(one(emb.apply(x))));
    const m = rl.model({ inputs: x, outputs: one(rl.layers.dense({ units: 1, activation: 'sigmoid' }).apply(h)) });
    const enc = rl.model({ inputs: m.inputs, outputs: one(m.getLayer('lstm').output) });
    expect(enc.layers).toHaveLength(3);
    const data = ids(4, 6, 12, 1);
    const z = enc.predict(data) as rl.Tensor;
    expect(z.shape).toEqual([4, 5]);
    const manual = m.getLayer('lstm').apply(emb.apply(data) as rl.Tensor) as rl.Tensor;
    expect(maxDiff(z.dataSync(), manual.dataSync())).toBe(0);
    // The head of m applied to the encoder's output gives m's prediction.
    const head = m.getLayer(undefined, 3).apply(z) as rl.Tensor;
    expect(maxDiff(head.dataSync(), (m.predict(data) as rl.Tensor).dataSync())).toBe(0);
  });
});

describe('the lab models through the functional API match their Sequential twins', () => {
  const cases: [string, () => rl.layerClasses.Layer[], number[], 'int32' | 'float32', () => rl.Tensor, string][] = [
    ['IMDb LSTM', () => [rl.layers.embedding({ inputDim: 30, outputDim: 8 }), rl.layers.lstm({ units: 6 }), rl.layers.dense({ units: 1, activation: 'sigmoid' })],
      [10], 'int32', () => labels(12, 4), 'binaryCrossentropy'],
    ['IMDb CNN + GRU', () => [rl.layers.embedding({ inputDim: 30, outputDim: 8 }), rl.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      rl.layers.maxPooling1d({ poolSize: 2 }), rl.layers.gru({ units: 5 }), rl.layers.dense({ units: 1, activation: 'sigmoid' })], [10], 'int32', () => labels(12, 4), 'binaryCrossentropy'],
    ['adder seq2seq', () => [rl.layers.lstm({ units: 8 }), rl.layers.repeatVector({ n: 3 }), rl.layers.lstm({ units: 8, returnSequences: true }),
      rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 12, activation: 'softmax' }) })], [5, 12], 'float32',
    () => rl.oneHot(rl.tensor1d(Array.from({ length: 36 }, (_, i) => (i * 7) % 12), 'int32'), 12).reshape([12, 3, 12]), 'categoricalCrossentropy'],
  ];

  it.each(cases)('%s: same predictions and one identical training step', (_name, layers, shape, dtype, target, loss) => {
    rl.setSeed(11);
    const seq = rl.sequential({ layers: layers() });
    seq.build([null, ...shape]);
    const x = rl.input({ shape, dtype });
    let h = x;
    for (const l of layers()) h = one(l.apply(h));
    const fun = rl.model({ inputs: x, outputs: h });
    fun.setWeights(seq.getWeights());
    const data = dtype === 'int32' ? ids(12, shape[0], 30, 2) : rl.randomUniform([12, ...shape]);
    expect(maxDiff((fun.predict(data) as rl.Tensor).dataSync(), seq.predict(data).dataSync())).toBe(0);
    seq.compile({ optimizer: rl.train.adam(0.01), loss, metrics: ['accuracy'] });
    fun.compile({ optimizer: rl.train.adam(0.01), loss, metrics: ['accuracy'] });
    const y = target();
    expect(fun.trainOnBatch(data, y)).toEqual(seq.trainOnBatch(data, y));
    seq.getWeights().forEach((w, i) => expect(maxDiff(fun.getWeights()[i].dataSync(), w.dataSync())).toBe(0));
  });
});

describe('several inputs and outputs', () => {
  it('fit trains a two-input, two-output model with a loss per output; evaluate and predict take lists and maps', async () => {
    rl.setSeed(21);
    const a = rl.input({ shape: [4], name: 'a' });
    const b = rl.input({ shape: [4], name: 'b' });
    const joined = one(rl.layers.concatenate().apply([a, b]));
    const hidden = one(rl.layers.dense({ units: 8, activation: 'tanh' }).apply(joined));
    const cls = one(rl.layers.dense({ units: 1, activation: 'sigmoid', name: 'cls' }).apply(hidden));
    const reg = one(rl.layers.dense({ units: 1, name: 'reg' }).apply(hidden));
    const m = rl.model({ inputs: [a, b], outputs: [cls, reg] });
    m.compile({ optimizer: rl.train.adam(0.05), loss: { cls: 'binaryCrossentropy', reg: 'meanSquaredError' }, metrics: ['accuracy'] });
    const r = new rl.Random(3);
    const n = 64;
    const xa = new Float32Array(n * 4).map(() => r.uniform(-1, 1));
    const xb = new Float32Array(n * 4).map(() => r.uniform(-1, 1));
    const yc = new Float32Array(n), yr = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      yc[i] = xa[i * 4] + xb[i * 4 + 1] > 0 ? 1 : 0;
      yr[i] = xa[i * 4 + 2] - xb[i * 4 + 3];
    }
    const X = [rl.tensor(xa, [n, 4]), rl.tensor(xb, [n, 4])];
    const Y = [rl.tensor(yc, [n, 1]), rl.tensor(yr, [n, 1])];
    const before = evaluated(m.evaluate(X, Y));
    const h = await m.fit({ a: X[0], b: X[1] }, { cls: Y[0], reg: Y[1] }, { epochs: 30, batchSize: 16, verbose: 0 });
    // Each output's loss is logged too, as tfjs and Keras do for several outputs.
    expect(Object.keys(h.history).sort()).toEqual(['cls_accuracy', 'cls_loss', 'loss', 'reg_accuracy', 'reg_loss']);
    const after = evaluated(m.evaluate(X, Y));
    expect(after).toHaveLength(5);
    expect(after[0]).toBeLessThan(before[0] * 0.5);
    expect(after[0]).toBeCloseTo(after[1] + after[2], 5);
    expect(after[3]).toBeGreaterThan(0.85);
    const p = m.predict(X) as rl.Tensor[];
    expect(p.map((t) => t.shape)).toEqual([[n, 1], [n, 1]]);
    expect(() => m.compile({ optimizer: 'adam', loss: ['mse'] })).toThrow(/loss lists 1 losses but the model has 2 outputs/);
    expect(() => m.compile({ optimizer: 'adam', loss: { cls: 'mse', other: 'mse' } })).toThrow(/loss names output 'other'/);
    await expect(m.fit(X[0], Y, { verbose: 0 })).rejects.toThrow(/the model has 2 inputs \(a, b\)/);
    await expect(m.fit({ a: X[0], c: X[1] }, Y, { verbose: 0 })).rejects.toThrow(/unknown input 'c'/);
    await expect(m.fit([X[0], rl.zeros([n, 5])], Y, { verbose: 0 })).rejects.toThrow(/input 'b' expects shape \(None, 4\), got \[64, 5\]/);
  });
});

describe('recurrent states', () => {
  it('returnState gives [output, h, c]; the final states equal the last output and the cell state', () => {
    rl.setSeed(2);
    const x = rl.input({ shape: [5, 3] });
    const lstm = rl.layers.lstm({ units: 4, returnState: true });
    const outs = many(lstm.apply(x));
    expect(outs.map((t) => t.shape)).toEqual([[null, 4], [null, 4], [null, 4]]);
    const gru = rl.layers.gru({ units: 2, returnState: true, returnSequences: true, resetAfter: false });
    expect(many(gru.apply(x)).map((t) => t.shape)).toEqual([[null, 5, 2], [null, 2]]);
    const m = rl.model({ inputs: x, outputs: outs });
    const data = rl.randomNormal([2, 5, 3]);
    const [o, h, c] = m.predict(data) as rl.Tensor[];
    expect(maxDiff(o.dataSync(), h.dataSync())).toBe(0);
    const ref = lstm.run(data, { training: false, mask: null });
    expect(maxDiff(c.dataSync(), ref.states[1].dataSync())).toBe(0);
  });

  it('initialState enters as extra inputs: a decoder started from the encoder states differs from one started at zero', () => {
    rl.setSeed(4);
    const enc = rl.input({ shape: [4, 3] });
    const dec = rl.input({ shape: [2, 3] });
    const [, h, c] = many(rl.layers.lstm({ units: 5, returnState: true }).apply(enc));
    const decoder = rl.layers.lstm({ units: 5, returnSequences: true });
    const y = one(decoder.apply(dec, { initialState: [h, c] }));
    expect(decoder.inboundNodes[0].inputs).toHaveLength(3);
    const m = rl.model({ inputs: [enc, dec], outputs: y });
    const e = rl.randomNormal([3, 4, 3]), d = rl.randomNormal([3, 2, 3]);
    const withState = m.predict([e, d]) as rl.Tensor;
    const fromZero = decoder.apply(d) as rl.Tensor;
    expect(maxDiff(withState.dataSync(), fromZero.dataSync())).toBeGreaterThan(1e-3);
    expect(() => rl.layers.lstm({ units: 5 }).apply(dec, { initialState: [h] })).toThrow(/expected 2 initial state tensor\(s\), got 1/);
    expect(() => rl.layers.gru({ units: 3 }).apply(dec, { initialState: [h] })).toThrow(/initial state 0 must have shape \(batch, 3\), got \(None, 5\)/);
  });
});
