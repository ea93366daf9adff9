/**
 * tidy/dispose/keep/memory with tfjs's semantics, the chainable methods, and that internal (model) tensors
 * stay outside the count.
 */
import { describe, expect, it } from 'vitest';
import { rl, tf } from './tensor_helpers.js';

const count = (lib: any): number => lib.memory().numTensors;

describe('memory', () => {
  it('counts created tensors and tidy returns the count to where it was, as tfjs', () => {
    for (const lib of [rl, tf] as any[]) {
      const before = count(lib);
      const x = lib.tensor([1, 2, 3]);
      expect(count(lib)).toBe(before + 1);
      const y = lib.tidy(() => {
        const a = x.add(1).mul(2);
        a.square();
        return a.sum();
      });
      expect(count(lib)).toBe(before + 2);
      expect(y.dataSync()[0]).toBe(18);
      lib.dispose([x, y]);
      expect(count(lib)).toBe(before);
    }
  });

  it('keeps returned containers and kept tensors, and moves returned tensors to the enclosing tidy', () => {
    for (const lib of [rl, tf] as any[]) {
      const before = count(lib);
      let kept: any;
      const out = lib.tidy('outer', () => {
        const inner = lib.tidy(() => ({ a: lib.scalar(3), b: [lib.scalar(4)] }));
        kept = lib.keep(lib.scalar(1));
        lib.scalar(2);
        expect(count(lib)).toBe(before + 4);
        return inner.b[0];
      });
      // The outer tidy disposed inner.a and the stray scalar but not the returned or the kept tensor.
      expect(count(lib)).toBe(before + 2);
      expect(out.dataSync()[0]).toBe(4);
      expect(kept.dataSync()[0]).toBe(1);
      lib.dispose({ out, list: [kept] });
      expect(count(lib)).toBe(before);
    }
  });

  it('counts data buffers once for views, and bytes per tensor, views included (tfjs\'s engine)', () => {
    const m0 = rl.memory();
    const a = rl.tensor([1, 2, 3, 4]);
    const v = a.reshape([2, 2]);
    const m1 = rl.memory();
    expect(m1.numTensors - m0.numTensors).toBe(2);
    expect(m1.numDataBuffers - m0.numDataBuffers).toBe(1);
    expect(m1.numBytes - m0.numBytes).toBe(32);
    a.dispose();
    expect(v.arraySync()).toEqual([[1, 2], [3, 4]]);
    expect(rl.memory().numDataBuffers - m0.numDataBuffers).toBe(1);
    v.dispose();
    expect(rl.memory()).toMatchObject({ numTensors: m0.numTensors, numDataBuffers: m0.numDataBuffers, numBytes: m0.numBytes, unreliable: true });
  });

  it('makes a disposed tensor unusable, with tfjs\'s message; disposing twice is harmless', () => {
    const x = rl.tensor([1, 2]);
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(x.shape).toEqual([2]);
    expect(() => x.dataSync()).toThrow('Tensor is disposed.');
    expect(() => x.add(1)).toThrow('Tensor is disposed.');
    expect(() => rl.matMul(x.reshape([1, 2]), rl.ones([2, 1]))).toThrow('Tensor is disposed.');
    expect(() => x.dispose()).not.toThrow();
    expect(() => tf.tensor([1]).dispose()).not.toThrow();
  });

  it('rejects misuse of tidy as tfjs does, and disposes what was made before an exception', () => {
    expect(() => rl.tidy((async () => rl.scalar(1)) as never)).toThrow('Cannot return a Promise inside of tidy.');
    expect(() => rl.tidy(5 as never)).toThrow('Please provide a function to tidy()');
    expect(() => rl.tidy('a', 5 as never)).toThrow('the 2nd argument to tidy() must be a function');
    expect(rl.tidy('name', () => 5 as never)).toBe(5);
    const before = count(rl);
    expect(() => rl.tidy(() => { rl.ones([3]); throw new Error('inside'); })).toThrow('inside');
    expect(count(rl)).toBe(before);
  });

  it('does not count tensors made inside models, and a model still runs inside tidy', () => {
    rl.setSeed(1);
    const model = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
    const x = rl.ones([4, 3]);
    const before = count(rl);
    const y = rl.tidy(() => {
      const p = model.predict(x) as rl.Tensor;
      return p.sum(1);
    });
    expect(count(rl)).toBe(before + 1);
    expect(y.shape).toEqual([4]);
    const again = rl.tidy(() => (model.predict(x) as rl.Tensor).sum(1));
    expect(again.arraySync()).toEqual(y.arraySync());
    rl.dispose([x, y, again]);
  });
});

describe('methods', () => {
  it('chain like tfjs', async () => {
    for (const lib of [rl, tf] as any[]) {
      const x = lib.tensor2d([[1, 2, 3], [4, 5, 6]]);
      expect(x.add(1).mul(x).sub(2).div(2).arraySync()).toEqual([[0, 2, 5], [9, 14, 20]]);
      expect(x.matMul(x, false, true).arraySync()).toEqual([[14, 32], [32, 77]]);
      expect(x.transpose().flatten().arraySync()).toEqual([1, 4, 2, 5, 3, 6]);
      expect(x.greater(2).logicalAnd(x.less(6)).cast('int32').sum().arraySync()).toBe(3);
      expect(x.asType('int32').dtype).toBe('int32');
      expect(x.clone().arraySync()).toEqual(x.arraySync());
      expect(x.expandDims(0).squeeze().shape).toEqual([2, 3]);
      expect(x.slice([0, 1], [2, 1]).as1D().arraySync()).toEqual([2, 5]);
      expect(x.gather([1]).arraySync()).toEqual([[4, 5, 6]]);
      expect(x.concat(x, 0).shape).toEqual([4, 3]);
      expect(x.concat([x, x], 1).shape).toEqual([2, 9]);
      expect(x.stack([x]).shape).toEqual([2, 2, 3]);
      expect(x.tile([1, 2]).reverse(1).pad([[0, 0], [1, 0]]).shape).toEqual([2, 7]);
      expect(x.argMax(1).arraySync()).toEqual([2, 2]);
      expect(x.max().arraySync()).toBe(6);
      expect(x.mean(0).arraySync()).toEqual([2.5, 3.5, 4.5]);
      expect(x.softmax().sum(1).arraySync().map((v: number) => Math.round(v * 1e6) / 1e6)).toEqual([1, 1]);
      expect(x.topk(2).indices.arraySync()).toEqual([[2, 1], [2, 1]]);
      expect(x.norm().arraySync()).toBeCloseTo(Math.sqrt(91), 5);
      expect(x.clipByValue(2, 4).min().arraySync()).toBe(2);
      expect(x.unstack().length).toBe(2);
      expect(x.split(3, 1)[2].arraySync()).toEqual([[3], [6]]);
      expect(x.neg().abs().sqrt().square().log().exp().arraySync()[1][2]).toBeCloseTo(6, 4);
      expect(await x.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
      expect(x.reshape([3, -1]).shape).toEqual([3, 2]);
      expect(x.as2D(3, 2).shape).toEqual([3, 2]);
      expect(x.equal(x).all().arraySync()).toBe(1);
      expect(x.strides).toEqual([3]);
    }
  });

  it('leave the internal autograd fields alone', () => {
    const x = rl.tensor([1, 2]);
    const y = x.add(1);
    expect(y.grad).toBeNull();
    expect(y.requiresGrad).toBe(false);
    expect(y.backwardFn).toBeNull();
  });
});
