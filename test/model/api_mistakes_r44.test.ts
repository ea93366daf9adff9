/**
 * Common API mistakes refused in words that say what happened, before anything trains: an empty Sequential, a bad
 * first inputShape, half-applied setWeights, targets and token ids named by call, data and row, and fit's options
 * given in y's place. Where tfjs 4.22 has an answer it is noted beside the case.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const quiet = { epochs: 1, verbose: 0 as const };
const snapshot = (m: { getWeights(): rl.Tensor[] }) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('an empty Sequential', () => {
  // tfjs: "Sequential model cannot be built: model is empty. Add some layers first."
  it('refuses predict, fit, evaluate and build by saying it has no layers (never from the start, and after pop)', async () => {
    const never = rl.sequential();
    expect(() => never.predict(rl.ones([1, 4]))).toThrow(/predict: the model has no layers/);
    expect(() => never.build([null, 4])).toThrow(/build: the model has no layers/);
    const popped = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [4] }), rl.layers.dense({ units: 1 })] });
    popped.pop();
    popped.pop();
    expect(() => popped.predict(rl.ones([1, 4]))).toThrow(/predict: the model has no layers/);
    popped.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(popped.fit(rl.ones([2, 4]), rl.ones([2, 4]), quiet)).rejects.toThrow(/^fit: the model has no layers/);
    expect(() => popped.evaluate(rl.ones([2, 4]), rl.ones([2, 4]))).toThrow(/^evaluate: the model has no layers/);
  });
});

describe("a bad size in the first layer's inputShape", () => {
  // rl.input({shape: [-4]}) and a bad non-last axis already said this; the last axis reached a weight's allocation.
  it.each([[[-4]], [[2.5]], [[5, -3]]])('%j is refused by the input layer before any weight is made', (shape) => {
    const layer = shape.length === 1 ? rl.layers.dense({ units: 1, inputShape: shape }) : rl.layers.lstm({ units: 1, inputShape: shape });
    expect(() => rl.sequential({ layers: [layer] })).toThrow(/\(InputLayer\): batchInputShape must be a list of positive integers or null/);
    expect(layer.built).toBe(false);
  });
});

describe('setWeights is all or nothing', () => {
  const mk = () => rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [4] }), rl.layers.dense({ units: 1 })] });
  // tfjs checks every shape first: "first weight changed? false".
  it.each([
    ['a tensor of the wrong shape', () => rl.ones([2])],
    ['a flat array of the wrong length', () => new Float32Array(2)],
    ['a nested array', () => [[1]]],
    ['a disposed tensor', () => { const t = rl.ones([1]); t.dispose(); return t; }],
  ])('%s at the last index leaves every weight unchanged', (_what, bad) => {
    const m = mk();
    const before = snapshot(m);
    expect(() => m.setWeights([rl.fill([4, 3], 7), rl.fill([3], 7), rl.fill([3, 1], 7), bad() as rl.Tensor])).toThrow();
    expect(snapshot(m)).toEqual(before);
  });

  it("a layer's setWeights too", () => {
    const m = mk();
    const before = snapshot(m);
    expect(() => m.layers[0].setWeights([rl.fill([4, 3], 7), rl.ones([4])])).toThrow(/setWeights\[1\].*has shape \[4\], expected \[3\]/);
    expect(snapshot(m)).toEqual(before);
  });
});

describe('bad targets name the call, the data and the output', () => {
  const x = rl.ones([8, 4]);
  const clf = (units: number, activation: 'softmax' | 'sigmoid', loss: string) => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units, activation, inputShape: [4] })] });
    m.compile({ optimizer: 'sgd', loss });
    return m;
  };

  it('bad ids only in validationData are said to be there, not in y', async () => {
    const m = clf(3, 'softmax', 'sparseCategoricalCrossentropy');
    await expect(m.fit(x, rl.zeros([8, 1]), { ...quiet, validationData: [rl.ones([2, 4]), rl.tensor2d([[1], [7]])] }))
      .rejects.toThrow('fit: validationData: y: sparseCategoricalCrossentropy needs integer class ids in [0, 3), found 7 at index 1');
  });

  it('evaluate and trainOnBatch name themselves', () => {
    const m = clf(1, 'sigmoid', 'binaryCrossentropy');
    const y = rl.tensor2d([[0], [1], [0], [1], [0], [1], [0], [3]]);
    expect(() => m.evaluate(x, y)).toThrow('evaluate: y: binaryCrossentropy needs targets in [0, 1], found 3 at index 7');
    expect(() => m.trainOnBatch(x, y)).toThrow('trainOnBatch: y: binaryCrossentropy needs targets in [0, 1], found 3 at index 7');
  });

  it('of two outputs, the one holding the bad id is named', async () => {
    const a = rl.input({ shape: [4] });
    const o1 = rl.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(a) as rl.SymbolicTensor;
    const o2 = rl.layers.dense({ units: 5, activation: 'softmax', name: 'tag' }).apply(a) as rl.SymbolicTensor;
    const m = rl.model({ inputs: a, outputs: [o1, o2] });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await expect(m.fit(x, [rl.zeros([8, 1]), rl.fill([8, 1], 6)], quiet)).rejects.toThrow(/^fit: y for output 'tag': sparseCategoricalCrossentropy .* found 6 at index 0/);
  });
});

describe("Embedding ids are checked over the caller's whole x before any batch runs", () => {
  const rows = () => {
    const r = Array.from({ length: 100 }, () => [1, 2, 3]);
    r[70] = [1, 2, 12];
    return rl.tensor2d(r);
  };
  const embedModel = () => {
    rl.setSeed(3);
    const m = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 10, outputDim: 2, inputLength: 3 }), rl.layers.flatten(), rl.layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    return m;
  };
  it('fit names row 70 of x (not [6, 2] of its batch) and trains nothing first', async () => {
    const m = embedModel();
    const before = snapshot(m);
    let batches = 0;
    await expect(m.fit(rows(), rl.zeros([100, 1]), { ...quiet, batchSize: 32, shuffle: false, callbacks: [{ onBatchEnd: async () => { batches++; } }] }))
      .rejects.toThrow(/^fit: x: embedding_?\d* \(Embedding\): token id 12 at position \[70, 2\] \(row 70 of x\) is outside \[0, 10\)/);
    expect(batches).toBe(0);
    expect(snapshot(m)).toEqual(before);
  });

  it('a bad id in validationData fails before the first epoch trains', async () => {
    const m = embedModel();
    const before = snapshot(m);
    const good = rl.tensor2d(Array.from({ length: 100 }, () => [1, 2, 3]));
    await expect(m.fit(good, rl.zeros([100, 1]), { ...quiet, validationData: [rows(), rl.zeros([100, 1])] }))
      .rejects.toThrow(/^fit: validationData: x: .*\(row 70 of x\)/);
    expect(snapshot(m)).toEqual(before);
  });

  it('predict and evaluate name the row in x and the call', () => {
    const m = embedModel();
    expect(() => m.predict(rows())).toThrow(/\.predict: x: .*token id 12 at position \[70, 2\] \(row 70 of x\)/);
    expect(() => m.evaluate(rows(), rl.zeros([100, 1]))).toThrow(/^evaluate: x: .*\(row 70 of x\)/);
  });

  it('an Input feeding an Embedding in a functional model is checked up front too', async () => {
    rl.setSeed(3);
    const ids = rl.input({ shape: [3], name: 'ids' });
    const e = rl.layers.embedding({ inputDim: 10, outputDim: 2 }).apply(ids) as rl.SymbolicTensor;
    const out = rl.layers.dense({ units: 1 }).apply(rl.layers.flatten().apply(e)) as rl.SymbolicTensor;
    const m = rl.model({ inputs: ids, outputs: out });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = snapshot(m);
    await expect(m.fit(rows(), rl.zeros([100, 1]), { ...quiet, batchSize: 32, shuffle: false })).rejects.toThrow(/^fit: x: .*\(row 70 of x\)/);
    expect(snapshot(m)).toEqual(before);
    expect(() => m.predict(rows())).toThrow(/\.predict: x: .*token id 12 at position \[70, 2\] \(row 70 of x\)/);
    expect(() => m.predict(null as never)).toThrow(/\.predict: needs x \(the inputs\), found null/);
  });
});

describe('a missing argument is said to be missing', () => {
  const mk = () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [4], activation: 'sigmoid' })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    return m;
  };
  it("fit(x, {epochs}) says y is missing and the object looks like fit's options", async () => {
    await expect(mk().fit(rl.ones([8, 4]), { epochs: 2, verbose: 0 } as never)).rejects.toThrow(/^fit: y is missing: the second argument looks like fit's options \(epochs, verbose\)/);
    expect(() => mk().evaluate(rl.ones([8, 4]), { batchSize: 4 } as never)).toThrow(/^evaluate: y is missing/);
  });
  it('predict(null) says x is needed and was null', () => {
    expect(() => mk().predict(null as never)).toThrow(/\.predict: needs x \(the inputs\), found null/);
  });
});
