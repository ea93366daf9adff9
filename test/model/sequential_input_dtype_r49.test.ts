/**
 * A Sequential's made input (first layer given inputShape, no InputLayer) takes the first layer's dtype, as tfjs's
 * Sequential.add makes it: Input({batchShape, dtype: layer.dtype, name: '<layer>_input'}).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from '../layers/tfjs_twin.js';

beforeAll(() => tfjsReady());

/** A layer taking integer ids (rnnlab's built-in layers all compute in float32, so only a custom one says int32). */
class IdsTimesTwo extends rl.layers.Layer {
  static readonly className = 'R49IdsTimesTwo';
  override readonly dtype = 'int32' as const;
  call(x: rl.Tensor) { return rl.mul(x, 2); }
}

describe('the made input of a Sequential has its first layer\'s dtype', () => {
  it('int32 from an int32 first layer, as tfjs makes it for an int32 layer', () => {
    const m = rl.sequential({ layers: [new IdsTimesTwo({ inputShape: [3], name: 'r49_ids' })] });
    const t = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 10, outputDim: 2, inputShape: [3], dtype: 'int32', name: 'r49_t_ids' })] });
    expect(t.inputs[0].dtype).toBe('int32');
    expect(m.inputs[0].dtype).toBe(t.inputs[0].dtype);
    expect(m.inputNames).toEqual(['r49_ids_input']);
    expect(Array.from((m.predict(rl.tensor2d([[1, 2, 3]], [1, 3], 'int32')) as rl.Tensor).dataSync())).toEqual([2, 4, 6]);
  });

  it('float32 from rnnlab\'s layers, Embedding included, as tfjs\'s default', () => {
    const m = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 10, outputDim: 2, inputShape: [3] })] });
    const t = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 10, outputDim: 2, inputShape: [3] })] });
    expect(m.inputs[0].dtype).toBe(t.inputs[0].dtype);
    expect(m.inputs[0].dtype).toBe('float32');
  });
});
