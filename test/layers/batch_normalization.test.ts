/**
 * BatchNormalization: values by hand (training normalizes with the batch's statistics and moves the moving ones by
 * Keras's momentum rule; inference uses the moving ones), tfjs's outputs and one training step from the same saved
 * weights, float64 gradient checks, Keras's parameter counts, the Layers-format round trip with the moving
 * statistics, and every bad option an error naming it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { gradCheck, maxDiff, randomTensor, removeDir, tempDir } from '../compat/functional_helpers.js';
import { oneStep, randomF32, tfjsTwin, toTf, weightDiff } from './tfjs_twin.js';

const root = tempDir('rnnlab-bn-');
afterAll(() => removeDir(root));
const L = rl.layers;
const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((t as rl.Tensor).dataSync());

describe('BatchNormalization forward, by hand', () => {
  // x [3, 2]: channel 0 = {1, 2, 6} (mean 3, variance 14/3), channel 1 = {-1, 0, 1} (mean 0, variance 2/3).
  const x = rl.tensor([[1, -1], [2, 0], [6, 1]]);

  it('training normalizes each channel with the batch statistics and moves the moving statistics', () => {
    const bn = L.batchNormalization({ momentum: 0.9, epsilon: 0.01 });
    const y = values(bn.apply(x, { training: true }));
    const v0 = 14 / 3, v1 = 2 / 3;
    const expected = [[1, -1], [2, 0], [6, 1]].flatMap(([a, b]) => [(a - 3) / Math.sqrt(v0 + 0.01), b / Math.sqrt(v1 + 0.01)]);
    expected.forEach((e, i) => expect(y[i]).toBeCloseTo(e, 5));
    // moving = 0.9 * moving + 0.1 * batch, from mean 0 and variance 1.
    const [gamma, beta, mean, variance] = bn.getWeightValues();
    expect(Array.from(gamma)).toEqual([1, 1]);
    expect(Array.from(beta)).toEqual([0, 0]);
    expect(mean[0]).toBeCloseTo(0.3, 6);
    expect(mean[1]).toBeCloseTo(0, 6);
    expect(variance[0]).toBeCloseTo(0.9 + 0.1 * v0, 6);
    expect(variance[1]).toBeCloseTo(0.9 + 0.1 * v1, 6);
  });

  it('inference uses the moving statistics, gamma and beta, and leaves them alone', () => {
    const bn = L.batchNormalization({ inputShape: [2] });
    rl.sequential({ layers: [bn] });
    bn.setWeights([[2, 0.5], [1, -1], [3, 0], [4, 0.25]]);
    const y = values(bn.apply(x));
    const expected = [[1, -1], [2, 0], [6, 1]].flatMap(([a, b]) => [2 * (a - 3) / Math.sqrt(4.001) + 1, 0.5 * b / Math.sqrt(0.251) - 1]);
    expected.forEach((e, i) => expect(y[i]).toBeCloseTo(e, 5));
    expect(Array.from(bn.getWeightValues()[2])).toEqual([3, 0]);
  });

  it('axis picks the channel axis: per feature on [batch, time, features], per step with axis 1', () => {
    const x3 = randomF32([4, 3, 2], 5, 2);
    const last = values(L.batchNormalization().apply(x3, { training: true }));
    const d = x3.values;
    for (const c of [0, 1]) {
      const idx = Array.from({ length: 12 }, (_, i) => 2 * i + c);
      const mean = idx.reduce((s, i) => s + d[i], 0) / 12;
      const v = idx.reduce((s, i) => s + (d[i] - mean) ** 2, 0) / 12;
      idx.forEach((i) => expect(last[i]).toBeCloseTo((d[i] - mean) / Math.sqrt(v + 1e-3), 5));
    }
    const bn1 = L.batchNormalization({ axis: 1 });
    bn1.apply(x3, { training: true });
    expect(bn1.weights.map((w) => w.shape)).toEqual([[3], [3], [3], [3]]);
  });
});

describe('BatchNormalization against TensorFlow.js', () => {
  for (const [what, inputShape] of [['[batch, features]', [5]], ['[batch, time, features]', [4, 5]]] as const) {
    it(`${what}: the same predictions, and one SGD step gives the same weights and moving statistics`, async () => {
      rl.setSeed(21);
      const m = rl.sequential({ layers: [
        L.dense({ units: 6, inputShape: [...inputShape] }),
        L.batchNormalization({ momentum: 0.8, name: 'bn' }),
        L.dense({ units: 2 }),
      ] });
      // Moving statistics away from their initial values, so inference differs from training.
      (m.layers[1] as rl.layerClasses.BatchNormalization).setWeights([randomF32([6], 1, 1).values, randomF32([6], 2, 1).values, randomF32([6], 3, 1).values, [0.5, 1, 1.5, 2, 2.5, 3]]);
      const tm = await tfjsTwin(m, root, `twin-${inputShape.length}`);
      const x = randomF32([8, ...inputShape], 7, 2), y = randomF32([8, ...inputShape.slice(0, -1), 2], 8);
      expect(maxDiff(values(m.predict(x)), (tm.predict(toTf(x)) as import('@tensorflow/tfjs').Tensor).dataSync())).toBeLessThan(1e-5);
      const [ours, theirs] = await oneStep(m, tm, x, y);
      expect(Math.abs(ours - theirs)).toBeLessThan(1e-5);
      expect(weightDiff(m, tm)).toBeLessThan(1e-5);
    });
  }
});

describe('BatchNormalization gradients (float64, central differences)', () => {
  it('training (through the batch statistics) and inference (moving statistics as constants), axis -1 and 1', () => {
    rl.setPrecision(64);
    try {
      for (const [axis, shape] of [[-1, [6, 3]], [-1, [3, 4, 2]], [1, [3, 4, 2]]] as const) {
        const bn = L.batchNormalization({ axis, betaInitializer: 'randomNormal', gammaInitializer: 'randomUniform' });
        const x = randomTensor([...shape], 3);
        bn.apply(x, { training: true });
        gradCheck(([t]) => bn.apply(t, { training: true }) as rl.Tensor, [x], bn.trainableWeights);
        gradCheck(([t]) => bn.apply(t) as rl.Tensor, [x], bn.trainableWeights);
      }
    } finally {
      rl.setPrecision(32);
    }
  });
});

describe('BatchNormalization weights, parameters and saving', () => {
  it('has Keras\'s weights and counts: gamma, beta trainable; moving_mean, moving_variance not', () => {
    const m = rl.sequential({ layers: [L.dense({ units: 4, inputShape: [3] }), L.batchNormalization({ name: 'bn' }), L.batchNormalization({ center: false, name: 'bn2' })] });
    expect(m.layers[1].weights.map((w) => [w.name, w.trainable])).toEqual([['bn/gamma', true], ['bn/beta', true], ['bn/moving_mean', false], ['bn/moving_variance', false]]);
    expect(m.layers.map((l) => l.countParams())).toEqual([16, 16, 12]);
    const lines: string[] = [];
    m.summary(undefined, undefined, (l) => lines.push(l));
    expect(lines).toContain('Total params: 44');
    expect(lines).toContain('Trainable params: 28');
    expect(lines).toContain('Non-trainable params: 16');
  });

  it('fit trains gamma and beta and moves the moving statistics; predict does not', async () => {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [L.dense({ units: 3, inputShape: [2] }), L.batchNormalization({ name: 'bn', gammaRegularizer: 'l2', betaConstraint: 'nonNeg' }), L.dense({ units: 1 })] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const x = randomF32([32, 2], 1, 3), y = randomF32([32, 1], 2);
    const before = m.layers[1].getWeightValues().map((w) => Array.from(w));
    m.predict(x);
    expect(m.layers[1].getWeightValues().map((w) => Array.from(w))).toEqual(before);
    await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const after = m.layers[1].getWeightValues().map((w) => Array.from(w));
    after.forEach((w, i) => expect(w, `weight ${i}`).not.toEqual(before[i]));
    expect(after[1].every((b) => b >= 0)).toBe(true);  // the nonNeg constraint on beta
  });

  it('trainable: false freezes gamma and beta but, as tfjs, fit still moves the moving statistics', async () => {
    rl.setSeed(6);
    const m = rl.sequential({ layers: [L.dense({ units: 3, inputShape: [2] }), L.batchNormalization({ trainable: false, movingVarianceInitializer: 'zeros', movingMeanInitializer: 'ones' }), L.dense({ units: 1 })] });
    expect(m.layers[1].getWeightValues().map((w) => Array.from(w))).toEqual([[1, 1, 1], [0, 0, 0], [1, 1, 1], [0, 0, 0]]);
    expect(m.layers[1].trainableWeights).toEqual([]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await m.fit(randomF32([16, 2], 1, 3), randomF32([16, 1], 2), { epochs: 1, batchSize: 8, verbose: 0 });
    const [gamma, beta, mean, variance] = m.layers[1].getWeightValues().map((w) => Array.from(w));
    expect([gamma, beta]).toEqual([[1, 1, 1], [0, 0, 0]]);
    expect(mean).not.toEqual([1, 1, 1]);
    expect(variance.every((v) => v > 0)).toBe(true);
  });

  it('gammaRegularizer and betaRegularizer add their penalties to the loss', () => {
    const build = (args: rl.layerClasses.BatchNormalizationArgs) => {
      rl.setSeed(2);
      const m = rl.sequential({ layers: [L.dense({ units: 3, inputShape: [2] }), L.batchNormalization(args)] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return m;
    };
    const x = randomF32([4, 2], 3), y = randomF32([4, 3], 4);
    const plain = (build({}).evaluate(x, y) as rl.Tensor).dataSync()[0];
    // gamma = 1 and beta = 0 as initialized: l2 0.5 on gamma adds 0.5 * 3; l1 on beta adds nothing until beta moves.
    const penalized = (build({ gammaRegularizer: rl.regularizers.l2({ l2: 0.5 }), betaRegularizer: 'l1' }).evaluate(x, y) as rl.Tensor).dataSync()[0];
    expect(penalized - plain).toBeCloseTo(1.5, 5);
  });

  it('saves in the Layers format with the moving statistics and loads back with the same predictions', async () => {
    rl.setSeed(9);
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 10, outputDim: 4, inputLength: 5 }), L.batchNormalization({ name: 'bn', momentum: 0.5, epsilon: 0.01, scale: false }), L.globalAveragePooling1d()] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const ids = rl.tensor(Int32Array.from({ length: 40 }, (_, i) => (i * 3) % 10), [8, 5], 'int32');
    await m.fit(ids, randomF32([8, 4], 3), { epochs: 1, batchSize: 4, verbose: 0 });
    const dir = join(root, 'saved');
    await m.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const layer = json.modelTopology.config.layers[1];
    expect(layer.class_name).toBe('BatchNormalization');
    expect(layer.config).toMatchObject({ axis: -1, momentum: 0.5, epsilon: 0.01, center: true, scale: false, moving_variance_initializer: { class_name: 'Ones', config: {} } });
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain('bn/moving_variance');
    const back = await rl.loadModel(dir);
    expect(back.layers[1].getWeightValues().map((w) => Array.from(w))).toEqual(m.layers[1].getWeightValues().map((w) => Array.from(w)));
    expect(values(back.predict(ids))).toEqual(values(m.predict(ids)));
  });
});

describe('BatchNormalization options', () => {
  it.each([
    ['axis not an integer', { axis: 1.5 }, /axis must be an integer or a list of integers, got 1.5/],
    ['axis with two axes', { axis: [1, 2] }, /axis \[1,2\] names 2 axes; BatchNormalization takes one/],
    ['momentum above 1', { momentum: 1.5 }, /momentum must be in \[0, 1\], got 1.5/],
    ['momentum a string', { momentum: '0.9' }, /momentum must be a finite number >= 0, got the string "0.9"/],
    ['epsilon negative', { epsilon: -1 }, /epsilon must be a finite number >= 0, got -1/],
    ['center not a boolean', { center: 'no' }, /center must be true or false/],
    ['scale not a boolean', { scale: 1 }, /scale must be true or false/],
    ['an unknown initializer', { movingVarianceInitializer: 'twos' }, /unknown movingVarianceInitializer "twos"/],
    ['a bad regularizer', { gammaRegularizer: 'l3' }, /gammaRegularizer "l3" is not a regularizer/],
    ['a bad constraint', { betaConstraint: 'positive' }, /betaConstraint "positive" is not a constraint/],
    ['renorm', { renorm: true }, /renorm = true is not supported \(batch renormalization is not implemented\)/],
    ['virtualBatchSize', { virtualBatchSize: 4 }, /virtualBatchSize = 4 is not supported/],
  ])('%s', (_name, args, message) => {
    expect(() => L.batchNormalization(args as never)).toThrow(message);
  });

  it('an axis out of range, the batch axis, or an unknown channel size fails at build, naming axis', () => {
    expect(() => rl.sequential({ layers: [L.batchNormalization({ axis: 3, inputShape: [4, 2] })] })).toThrow(/axis 3 is out of range for input of rank 3/);
    expect(() => rl.sequential({ layers: [L.batchNormalization({ axis: 0, inputShape: [4] })] })).toThrow(/axis 0 is out of range .*axis 0 is the batch/);
    expect(() => rl.sequential({ layers: [L.batchNormalization({ axis: 1, inputShape: [null as never, 2] })] })).toThrow(/axis 1 of input \(None, None, 2\) must have a known size/);
  });
});
