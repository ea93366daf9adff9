/**
 * rl.customGrad runs f in its own scope, as tfjs's: only the result stays counted by memory(), and the tensors f
 * saved stay readable for gradFunc (and so does its value, which tfjs disposes). Counts and gradients are compared with tfjs 4.22.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

type Lib = any;
const both = <T>(run: (L: Lib) => T): [T, T] => [run(rl), run(tf)];

describe('customGrad scope', () => {
  it('counts only the result while it lives and nothing after its dispose, as tfjs', () => {
    const [ours, theirs] = both((L) => {
      const f = L.customGrad((x: any, save: any) => { save([x]); return { value: x.square().add(1).mul(2), gradFunc: (dy: any, s: any) => [dy.mul(s[0]).mul(4)] }; });
      const x = L.tensor1d([1, 2]);
      const before = L.memory().numTensors;
      const y = f(x);
      const live = L.memory().numTensors - before;
      const values = Array.from(y.dataSync());
      y.dispose();
      return { live, after: L.memory().numTensors - before, values };
    });
    expect(ours).toEqual(theirs);
    expect(ours.live).toBe(1);
    expect(ours.values).toEqual([4, 10]);
  });

  it('five calls outside tidy leave five tensors counted, as tfjs', () => {
    const [ours, theirs] = both((L) => {
      const f = L.customGrad((x: any, save: any) => { save([x]); return { value: x.square(), gradFunc: (dy: any, s: any) => [dy.mul(s[0]).mul(10)] }; });
      const x = L.tensor1d([1, 2]);
      const before = L.memory().numTensors;
      for (let i = 0; i < 5; i++) f(x);
      return L.memory().numTensors - before;
    });
    expect(ours).toBe(theirs);
    expect(ours).toBe(5);
  });

  it('gradFunc still reads the intermediates f saved after the scope ends; the gradient and the count are tfjs\'s', () => {
    const [ours, theirs] = both((L) => {
      const f = L.customGrad((x: any, save: any) => {
        const e = x.exp();
        save([e]);
        return { value: e.add(1), gradFunc: (dy: any, s: any) => [dy.mul(s[0])] };
      });
      const x = L.tensor1d([0, 1, -2]);
      const before = L.memory().numTensors;
      const g = L.grad((v: any) => L.sum(f(v).mul(L.tensor1d([1, 2, 3]))))(x);
      const out = Array.from(g.dataSync() as ArrayLike<number>);
      g.dispose();
      return { out, leaked: L.memory().numTensors - before };
    });
    [1, 2 * Math.E, 3 * Math.exp(-2)].forEach((e, i) => expect(ours.out[i]).toBeCloseTo(e, 5));
    ours.out.forEach((v, i) => expect(v).toBeCloseTo(theirs.out[i], 5));
    expect(ours.leaked).toBe(theirs.leaked);
    expect(ours.leaked).toBe(0);
  });

  it('a gradFunc reading f\'s value through its closure still works after the scope disposed that value', () => {
    // tfjs 4.22 throws 'Tensor is disposed' here under tf.grad; rnnlab keeps the value readable until the backward ran.
    const f = rl.customGrad((x: rl.Tensor) => {
      const y = rl.add(rl.exp(x), 1);
      return { value: y, gradFunc: (dy: rl.Tensor) => [rl.mul(dy, rl.sub(y, 1))] };
    });
    const g = rl.grad((v: rl.Tensor) => rl.sum(f(v)))(rl.tensor1d([0, 1]));
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(Math.exp(i), 5));
  });

  it('an f returning its input as the value leaves the input live and unwired', () => {
    const f = rl.customGrad((x: rl.Tensor) => ({ value: x, gradFunc: (dy: rl.Tensor) => [rl.mul(dy, 3)] }));
    const x = rl.tensor1d([1, 2]);
    const before = rl.memory().numTensors;
    const y = f(x);
    expect(y).not.toBe(x);
    expect(rl.memory().numTensors - before).toBe(1);
    y.dispose();
    expect(Array.from(x.dataSync())).toEqual([1, 2]);
    expect(Array.from(rl.grad((v: rl.Tensor) => rl.sum(f(v)))(x).dataSync())).toEqual([3, 3]);
  });
});
