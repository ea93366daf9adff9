// Arguments that used to be read loosely are refused naming them: a repeated or fractional reduction axis, a
// non-boolean trainable for rl.variable, non-boolean transpose flags for matMul.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[1, 2, 3], [4, 5, 6]];
type Reduce = (x: rl.Tensor, axis: number | number[]) => unknown;

/** Every reduction that takes an axis list, as functions (rl's differentiable ones) and as tensor methods. */
const reductions: [string, Reduce][] = [
  ['sum', (x, a) => rl.sum(x, a)],
  ['sum', (x, a) => x.sum(a)],
  ['mean', (x, a) => rl.mean(x, a)],
  ['max', (x, a) => rl.max(x, a)],
  ['min', (x, a) => x.min(a)],
  ['prod', (x, a) => rl.prod(x, a)],
  ['logSumExp', (x, a) => rl.logSumExp(x, a)],
  ['any', (x, a) => rl.any(rl.greater(x, 2), a)],
  ['all', (x, a) => rl.all(rl.greater(x, 2), a)],
  ['norm', (x, a) => rl.norm(x, 'euclidean', a)],
  ['norm', (x, a) => rl.euclideanNorm(x, a)],
  ['moments', (x, a) => rl.moments(x, a)],
];

describe('reduction axes', () => {
  it.each(reductions.map(([op, f], i) => [i, op, f] as const))('case %i: %s refuses a repeated axis, naming the list and the axis', (_i, op, f) => {
    const x = rl.tensor2d(X);
    expect(() => f(x, [1, -1])).toThrow(`${op}: axis [1, -1] names axis 1 twice (1 and -1 of a rank-2 tensor); list each axis once`);
    expect(() => f(x, [0, 0])).toThrow(`${op}: axis [0, 0] names axis 0 twice`);
    expect(() => rl.grad((t) => rl.sum(f(t, [0, 1, -2]) as rl.Tensor))(x)).toThrow(`axis [0, 1, -2] names axis 0 twice (0 and -2`);
  });

  it('merging the repeat would not be tfjs\'s answer either: tfjs reduces [1, -1] to a different shape', () => {
    expect(tf.sum(tf.tensor2d(X), [1, -1]).shape).not.toEqual(rl.sum(rl.tensor2d(X), 1).shape);
  });

  it.each(reductions.map(([op, f], i) => [i, op, f] as const))('case %i: %s says a fractional axis must be an integer, as tfjs', (_i, op, f) => {
    const x = rl.tensor2d(X);
    expect(() => f(x, 0.5)).toThrow(`${op}: All values in axis param must be integers but got axis 0.5`);
    expect(() => f(x, [0, 1.5])).toThrow(`${op}: All values in axis param must be integers but got axis 1.5`);
    // Out of range stays tfjs's range message.
    expect(() => f(x, 2)).toThrow(`${op}: All values in axis param must be in range [-2, 2) but got axis 2`);
  });

  it('tfjs words the fractional case the same way', () => {
    expect(() => tf.sum(tf.tensor2d(X), 0.5)).toThrow('All values in axis param must be integers but got axis 0.5');
  });

  it('distinct axes in any order and sign still reduce', () => {
    const x = rl.tensor2d(X);
    expect(Array.from(rl.sum(x, [-1, 0]).dataSync())).toEqual([21]);
    expect(rl.mean(x, [1, 0], true).shape).toEqual([1, 1]);
  });
});

describe('rl.variable\'s trainable', () => {
  it('must be a boolean: the string "false" is truthy and would train', () => {
    expect(() => rl.variable(rl.tensor1d([1, 2]), 'false' as never, 'axis_flag_v')).toThrow('variable: trainable must be true or false, got "false"');
    expect(() => rl.tensor1d([1]).variable(0 as never)).toThrow('variable: trainable must be true or false, got 0');
    expect(() => rl.variable(rl.tensor1d([1]), null as never)).toThrow('variable: trainable must be true or false, got null');
    // Nothing was registered under the refused name.
    const v = rl.variable(rl.tensor1d([1, 2]), false, 'axis_flag_v');
    expect(v.trainable).toBe(false);
    expect(rl.variable(rl.tensor1d([1])).trainable).toBe(true);
    v.dispose();
  });
});

describe('matMul\'s transpose flags', () => {
  it('must be booleans, as functions and as the tensor method; left out they are false', () => {
    const a = rl.ones([2, 3]), b = rl.ones([2, 3]);
    expect(() => rl.matMul(a, b, 'false' as never, false)).toThrow('matMul: transposeA must be true or false, got "false"');
    expect(() => rl.matMul(a, b, true, 1 as never)).toThrow('matMul: transposeB must be true or false, got 1');
    expect(() => a.matMul(b, 'true' as never)).toThrow('matMul: transposeA must be true or false, got "true"');
    expect(() => rl.grad((t) => rl.sum(rl.matMul(t, b, false, 'yes' as never)))(a)).toThrow('matMul: transposeB must be true or false, got "yes"');
    expect(rl.matMul(a, b, true).shape).toEqual([3, 3]);
    expect(a.matMul(rl.ones([3, 4])).shape).toEqual([2, 4]);
    // tfjs reads null as false.
    expect(rl.matMul(a, rl.ones([3, 4]), null as never, null as never).shape).toEqual([2, 4]);
  });
});
