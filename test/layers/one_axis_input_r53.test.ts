/**
 * A layer first applied to a tensor of one axis (or none) builds for (None,), the shape with its batch axis free: a
 * refusal showed that, hiding the shape given. It shows the tensor's own shape, as Keras 3's "Full shape received:
 * (3,)" does; tfjs 4.22 refuses the same tensors ("expected min_ndim=2, found ndim=1").
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from './tfjs_twin.js';

beforeAll(() => tfjsReady());

const ONE_AXIS = 'got \\[3\\] \\(a 1-D tensor: its one axis is the batch\\)';

describe('a refused tensor of one axis is shown as given', () => {
  it.each([
    { what: 'Dense', rl: () => rl.layers.dense({ units: 2, name: 'oa_d' }), tf: () => tf.layers.dense({ units: 2 }), message: `oa_d \\(Dense\\): input must have a known last dimension, ${ONE_AXIS}` },
    { what: 'LSTM', rl: () => rl.layers.lstm({ units: 2, name: 'oa_l' }), tf: () => tf.layers.lstm({ units: 2 }), message: `oa_l \\(LSTM\\): needs input \\(batch, steps, features\\), ${ONE_AXIS}` },
    { what: 'Conv1D', rl: () => rl.layers.conv1d({ filters: 2, kernelSize: 1, name: 'oa_c' }), tf: () => tf.layers.conv1d({ filters: 2, kernelSize: 1 }), message: `oa_c \\(Conv1D\\): expected input \\(batch, steps, channels\\), ${ONE_AXIS}` },
    { what: 'RepeatVector', rl: () => rl.layers.repeatVector({ n: 2, name: 'oa_r' }), tf: () => tf.layers.repeatVector({ n: 2 }), message: `oa_r \\(RepeatVector\\): expected input \\(batch, features\\), ${ONE_AXIS}` },
  ])('$what, refused as by tfjs', ({ rl: ours, tf: theirs, message }) => {
    expect(() => theirs().apply(tf.ones([3]))).toThrow(/found ndim=1/);
    let got: Error | undefined;
    try { ours().apply(rl.ones([3])); } catch (e) { got = e as Error; }
    expect(got?.message).toMatch(new RegExp(message));
    expect(got?.message).not.toContain('(None,)');
  });

  it('a scalar says it has no batch axis; a wrapper names the inner layer with the shape given', () => {
    expect(() => rl.layers.dense({ units: 2, name: 'oa_s' }).apply(rl.scalar(1))).toThrow(/oa_s \(Dense\): input must have a known last dimension, got \[\] \(a scalar, with no batch axis\)/);
    expect(() => rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, name: 'oa_bl' }), name: 'oa_b' }).apply(rl.ones([4])))
      .toThrow(/oa_b \(Bidirectional\): forward_oa_bl \(LSTM\): needs input \(batch, steps, features\), got \[4\] \(a 1-D tensor: its one axis is the batch\)/);
  });

  it('a layer that takes one axis still does, and a built layer keeps its own wording', () => {
    expect((rl.layers.embedding({ inputDim: 5, outputDim: 2 }).apply(rl.tensor1d([1, 2, 3])) as rl.Tensor).shape).toEqual([3, 2]);
    const d = rl.layers.dense({ units: 2, name: 'oa_built' });
    d.apply(rl.ones([2, 4]));
    expect(() => d.apply(rl.ones([4]))).toThrow(/oa_built \(Dense\): expected input of shape \(None, 4\), got \[4\]/);
  });
});
