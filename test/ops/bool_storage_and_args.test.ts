// Numbers written into bool tensors by fill, pad and oneHot read as tfjs's Uint8Array storage reads them (tensor()
// rounds instead); argMax/argMin take a one-axis list as tfjs; topk names a fractional k as not an integer.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const VALUES = [0, 0.3, 0.5, 0.7, 1, 1.5, -0.7, -1, 2, 256, 257, NaN, Infinity, -Infinity];
const truthy = (v: number): number => (v !== 0 ? 1 : 0);

describe('numbers stored into bool tensors', () => {
  it.each(VALUES)('fill, pad and oneHot with %d agree with tfjs on true/false', (v) => {
    const tfFill = tf.fill([1], v, 'bool').dataSync()[0];
    const tfPad = tf.pad(tf.tensor([true], undefined, 'bool'), [[1, 0]], v).dataSync()[0];
    const tfOn = tf.oneHot(tf.tensor1d([0], 'int32'), 2, v, 0, 'bool').dataSync()[0];
    const tfOff = tf.oneHot(tf.tensor1d([0], 'int32'), 2, 1, v, 'bool').dataSync()[1];
    expect(rl.fill([1], v, 'bool').arraySync()).toEqual([truthy(tfFill)]);
    expect(rl.pad(rl.tensor([true], null, 'bool'), [[1, 0]], v).arraySync()).toEqual([truthy(tfPad), 1]);
    expect(rl.oneHot(rl.tensor1d([0], 'int32'), 2, v, 0, 'bool').arraySync()).toEqual([[truthy(tfOn), 0]]);
    expect(rl.oneHot(rl.tensor1d([0], 'int32'), 2, 1, v, 'bool').arraySync()).toEqual([[1, truthy(tfOff)]]);
  });

  it('0.3 and NaN are false in fill, as tfjs, while tensor() rounds (0.5 true)', () => {
    expect(rl.fill([2], 0.3, 'bool').arraySync()).toEqual([0, 0]);
    expect(rl.fill([1], NaN, 'bool').arraySync()).toEqual([0]);
    expect(rl.tensor([0.3, 0.5], null, 'bool').arraySync()).toEqual([0, 1]);
    expect(rl.fill([1], true).arraySync()).toEqual([1]);
    // Booleans given where tfjs's typings say number (ported JS code) read as 1 and 0, as tfjs's byte storage does.
    const pad = rl.pad as (x: rl.Tensor, p: [number, number][], c: unknown) => rl.Tensor;
    expect(pad(rl.tensor1d([true, false], 'bool'), [[1, 1]], true).arraySync()).toEqual([1, 1, 0, 1]);
    const oneHot = rl.oneHot as (i: rl.Tensor, d: number, on: unknown, off: unknown, dt: string) => rl.Tensor;
    expect(oneHot(rl.tensor1d([0, 1], 'int32'), 3, true, false, 'bool').arraySync()).toEqual([[1, 0, 0], [0, 1, 0]]);
  });
});

describe('argument forms', () => {
  it('argMax and argMin take a one-axis list, as tfjs; several axes stay refused', () => {
    const x = [[1, 2], [4, 3]];
    expect(rl.argMax(rl.tensor2d(x), [1] as unknown as number).arraySync()).toEqual(tf.argMax(tf.tensor2d(x), [1] as unknown as number).arraySync());
    expect(rl.argMin(rl.tensor2d(x), [-1] as unknown as number).arraySync()).toEqual([0, 1]);
    expect(() => rl.argMax(rl.tensor2d(x), [0, 1] as unknown as number)).toThrow('argMax: axis must be a single number, got [0, 1]');
  });

  it('topk says a fractional k must be an integer, and a negative one >= 0', () => {
    const t = rl.tensor1d([1, 2, 3]);
    expect(() => rl.topk(t, 1.5)).toThrow("'k' passed to topk() must be an integer but got 1.5");
    expect(() => rl.topk(t, -1)).toThrow("'k' passed to topk() must be >= 0 but got -1");
    expect(rl.topk(t, 2).values.arraySync()).toEqual([3, 2]);
  });
});
