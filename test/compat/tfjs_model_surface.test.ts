// tfjs-layers behaviours of models found by a probe of tfjs programs against rnnlab: a second fit while one runs is
// refused (isTraining), keys a callback adds to the epoch's logs reach the History, a graph's inputShape/outputShape
// list every input/output, getLayer(null, i), categoricalCrossentropy over one unit refused, and Embedding's and
// Masking's computeMask answer with the mask they make.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function dense(): rl.Sequential {
  rl.setSeed(1);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, activation: 'softmax', inputShape: [3], name: 'd' })] });
  m.compile({ optimizer: rl.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return m;
}
const x = () => rl.tensor2d([[1, 2, 3], [0, 1, 0], [2, 0, 1], [1, 1, 1]]);
const y = () => rl.tensor2d([[1, 0], [0, 1], [1, 0], [0, 1]]);

describe('tfjs model surface', () => {
  it('a second fit (or fitDataset) while one runs is refused, as tfjs refuses it; isTraining says which', async () => {
    const m = dense();
    expect(m.isTraining).toBe(false);
    let during: boolean | null = null;
    // The first fit waits in its first epoch until both refusals are seen.
    let release = () => {};
    const gate = new Promise<void>((res) => { release = res; });
    const first = m.fit(x(), y(), { epochs: 3, verbose: 0, callbacks: { onEpochBegin: () => gate, onEpochEnd: () => { during = m.isTraining; } } });
    await expect(m.fit(x(), y(), { verbose: 0 })).rejects.toThrow(/fit: cannot start training because another fit\(\) call is ongoing/);
    const ds = rl.data.zip({ xs: rl.data.array([[1, 2, 3]]), ys: rl.data.array([[1, 0]]) }).batch(1);
    await expect(m.fitDataset(ds, { epochs: 1, verbose: 0 })).rejects.toThrow(/fitDataset: cannot start training because another fit\(\) call is ongoing/);
    release();
    expect((await first).history.loss).toHaveLength(3);
    expect(during).toBe(true);
    expect(m.isTraining).toBe(false);
    // A failed fit releases the model too.
    await expect(m.fit(x(), rl.ones([4, 5]), { verbose: 0 })).rejects.toThrow();
    expect(m.isTraining).toBe(false);
    expect((await m.fitDataset(ds, { epochs: 2, verbose: 0 })).history.loss).toHaveLength(2);
  });

  it('keys a callback adds to the epoch logs, and values it changes, are in the History (fit and fitDataset)', async () => {
    const m = dense();
    const cb = { onEpochEnd: async (e: number, logs?: Record<string, number>) => { logs!.custom = e * 10; logs!.loss = -1; } };
    const h = await m.fit(x(), y(), { epochs: 2, verbose: 0, callbacks: cb });
    expect(h.history.custom).toEqual([0, 10]);
    expect(h.history.loss).toEqual([-1, -1]);
    const ds = rl.data.zip({ xs: rl.data.array([[1, 2, 3], [0, 1, 0]]), ys: rl.data.array([[1, 0], [0, 1]]) }).batch(2);
    const hd = await m.fitDataset(ds, { epochs: 3, verbose: 0, callbacks: cb });
    expect(hd.history.custom).toEqual([0, 10, 20]);
  });

  it('inputShape and outputShape list every input and output of a graph with several; one stays one shape', () => {
    const a = rl.input({ shape: [3] }), b = rl.input({ shape: [4, 2] });
    const da = rl.layers.dense({ units: 2 }).apply(a) as rl.SymbolicTensor;
    const db = rl.layers.flatten().apply(b) as rl.SymbolicTensor;
    const joined = rl.layers.concatenate().apply([da, db]) as rl.SymbolicTensor;
    const two = rl.model({ inputs: [a, b], outputs: [da, joined] });
    expect(two.inputShape).toEqual([[null, 3], [null, 4, 2]]);
    expect(two.outputShape).toEqual([[null, 2], [null, 10]]);
    const one = rl.model({ inputs: a, outputs: da });
    expect(one.inputShape).toEqual([null, 3]);
    expect(one.outputShape).toEqual([null, 2]);
    expect(two.getLayer(null, 0)).toBe(two.layers[0]);
    expect(two.inputLayers.map((l) => l.name)).toEqual(two.inputNames);
    expect(two.outputLayers.map((l) => l.className)).toEqual(['Dense', 'Concatenate']);
    expect([two.feedInputNames, two.feedInputShapes]).toEqual([two.inputNames, [[null, 3], [null, 4, 2]]]);
    expect(two.stateful).toBe(false);
    const st = rl.sequential({ layers: [rl.layers.lstm({ units: 2, stateful: true, batchInputShape: [2, 3, 1] })] });
    expect([st.stateful, dense().stateful]).toEqual([true, false]);
    expect(dense().feedInputShapes).toEqual([[null, 3]]);
    // A shared layer's second call: nodeIndex 1; an LSTM's returned state: tensorIndex 1.
    const shared = rl.layers.dense({ units: 2 });
    shared.apply(a);
    const again = shared.apply(rl.input({ shape: [3] })) as rl.SymbolicTensor;
    const [, h] = rl.layers.lstm({ units: 2, returnState: true }).apply(rl.input({ shape: [4, 1] })) as rl.SymbolicTensor[];
    expect([again.nodeIndex, again.tensorIndex, h.nodeIndex, h.tensorIndex]).toEqual([1, 0, 0, 1]);
    expect(dense().getLayer(null, 0).name).toBe('d');
    expect(dense().getLayer('d', null).name).toBe('d');
  });

  it('execute(inputs, names) gives the named tensors\' values (tfjs\'s names, or a layer\'s), one or a list', () => {
    rl.setSeed(2);
    const a = rl.input({ shape: [3], name: 'a' }), b = rl.input({ shape: [2], name: 'b' });
    const d1 = rl.layers.dense({ units: 2, name: 'd1' }).apply(a) as rl.SymbolicTensor;
    const o2 = rl.layers.dense({ units: 2, name: 'o2' }).apply(b) as rl.SymbolicTensor;
    const o1 = rl.layers.dense({ units: 1, name: 'o1' }).apply(rl.layers.concatenate().apply([d1, o2]) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const m = rl.model({ inputs: [a, b], outputs: [o1, o2] });
    const xa = rl.tensor2d([[1, 2, 3], [0, 1, 0]]), xb = rl.tensor2d([[1, -1], [2, 0]]);
    const d = m.execute([xa, xb], 'd1/d1') as rl.Tensor;
    expect(d.arraySync()).toEqual((rl.model({ inputs: a, outputs: d1 }).predict(xa) as rl.Tensor).arraySync());
    const both = m.execute({ a: xa, b: xb }, ['o2', 'o1/o1', 'b']) as rl.Tensor[];
    const [p1, p2] = m.predict([xa, xb]) as rl.Tensor[];
    expect(both.map((t) => t.arraySync())).toEqual([p2.arraySync(), p1.arraySync(), xb.arraySync()]);
    expect(() => m.execute([xa, xb], 'nope')).toThrow(/execute: no tensor or layer named 'nope'; the graph's tensors: a, b, d1\/d1, o2\/o2, .*o1\/o1/);
  });

  it('a Sequential answers execute as tfjs\'s (LayersModel\'s): a hidden layer\'s output by its tensor or layer name', () => {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2], activation: 'relu', name: 'h' }), rl.layers.dense({ units: 1, name: 'out' })] });
    const xs = rl.tensor2d([[1, 2], [-1, 0.5]]);
    const hidden = m.execute(xs, 'h') as rl.Tensor;
    const [k, b] = m.layers[0].getWeights().map((w) => w.arraySync() as number[][] | number[]);
    const want = (xs.arraySync() as number[][]).map((row) => (b as number[]).map((bj, j) => Math.max(0, bj + row.reduce((s, v, i) => s + v * (k as number[][])[i][j], 0))));
    (hidden.arraySync() as number[][]).forEach((row, r) => row.forEach((v, j) => expect(v).toBeCloseTo(want[r][j], 5)));
    const [h2, out] = m.execute(xs, ['h/h', 'out']) as rl.Tensor[];
    expect(h2.arraySync()).toEqual(hidden.arraySync());
    expect(out.arraySync()).toEqual((m.predict(xs) as rl.Tensor).arraySync());
    expect(() => m.execute(xs, 'nope')).toThrow(/execute: no tensor or layer named 'nope'/);
  });

  it('categoricalCrossentropy over a one-unit output is refused in fit, evaluate and trainOnBatch (it is always 0)', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [3] })] });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const y1 = rl.ones([4, 1]);
    const why = /y: categoricalCrossentropy over an output of one unit \[null, 1\] is always 0 and trains nothing; use binaryCrossentropy/;
    await expect(m.fit(x(), y1, { verbose: 0 })).rejects.toThrow(why);
    expect(() => m.evaluate(x(), y1)).toThrow(why);
    expect(() => m.trainOnBatch(x(), y1)).toThrow(why);
  });

  it('rl.version names the package version, as tf.version names tfjs\'s', async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(rl.version).toEqual({ rnnlab: pkg.version });
  });

  it('Embedding (maskZero) and Masking answer computeMask with the mask they pass on', () => {
    const e = rl.layers.embedding({ inputDim: 4, outputDim: 2, maskZero: true });
    const ids = rl.tensor2d([[1, 0, 2], [0, 0, 3]], [2, 3], 'int32');
    const em = e.computeMask(ids, null)!;
    expect(em.dtype).toBe('bool');
    expect(em.arraySync()).toEqual([[1, 0, 1], [0, 0, 1]]);
    expect(rl.layers.embedding({ inputDim: 4, outputDim: 2 }).computeMask(ids, null)).toBeNull();
    const mk = rl.layers.masking({ maskValue: -1 });
    const seq = rl.tensor3d([[[-1, -1], [0, -1]], [[2, 2], [-1, -1]]]);
    expect(mk.computeMask(seq, null)!.arraySync()).toEqual([[0, 1], [1, 0]]);
  });
});
