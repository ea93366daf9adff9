/**
 * A scalar (a rank-0 tensor, or a symbolic input of batch shape []) given to Flatten, Softmax, BatchNormalization or
 * Reshape: each builds a real scalar as (None,), which it took, then failed inside an op ("reshape: cannot reshape []
 * to [, NaN]", "softmax: argument 'rows' must be an integer >= 0", "cannot reshape NaN values per sample") or named a
 * rank the scalar does not have ("out of range for input of rank 1"). Each now names itself and the shape given.
 * tfjs 4.22 refuses a scalar too (Flatten's min_ndim, Softmax's rank 0, BatchNormalization's undefined axis -1);
 * Keras 3's Flatten takes (batch,) as (batch, 1) (min_ndim=1), so a 1-D tensor still flattens.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from './tfjs_twin.js';

beforeAll(() => tfjsReady());

const SCALAR = '\\[\\] \\(a scalar, with no batch axis\\)';
const cases = [
  { what: 'Flatten', rl: () => rl.layers.flatten({ name: 'sc_f' }), tf: () => tf.layers.flatten(), tfSays: /found ndim=0/,
    message: 'sc_f \\(Flatten\\): expected input with a batch axis \\(batch, \\.\\.\\.\\), got ' },
  { what: 'Softmax', rl: () => rl.layers.softmax({ name: 'sc_s' }), tf: () => tf.layers.softmax(), tfSays: /rank 0/,
    message: 'sc_s \\(Softmax\\): axis -1 does not fit input ', tail: ', which has no axis to normalize over' },
  { what: 'BatchNormalization', rl: () => rl.layers.batchNormalization({ name: 'sc_b' }), tf: () => tf.layers.batchNormalization(), tfSays: /received an input with shape \[\]/,
    message: 'sc_b \\(BatchNormalization\\): expected input with a batch axis and at least one more \\(axis -1 holds the channels\\), got ' },
  { what: 'Reshape', rl: () => rl.layers.reshape({ targetShape: [1], name: 'sc_r' }), tf: null, tfSays: null,
    message: 'sc_r \\(Reshape\\): expected input with a batch axis \\(batch, \\.\\.\\.\\), got ' },
];

describe('a scalar is refused naming the layer and the shape', () => {
  it.each(cases)('$what, a rank-0 tensor', ({ rl: ours, tf: theirs, tfSays, message, tail }) => {
    if (theirs) expect(() => theirs().apply(tf.scalar(1))).toThrow(tfSays!);
    expect(() => ours().apply(rl.scalar(1))).toThrow(new RegExp(`^${message}${SCALAR}${tail ?? ''}$`));
  });

  it.each(cases)('$what, a symbolic input of batch shape []', ({ rl: ours, message, tail }) => {
    expect(() => ours().apply(rl.input({ batchShape: [] }))).toThrow(new RegExp(`^${message}\\(\\)${tail ?? ''}$`));
  });

  it('tensors with a batch axis still pass: Flatten and Reshape take (batch,) as Keras 3 does; BatchNormalization shows a 1-D tensor as given', () => {
    expect((rl.layers.flatten().apply(rl.tensor1d([1, 2, 3])) as rl.Tensor).shape).toEqual([3, 1]);
    expect((rl.layers.reshape({ targetShape: [1] }).apply(rl.tensor1d([1, 2, 3])) as rl.Tensor).shape).toEqual([3, 1]);
    expect(Array.from((rl.layers.softmax({ axis: 1 }).apply(rl.tensor2d([[0, Math.log(3)]])) as rl.Tensor).dataSync())).toEqual([expect.closeTo(0.25, 6), expect.closeTo(0.75, 6)]);
    expect(() => rl.layers.batchNormalization({ name: 'sc_b1' }).apply(rl.ones([3])))
      .toThrow(/^sc_b1 \(BatchNormalization\): expected input with a batch axis and at least one more \(axis -1 holds the channels\), got \[3\] \(a 1-D tensor: its one axis is the batch\)$/);
  });
});
