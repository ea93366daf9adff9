/**
 * trainOnBatch / testOnBatch's positional returnDict (Keras's return_dict) and refused extra arguments; the forms of
 * classWeight and sampleWeight a one-output model takes (tfjs's list of class weights, the per-output forms); class
 * weights on soft labels, rounded to the nearest class as Keras 3 does.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[0.1, 0.2], [0.5, -0.3], [-0.2, 0.7], [0.9, 0.1], [-0.5, -0.5]];
const Y = [[1], [0], [1], [0], [1]];
const W = [1, 2, 3, 4, 5];

function model(metrics: string[] = []): rl.Sequential {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2], name: 'out' })] });
  m.compile({ optimizer: rl.train.sgd(0.5), loss: 'binaryCrossentropy', metrics });
  return m;
}

const flat = (m: rl.LayersModel | rl.Sequential) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));

function twoOutputs(): rl.LayersModel {
  rl.setSeed(4);
  const inp = rl.input({ shape: [2] });
  const a = rl.layers.dense({ units: 1, activation: 'sigmoid', name: 'a' }).apply(inp) as rl.SymbolicTensor;
  const b = rl.layers.dense({ units: 1, activation: 'sigmoid', name: 'b' }).apply(inp) as rl.SymbolicTensor;
  const m = rl.model({ inputs: inp, outputs: [a, b] });
  m.compile({ optimizer: rl.train.sgd(0.5), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('trainOnBatch / testOnBatch returnDict', () => {
  it('returns evaluate\'s dict keys, with the values of the list form', () => {
    const a = model(['accuracy']), b = model(['accuracy']);
    const list = a.trainOnBatch(X, Y, [1, 1, 2, 1, 1], { 0: 1, 1: 2 }) as number[];
    const dict = b.trainOnBatch(X, Y, [1, 1, 2, 1, 1], { 0: 1, 1: 2 }, true);
    expect(Object.keys(dict)).toEqual(Object.keys(b.evaluate(X, Y, { returnDict: true })));
    expect(dict).toEqual({ loss: Math.fround(list[0]), accuracy: Math.fround(list[1]) });
    expect(flat(a)).toEqual(flat(b));
    const t = b.testOnBatch(X, Y, null, true);
    expect(t).toEqual(b.evaluate(X, Y, { batchSize: 5, returnDict: true }));
    expect(b.testOnBatch(X, Y, undefined, false)).toEqual(b.testOnBatch(X, Y));
  });

  it('keys several outputs as metricsNames, <out>_loss included', () => {
    const m = twoOutputs();
    const x = rl.tensor2d(X), ys = [rl.tensor2d(Y), rl.tensor2d([[0], [0], [1], [1], [0]])];
    const want = m.evaluate(x, ys, { batchSize: 5, returnDict: true });
    expect(m.testOnBatch(x, ys, null, true)).toEqual(want);
    const before = m.testOnBatch(x, ys) as number[];
    const dict = m.trainOnBatch(x, ys, null, null, true);
    expect(Object.keys(dict)).toEqual(m.metricsNames);
    expect(Object.values(dict)).toEqual(before.map((v) => Math.fround(v)));
  });

  it('keeps tfjs\'s two-argument form', () => {
    const m = model();
    expect(typeof m.trainOnBatch(X, Y)).toBe('number');
    expect(typeof m.testOnBatch(X, Y)).toBe('number');
  });

  it('refuses an argument after returnDict, and a returnDict that is not a boolean, before any weight moves', () => {
    const m = model();
    const w0 = flat(m);
    const call = m.trainOnBatch as unknown as (...a: unknown[]) => unknown;
    expect(() => call.call(m, X, Y, null, null, true, { resetMetrics: true }))
      .toThrow(/trainOnBatch: argument 6 is not taken; the arguments are \(x, y, sampleWeight, classWeight, returnDict\), as Keras's \(x, y, sample_weight, class_weight, return_dict\)/);
    expect(() => call.call(m, X, Y, undefined, undefined, { resetMetrics: true })).toThrow(/trainOnBatch: returnDict \(argument 5\) must be true or false, got \{"resetMetrics":true\}/);
    expect(() => call.call(m, X, Y, undefined, undefined, 'yes')).toThrow(/returnDict \(argument 5\) must be true or false, got yes/);
    expect(flat(m)).toEqual(w0);
    const test = m.testOnBatch as unknown as (...a: unknown[]) => unknown;
    expect(() => test.call(m, X, Y, undefined, { returnDict: true })).toThrow(/testOnBatch: returnDict \(argument 4\) must be true or false/);
    expect(() => test.call(m, X, Y, undefined, true, 1)).toThrow(/testOnBatch: argument 5 is not taken; the arguments are \(x, y, sampleWeight, returnDict\)/);
  });
});

describe('classWeight as a list of numbers', () => {
  it('is the table {0: w0, 1: w1} on a one-output model, as tfjs 4.22 reads it', async () => {
    const a = model(), b = model(), c = model();
    const ha = await a.fit(X, Y, { classWeight: [2, 0.5], batchSize: 2, epochs: 2, shuffle: false, verbose: 0 });
    const hb = await b.fit(X, Y, { classWeight: { 0: 2, 1: 0.5 }, batchSize: 2, epochs: 2, shuffle: false, verbose: 0 });
    expect(ha.history.loss).toEqual(hb.history.loss);
    expect(flat(a)).toEqual(flat(b));
    expect(c.trainOnBatch(X, Y, undefined, [2, 0.5])).not.toBeCloseTo(model().trainOnBatch(X, Y) as number, 3);
    // tfjs 4.22, from the same weights.
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] });
    t.compile({ optimizer: tf.train.sgd(0.5), loss: 'binaryCrossentropy' });
    t.setWeights(model().getWeights().map((w) => tf.tensor(Array.from(w.dataSync()), w.shape)));
    const ht = await t.fit(tf.tensor2d(X), tf.tensor2d(Y), { classWeight: [2, 0.5] as never, batchSize: 2, epochs: 2, shuffle: false, verbose: 0 });
    (ht.history.loss as number[]).forEach((v, i) => expect(ha.history.loss[i] as number).toBeCloseTo(v, 5));
  });

  it('is refused on several outputs, and other list mismatches name the accepted forms', () => {
    const m = twoOutputs();
    const ys = [rl.tensor2d(Y), rl.tensor2d(Y)];
    expect(() => m.trainOnBatch(rl.tensor2d(X), ys, undefined, [2, 0.5]))
      .toThrow(/trainOnBatch: classWeight: a list of numbers is one table \{0: w0, 1: w1, \.\.\.\}, which only a one-output model takes; the model has 2 outputs \(a, b\): give a list of \{classId: weight\} tables \(one per output/);
    expect(() => model().trainOnBatch(X, Y, undefined, [{ 0: 1, 1: 1 }, { 0: 1, 1: 1 }]))
      .toThrow(/classWeight lists 2 tables but the model has 1 output \(out\); give \{classId: weight\}, a list of weights indexed by class id \(\[w0, w1, \.\.\.\]\)/);
    expect(() => model().trainOnBatch(X, Y, undefined, 'x' as never)).toThrow(/classWeight must be an object \{classId: weight\}; give \{classId: weight\}, a list of weights/);
  });
});

describe('sampleWeight per output on a one-output model', () => {
  it('takes {outputName: w} and [w] as w, in evaluate, testOnBatch and fit', async () => {
    const m = model();
    const plain = m.evaluate(X, Y, { sampleWeight: W, returnDict: true });
    expect(m.evaluate(X, Y, { sampleWeight: { out: W }, returnDict: true })).toEqual(plain);
    expect(m.evaluate(X, Y, { sampleWeight: [rl.tensor1d(W)], returnDict: true })).toEqual(plain);
    expect(m.evaluate(X, Y, { returnDict: true })).not.toEqual(plain);
    expect(m.testOnBatch(X, Y, { out: rl.tensor1d(W) })).toBe(m.testOnBatch(X, Y, W));
    const a = model(), b = model();
    await a.fit(X, Y, { sampleWeight: { out: W }, batchSize: 2, shuffle: false, verbose: 0 });
    await b.fit(X, Y, { sampleWeight: W, batchSize: 2, shuffle: false, verbose: 0 });
    expect(flat(a)).toEqual(flat(b));
  });

  it('refuses other forms naming the accepted ones', () => {
    const m = model();
    expect(() => m.evaluate(X, Y, { sampleWeight: [rl.tensor1d(W), rl.tensor1d(W)] }))
      .toThrow(/evaluate: sampleWeight lists 2 weight tensors but the model has 1 output \(out\); give one weight per sample \(shape \[n\], or \[n, steps\] for a sequence output\) for the output, or one per output: a list of tensors/);
    expect(() => m.evaluate(X, Y, { sampleWeight: { other: W } })).toThrow(/sampleWeight names output 'other', but the outputs are out/);
    expect(() => m.evaluate(X, Y, { sampleWeight: [1, 'a'] as never })).toThrow(/sampleWeight.*; give one weight per sample/);
    // A tfjs tensor is no table of outputs: it gets the conversion hint, not "names output ...".
    const foreign = tf.tensor1d(W);
    expect(() => m.trainOnBatch(X, Y, foreign as never)).toThrow(/sampleWeight: a Tensor of another library \(tfjs\?\); convert it with rl\.tensor/);
    foreign.dispose();
  });
});

describe('classWeight on soft labels', () => {
  it('rounds each target to the nearest class (halves to even), as Keras 3', async () => {
    const soft = [[0.9], [0.1], [0.8], [0.2], [0.5]];
    // Classes 1, 0, 1, 0, 0 (np.round(0.5) is 0): weights 0.5, 2, 0.5, 2, 2.
    const a = model(), b = model();
    const la = a.trainOnBatch(X, soft, undefined, { 0: 2, 1: 0.5 });
    const lb = b.trainOnBatch(X, soft, [0.5, 2, 0.5, 2, 2]);
    expect(la).toBe(lb);
    expect(flat(a)).toEqual(flat(b));
    const h = await model().fit(X, soft, { classWeight: { 0: 2, 1: 0.5 }, batchSize: 5, verbose: 0 });
    // trainOnBatch gives the loss as its float32 Scalar holds it; the History keeps it unrounded.
    expect(Math.fround(h.history.loss[0])).toBe(lb);
  });

  it('names the target and its rounding when the class has no weight', () => {
    expect(() => model().trainOnBatch(X, [[0.9], [0], [1], [0], [1]], undefined, { 0: 1 }))
      .toThrow(/classWeight has no weight for class 1, which sample 0 belongs to \(its target 0\.89\d+ rounded to the nearest class, as Keras 3 does\)/);
    expect(() => model().trainOnBatch(X, [[0], [0], [1], [0], [1]], undefined, { 0: 1 }))
      .toThrow(/has no weight for class 1, which sample 2 belongs to; give every class/);
  });
});
