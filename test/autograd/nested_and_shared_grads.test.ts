// rl.grad & co. differentiate with respect to the caller's tensors themselves, as tfjs (a tensor passed twice, or read
// from f's closure, gets its whole gradient). A gradient computed inside a function being differentiated is not
// recorded, so where the outer result depends on it through what the outer call tracks, the outer backward throws
// naming the inner function instead of returning a wrong number; where it cannot reach, the outer gradient is tfjs's.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const flat = (t: { dataSync(): ArrayLike<number> }): number[] => Array.from(t.dataSync());
const nested = /^rl\.grad inside a function being differentiated: higher-order gradients are not supported/;

describe('the tensors differentiated are the caller\'s, as tfjs', () => {
  it('one tensor passed twice gets its total gradient for both arguments', () => {
    const ours = rl.grads((a, b) => rl.sum(rl.mul(a, b)))([rl.tensor1d([1, 2]), rl.tensor1d([1, 2])]);
    expect(ours.map(flat)).toEqual([[1, 2], [1, 2]]);
    const x = rl.tensor1d([1, 2]);
    const same = rl.valueAndGrads((a, b) => rl.sum(rl.mul(a, b)))([x, x]);
    const tx = tf.tensor1d([1, 2]);
    const theirs = tf.valueAndGrads((a, b) => tf.sum(tf.mul(a, b)))([tx, tx]);
    expect(same.grads.map(flat)).toEqual(theirs.grads.map(flat));
    expect(same.grads.map(flat)).toEqual([[2, 4], [2, 4]]);
    expect(flat(same.value)).toEqual([5]);
  });

  it('f may read x from its closure instead of its parameter', () => {
    const x = rl.tensor1d([1, 2]);
    expect(flat(rl.grad(() => rl.sum(rl.mul(x, x)))(x))).toEqual([2, 4]);
    const tx = tf.tensor1d([1, 2]);
    expect(flat(tf.grad(() => tf.sum(tf.mul(tx, tx)))(tx))).toEqual([2, 4]);
    // Half through the parameter, half through the closure: still d(x*x)/dx.
    expect(flat(rl.grad((a) => rl.sum(rl.mul(a, x)))(x))).toEqual([2, 4]);
  });

  it('x keeps its autograd fields: a constant stays untracked, a variable keeps its own', () => {
    const x = rl.tensor1d([1, 2]);
    rl.grad((a) => rl.sum(rl.square(a)))(x);
    expect(x.requiresGrad).toBe(false);
    expect(x.grad).toBeNull();
    const frozen = rl.variable(rl.tensor1d([3, 4]), false);
    expect(flat(rl.grad((a) => rl.sum(rl.square(a)))(frozen))).toEqual([6, 8]);
    expect(frozen.requiresGrad).toBe(false);
    const v = rl.variable(rl.tensor1d([1, -1]));
    expect(flat(rl.grad((a) => rl.sum(rl.mul(a, a)))(v))).toEqual([2, -2]);
    expect(v.requiresGrad).toBe(true);
    expect(v.grad).toBeNull();
  });
});

describe('a gradient computed inside a function being differentiated', () => {
  it('throws naming rl.grad where the outer result depends on it (tfjs gives the second-order value)', () => {
    const inner = (a: rl.Tensor): rl.Tensor => rl.grad((b) => rl.sum(rl.square(b)))(a);
    // d/da sum(a * 2a) = 4a; treating the inner gradient as a constant would give 2a.
    expect(() => rl.grad((a) => rl.sum(rl.mul(a, inner(a))))(rl.tensor1d([1, 2]))).toThrow(nested);
    const t = tf.grad((a) => tf.sum(tf.mul(a, tf.grad((b) => tf.sum(tf.square(b)))(a))))(tf.tensor1d([1, 2]));
    expect(flat(t)).toEqual([4, 8]);
    // The inner function closing over the outer x, with its own argument a constant.
    const c = rl.tensor1d([1, 1]);
    expect(() => rl.grad((a) => rl.sum(rl.grad((b) => rl.sum(rl.mul(b, rl.square(a))))(c)))(rl.tensor1d([1, 2]))).toThrow(nested);
  });

  it('the value of valueAndGrad, and variableGrads\' results, are refused the same way', () => {
    const x = rl.tensor1d([1, 2]);
    expect(() => rl.grad((a) => rl.valueAndGrad((b) => rl.sum(rl.square(b)))(a).value)(x))
      .toThrow(/^rl\.valueAndGrad inside a function being differentiated/);
    const w = rl.variable(rl.tensor1d([3]));
    expect(() => rl.grad((a) => rl.sum(rl.variableGrads(() => rl.sum(rl.mul(w, a)), [w]).grads[w.name]))(x))
      .toThrow(/^rl\.variableGrads inside a function being differentiated/);
  });

  it('a gradient penalty inside variableGrads throws instead of training on a wrong gradient', () => {
    const w = rl.variable(rl.tensor1d([3]));
    const x = rl.tensor1d([2]);
    // loss = w x + (d/dx w x²)², dloss/dw = 98 (tfjs); the inner gradient taken as a constant would give 2.
    const loss = (): rl.Tensor => rl.add(rl.sum(rl.mul(w, x)), rl.sum(rl.square(rl.grad((a) => rl.sum(rl.mul(w, rl.square(a))))(x))));
    expect(() => rl.variableGrads(loss, [w])).toThrow(nested);
    expect(() => rl.train.sgd(0.1).minimize(loss, false, [w])).toThrow(nested);
    expect(flat(w)).toEqual([3]);
    expect(w.grad).toBeNull();
  });

  it('an inner gradient that cannot reach the outer result leaves the outer gradient tfjs\'s', () => {
    const x = rl.tensor1d([1, 2]);
    const c = rl.tensor1d([0.5, 3]);
    // Of a constant: d/da sum(a * 2c) = 2c.
    expect(flat(rl.grad((a) => rl.sum(rl.mul(a, rl.grad((b) => rl.sum(rl.square(b)))(c))))(x))).toEqual([1, 6]);
    const theirs = tf.grad((a) => tf.sum(tf.mul(a, tf.grad((b) => tf.sum(tf.square(b)))(tf.tensor1d([0.5, 3])))))(tf.tensor1d([1, 2]));
    expect(flat(theirs)).toEqual([1, 6]);
    // Of x, but unused by the result.
    expect(flat(rl.grad((a) => { rl.grad((b) => rl.sum(rl.square(b)))(a); return rl.sum(rl.square(a)); })(x))).toEqual([2, 4]);
  });

  it('a training step runs as before with a custom loss, and refuses one that differentiates through rl.grad', () => {
    const make = (loss: (yt: rl.Tensor, yp: rl.Tensor) => rl.Tensor): rl.Sequential => {
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })] });
      m.compile({ optimizer: rl.train.sgd(0.1), loss });
      return m;
    };
    const x = rl.tensor2d([[1, 2], [3, -1]]), y = rl.tensor2d([[1], [0]]);
    const plain = make((yt, yp) => rl.mean(rl.square(rl.sub(yp, yt))));
    // Prediction [3, 2], error [2, 2]: d mean(e²)/dkernel = mean(2 e x) = [8, 2].
    plain.trainOnBatch(x, y);
    expect(flat(plain.getWeights()[0]).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([0.2, 0.8]);
    const penalty = make((yt, yp) => rl.add(rl.mean(rl.square(rl.sub(yp, yt))), rl.sum(rl.grad((p) => rl.sum(rl.square(p)))(yp))));
    expect(() => penalty.trainOnBatch(x, y)).toThrow(nested);
  });
});
