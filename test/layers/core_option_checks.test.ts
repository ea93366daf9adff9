/**
 * Options of the core layer machinery (initializers, regularizers, constraints, activations, setWeights, addWeight)
 * either act as Keras/tfjs say or are errors naming them: an untruncated VarianceScaling stays untruncated, scalar
 * weights get finite fan-based draws, nested arrays are not written as NaN, unknown config keys are refused.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const stats = (v: ArrayLike<number>) => {
  let s = 0, max = 0;
  for (let i = 0; i < v.length; i++) { s += v[i] * v[i]; max = Math.max(max, Math.abs(v[i])); }
  return { std: Math.sqrt(s / v.length), max };
};

class Scalar extends rl.layers.Layer {
  constructor(private readonly init: string) { super(); }
  override build(_shape?: unknown): void { this.addWeight('t', [], 'float32', this.init); }
  override call(x: rl.Tensor): rl.Tensor { return x; }
}
const scalarLayer = (init: string) => { const l = new Scalar(init); l.build([null, 1]); return l; };

describe('VarianceScaling config keeps its distribution', () => {
  it('untruncated_normal draws N(0, sqrt(scale / fan_avg)) untruncated and round-trips', () => {
    rl.setSeed(3);
    const init = { className: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'untruncated_normal', seed: null } } as never;
    const d = rl.layers.dense({ units: 300, inputShape: [200], kernelInitializer: init });
    d.build([null, 200]);
    const { std, max } = stats(d.getWeights()[0].dataSync());
    const sigma = Math.sqrt(1 / 250);
    expect(Math.abs(std / sigma - 1)).toBeLessThan(0.02);
    // 60k draws of a normal reach about 4.3 sigma; a truncation at 2 sigma (rescaled) stops at 2.27 sigma.
    expect(max / sigma).toBeGreaterThan(3.5);
    const cfg = d.getConfig().kernelInitializer as { className: string; config: Record<string, unknown> };
    expect(cfg.className).toBe('VarianceScaling');
    expect(cfg.config).toMatchObject({ scale: 1, mode: 'fanAvg', distribution: 'untruncatedNormal' });
  });

  it('truncated_normal stays truncated at 2 sigma / 0.8796', () => {
    rl.setSeed(3);
    const d = rl.layers.dense({ units: 300, inputShape: [200], kernelInitializer: { className: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'truncated_normal' } } as never });
    d.build([null, 200]);
    const { max } = stats(d.getWeights()[0].dataSync());
    expect(max).toBeLessThanOrEqual(2 * Math.sqrt(1 / 250) / 0.87962566103423978 + 1e-6);
  });
});

describe('scalar weights', () => {
  it('fan-based initializers use fans of 1 (limit sqrt(6 / 2) for glorotUniform)', () => {
    rl.setSeed(1);
    for (const name of ['glorotUniform', 'glorotNormal', 'heUniform']) {
      for (let k = 0; k < 20; k++) {
        const v = scalarLayer(name).getWeights()[0].dataSync()[0];
        expect(Number.isFinite(v)).toBe(true);
        const limit = name === 'glorotUniform' ? Math.sqrt(3) : name === 'heUniform' ? Math.sqrt(6) : 2 / 0.87962566103423978;
        expect(Math.abs(v)).toBeLessThanOrEqual(limit + 1e-6);
      }
    }
  });

  it('orthogonal refuses rank < 2 as a string, a Keras config and an object alike', () => {
    expect(() => scalarLayer('orthogonal')).toThrow(/Orthogonal initializer: needs a weight of rank 2 or more, got shape \[\]/);
    const d = rl.layers.dense({ units: 2, inputShape: [2], biasInitializer: 'orthogonal' });
    expect(() => d.build([null, 2])).toThrow(/rank 2 or more, got shape \[2\]/);
    const k = rl.layers.dense({ units: 2, inputShape: [2], biasInitializer: { className: 'Orthogonal', config: { gain: 1, seed: null } } as never });
    expect(() => k.build([null, 2])).toThrow(/rank 2 or more/);
  });
});

describe('setWeights with nested arrays', () => {
  it('is an error naming the weight and both shapes, and leaves the values', () => {
    const d = rl.layers.dense({ units: 1, inputShape: [2], biasInitializer: 'ones' });
    d.build([null, 2]);
    expect(() => d.setWeights([[1, 2], [[3, 4]]] as never)).toThrow(/weight '.*bias'.*shape \[1\].*nested array of shape \[1, 2\]/);
    expect(Array.from(d.getWeights()[1].dataSync())).toEqual([1]);
    const k = rl.layers.dense({ units: 2, inputShape: [2] });
    k.build([null, 2]);
    expect(() => k.setWeights([[[1, 2], [3, 4], [5, 6], [7, 8]], [0, 0]] as never)).toThrow(/kernel'.*shape \[2, 2\].*nested array of shape \[4, 2\]/);
    k.setWeights([[1, 2, 3, 4], [5, 6]]);
    expect(Array.from(k.getWeights()[0].dataSync())).toEqual([1, 2, 3, 4]);
  });
});

describe('constraint options', () => {
  it('reads Keras snake_case names and clips to them', () => {
    expect(rl.constraints.maxNorm({ max_value: 3 } as never).maxValue).toBe(3);
    const c = rl.constraints.minMaxNorm({ min_value: 0.5, max_value: 4, rate: 0.5, axis: 1 } as never);
    expect([c.minValue, c.maxValue, c.rate, c.axis]).toEqual([0.5, 4, 0.5, [1]]);
    const d = rl.layers.dense({ units: 1, inputShape: [2], kernelConstraint: { className: 'MaxNorm', config: { max_value: 3 } } as never });
    // Column norm 5 -> 3 (Keras: w * 3 / (1e-7 + 5)).
    const w = d.kernelConstraint!.apply(rl.tensor2d([[3], [4]]));
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(1.8, 6), expect.closeTo(2.4, 6)]);
  });

  it('refuses unknown keys by name in factories, objects and fromConfig', () => {
    expect(() => rl.constraints.maxNorm({ maxValu: 3 } as never)).toThrow(/constraint MaxNorm: unknown option 'maxValu' \(did you mean 'maxValue'\?\)/);
    expect(() => rl.constraints.unitNorm({ axes: 1 } as never)).toThrow(/unknown option 'axes'/);
    expect(() => rl.constraints.nonNeg({ axis: 1 } as never)).toThrow(/constraint NonNeg: unknown option 'axis'/);
    expect(() => rl.layers.dense({ units: 1, kernelConstraint: { className: 'MaxNorm', config: { maxValue: 3, bogus: 1 } } as never })).toThrow(/kernelConstraint: constraint MaxNorm: unknown option 'bogus'/);
    expect(() => rl.layerClasses.Dense.fromConfig({ units: 1, kernelConstraint: { className: 'MaxNorm', config: { maxValue: 3, bogus: 1 } } } as never)).toThrow(/unknown option 'bogus'/);
  });

  it('a bad axis is reported as given, with the layer and the weight', () => {
    const d = rl.layers.dense({ units: 2, inputShape: [3], kernelConstraint: rl.constraints.maxNorm({ axis: -3 }), name: 'dd' });
    expect(() => d.build([null, 3])).toThrow(/dd \(Dense\): weight 'kernel': constraint MaxNorm: axis -3 is outside a weight of rank 2/);
  });
});

describe('initializer and regularizer configs', () => {
  it('refuse unknown keys by name', () => {
    const dense = (o: Record<string, unknown>) => () => rl.layers.dense({ units: 1, ...o } as never);
    expect(dense({ kernelInitializer: { className: 'GlorotUniform', config: { gain: 2 } } })).toThrow(/GlorotUniform: unknown option 'gain'/);
    expect(dense({ kernelInitializer: { className: 'HeNormal', config: { seed: 1, scale: 5 } } })).toThrow(/HeNormal: unknown option 'scale'/);
    expect(dense({ biasInitializer: { className: 'Constant', config: { value: 1, bogus: 2 } } })).toThrow(/Constant: unknown option 'bogus'/);
    expect(dense({ biasInitializer: { className: 'Zeros', config: { value: 3 } } })).toThrow(/Zeros: unknown option 'value'/);
    expect(dense({ kernelInitializer: { className: 'Identity', config: { gain: 1, seed: 4 } } })).toThrow(/Identity: unknown option 'seed'/);
    expect(dense({ kernelRegularizer: { className: 'L1', config: { l2: 0.5 } } })).toThrow(/L1: unknown option 'l2'/);
    expect(dense({ kernelRegularizer: { className: 'L2', config: { l2: 0.5, foo: 1 } } })).toThrow(/L2: unknown option 'foo'/);
  });

  it('keep the keys Keras and TF writes (seed null on Zeros, dtype float32)', () => {
    const d = rl.layers.dense({ units: 2, inputShape: [2], biasInitializer: { className: 'Zeros', config: { seed: null } } as never,
      kernelInitializer: { className: 'GlorotUniform', config: { seed: null, dtype: 'float32' } } as never, kernelRegularizer: { className: 'L1', config: { l1: 0.5 } } });
    d.build([null, 2]);
    expect(Array.from(d.getWeights()[1].dataSync())).toEqual([0, 0]);
    expect(d.kernelRegularizer!.getConfig()).toMatchObject({ l1: 0.5, l2: 0 });
    expect(() => rl.layers.dense({ units: 1, kernelInitializer: { className: 'GlorotUniform', config: { dtype: 'float64' } } as never })).toThrow(/GlorotUniform: dtype "float64" is not supported/);
  });
});

describe('activation objects', () => {
  const out = (activation: unknown) => {
    const l = rl.layers.activation({ activation } as never);
    return Array.from((l.apply(rl.tensor2d([[-3, 0.5]])) as rl.Tensor).dataSync());
  };
  it('read the className, with or without config, and Keras 3 function objects', () => {
    expect(out({ className: 'relu' })).toEqual([0, 0.5]);
    expect(out({ className: 'tanh', config: {} })).toEqual([expect.closeTo(Math.tanh(-3), 6), expect.closeTo(Math.tanh(0.5), 6)]);
    expect(out({ className: 'function', config: 'relu' })).toEqual([0, 0.5]);
  });
  it('refuse an unknown className or a mismatched config by name', () => {
    expect(() => out({ className: 'Bogus', config: 'relu' })).toThrow(/activation 'Bogus' takes no config, got "relu"/);
    expect(() => out({ className: 'Bogus' })).toThrow(/unknown activation 'Bogus'/);
    expect(() => out({})).toThrow(/an activation object needs a className/);
  });
});

describe('addWeight initializer names and other options', () => {
  it('takes the catalogue names the layer options take, and refuses prototype names', () => {
    rl.setSeed(2);
    for (const name of ['heNormal', 'he_normal', 'leCunUniform', 'truncatedNormal', 'lecun_uniform']) {
      const l = new (class extends rl.layers.Layer {
        override build(_shape?: unknown): void { this.addWeight('w', [40, 50], 'float32', name); }
        override call(x: rl.Tensor): rl.Tensor { return x; }
      })();
      l.build([null, 1]);
      const { std } = stats(l.getWeights()[0].dataSync());
      const want = name === 'truncatedNormal' ? 0.05 * 0.87962566103423978 : name.toLowerCase().startsWith('he') ? Math.sqrt(2 / 40) : Math.sqrt(1 / 40);
      expect(Math.abs(std / want - 1)).toBeLessThan(0.08);
    }
    for (const name of ['toString', 'constructor']) expect(() => scalarLayer(name)).toThrow(new RegExp(`addWeight 't': unknown initializer '${name}'; use one of .*heNormal`));
  });

  it('a function as a layer initializer option is named as such', () => {
    expect(() => rl.layers.dense({ units: 1, kernelInitializer: (() => 0) as never })).toThrow(/unknown kernelInitializer a function/);
  });

  it('embedding refuses an inputLength list of more than one length', () => {
    expect(() => rl.layers.embedding({ inputDim: 5, outputDim: 2, inputLength: [3, 2] as never })).toThrow(/inputLength \[3,2\] is not supported/);
    expect(rl.layers.embedding({ inputDim: 5, outputDim: 2, inputLength: [3] as never }).inputLength).toBe(3);
  });

  it('rl.layerClasses.Activation is the Activation layer class', () => {
    const l = rl.layerClasses.Activation.fromConfig({ activation: 'relu' } as never);
    expect(l.getClassName()).toBe('Activation');
    expect(rl.layerClasses.ActivationLayer).toBe(rl.layerClasses.Activation);
  });
});
