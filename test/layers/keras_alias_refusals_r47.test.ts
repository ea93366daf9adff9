/**
 * Keras 3's InputLayer names (shape, batchShape) are read, as its constructor and from_config read them; a shape
 * given under two names, or an inputShape that batchInputShape would override, is refused naming both.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const batchShapeOf = (l: { getConfig(): Record<string, unknown> }) => l.getConfig().batchInputShape;

describe('InputLayer reads Keras 3\'s shape and batchShape', () => {
  it('shape and batchShape build the input they describe', () => {
    expect(batchShapeOf(rl.layers.inputLayer({ shape: [5] } as never))).toEqual([null, 5]);
    expect(batchShapeOf(rl.layers.inputLayer({ shape: [5], batchSize: 2 } as never))).toEqual([2, 5]);
    expect(batchShapeOf(rl.layers.inputLayer({ batchShape: [2, 5] } as never))).toEqual([2, 5]);
    // The shape reaches the model: a Sequential started by it takes [n, 5] and refuses [n, 3].
    const m = rl.sequential({ layers: [rl.layers.inputLayer({ shape: [5] } as never), rl.layers.dense({ units: 2 })] });
    expect(m.predict(rl.ones([3, 5])).shape).toEqual([3, 2]);
    expect(() => m.predict(rl.ones([3, 3]))).toThrow(/5/);
  });

  it('one shape under both names is read when they agree and refused naming both when they differ', () => {
    expect(batchShapeOf(rl.layers.inputLayer({ inputShape: [5], shape: [5] } as never))).toEqual([null, 5]);
    expect(() => rl.layers.inputLayer({ inputShape: [3], shape: [5] } as never)).toThrow(/inputShape \[3\] and shape \[5\] disagree/);
    expect(() => rl.layers.inputLayer({ batchInputShape: [null, 3], batchShape: [null, 5] } as never)).toThrow(/batchInputShape \[null, 3\] and batchShape \[null, 5\] disagree/);
    expect(() => rl.layers.inputLayer({ inputShape: [3], batchShape: [2, 5] } as never)).toThrow(/give inputShape or batchShape, not both/);
    expect(() => rl.layers.inputLayer({ shape: [3], batchInputShape: [2, 3] } as never)).toThrow(/give shape or batchInputShape, not both/);
  });

  it('a batchSize that disagrees with the batch shape is refused, as Keras 3 refuses both', () => {
    expect(() => rl.layers.inputLayer({ batchShape: [2, 5], batchSize: 3 } as never)).toThrow(/batchSize 3 disagrees with batchShape \[2, 5\]/);
    expect(() => rl.input({ batchShape: [2, 5], batchSize: 3 })).toThrow(/batchSize 3 disagrees with batchShape \[2, 5\]/);
    expect(rl.input({ batchShape: [2, 5], batchSize: 2 }).shape).toEqual([2, 5]);
  });

  it('fromConfig reads the constructor\'s names and Keras 3\'s batch_shape', () => {
    const IL = rl.layerClasses.InputLayer;
    expect(batchShapeOf(IL.fromConfig({ shape: [5] }))).toEqual([null, 5]);
    expect(batchShapeOf(IL.fromConfig({ batch_shape: [null, 7], dtype: 'float32', sparse: false, name: 'in7' }))).toEqual([null, 7]);
    expect(batchShapeOf(IL.fromConfig({ batch_input_shape: [null, 4], name: 'in4' }))).toEqual([null, 4]);
    expect(() => IL.fromConfig({ shape: [3], input_shape: [5] })).toThrow(/inputShape \[5\] and shape \[3\] disagree/);
    expect(() => IL.fromConfig({ batch_shape: [null, 3], batch_input_shape: [null, 5] })).toThrow(/not both/);
  });
});

describe('inputShape that batchInputShape would override', () => {
  it('is refused naming both, by the factory and by fromConfig', () => {
    expect(() => rl.layers.dense({ units: 2, inputShape: [4], batchInputShape: [null, 6] })).toThrow(/inputShape \[4\] disagrees with batchInputShape \[null,6\]/);
    expect(() => rl.layerClasses.Dense.fromConfig({ units: 2, input_shape: [4], batch_input_shape: [null, 6] })).toThrow(/input_shape \[4\] disagrees with batch_input_shape|inputShape \[4\] disagrees with batchInputShape/);
    expect(() => rl.layers.lstm({ units: 2, inputShape: [5, 4], batchInputShape: [null, 5, 3] })).toThrow(/disagrees/);
  });

  it('is read when it agrees', () => {
    expect(batchShapeOf(rl.layers.dense({ units: 2, inputShape: [6], batchInputShape: [null, 6] }))).toEqual([null, 6]);
    expect(batchShapeOf(rl.layers.lstm({ units: 2, inputShape: [null, 3], batchInputShape: [4, null, 3] }))).toEqual([4, null, 3]);
    expect(batchShapeOf(rl.layerClasses.Dense.fromConfig({ units: 2, input_shape: [6], batch_input_shape: [null, 6] }))).toEqual([null, 6]);
  });
});
