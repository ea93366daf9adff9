/** Adam's epsilon as Keras places it, and the clipping options (the tfjs comparisons are in test/compat/catalogue_optimizers). */
import { describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';

describe('adam', () => {
  it('adam adds epsilon to sqrt(v) before the bias correction, as Keras does (tfjs adds it after)', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], useBias: false })] });
    m.setWeights([[0.5]]);
    m.compile({ optimizer: rl.optimizers.adam({ learningRate: 0.1, epsilon: 0.5 }), loss: 'meanSquaredError' });
    let w = 0.5, mo = 0, v = 0;
    for (let t = 1; t <= 5; t++) {
      const g = 2 * (w * 2 - 3) * 2;
      m.trainOnBatch([[2]], [[3]]);
      mo = 0.9 * mo + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      w -= (0.1 * Math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)) * mo / (Math.sqrt(v) + 0.5);
      expect(m.getWeights()[0].dataSync()[0]).toBeCloseTo(w, 6);
    }
  });
});

describe('clipping options', () => {
  it('clipnorm and clipvalue together are refused, naming both (Keras 3 allows one)', () => {
    expect(() => new rl.SGD({ clipnorm: 1, clipvalue: 0.5 })).toThrow('SGD: give clipnorm or clipvalue, not both (Keras allows only one), got clipnorm 1 and clipvalue 0.5');
    expect(() => rl.optimizers.adam({ clipnorm: 1, clipvalue: 0.5 })).toThrow(/Adam: give clipnorm or clipvalue, not both/);
    expect(() => rl.optimizers.adam({ globalClipnorm: 1 } as never)).toThrow("option 'globalClipnorm' = 1 is not supported by rnnlab");
  });

  it('a saved config with both (older rnnlab files) still loads, with a warning, clipping value first', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const opt = rl.SGD.fromConfig({ learningRate: 0.1, clipnorm: 1, clipvalue: 0.5 });
      expect([opt.clipnorm, opt.clipvalue]).toEqual([1, 0.5]);
      expect(warn.mock.calls.join()).toMatch(/SGD: the saved optimizer has both clipnorm and clipvalue .* clipvalue first/);
      const v = rl.variable(rl.zeros([2]));
      v.grad = new Float32Array([3, 4]) as never;
      opt.applyGradients([v]);
      // [3, 4] clipped to [0.5, 0.5], norm 0.707 < 1: a step of 0.1 each way.
      expect(Array.from(v.dataSync())).toEqual([expect.closeTo(-0.05, 6), expect.closeTo(-0.05, 6)]);
    } finally {
      warn.mockRestore();
    }
  });

  it('clipnorm scales each gradient to the norm; clipvalue clips each entry (SGD, hand-computed)', () => {
    // One weight pair [w1, w2], loss (w1 x1 + w2 x2 - y)^2 with x = [3, 4], y = 0: gradient 2 r x, r = 3 w1 + 4 w2.
    const step = (opt: rl.Optimizer): number[] => {
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], useBias: false })] });
      m.setWeights([rl.tensor([[1], [1]])]);
      m.compile({ optimizer: opt, loss: 'meanSquaredError' });
      m.trainOnBatch([[3, 4]], [[0]]);
      return Array.from(m.getWeights()[0].dataSync());
    };
    // g = 2 * 7 * [3, 4] = [42, 56], norm 70.
    const byNorm = step(rl.optimizers.sgd({ learningRate: 0.1, clipnorm: 7 }));
    expect(byNorm[0]).toBeCloseTo(1 - 0.1 * 4.2, 6);
    expect(byNorm[1]).toBeCloseTo(1 - 0.1 * 5.6, 6);
    const byValue = step(rl.optimizers.sgd({ learningRate: 0.1, clipvalue: 50 }));
    expect(byValue[0]).toBeCloseTo(1 - 0.1 * 42, 5);
    expect(byValue[1]).toBeCloseTo(1 - 0.1 * 50, 5);
  });
});
