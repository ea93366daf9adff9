/**
 * A scalar id into CategoryEncoding is one sample of one id, as Keras 3's encode_categorical_inputs upranks it:
 * (numTokens,) in multiHot and count, (1, numTokens) in oneHot; rank 3 is still refused.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const encode = (outputMode: 'oneHot' | 'multiHot' | 'count', x: rl.Tensor) => {
  const y = rl.layers.categoryEncoding({ numTokens: 4, outputMode }).apply(x) as rl.Tensor;
  return { shape: y.shape, v: Array.from(y.dataSync()) };
};

describe('categoryEncoding on a scalar id', () => {
  it('multiHot and count give (numTokens,) with the id set; oneHot gives (1, numTokens)', () => {
    expect(encode('multiHot', rl.scalar(2))).toEqual({ shape: [4], v: [0, 0, 1, 0] });
    expect(encode('count', rl.scalar(3))).toEqual({ shape: [4], v: [0, 0, 0, 1] });
    expect(encode('oneHot', rl.scalar(0))).toEqual({ shape: [1, 4], v: [1, 0, 0, 0] });
  });

  it('a layer that encoded batches takes a scalar, and batches after it', () => {
    const layer = rl.layers.categoryEncoding({ numTokens: 3, outputMode: 'count' });
    expect(Array.from((layer.apply(rl.tensor([[0, 0], [2, 1]])) as rl.Tensor).dataSync())).toEqual([2, 0, 0, 0, 1, 1]);
    expect(Array.from((layer.apply(rl.scalar(1)) as rl.Tensor).dataSync())).toEqual([0, 1, 0]);
    expect((layer.apply(rl.tensor([[1, 2]])) as rl.Tensor).shape).toEqual([1, 3]);
  });

  it('a scalar id out of range is an error naming it; rank 3 is refused', () => {
    expect(() => encode('multiHot', rl.scalar(4))).toThrow('ids must be integers in [0, numTokens = 4), got 4 (sample 0)');
    expect(() => encode('multiHot', rl.zeros([1, 1, 1]))).toThrow('expected ids (batch,) or (batch, ids), got (None, 1, 1)');
  });
});
