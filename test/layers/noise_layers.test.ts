/**
 * SpatialDropout1D, GaussianNoise, GaussianDropout and AlphaDropout: the noise each draws (whole channels, normal
 * noise of the stated spread, SELU-preserving statistics), active only while training, deterministic per seed
 * (rl.setSeed or the layer's own seed), float64 gradients of the training output, the Layers-format round trip
 * with tfjs loading it, and bad options naming the option.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { engineApply } from '../../src/layers/layer.js';
import { deserializeLayer, layerClass, serializeLayer } from '../../src/layers/registry.js';
import { removeDir, tempDir } from '../compat/functional_helpers.js';
import { checkLayerGradients, inputs, roundTrip } from './helpers.js';

const L = rl.layers;
const root = tempDir('rnnlab-noise-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const train = (layer: rl.layerClasses.Layer, x: rl.Tensor) => engineApply(layer, x, { training: true, mask: null }).values;
const ones = (shape: number[]) => rl.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape);

function meanStd(v: ArrayLike<number>): [number, number] {
  let s = 0, s2 = 0;
  for (let i = 0; i < v.length; i++) { s += v[i]; s2 += v[i] * v[i]; }
  const m = s / v.length;
  return [m, Math.sqrt(s2 / v.length - m * m)];
}

describe('spatialDropout1d', () => {
  it('drops whole channels with the same mask at every step, scaling the rest by 1 / (1 - rate)', () => {
    rl.setSeed(1);
    const [B, T, C] = [6, 9, 40];
    const y = train(L.spatialDropout1d({ rate: 0.3 }), ones([B, T, C]));
    let dropped = 0;
    for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) {
      const first = y[b * T * C + c];
      expect([0, 1 / 0.7].some((v) => Math.abs(first - v) < 1e-6)).toBe(true);
      for (let t = 1; t < T; t++) expect(y[(b * T + t) * C + c]).toBe(first);
      if (first === 0) dropped++;
    }
    expect(dropped / (B * C)).toBeGreaterThan(0.2);
    expect(dropped / (B * C)).toBeLessThan(0.4);
  });

  it('passes a padding mask on', () => {
    const ctx = { training: true, mask: new Uint8Array([1, 0]) as Uint8Array | null };
    engineApply(L.spatialDropout1d({ rate: 0.5 }), ones([1, 2, 3]), ctx);
    expect(Array.from(ctx.mask!)).toEqual([1, 0]);
  });
});

describe('gaussianNoise, gaussianDropout, alphaDropout: the noise they draw', () => {
  const x = inputs([50, 20, 20], 2);

  it('gaussianNoise adds zero-mean noise of stddev', () => {
    rl.setSeed(2);
    const y = train(L.gaussianNoise({ stddev: 0.5 }), x);
    const [m, s] = meanStd(y.map((v, i) => v - x.values[i]));
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(s).toBeCloseTo(0.5, 2);
  });

  it('gaussianDropout multiplies by noise of mean 1 and stddev sqrt(rate / (1 - rate))', () => {
    rl.setSeed(3);
    const y = train(L.gaussianDropout({ rate: 0.2 }), ones([20000]));
    const [m, s] = meanStd(y);
    expect(Math.abs(m - 1)).toBeLessThan(0.01);
    expect(s).toBeCloseTo(0.5, 2);
  });

  it('alphaDropout keeps a standard normal input\'s mean 0 and variance 1, dropping to one value', () => {
    rl.setSeed(4);
    const r = new rl.Random(5);
    const z = rl.tensor(Float32Array.from({ length: 40000 }, () => r.normal()), [40000]);
    const y = train(L.alphaDropout({ rate: 0.25 }), z);
    const [m, s] = meanStd(y);
    expect(Math.abs(m)).toBeLessThan(0.02);
    expect(Math.abs(s - 1)).toBeLessThan(0.02);
    const counts = new Map<number, number>();
    for (const v of y) counts.set(v, (counts.get(v) ?? 0) + 1);
    const [dropValue, n] = [...counts].sort((a, b) => b[1] - a[1])[0];
    expect(n / y.length).toBeCloseTo(0.25, 1);
    const alphaP = -1.6732632423543772 * 1.0507009873554805, a = (0.75 * (1 + 0.25 * alphaP * alphaP)) ** -0.5;
    expect(dropValue).toBeCloseTo(a * alphaP - a * alphaP * 0.25, 5);
  });
});

const makers: [string, (seed?: number) => rl.layerClasses.Layer][] = [
  ['spatialDropout1d', (seed) => L.spatialDropout1d({ rate: 0.4, seed })],
  ['gaussianNoise', (seed) => L.gaussianNoise({ stddev: 0.3, seed })],
  ['gaussianDropout', (seed) => L.gaussianDropout({ rate: 0.3, seed })],
  ['alphaDropout', (seed) => L.alphaDropout({ rate: 0.3, seed })],
];

describe.each(makers)('%s', (name, make) => {
  const x = inputs([3, 5, 4], 6);

  it('is the identity in predict and when not training', () => {
    const m = rl.sequential({ layers: [make(7)] });
    m.build([null, 5, 4]);
    expect(Array.from((m.predict(x) as rl.Tensor).values)).toEqual(Array.from(x.values));
    expect(Array.from(engineApply(m.layers[0], x, { training: false, mask: null }).values)).toEqual(Array.from(x.values));
  });

  it('is deterministic per seed: rl.setSeed, or its own seed', () => {
    rl.setSeed(8); const a = train(make(), x);
    rl.setSeed(8); const b = train(make(), x);
    rl.setSeed(9); const c = train(make(), x);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
    rl.setSeed(1); const own1 = train(make(21), x);
    rl.setSeed(2); const own2 = train(make(21), x);
    expect(Array.from(own2)).toEqual(Array.from(own1));
    expect(Array.from(own1)).not.toEqual(Array.from(x.values));
  });

  it('gradient of the training output (float64)', () => {
    rl.setPrecision(64);
    try { checkLayerGradients(make(), [2, 4, 3], { training: true, seed: 10 }); } finally { rl.setPrecision(32); }
  });

  it('trains inside a model, has no weights, and saves and loads (tfjs too)', async () => {
    rl.setSeed(11);
    const m = rl.sequential({ layers: [L.dense({ units: 4, inputShape: [5, 4], activation: 'selu' }), make(3), L.flatten(), L.dense({ units: 1 })] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const h = await m.fit(x, rl.tensor([0.5, -0.5, 1], [3, 1]), { epochs: 3, verbose: 0 });
    expect(h.history.loss.every((v) => Number.isFinite(v as number))).toBe(true);
    expect(m.layers[1].countParams()).toBe(0);
    const layers = await roundTrip(m, x, root, name);
    expect(layers[1].class_name).toBe(m.layers[1].className);
    expect(layers[1].config).toMatchObject({ seed: 3 });
    expect(layerClass(m.layers[1].className)).toBe(m.layers[1].constructor);
    expect(deserializeLayer(serializeLayer(m.layers[1])).getConfig()).toEqual(m.layers[1].getConfig());
  });
});

describe('bad options are errors naming the option', () => {
  it.each([
    ['rate 1', () => L.spatialDropout1d({ rate: 1 }), /\(SpatialDropout1D\): rate must be a number in \[0, 1\), got 1/],
    ['rate missing', () => L.gaussianDropout({} as never), /\(GaussianDropout\): rate must be a number in \[0, 1\), got undefined/],
    ['negative rate', () => L.alphaDropout({ rate: -0.1 }), /\(AlphaDropout\): rate must be a number in \[0, 1\), got -0.1/],
    ['stddev missing', () => L.gaussianNoise({} as never), /\(GaussianNoise\): missing required field 'stddev'/],
    ['negative stddev', () => L.gaussianNoise({ stddev: -1 }), /\(GaussianNoise\): stddev must be a number >= 0, got -1/],
    ['a fractional seed', () => L.gaussianNoise({ stddev: 1, seed: 1.5 }), /\(GaussianNoise\): seed must be an integer, got number 1.5/],
    ['noiseShape', () => L.spatialDropout1d({ rate: 0.1, noiseShape: [1, 1, 3] as never }), /\(SpatialDropout1D\): noiseShape = \[1,1,3\] is not supported \(this layer takes no noiseShape option/],
    ['spatialDropout1d on rank 2', () => L.spatialDropout1d({ rate: 0.1 }).computeOutputShape([null, 3]), /\(SpatialDropout1D\): expected input \(batch, steps, channels\), got \(None, 3\)/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});
