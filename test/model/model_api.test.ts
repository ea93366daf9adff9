/**
 * Model-level API against Keras / tfjs-layers 4.22: fit's validationData with sample weights ([x, y, w], Keras),
 * getLayer with both a name and an index (Keras refuses it), Functional predictOnBatch (tfjs's LayersModel has
 * it) and Keras's testOnBatch.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[1, 2, 3], [0, 1, 0], [2, 2, 2], [5, 4, 3], [1, 1, 1]];
const Y = [[0.5], [0.1], [0.2], [0.3], [0.9]];
const W = [1, 0, 2, 0, 1];

function seq(): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], activation: 'tanh', kernelInitializer: 'ones' }), rl.layers.dense({ units: 1, kernelInitializer: 'ones', name: 'out' })] });
  m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError', metrics: ['mae'] });
  // Frozen: fit keeps the weights, so val_loss must equal evaluate's on the same data afterwards.
  m.trainable = false;
  return m;
}

const num = (t: rl.Tensor | rl.Tensor[]) => (Array.isArray(t) ? t : [t]).map((s) => s.dataSync()[0]);

describe('fit validationData [x, y, sampleWeight]', () => {
  it('weights val_loss as evaluate(x, y, {sampleWeight}) does; metrics stay unweighted', async () => {
    const m = seq();
    const h = await m.fit(X, Y, { epochs: 1, verbose: 0, validationData: [X, Y, W] });
    const [wLoss] = num(m.evaluate(X, Y, { sampleWeight: W }));
    const [loss, mae] = num(m.evaluate(X, Y));
    expect(h.history.val_loss[0]).toBeCloseTo(wLoss, 6);
    expect(h.history.val_mae[0]).toBeCloseTo(mae, 6);
    expect(Math.abs(wLoss - loss)).toBeGreaterThan(0.1);
  });

  it('per-output weights for a Functional model ({outputName: weights})', async () => {
    const a = rl.input({ shape: [3], name: 'a' });
    const h1 = rl.layers.dense({ units: 2, kernelInitializer: 'ones', name: 'h' }).apply(a) as rl.SymbolicTensor;
    const o1 = rl.layers.dense({ units: 1, kernelInitializer: 'ones', name: 'o1' }).apply(h1) as rl.SymbolicTensor;
    const o2 = rl.layers.dense({ units: 1, kernelInitializer: 'zeros', name: 'o2' }).apply(h1) as rl.SymbolicTensor;
    const m = rl.model({ inputs: a, outputs: [o1, o2] });
    m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
    m.trainable = false;
    const sw = { o1: W, o2: [1, 1, 1, 1, 1] };
    const hist = await m.fit(X, [Y, Y], { epochs: 1, verbose: 0, validationData: [X, [Y, Y], sw] });
    const want = num(m.evaluate(X, [Y, Y], { sampleWeight: sw }));
    expect([hist.history.val_loss[0], hist.history.val_o1_loss[0], hist.history.val_o2_loss[0]].map((v) => +v.toFixed(5))).toEqual(want.map((v) => +v.toFixed(5)));
  });

  it('a weight list of the wrong length is an error naming validationData', async () => {
    await expect(seq().fit(X, Y, { verbose: 0, validationData: [X, Y, [1, 2]] })).rejects.toThrow(/fit: validationData sampleWeight must hold one weight per sample \(shape \[5\]\)/);
    await expect(seq().fit(X, Y, { verbose: 0, validationData: [X] as never })).rejects.toThrow(/validationData must be \[x, y\] or \[x, y, sampleWeight\]/);
  });
});

describe('getLayer', () => {
  it('a name and an index together are refused, as Keras does (tfjs silently takes the index)', () => {
    const m = seq();
    expect(() => m.getLayer('out', 0)).toThrow(/getLayer takes a name or an index, not both/);
    expect(m.getLayer('out').name).toBe('out');
    expect(m.getLayer(undefined, 1).name).toBe('out');
    const a = rl.input({ shape: [3] });
    const f = rl.model({ inputs: a, outputs: rl.layers.dense({ units: 1, name: 'fo' }).apply(a) as rl.SymbolicTensor });
    expect(() => f.getLayer('fo', 0)).toThrow(/getLayer takes a name or an index, not both/);
    expect(f.getLayer(undefined, 1).name).toBe('fo');
  });
});

describe('Functional predictOnBatch and testOnBatch', () => {
  function two(lib: typeof rl | typeof tf) {
    const L = lib as typeof tf;
    const a = L.input({ shape: [3], name: 'a' });
    const b = L.input({ shape: [2], name: 'b' });
    const cat = L.layers.concatenate().apply([L.layers.dense({ units: 2, kernelInitializer: 'ones', name: 'pa' }).apply(a) as tf.SymbolicTensor, b]) as tf.SymbolicTensor;
    const o1 = L.layers.dense({ units: 1, kernelInitializer: 'ones', name: 'o1' }).apply(cat) as tf.SymbolicTensor;
    const o2 = L.layers.dense({ units: 2, kernelInitializer: 'ones', activation: 'softmax', name: 'o2' }).apply(cat) as tf.SymbolicTensor;
    return L.model({ inputs: [a, b], outputs: [o1, o2] });
  }
  const X2 = [[1, 0], [0, 1], [1, 1], [0, 0], [2, 1]];

  it('predictOnBatch gives tfjs\'s outputs for a two-input, two-output model', () => {
    const ours = two(rl) as unknown as rl.Functional;
    const theirs = two(tf);
    const got = ours.predictOnBatch([X, X2]) as rl.Tensor[];
    const want = theirs.predictOnBatch([tf.tensor(X), tf.tensor(X2)]) as tf.Tensor[];
    expect(got.map((t) => t.shape)).toEqual(want.map((t) => t.shape));
    got.forEach((t, i) => Array.from(t.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(want[i].dataSync()[j], 5)));
    expect(Array.from((ours.predictOnBatch({ a: X, b: X2 }) as rl.Tensor[])[0].dataSync())).toEqual(Array.from(got[0].dataSync()));
  });

  it('testOnBatch returns evaluate\'s values on the batch and leaves the weights (Keras test_on_batch)', () => {
    const m = seq();
    m.trainable = true;
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    const r = m.testOnBatch(X, Y, W) as number[];
    expect(r.map((v) => +v.toFixed(5))).toEqual(num(m.evaluate(X, Y, { sampleWeight: W })).map((v) => +v.toFixed(5)));
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(typeof m.testOnBatch(X, Y)).toBe('number');
    const f = two(rl) as unknown as rl.Functional;
    expect(() => f.testOnBatch([X, X2], [Y, [[1, 0], [0, 1], [1, 0], [0, 1], [1, 0]]])).toThrow(/call compile\(\) before/);
  });
});

describe('summary of a layer with several outputs', () => {
  it('lists every output shape, as Keras ([(None, 2), (None, 2), (None, 2)])', () => {
    const x = rl.input({ shape: [4, 3], name: 'x' });
    const outs = rl.layers.lstm({ units: 2, returnState: true, name: 'enc' }).apply(x) as rl.SymbolicTensor[];
    const lines: string[] = [];
    rl.model({ inputs: x, outputs: outs }).summary(160, [40, 80, 100, 160], (s: string) => lines.push(s));
    expect(lines.find((l) => l.startsWith('enc (LSTM)'))).toMatch(/^enc \(LSTM\)\s+\[\(None, 2\), \(None, 2\), \(None, 2\)\]\s+48\s+x\[0\]\[0\]/);
    expect(lines.find((l) => l.startsWith('x (InputLayer)'))).toMatch(/\(None, 4, 3\)/);
  });
});
