import { describe, expect, it } from 'vitest';
import { withTape } from '../../src/autograd/tape.js';
import { lossOp } from '../../src/autograd/loss_ops.js';
import { Tensor } from '../../src/tensor.js';
import { balancedClassWeights, weightedCrossEntropy } from '../../src/tasks/text_class_weight.js';

function gradOf(fn: (x: Tensor) => Tensor, values: number[], shape: number[]): { value: number; grad: number[] } {
  const x = new Tensor(Float32Array.from(values), shape, 'float32');
  x.requiresGrad = true;
  const { value, backward } = withTape(() => fn(x));
  backward(value);
  return { value: value.values[0], grad: Array.from(x.grad!) };
}

describe('class weights', () => {
  it("balanced weights are n / (classes * count), as scikit-learn's", () => {
    expect(Array.from(balancedClassWeights(Int32Array.from([0, 0, 0, 1]), 2))).toEqual([4 / 6, 2]);
    expect(Array.from(balancedClassWeights(Int32Array.from([0, 2, 2]), 3))).toEqual([1, 0, 0.5]);
  });

  it('with unit weights the loss and gradient equal the compiled losses', () => {
    const logits = [0.3, -1.2, 2.0, 0.1];
    const y = new Tensor(Float32Array.from([1, 0, 1, 0]), [4, 1], 'float32');
    const ours = gradOf((x) => weightedCrossEntropy(x, y, Float64Array.of(1, 1)), logits, [4, 1]);
    const ref = gradOf((x) => lossOp('binaryCrossentropy', x, y, true), logits, [4, 1]);
    expect(ours.value).toBeCloseTo(ref.value, 6);
    ours.grad.forEach((g, i) => expect(g).toBeCloseTo(ref.grad[i], 6));
    const labels = new Tensor(Int32Array.from([2, 0]), [2], 'int32');
    const multi = [0.5, -0.5, 1.5, 2.0, 0.0, -1.0];
    const a = gradOf((x) => weightedCrossEntropy(x, labels, Float64Array.of(1, 1, 1)), multi, [2, 3]);
    const b = gradOf((x) => lossOp('sparseCategoricalCrossentropy', x, labels, true), multi, [2, 3]);
    expect(a.value).toBeCloseTo(b.value, 6);
    a.grad.forEach((g, i) => expect(g).toBeCloseTo(b.grad[i], 6));
  });

  it('weights each example by its class: sum(w * loss) / batch size', () => {
    const y = new Tensor(Float32Array.from([1, 0]), [2, 1], 'float32');
    const { value, grad } = gradOf((x) => weightedCrossEntropy(x, y, Float64Array.of(3, 0.5)), [0, 0], [2, 1]);
    // Each logit 0 costs ln 2; gradient (sigmoid(0) - y) * w[y] / 2: row 0 is class 1 (w 0.5), row 1 class 0 (w 3).
    expect(value).toBeCloseTo(((0.5 + 3) * Math.LN2) / 2, 6);
    expect(grad[0]).toBeCloseTo((0.5 * (0.5 - 1)) / 2, 6);
    expect(grad[1]).toBeCloseTo((3 * 0.5) / 2, 6);
  });
});
