/**
 * LayerNormalization: values by hand, tfjs's outputs and one training step from the same saved weights, float64
 * gradient checks, Keras's parameter counts, the Layers-format round trip, and every bad option an error naming it.
 */
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { gradCheck, maxDiff, randomTensor, removeDir, tempDir } from '../compat/functional_helpers.js';
import { oneStep, randomF32, tfjsTwin, toTf, weightDiff } from './tfjs_twin.js';

const root = tempDir('rnnlab-ln-');
afterAll(() => removeDir(root));
const L = rl.layers;
const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((t as rl.Tensor).dataSync());

describe('LayerNormalization forward, by hand', () => {
  it('normalizes each sample over its features with its own mean and biased variance, then gamma and beta', () => {
    const ln = L.layerNormalization({ epsilon: 0.01 });
    const x = rl.tensor([[1, 2, 6], [-1, -1, 2]]);
    ln.apply(x);
    ln.setWeights([[1, 2, 3], [0, 0.5, -1]]);
    const y = values(ln.apply(x));
    const rows = [[1, 2, 6], [-1, -1, 2]].map((r) => {
      const m = (r[0] + r[1] + r[2]) / 3, v = r.reduce((s, a) => s + (a - m) ** 2, 0) / 3;
      return r.map((a, j) => ((a - m) / Math.sqrt(v + 0.01)) * [1, 2, 3][j] + [0, 0.5, -1][j]);
    });
    rows.flat().forEach((e, i) => expect(y[i]).toBeCloseTo(e, 5));
    // The same in training: no batch statistics, no state.
    expect(values(ln.apply(x, { training: true }))).toEqual(y);
  });

  it('on [batch, time, features] each step is normalized alone; axis [1, 2] normalizes each sample whole', () => {
    const x = randomF32([2, 3, 4], 3, 2);
    const perStep = values(L.layerNormalization().apply(x));
    const whole = L.layerNormalization({ axis: [1, 2] });
    const y = values(whole.apply(x));
    expect(whole.weights.map((w) => w.shape)).toEqual([[3, 4], [3, 4]]);
    const d = x.values as Float32Array;
    for (let b = 0; b < 2; b++) {
      const s = d.subarray(b * 12, b * 12 + 12), m = s.reduce((a, v) => a + v, 0) / 12;
      const v = s.reduce((a, t) => a + (t - m) ** 2, 0) / 12;
      for (let i = 0; i < 12; i++) expect(y[b * 12 + i]).toBeCloseTo((s[i] - m) / Math.sqrt(v + 1e-3), 5);
      for (let t = 0; t < 3; t++) {
        const r = d.subarray(b * 12 + t * 4, b * 12 + t * 4 + 4), rm = r.reduce((a, q) => a + q, 0) / 4;
        const rv = r.reduce((a, q) => a + (q - rm) ** 2, 0) / 4;
        for (let j = 0; j < 4; j++) expect(perStep[b * 12 + t * 4 + j]).toBeCloseTo((r[j] - rm) / Math.sqrt(rv + 1e-3), 5);
      }
    }
  });
});

describe('LayerNormalization against TensorFlow.js', () => {
  for (const [what, layer, inputShape] of [
    ['axis -1 on [batch, features]', () => L.layerNormalization({ name: 'ln' }), [5]],
    ['axis -1 on [batch, time, features]', () => L.layerNormalization({ name: 'ln', epsilon: 1e-5 }), [4, 5]],
    ['axis [1, 2] on [batch, time, features]', () => L.layerNormalization({ name: 'ln', axis: [1, 2] }), [4, 6]],
  ] as const) {
    it(`${what}: the same predictions, and one SGD step gives the same weights`, async () => {
      rl.setSeed(31);
      const m = rl.sequential({ layers: [L.dense({ units: 6, inputShape: [...inputShape] }), layer(), L.dense({ units: 2 })] });
      const ln = m.layers[1];
      ln.setWeights(ln.weights.map((w, i) => randomF32(w.shape, 40 + i).values));
      const tm = await tfjsTwin(m, root, `twin-${what.replace(/\W+/g, '-')}`);
      const x = randomF32([8, ...inputShape], 7, 2), y = randomF32([8, ...inputShape.slice(0, -1), 2], 8);
      expect(maxDiff(values(m.predict(x)), (tm.predict(toTf(x)) as tf.Tensor).dataSync())).toBeLessThan(1e-5);
      const [ours, theirs] = await oneStep(m, tm, x, y);
      expect(Math.abs(ours - theirs)).toBeLessThan(1e-5);
      expect(weightDiff(m, tm)).toBeLessThan(1e-5);
    });
  }
});

describe('LayerNormalization gradients (float64, central differences)', () => {
  it('axis -1 with and without gamma/beta, and axis [1, 2]', () => {
    rl.setPrecision(64);
    try {
      const cases: [rl.layerClasses.LayerNormalizationArgs, number[]][] = [[{}, [3, 5]], [{ center: false }, [2, 3, 4]], [{ scale: false, epsilon: 0.1 }, [2, 3, 4]], [{ axis: [1, 2] }, [2, 3, 2]]];
      for (const [args, shape] of cases) {
        const ln = L.layerNormalization({ ...args, betaInitializer: 'randomNormal', gammaInitializer: 'randomUniform' });
        const x = randomTensor(shape, 5);
        ln.apply(x);
        gradCheck(([t]) => ln.apply(t) as rl.Tensor, [x], ln.trainableWeights);
      }
    } finally {
      rl.setPrecision(32);
    }
  });
});

describe('LayerNormalization parameters and saving', () => {
  it('has Keras\'s counts (gamma and beta per normalized feature, all trainable)', () => {
    const m = rl.sequential({ layers: [L.dense({ units: 4, inputShape: [3, 2] }), L.layerNormalization(), L.layerNormalization({ axis: [-2, -1], center: false })] });
    expect(m.layers.map((l) => l.countParams())).toEqual([12, 8, 12]);
    const lines: string[] = [];
    m.summary(undefined, undefined, (l) => lines.push(l));
    expect(lines).toContain('Non-trainable params: 0');
  });

  it('gammaRegularizer adds its penalty to the loss; betaConstraint holds after each step', async () => {
    const build = (args: rl.layerClasses.LayerNormalizationArgs) => {
      rl.setSeed(2);
      const m = rl.sequential({ layers: [L.dense({ units: 3, inputShape: [2] }), L.layerNormalization(args)] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return m;
    };
    const x = randomF32([6, 2], 3), y = randomF32([6, 3], 4, 3);
    const plain = (build({}).evaluate(x, y) as rl.Tensor).dataSync()[0];
    const penalized = (build({ gammaRegularizer: rl.regularizers.l2({ l2: 0.5 }) }).evaluate(x, y) as rl.Tensor).dataSync()[0];
    expect(penalized - plain).toBeCloseTo(1.5, 5);
    const free = build({});
    await free.fit(x, y, { epochs: 3, batchSize: 2, verbose: 0 });
    expect(Array.from(free.layers[1].getWeightValues()[1]).some((b) => b < 0)).toBe(true);
    const m = build({ betaConstraint: 'nonNeg' });
    await m.fit(x, y, { epochs: 3, batchSize: 2, verbose: 0 });
    expect(Array.from(m.layers[1].getWeightValues()[1]).every((b) => b >= 0)).toBe(true);
  });

  it('saves in the Layers format and loads back with the same predictions', async () => {
    rl.setSeed(12);
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 10, outputDim: 4, inputLength: 5 }), L.layerNormalization({ name: 'ln', epsilon: 0.02, gammaRegularizer: 'l2' }), L.lstm({ units: 3 })] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const ids = rl.tensor(Int32Array.from({ length: 40 }, (_, i) => (i * 7) % 10), [8, 5], 'int32');
    await m.fit(ids, randomF32([8, 3], 2), { epochs: 1, batchSize: 4, verbose: 0 });
    const dir = join(root, 'saved');
    await m.save(dir);
    const back = await rl.loadModel(dir);
    expect(back.layers[1].getConfig()).toEqual(m.layers[1].getConfig());
    expect(values(back.predict(ids))).toEqual(values(m.predict(ids)));
  });
});

describe('LayerNormalization options', () => {
  it.each([
    ['axis not an integer', { axis: 'last' }, /axis must be an integer or a list of integers, got the string "last"/],
    ['axis an empty list', { axis: [] }, /axis must be an integer or a list of integers, got \[\]/],
    ['epsilon not finite', { epsilon: Infinity }, /epsilon must be a finite number >= 0, got Infinity/],
    ['center not a boolean', { center: 'yes' }, /center must be true or false/],
    ['an unknown initializer', { gammaInitializer: 'twos' }, /unknown gammaInitializer "twos"/],
    ['a bad regularizer', { betaRegularizer: 5 }, /betaRegularizer number 5 is not a regularizer/],
    ['rmsScaling', { rmsScaling: true }, /rmsScaling = true is not supported/],
  ])('%s', (_name, args, message) => {
    expect(() => L.layerNormalization(args as never)).toThrow(message);
  });

  it('axes repeated, the batch axis or out of range fail at build, naming axis (other axes work: tfjs_catalogue)', () => {
    const build = (axis: number | number[]) => () => rl.sequential({ layers: [L.layerNormalization({ axis, inputShape: [3, 4] })] });
    expect(build(1)).not.toThrow();
    expect(build([2, -1])).toThrow(/axis \[2,-1\] repeats an axis/);
    expect(build(0)).toThrow(/axis 0 is out of range for input of rank 3/);
    expect(build(3)).toThrow(/axis 3 is out of range/);
  });
});
