// tfjs's rl.grad / grads / valueAndGrad(s), and chained methods that differentiate (x.square().sum()), checked
// against hand derivatives and against tfjs.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxAbsDiff } from '../io/helpers.js';

describe('gradients of functions built from tensor methods', () => {
  it('grad(x => x.square().sum()) is 2x, as tfjs', () => {
    const g = rl.grad((x) => x.square().sum())(rl.tensor1d([1, -2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, -4, 6]);
    const t = tf.grad((x) => x.square().sum())(tf.tensor1d([1, -2, 3]));
    expect(Array.from(g.dataSync())).toEqual(Array.from(t.dataSync()));
  });

  it('chains of methods match tfjs: mean, sigmoid, matMul, sub, mul, exp, log, softmax, slice, concat', () => {
    const f = (lib: typeof rl | typeof tf) => (a: never, b: never) => {
      const x = a as rl.Tensor, w = b as rl.Tensor;
      const h = x.matMul(w).sigmoid().mul(2).sub(0.5);
      const s = h.softmax().log().add(h.exp().slice([0, 0], [2, 1]).concat(h.slice([0, 1], [2, 1]), 1).tanh());
      return s.mean() as never;
    };
    const X = [[0.1, -0.3], [0.7, 0.2]], Wm = [[0.5, -1], [0.25, 0.75]];
    const ours = rl.grads(f(rl) as never)([rl.tensor2d(X), rl.tensor2d(Wm)]);
    const theirs = tf.grads(f(tf) as never)([tf.tensor2d(X), tf.tensor2d(Wm)]);
    ours.forEach((g, i) => expect(maxAbsDiff(g.dataSync(), theirs[i].dataSync())).toBeLessThan(1e-6));
  });

  it('valueAndGrad gives the value too; dy weights a non-scalar result; the inputs keep their autograd fields', () => {
    const x = rl.tensor1d([1, 2]);
    const { value, grad } = rl.valueAndGrad((v) => v.mul(v).sum())(x);
    expect(value.dataSync()[0]).toBe(5);
    expect(Array.from(grad.dataSync())).toEqual([2, 4]);
    expect(x.requiresGrad).toBe(false);
    const g = rl.grad((v) => v.exp())(x, rl.tensor1d([1, 0.5]));
    expect(maxAbsDiff(g.dataSync(), [Math.exp(1), 0.5 * Math.exp(2)])).toBeLessThan(1e-6);
    const both = rl.valueAndGrads((a, b) => a.mul(b).sum())([x, rl.tensor1d([3, 4])]);
    expect(both.grads.map((t) => Array.from(t.dataSync()))).toEqual([[3, 4], [1, 2]]);
  });

  it('a function that does not depend on x, or reaches it only through an op without a gradient, is an error naming why', () => {
    expect(() => rl.grad(() => rl.scalar(1))(rl.tensor1d([1]))).toThrow(/cannot compute the gradient of y = f\(x\) with respect to x/);
    expect(() => rl.grad((x) => x.greater(0).cast('float32').sum())(rl.tensor1d([1]))).toThrow(/^Cannot compute gradient: gradient function not found for Greater \(rl\.greater\)$/);
  });

  it('a custom loss written with methods trains like the functional one', async () => {
    const make = (loss: unknown) => {
      rl.setSeed(5);
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
      m.compile({ optimizer: 'sgd', loss: loss as never });
      return m;
    };
    const a = make((yt: rl.Tensor, yp: rl.Tensor) => yp.sub(yt).square().mean());
    const b = make('meanSquaredError');
    const x = rl.tensor2d([[1, 2], [3, -1], [0, 1]]), y = rl.tensor2d([[1], [0], [2]]);
    a.trainOnBatch(x, y);
    b.trainOnBatch(x, y);
    expect(maxAbsDiff(a.getWeights()[0].dataSync(), b.getWeights()[0].dataSync())).toBeLessThan(1e-6);
  });
});
