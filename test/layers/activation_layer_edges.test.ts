// Edges of the activation, noise and regularization layers: error wording for bad values, supportsMasking /
// computeMask as tfjs and Keras 3 report them, and hard_sigmoid's gradient at its kinks (tfjs's side).
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { maxAbsDiff, ortPredict, ortSession } from '../onnx/helpers.js';

const L = rl.layers;
const message = (f: () => unknown): string => {
  try { f(); } catch (e) { return (e as Error).message; }
  throw new Error('expected an error');
};

describe('error messages name the bad value', () => {
  it('activityRegularization: a bad l1 is a bad value, not a misspelt key', () => {
    for (const [l1, shown] of [[-1, 'got -1'], ['0.1', 'got the string "0.1"'], [NaN, 'got NaN']] as const) {
      const m = message(() => L.activityRegularization({ l1: l1 as number }));
      expect(m).toContain(`l1 must be a finite number >= 0, ${shown}`);
      expect(m).not.toMatch(/did you mean/);
    }
    // A misspelt key still gets its hint.
    expect(message(() => L.activityRegularization({ l_1: 0.1 } as never))).toMatch(/unknown option 'l_1' \(did you mean 'l1'\?\)/);
  });

  it('noiseShape: the rejected list is shown', () => {
    expect(message(() => L.dropout({ rate: 0.5, noiseShape: [null, 0, 4] }))).toContain('noiseShape must be a list of positive sizes or nulls, got [null,0,4]');
    expect(message(() => L.alphaDropout({ rate: 0.3, noiseShape: [2, -1] }))).toContain('got [2,-1]');
  });

  it('GaussianNoise, GaussianDropout, SpatialDropout1D: noiseShape is not theirs (only Dropout and AlphaDropout take it)', () => {
    const cases: [string, () => unknown][] = [
      ['GaussianNoise', () => L.gaussianNoise({ stddev: 0.1, noiseShape: [null, 1, 3] } as never)],
      ['GaussianDropout', () => L.gaussianDropout({ rate: 0.1, noiseShape: [null, 1, 3] } as never)],
      ['SpatialDropout1D', () => L.spatialDropout1d({ rate: 0.1, noiseShape: [null, 1, 3] } as never)],
    ];
    for (const [cls, f] of cases) {
      const m = message(f);
      expect(m).toContain(`(${cls}): noiseShape = [null,1,3] is not supported (this layer takes no noiseShape option; only Dropout and AlphaDropout do, as in Keras)`);
      expect(m).not.toMatch(/not implemented/);
    }
  });
});

describe('supportsMasking and computeMask, as tfjs and Keras 3', () => {
  it('the layers that pass the padding mask on say so, and computeMask returns it', () => {
    const mask = rl.tensor([[1, 1, 0]], [1, 3], 'bool');
    const x = rl.zeros([1, 3, 2]);
    const layers = [L.leakyReLU(), L.elu(), L.thresholdedReLU(), L.softmax(), L.spatialDropout1d({ rate: 0.5 }), L.activityRegularization({ l1: 0.1 })];
    for (const l of layers) {
      expect(l.supportsMasking, l.className).toBe(true);
      const out = l.computeMask(x, mask) as rl.Tensor | null;
      expect(out, l.className).not.toBeNull();
      expect(Array.from(out!.dataSync())).toEqual([1, 1, 0]);
    }
  });
});

describe('hard_sigmoid at its kinks', () => {
  const xs = [-2.5, 2.5, -3, 3, 0, -2.4, 2.4];
  const want = [0.2, 0.2, 0, 0, 0.2, 0.2, 0.2];

  it('the gradient at x = ±2.5 is tfjs\'s 0.2, as an activation layer, an op and a dense activation', () => {
    const layer = L.activation({ activation: 'hard_sigmoid' });
    const viaLayer = Array.from(rl.grad((x) => rl.sum(layer.apply(x) as rl.Tensor))(rl.tensor(xs)).dataSync());
    viaLayer.forEach((g, i) => expect(g).toBeCloseTo(want[i], 6));
    const d = L.dense({ units: 1, activation: 'hardSigmoid', kernelInitializer: 'ones', useBias: false });
    const viaDense = Array.from(rl.grad((x) => rl.sum(d.apply(x) as rl.Tensor))(rl.tensor(xs.map((v) => [v]))).dataSync());
    viaDense.forEach((g, i) => expect(g).toBeCloseTo(want[i], 6));
    // The values are unchanged: clip(0.2x + 0.5, 0, 1).
    expect(Array.from((layer.apply(rl.tensor(xs)) as rl.Tensor).dataSync()).map((v) => +v.toFixed(5))).toEqual([0, 1, 0, 1, 0.5, 0.02, 0.98]);
  });

  it('a conv1d with hard_sigmoid gives the same kink gradient', () => {
    const c = L.conv1d({ filters: 1, kernelSize: 1, activation: 'hard_sigmoid', kernelInitializer: 'ones', useBias: false });
    const g = Array.from(rl.grad((x) => rl.sum(c.apply(x) as rl.Tensor))(rl.tensor(xs, [1, xs.length, 1])).dataSync());
    g.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });
});

describe("Keras 3's string activations hard_silu (hard_swish), leaky_relu, log_sigmoid, celu", () => {
  const xs = [-5, -3, -2.9, -1, -0.5, 0, 0.5, 1, 2.9, 3, 5];
  const relu6 = (v: number) => Math.min(Math.max(v, 0), 6);
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const formulas: Record<string, { f: (v: number) => number; df: (v: number) => number }> = {
    hard_silu: { f: (v) => v * relu6(v + 3) / 6, df: (v) => (v <= -3 ? 0 : v >= 3 ? 1 : (2 * v + 3) / 6) },
    hard_swish: { f: (v) => v * relu6(v + 3) / 6, df: (v) => (v <= -3 ? 0 : v >= 3 ? 1 : (2 * v + 3) / 6) },
    leaky_relu: { f: (v) => (v > 0 ? v : 0.2 * v), df: (v) => (v > 0 ? 1 : 0.2) },
    log_sigmoid: { f: (v) => Math.log(sig(v)), df: (v) => 1 - sig(v) },
    celu: { f: (v) => Math.max(v, 0) + Math.min(0, Math.exp(v) - 1), df: (v) => (v > 0 ? 1 : Math.exp(v)) },
  };

  for (const [name, want] of Object.entries(formulas)) {
    it(`${name}: values and gradients as its formula, as a layer and after dense`, () => {
      const layer = L.activation({ activation: name as never });
      const y = Array.from((layer.apply(rl.tensor(xs)) as rl.Tensor).dataSync());
      y.forEach((v, i) => expect(v).toBeCloseTo(want.f(xs[i]), 5));
      const g = Array.from(rl.grad((x) => rl.sum(layer.apply(x) as rl.Tensor))(rl.tensor(xs)).dataSync());
      g.forEach((v, i) => expect(v).toBeCloseTo(want.df(xs[i]), 5));
      const d = L.dense({ units: 1, activation: name as never, kernelInitializer: 'ones', useBias: false });
      const yd = Array.from((d.apply(rl.tensor(xs.map((v) => [v]))) as rl.Tensor).dataSync());
      yd.forEach((v, i) => expect(v).toBeCloseTo(want.f(xs[i]), 5));
      expect(layer.getConfig().activation).toBe(name);
    });
  }

  it('log_sigmoid stays finite far out; a recurrent cell refuses them by name', () => {
    const y = Array.from((L.activation({ activation: 'log_sigmoid' as never }).apply(rl.tensor([-200, 200])) as rl.Tensor).dataSync());
    expect(y[0]).toBeCloseTo(-200, 3);
    expect(y[1]).toBeCloseTo(0, 6);
    expect(() => L.lstm({ units: 2, activation: 'hard_silu' as never })).toThrow(/activation 'hard_silu' is not supported in a recurrent cell/);
  });

  it('a Keras 3 file naming them loads and predicts by the formula', async () => {
    const topo = { keras_version: '3.6.0', backend: 'tensorflow', model_config: { module: 'keras', class_name: 'Sequential', config: { name: 's', trainable: true, layers: [
      { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name: 'inp' }, registered_name: null },
      { module: 'keras.layers', class_name: 'Activation', config: { name: 'act', trainable: true, dtype: 'float32', activation: 'leaky_relu' }, registered_name: null },
    ] } } };
    const m = await rl.models.modelFromJSON({ modelTopology: topo } as never);
    expect(Array.from((m.predict(rl.tensor([[-1, 0, 2]])) as rl.Tensor).dataSync()).map((v) => +v.toFixed(5))).toEqual([-0.2, 0, 2]);
  });

  it('the ONNX export computes them as predict does', async () => {
    const x = rl.tensor([[-5, -3, -1, 0], [0.5, 1, 3, 5]]);
    for (const name of Object.keys(formulas)) {
      const m = rl.sequential({ layers: [L.activation({ activation: name as never, inputShape: [4] })] });
      const session = await ortSession(toOnnx(m));
      expect(maxAbsDiff((m.predict(x) as rl.Tensor).dataSync() as Float32Array, await ortPredict(session, x)), name).toBeLessThanOrEqual(1e-5);
    }
  });
});
