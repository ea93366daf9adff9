/**
 * A layer factory or an optimizer constructor that is given an option it does not read refuses it by name: a typo
 * such as returnSequence would otherwise build a different model without a word. tfjs's `weights` option works.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;

describe('layer factories refuse options they would drop', () => {
  it('names the option and the nearest known one', () => {
    expect(() => L.dense({ units: 3, activaton: 'relu' } as never)).toThrow(/rl\.layers\.dense: unknown option 'activaton' \(did you mean 'activation'\?\)/);
    expect(() => L.lstm({ units: 3, returnSequence: true } as never)).toThrow(/rl\.layers\.lstm: unknown option 'returnSequence' \(did you mean 'returnSequences'\?\)/);
    expect(() => L.embedding({ inputDim: 10, outputDim: 3, maskzero: true } as never)).toThrow(/unknown option 'maskzero' \(did you mean 'maskZero'\?\)/);
    expect(() => L.dense({ units: 3, input_shape: [2] } as never)).toThrow(/unknown option 'input_shape' \(did you mean 'inputShape'\?\)/);
    expect(() => L.dense({ units: 2, inputDtype: 'float32' } as never)).toThrow(/unknown option 'inputDtype' \(did you mean 'inputDType'\?\)/);
    expect(() => L.conv1d({ filters: 2, kernelSize: 3, bogusOption: 1 } as never)).toThrow(/rl\.layers\.conv1d: unknown option 'bogusOption'/);
    expect(() => L.add({ foo: 1 } as never)).toThrow(/rl\.layers\.add: unknown option 'foo'/);
    expect(() => L.rnn({ cell: L.lstmCell({ units: 2 }), returnSequence: true } as never)).toThrow(/rl\.layers\.rnn: unknown option 'returnSequence' \(did you mean 'returnSequences'\?\)/);
    const x = rl.input({ shape: [2] });
    expect(() => rl.model({ inputs: x, outputs: L.dense({ units: 1 }).apply(x) as never, nam: 'm' } as never)).toThrow(/model: unknown option 'nam'/);
    expect(() => L.bidirectional({ layer: L.lstm({ units: 2 }), mergMode: 'sum' } as never)).toThrow(/unknown option 'mergMode' \(did you mean 'mergeMode'\?\)/);
  });

  it('takes every option a layer reads, including the ones its config writes only when set', () => {
    expect(() => L.attention({ useCausalMask: true, returnAttentionScores: false, causal: false })).not.toThrow();
    expect(L.leakyReLU({ negativeSlope: 0.2 }).alpha).toBe(0.2);
    expect(() => L.reLU({ negativeSlope: 0, threshold: 0, maxValue: 6 })).not.toThrow();
    expect(() => L.globalAveragePooling1d({ keepdims: false })).not.toThrow();
    expect(() => L.categoryEncoding({ numTokens: 3, sparse: false })).not.toThrow();
    expect(() => L.inputLayer({ inputShape: [3], sparse: false })).not.toThrow();
    expect(() => L.lstm({ units: 2, name: 'x', trainable: true, inputShape: [4, 2], batchSize: 8, stateful: false, implementation: 2, unroll: false } as never)).not.toThrow();
    expect(() => L.dense({ units: 1, dtype: 'float32' } as never)).not.toThrow();
    expect(() => L.dense({ units: 1, inputDim: 3, activityRegularizer: 'l2' })).not.toThrow();
  });
});

describe("tfjs's weights option", () => {
  it('sets the initial weights once the layer is built', () => {
    const d = L.dense({ units: 3, inputShape: [2], weights: [rl.ones([2, 3]), rl.tensor([0.5, 0, -1])] });
    const m = rl.sequential({ layers: [d] });
    expect(Array.from((m.predict(rl.tensor([[1, 2]])) as rl.Tensor).dataSync())).toEqual([3.5, 3, 2]);
  });

  it('refuses values that do not fit the weights, and a non-list', () => {
    const d = L.dense({ units: 3, weights: [rl.ones([2, 3])] });
    expect(() => rl.sequential({ layers: [rl.layers.inputLayer({ inputShape: [2] }), d] })).toThrow(/expected 2|weights/);
    expect(() => L.dense({ units: 3, weights: rl.ones([2, 3]) as never })).toThrow(/weights must be a list/);
  });
});

describe('optimizer constructors refuse options they would drop', () => {
  it('names unknown and unsupported options', () => {
    // Keras's spelling is an alias (the project's rule), a misspelling of it is named.
    expect(rl.optimizers.adam({ learning_rate: 0.1 } as never).learningRate).toBe(0.1);
    expect(() => rl.optimizers.adam({ learning_rat: 0.1 } as never)).toThrow(/rl\.optimizers\.adam: unknown option 'learning_rat' \(did you mean 'learningRate'\?\)|rl\.optimizers\.adam: unknown option 'learning_rat' \(did you mean 'learning_rate'\?\)/);
    expect(() => new rl.Adam({ learningRate: 0.1, amsgrad: true } as never)).toThrow(/rl\.Adam: option 'amsgrad' = true is not supported/);
    expect(() => rl.optimizers.rmsprop({ momentun: 0.9 } as never)).toThrow(/rl\.optimizers\.rmsprop: unknown option 'momentun' \(did you mean 'momentum'\?\)/);
    expect(() => rl.optimizers.adam({ centered: true } as never)).toThrow(/rl\.optimizers\.adam: option 'centered' = true is not supported/);
    expect(() => rl.optimizers.sgd({ learningRate: 0.1, momentun: 0.9 } as never)).toThrow(/rl\.optimizers\.sgd: unknown option 'momentun' \(did you mean 'momentum'\?\)/);
    expect(() => rl.optimizers.adam({ useEma: true } as never)).toThrow(/rl\.optimizers\.adam: option 'useEma' = true is not supported/);
  });

  it("takes Keras 2's lr, the off values of Keras's unsupported options, and SGD's nesterov", () => {
    expect(rl.optimizers.adam({ lr: 0.1 }).learningRate).toBe(0.1);
    expect(() => rl.optimizers.adam({ lr: 0.1, learningRate: 0.2 })).toThrow(/learningRate or its Keras 2 alias lr, not both/);
    expect(() => new rl.Adam({ amsgrad: false } as never)).not.toThrow();
    expect(rl.optimizers.sgd({ momentum: 0.9, nesterov: true }).nesterov).toBe(true);
  });
});
