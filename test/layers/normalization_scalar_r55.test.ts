/**
 * A scalar (a rank-0 tensor, or a symbolic input of batch shape []) or a 1-D tensor (one value per sample, its one
 * axis the batch) given to LayerNormalization or GroupNormalization: each builds it as (None,) and said "axis -1 is out
 * of range for input of rank 1 (axis 0 is the batch)", a rank the scalar does not have and a message that hid the
 * shape. Each now names itself, what its axis picks and the shape as given, as BatchNormalization does since round 54.
 * tfjs 4.22 refuses both too (LayerNormalization: "Invalid axis: -1" for a scalar, "batchNormalization is not
 * implemented for array of rank 1 yet" for a 1-D tensor); it has no GroupNormalization.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from './tfjs_twin.js';

beforeAll(() => tfjsReady());

const cases = [
  { what: 'LayerNormalization', make: () => rl.layers.layerNormalization({ name: 'sc_ln' }),
    message: 'sc_ln \\(LayerNormalization\\): expected input with a batch axis and at least one more \\(axis -1 is normalized\\), got ' },
  { what: 'LayerNormalization over a list of axes', make: () => rl.layers.layerNormalization({ name: 'sc_lnl', axis: [1, 2] }),
    message: 'sc_lnl \\(LayerNormalization\\): expected input with a batch axis and at least one more \\(axes \\[1,2\\] are normalized\\), got ' },
  { what: 'GroupNormalization', make: () => rl.layers.groupNormalization({ name: 'sc_gn', groups: 1 }),
    message: 'sc_gn \\(GroupNormalization\\): expected input with a batch axis and at least one more \\(axis -1 holds the channels\\), got ' },
  { what: 'GroupNormalization on axis 1', make: () => rl.layers.groupNormalization({ name: 'sc_gn1', groups: 2, axis: 1 }),
    message: 'sc_gn1 \\(GroupNormalization\\): expected input with a batch axis and at least one more \\(axis 1 holds the channels\\), got ' },
];

describe('LayerNormalization and GroupNormalization refuse a scalar per sample naming the layer and the shape', () => {
  it('tfjs 4.22 refuses both inputs to its LayerNormalization', () => {
    expect(() => tf.layers.layerNormalization().apply(tf.scalar(1))).toThrow(/Invalid axis: -1/);
    expect(() => tf.layers.layerNormalization().apply(tf.tensor1d([1, 2, 3]))).toThrow(/not implemented for array of rank 1/);
  });

  it.each(cases)('$what, a rank-0 tensor', ({ make, message }) => {
    expect(() => make().apply(rl.scalar(1))).toThrow(new RegExp(`^${message}\\[\\] \\(a scalar, with no batch axis\\)$`));
  });

  it.each(cases)('$what, a 1-D tensor', ({ make, message }) => {
    expect(() => make().apply(rl.ones([3]))).toThrow(new RegExp(`^${message}\\[3\\] \\(a 1-D tensor: its one axis is the batch\\)$`));
  });

  it.each(cases)('$what, symbolic inputs of batch shape [] and [null]', ({ make, message }) => {
    expect(() => make().apply(rl.input({ batchShape: [] }))).toThrow(new RegExp(`^${message}\\(\\)$`));
    expect(() => make().apply(rl.input({ batchShape: [null] }))).toThrow(new RegExp(`^${message}\\(None,\\)$`));
  });

  it('in a Sequential given inputShape [], the model names the layer and the shape', () => {
    expect(() => rl.sequential({ layers: [rl.layers.layerNormalization({ name: 'sc_seq_ln', inputShape: [] })] }))
      .toThrow(/^sequential(_\d+)?: cannot connect sc_seq_ln \(LayerNormalization\) to input \(None,\): sc_seq_ln \(LayerNormalization\): expected input with a batch axis and at least one more \(axis -1 is normalized\), got \(None,\)$/);
  });

  it('a feature axis still normalizes, and an axis out of range for a real rank keeps its message', () => {
    const y = rl.layers.layerNormalization({ epsilon: 0 }).apply(rl.tensor2d([[1, 3], [2, 6]])) as rl.Tensor;
    expect(Array.from(y.dataSync())).toEqual([-1, 1, -1, 1].map((v) => expect.closeTo(v, 6)));
    const g = rl.layers.groupNormalization({ groups: 1, epsilon: 0 }).apply(rl.tensor2d([[1, 3]])) as rl.Tensor;
    expect(Array.from(g.dataSync())).toEqual([expect.closeTo(-1, 6), expect.closeTo(1, 6)]);
    expect(() => rl.layers.layerNormalization({ name: 'sc_ln2', axis: 2 }).apply(rl.ones([2, 3])))
      .toThrow(/^sc_ln2 \(LayerNormalization\): axis 2 is out of range for input of rank 2 \(axis 0 is the batch\)$/);
  });
});
