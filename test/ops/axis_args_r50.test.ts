// squeeze with an empty axis list (tfjs and TensorFlow: all size-1 axes), and axis arguments of the wrong type
// refused as Errors naming the op, the argument and what it got (never a TypeError from formatting the message).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

/** f throws an Error (never a TypeError from inside the op) with exactly this message. */
function expectRefusal(f: () => unknown, message: string): void {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(Error);
  expect(err).not.toBeInstanceOf(TypeError);
  expect((err as Error).message).toBe(message);
}

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
  it.each(cases)('%s is an Error naming op, argument and value', (_name, f, message) => expectRefusal(f, message));

  it('topk\'s sorted flag prints what it got', () => {
    expect(() => rl.topk(x, 1, {} as never)).toThrow('topk: sorted must be a boolean, got an object');
  });
});

describe('a rank-0 tensor\'s axis range', () => {
  it('reads [0, 0), not [-0, 0)', () => {
    expect(() => rl.cumsum(rl.scalar(3))).toThrow('cumsum: axis 0 is out of range [0, 0) for a rank-0 tensor');
  });
});

describe('other arguments a message shows: a bigint or a self-referring object is put in words', () => {
  const x = rl.ones([2, 3]);
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  const cases: [string, () => unknown, string][] = [
    ['oneHot\'s depth', () => rl.oneHot([0, 1], 1n as never), 'oneHot: depth must be an integer, got bigint 1'],
    ['linspace\'s num', () => rl.linspace(0, 1, 2n as never), 'linspace: num must be an integer, got bigint 2'],
    ['topk\'s k', () => rl.topk(x, 1n as never), "'k' passed to topk() must be an integer but got bigint 1"],
    ['reshape\'s dims', () => rl.reshape(x, [2n, 3] as never), 'reshape: shape must hold integers (and at most one -1), found bigint 2 at dim 0 (input shape [2,3])'],
    ['pad\'s paddings', () => rl.pad(x, 1n as never), 'pad: paddings must have one [before, after] pair per axis (2), got bigint 1'],
    ['mirrorPad\'s paddings', () => rl.mirrorPad(x, loop as never, 'reflect'), 'mirrorPad: paddings must have 2 [before, after] pairs, got an object'],
    ['matMul\'s transposeA', () => rl.matMul(x, x, 1n as never), 'matMul: transposeA must be true or false, got bigint 1'],
    ['transpose\'s perm', () => rl.transpose(x, [1n, 0] as never), "All entries in 'perm' must be between 0 and 1 but got [bigint 1,0]"],
    ['stridedSlice\'s begin', () => rl.stridedSlice(x, [0n] as never, [1]), 'stridedSlice: begin must be an array of integers, got [bigint 0]'],
    ['zeros\' shape', () => rl.zeros([1n] as never), 'fill: shape must be an array of non-negative integers, got [bigint 1] (shape[0] is bigint 1)'],
    ['dropout\'s noiseShape', () => rl.dropout(x, 0.5, 1n as never), 'dropout: noiseShape bigint 1 must have one entry per axis of x [2, 3]'],
    ['conv1d\'s stride', () => rl.conv1d(rl.ones([1, 4, 1]), rl.ones([2, 1, 1]), 1n as never, 'valid'), 'conv1d: strides must be a positive integer or 1 of them, got bigint 1'],
    ['conv1d\'s pad', () => rl.conv1d(rl.ones([1, 4, 1]), rl.ones([2, 1, 1]), 1, 1n as never), "conv1d: unknown pad bigint 1 (use 'valid', 'same', a number or explicit pairs)"],
  ];
  it.each(cases)('%s is an Error naming op, argument and value', (_name, f, message) => expectRefusal(f, message));

  it('a value JSON can write is still shown as JSON', () => {
    expect(() => rl.oneHot([0, 1], '3' as never)).toThrow('oneHot: depth must be an integer, got "3"');
    expect(() => rl.pad(x, [[0, 1.5], [0, 0]])).toThrow('pad: paddings[0] must be two non-negative integers, got [0,1.5]');
  });
});
