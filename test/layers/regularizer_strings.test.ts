/**
 * Regularizer names are matched exactly: tfjs's identifiers 'l1', 'l2', 'l1l2' (also Keras 3's snake_case ones) and
 * the class names 'L1', 'L2', 'L1L2', each with tfjs's factor 0.01. Other spellings, 'l1_l2' among them (Keras 3's
 * regularizers.get refuses it too), are errors naming the string rather than a penalty guessed from it.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function regularizerConfig(kernelRegularizer: unknown): unknown {
  return (rl.layers.dense({ units: 2, kernelRegularizer: kernelRegularizer as never }).getConfig().kernelRegularizer as { config: unknown }).config;
}

describe('regularizer strings', () => {
  it.each([
    ['l1', { l1: 0.01, l2: 0 }], ['L1', { l1: 0.01, l2: 0 }],
    ['l2', { l1: 0, l2: 0.01 }], ['L2', { l1: 0, l2: 0.01 }],
    ['l1l2', { l1: 0.01, l2: 0.01 }], ['L1L2', { l1: 0.01, l2: 0.01 }],
  ])('%s is %j', (name, config) => {
    expect(regularizerConfig(name)).toEqual(config);
  });

  it("'l1l2' and 'L1L2' are tfjs's l1l2(): both factors 0.01", () => {
    for (const name of ['l1l2', 'L1L2']) {
      expect(tf.layers.dense({ units: 2, kernelRegularizer: name }).getConfig().kernelRegularizer).toEqual({ className: 'L1L2', config: { l1: 0.01, l2: 0.01 } });
    }
  });

  it('the exact name takes effect: the penalty is 0.01 * sum|w| for \'L1\'', () => {
    const d = rl.layers.dense({ units: 2, inputShape: [2], kernelRegularizer: 'L1', kernelInitializer: rl.initializers.constant({ value: -3 }), useBias: false });
    const m = rl.sequential({ layers: [d] });
    const [penalty] = m.calculateLosses();
    expect(penalty.dataSync()[0]).toBeCloseTo(0.01 * 4 * 3, 6);
  });

  it.each([['l1_l2', 'l1l2'], ['L1l2', 'l1l2'], ['L_1L2', 'l1l2'], ['L1_L2', 'l1l2'], ['l1L2', 'l1l2'], ['L_2', 'l2']])(
    '%s is refused, naming it and the nearest accepted spelling', (name, near) => {
      expect(() => regularizerConfig(name)).toThrow(new RegExp(`kernelRegularizer "${name}" is not a regularizer; use 'l1', 'l2', 'l1l2', .* \\(did you mean '${near}'\\?\\)$`));
    });

  it.each(['orthogonal_regularizer', 'OrthogonalRegularizer', 'regularizer'])('%s (a Keras 3 name rnnlab does not implement) is refused', (name) => {
    expect(() => regularizerConfig(name)).toThrow(new RegExp(`kernelRegularizer "${name}" is not a regularizer`));
  });
});
