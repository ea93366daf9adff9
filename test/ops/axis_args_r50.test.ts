// squeeze with an empty axis list (tfjs and TensorFlow: all size-1 axes), and axis arguments of the wrong type
// refused as Errors naming the op, the argument and what it got (never a TypeError from formatting the message).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[[1, 2]], [[3, 4]]]; // shape [2, 1, 2]

describe('squeeze(x, [])', () => {
  it('drops every size-1 axis, as tfjs', () => {
    const want = tf.squeeze(tf.tensor(X), []);
    const got = rl.squeeze(rl.tensor(X), []);
    expect(got.shape).toEqual(want.shape);
    expect(got.shape).toEqual([2, 2]);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    expect(rl.squeeze(rl.ones([1, 3, 1, 1]), []).shape).toEqual([3]);
    expect(rl.squeeze(rl.ones([2, 3]), []).shape).toEqual([2, 3]);
  });

  it('the method form does the same', () => {
    expect(rl.tensor(X).squeeze([]).shape).toEqual([2, 2]);
  });

  it('its gradient is the upstream gradient in x\'s shape', () => {
    const w = rl.tensor([[10, 20], [30, 40]]);
    const g = rl.grad((t: rl.Tensor) => rl.sum(rl.mul(rl.squeeze(t, []), w)))(rl.tensor(X));
    expect(g.shape).toEqual([2, 1, 2]);
    expect(Array.from(g.dataSync())).toEqual([10, 20, 30, 40]);
  });
});

describe('axis arguments of the wrong type', () => {
  const x = rl.ones([2, 3]);
  const cases: [string, () => unknown, string][] = [
    ['sum with a string', () => rl.sum(x, '1' as never), 'sum: axis must be an integer, got the string "1"'],
    ['mean with a string in the list', () => rl.mean(x, [0, '1'] as never), 'mean: axis must be an integer, got the string "1"'],
    ['max as a method with an object', () => x.max({} as never), 'max: axis must be an integer, got an object'],
    ['gather with a bigint', () => rl.gather(x, [0], 1n as never), 'gather: axis must be an integer, got bigint 1'],
    ['concat with a bigint', () => rl.concat([x, x], 1n as never), 'concat: axis must be an integer, got bigint 1'],
    ['cumsum with a bigint', () => rl.cumsum(x, 1n as never), 'cumsum: axis must be an integer, got bigint 1'],
    ['expandDims with a bigint', () => rl.expandDims(x, 1n as never), 'expandDims: axis must be an integer, got bigint 1'],
    ['squeeze with a bigint', () => rl.squeeze(rl.ones([1, 1]), 1n as never), 'squeeze: axis must be an integer, got bigint 1'],
    ['softmax with a string', () => rl.softmax(x, '1' as never), 'softmax: axis must be an integer, got the string "1"'],
    ['logSoftmax with an object', () => rl.logSoftmax(x, {} as never), 'logSoftmax: axis must be an integer, got an object'],
  ];
  it.each(cases)('%s is an Error naming op, argument and value', (_name, f, message) => {
    let err: unknown;
    try { f(); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe(message);
  });

  it('topk\'s sorted flag prints what it got', () => {
    expect(() => rl.topk(x, 1, {} as never)).toThrow('topk: sorted must be a boolean, got an object');
  });
});

describe('a rank-0 tensor\'s axis range', () => {
  it('reads [0, 0), not [-0, 0)', () => {
    expect(() => rl.cumsum(rl.scalar(3))).toThrow('cumsum: axis 0 is out of range [0, 0) for a rank-0 tensor');
  });
});
