/**
 * y's shape is checked after the batch axis, not only its element count (tfjs's standardizeInputData; Keras 3 fails
 * on the mismatch): a y of another layout is an error naming the output and both shapes, never read row-major in the
 * output's shape. A trailing axis of 1 more or less is taken, as Keras and tfjs take it, and a sparse loss takes
 * class ids shaped like the output without its class axis (or with a trailing 1).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const lossOf = (r: unknown) => (Array.isArray(r) ? r[0] : r as rl.Tensor).dataSync()[0];

function seqModel(layers: rl.layerClasses.Layer[], loss = 'meanSquaredError'): rl.Sequential {
  rl.setSeed(5);
  const m = rl.sequential({ layers });
  m.compile({ optimizer: rl.train.sgd(0.1), loss });
  return m;
}

describe('a y whose shape is not the output shape', () => {
  it('is refused by fit and evaluate even when its element count fits, naming the output and both shapes', async () => {
    const m = seqModel([rl.layers.dense({ units: 3, inputShape: [2, 2], name: 'head' })]); // output [null, 2, 3]
    const x = rl.ones([4, 2, 2]);
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    await expect(m.fit(x, rl.ones([4, 3, 2]), { verbose: 0 })).rejects.toThrow(
      /fit: y has shape \[4, 3, 2\], which does not fit the model's output \[null, 2, 3\]: expected y for output 'head' to have shape \[4, 2, 3\]/);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    expect(() => m.evaluate(x, rl.ones([4, 6]))).toThrow(/evaluate: y has shape \[4, 6\], which does not fit the model's output \[null, 2, 3\].*output 'head'/);
    expect(() => m.trainOnBatch(x, rl.ones([4, 3, 2]))).toThrow(/trainOnBatch: y has shape \[4, 3, 2\]/);
    await expect(m.fit(x, rl.ones([4, 2, 3]), { verbose: 0, validationData: [x, rl.ones([4, 6])] })).rejects.toThrow(/fit: validationData: y has shape \[4, 6\]/);
    // The right shape trains.
    const h = await m.fit(x, rl.ones([4, 2, 3]), { verbose: 0 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
  });

  it('takes a trailing axis of 1 added or dropped, with the same loss as the exact shape', async () => {
    const unit = seqModel([rl.layers.dense({ units: 1, inputShape: [2] })]); // [null, 1]
    const x = rl.tensor([[1, 2], [0.5, -1], [3, 0]]);
    expect(lossOf(unit.evaluate(x, rl.tensor([1, 0, 2])))).toBeCloseTo(lossOf(unit.evaluate(x, rl.tensor([[1], [0], [2]]))), 6);

    const perStep = seqModel([rl.layers.dense({ units: 1, inputShape: [3, 2] })]); // [null, 3, 1]
    const xs = rl.tensor3d([[[1, 0], [0, 1], [1, 1]], [[0, 0], [1, 2], [2, 1]]]);
    const y2 = rl.tensor([[1, 0, 2], [0, 1, 1]]);
    expect(lossOf(perStep.evaluate(xs, y2))).toBeCloseTo(lossOf(perStep.evaluate(xs, y2.reshape([2, 3, 1]))), 6);

    const flat = seqModel([rl.layers.dense({ units: 1, inputShape: [3, 2] }), rl.layers.flatten({})]); // [null, 3]
    expect(lossOf(flat.evaluate(xs, y2.reshape([2, 3, 1])))).toBeCloseTo(lossOf(flat.evaluate(xs, y2)), 6);
    // An axis of 1 elsewhere is no trailing axis: refused.
    expect(() => flat.evaluate(xs, y2.reshape([2, 1, 3]))).toThrow(/y has shape \[2, 1, 3\], which does not fit the model's output \[null, 3\]/);
  });

  it('sparse class ids: the output shape without the class axis, or with a trailing 1; another layout is refused', () => {
    const i = rl.input({ shape: [4, 2], name: 'i' });
    const o = rl.layers.dense({ units: 3, activation: 'softmax', name: 'o' }).apply(i) as rl.SymbolicTensor; // [null, 4, 3]
    rl.setSeed(2);
    const f = rl.model({ inputs: i, outputs: o });
    f.compile({ optimizer: rl.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' });
    const x = rl.tensor3d([[[1, 0], [0, 1], [1, 1], [0, 2]], [[2, 0], [1, 0], [0, 0], [1, 2]]]);
    const ids = rl.tensor([[0, 1, 2, 1], [2, 2, 0, 1]]);
    expect(() => f.evaluate(x, ids.reshape([2, 2, 2]))).toThrow(
      /evaluate: y has shape \[2, 2, 2\], which does not fit the model's output \[null, 4, 3\]: sparseCategoricalCrossentropy takes one class id per row of output 'o': y of shape \[2, 4\] or \[2, 4, 1\]/);
    expect(lossOf(f.evaluate(x, ids.reshape([2, 4, 1])))).toBeCloseTo(lossOf(f.evaluate(x, ids)), 6);

    const seq = seqModel([rl.layers.dense({ units: 3, activation: 'softmax', inputShape: [2] })], 'sparseCategoricalCrossentropy'); // [null, 3]
    const x2 = rl.tensor([[1, 2], [0, 1]]);
    expect(lossOf(seq.evaluate(x2, rl.tensor([[2], [0]])))).toBeCloseTo(lossOf(seq.evaluate(x2, rl.tensor([2, 0]))), 6);
    expect(() => seq.evaluate(x2, rl.tensor([[2, 0], [0, 1]]))).toThrow(/y has shape \[2, 2\], which does not fit the model's output \[null, 3\]: sparseCategoricalCrossentropy takes one class id per row/);
  });

  it('a model of several outputs names the output whose y does not fit', async () => {
    const i = rl.input({ shape: [2, 2], name: 'in' });
    const a = rl.layers.dense({ units: 3, name: 'a' }).apply(i) as rl.SymbolicTensor; // [null, 2, 3]
    const b = rl.layers.dense({ units: 1, name: 'b' }).apply(i) as rl.SymbolicTensor; // [null, 2, 1]
    const f = rl.model({ inputs: i, outputs: [a, b] });
    f.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = rl.ones([2, 2, 2]);
    await expect(f.fit(x, { a: rl.ones([2, 2, 3]), b: rl.ones([2, 2]) }, { verbose: 0 })).resolves.toBeDefined();
    expect(() => f.evaluate(x, { a: rl.ones([2, 3, 2]), b: rl.ones([2, 2, 1]) })).toThrow(
      /evaluate: y for output 'a' has shape \[2, 3, 2\], which does not fit the model's output \[null, 2, 3\]: expected y for output 'a' to have shape \[2, 2, 3\]/);
  });
});
