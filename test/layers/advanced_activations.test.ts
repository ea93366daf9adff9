/**
 * ReLU, LeakyReLU, ELU, PReLU, ThresholdedReLU, Softmax, Rescaling, CategoryEncoding and ActivityRegularization:
 * forward against tfjs-layers on the same inputs (and weights), Keras's extra options by hand, float64 gradients,
 * PReLU's parameter count, the Layers-format round trip with tfjs loading it (and rnnlab loading tfjs's), the
 * activity penalty in the loss, and bad options naming the option.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { engineApply } from '../../src/layers/layer.js';
import { deserializeLayer, serializeLayer } from '../../src/layers/registry.js';
import { evaluated } from '../io/helpers.js';
import { folderArtifacts, removeDir, tempDir } from '../compat/functional_helpers.js';
import { checkLayerGradients, fromTfjs, inputs, maxDiff, roundTrip } from './helpers.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

const L = rl.layers;
const root = tempDir('rnnlab-advanced-activations-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const run = (layer: rl.layerClasses.Layer, t: rl.Tensor) => engineApply(layer, t, { training: false, mask: null });
/** Values in [-3, 3) with the kinks themselves (0, 0.5, 1, 2) in the first row. */
function spread(shape: number[], seed: number): rl.Tensor {
  const t = inputs(shape, seed);
  const v = Float32Array.from(t.values, (a) => 3 * a);
  v.set([0, 0.5, 1, 2, -0.5, -2]);
  return rl.tensor(v, shape);
}
const theirs = (layer: tf.layers.Layer, x: rl.Tensor) => (layer.apply(tf.tensor(Array.from(x.values), x.shape)) as tf.Tensor).dataSync();

describe('forward against tfjs-layers', () => {
  const x = spread([4, 3, 5], 1);
  const cases: [string, rl.layerClasses.Layer, tf.layers.Layer][] = [
    ['reLU', L.reLU(), tf.layers.reLU()],
    ['reLU maxValue', L.reLU({ maxValue: 1 }), tf.layers.reLU({ maxValue: 1 })],
    ['leakyReLU default alpha 0.3', L.leakyReLU(), tf.layers.leakyReLU()],
    ['leakyReLU alpha', L.leakyReLU({ alpha: 0.05 }), tf.layers.leakyReLU({ alpha: 0.05 })],
    ['elu', L.elu(), tf.layers.elu()],
    ['thresholdedReLU default theta 1', L.thresholdedReLU(), tf.layers.thresholdedReLU()],
    ['thresholdedReLU theta', L.thresholdedReLU({ theta: 0.5 }), tf.layers.thresholdedReLU({ theta: 0.5 })],
    ['softmax axis -1', L.softmax(), tf.layers.softmax({ axis: -1 })],
    ['softmax over axes [1, 2]', L.softmax({ axis: [1, 2] }), tf.layers.softmax({ axis: [1, 2] })],
    ['rescaling', L.rescaling({ scale: 1 / 255, offset: -0.5 }), tf.layers.rescaling({ scale: 1 / 255, offset: -0.5 })],
  ];
  for (const [title, ours, tfl] of cases) {
    it(title, () => {
      const y = run(ours, x);
      expect(y.shape).toEqual(x.shape);
      expect(maxDiff(y.values, theirs(tfl, x))).toBeLessThan(1e-6);
    });
  }

  it('backward: d sum(w * layer(x)) / dx equals tfjs\'s gradient, the kinks included', () => {
    const w = inputs(x.shape, 16);
    // tfjs cannot differentiate its thresholdedReLU (Greater has no gradient); the float64 check below covers it.
    for (const [title, ours, tfl] of cases.filter(([t]) => !t.startsWith('thresholdedReLU'))) {
      const mine = rl.grad((v: rl.Tensor) => rl.sum(rl.mul(engineApply(ours, v, { training: false, mask: null }), w)))(x);
      const tw = tf.tensor(Array.from(w.values), w.shape);
      const want = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tfl.apply(v) as tf.Tensor, tw)))(tf.tensor(Array.from(x.values), x.shape)).dataSync();
      expect(maxDiff(mine.values, want), title).toBeLessThan(1e-5);
    }
  });

  it('softmax on a rank-2 input: tfjs\'s default axis 1 is rnnlab\'s default -1', () => {
    const x2 = spread([3, 6], 2);
    expect(maxDiff(run(L.softmax(), x2).values, theirs(tf.layers.softmax(), x2))).toBeLessThan(1e-6);
  });

  it('softmax over a middle axis sums to 1 along it, as exp(x - logSumExp(x, 1))', () => {
    const y = run(L.softmax({ axis: 1 }), x);
    const want = tf.exp(tf.sub(tf.tensor(Array.from(x.values), x.shape), tf.logSumExp(tf.tensor(Array.from(x.values), x.shape), 1, true))).dataSync();
    expect(maxDiff(y.values, want)).toBeLessThan(1e-6);
  });

  it('prelu with the same alpha, per element and shared over steps', () => {
    for (const sharedAxes of [undefined, 1, [1]] as const) {
      const ours = L.prelu({ sharedAxes: sharedAxes as number | number[] | undefined });
      const tfl = tf.layers.prelu({ sharedAxes: sharedAxes as number | number[] | undefined });
      ours.ensureBuilt([null, 3, 5]);
      tfl.apply(tf.zeros([1, 3, 5]));
      const shape = sharedAxes === undefined ? [3, 5] : [1, 5];
      expect(ours.weights[0].shape).toEqual(shape);
      const alpha = inputs(shape, 3);
      ours.setWeights([alpha.values]);
      tfl.setWeights([tf.tensor(Array.from(alpha.values), shape)]);
      expect(maxDiff(run(ours, x).values, theirs(tfl, x))).toBeLessThan(1e-6);
    }
  });

  it('categoryEncoding: oneHot, multiHot and count rows from ids', () => {
    const ids = rl.tensor([[0, 2, 2], [3, 3, 1]], [2, 3], 'int32');
    for (const outputMode of ['multiHot', 'count'] as const) {
      const y = run(L.categoryEncoding({ numTokens: 5, outputMode }), ids);
      expect(y.shape).toEqual([2, 5]);
      const tfy = (tf.layers.categoryEncoding({ numTokens: 5, outputMode }).apply(tf.tensor([[0, 2, 2], [3, 3, 1]], [2, 3], 'int32')) as tf.Tensor).dataSync();
      expect(Array.from(y.values)).toEqual(Array.from(tfy));
    }
    expect(Array.from(run(L.categoryEncoding({ numTokens: 5 }), ids).values)).toEqual([1, 0, 1, 0, 0, 0, 1, 0, 1, 0]);
    expect(Array.from(run(L.categoryEncoding({ numTokens: 5, outputMode: 'count' }), ids).values)).toEqual([1, 0, 2, 0, 0, 0, 1, 0, 2, 0]);
    const one = run(L.categoryEncoding({ numTokens: 4, outputMode: 'one_hot' }), rl.tensor([[2], [0]], [2, 1], 'int32'));
    expect(Array.from(one.values)).toEqual([0, 0, 1, 0, 1, 0, 0, 0]);
    expect(Array.from(run(L.categoryEncoding({ numTokens: 3, outputMode: 'oneHot' }), rl.tensor([1, 2], [2], 'int32')).values)).toEqual([0, 1, 0, 0, 0, 1]);
  });
});

describe("Keras's options beyond tfjs, by hand", () => {
  it('reLU negativeSlope and threshold: x above threshold (clipped to maxValue), negativeSlope * (x - threshold) below', () => {
    const x = rl.tensor([-2, 0, 0.5, 0.7, 1.5, 3]);
    const y = run(L.reLU({ maxValue: 1.2, negativeSlope: 0.1, threshold: 0.5 }), x);
    const want = [-0.25, -0.05, 0, 0.7, 1.2, 1.2];
    expect(maxDiff(y.values, want)).toBeLessThan(1e-7);
  });

  it('elu alpha scales the negative part (tfjs-layers refuses alpha other than 1)', () => {
    const y = run(L.elu({ alpha: 0.5 }), rl.tensor([-1, 2]));
    expect(maxDiff(y.values, [0.5 * Math.expm1(-1), 2])).toBeLessThan(1e-7);
  });

  it("leakyReLU takes Keras 3's negativeSlope for alpha", () => {
    expect(L.leakyReLU({ negativeSlope: 0.2 }).alpha).toBe(0.2);
    expect(run(L.leakyReLU({ negativeSlope: 0.2 }), rl.tensor([-1])).values[0]).toBeCloseTo(-0.2, 7);
  });

  it('the pointwise layers pass a padding mask on', () => {
    for (const layer of [L.reLU(), L.leakyReLU(), L.elu(), L.thresholdedReLU(), L.rescaling({ scale: 2 }), L.softmax(), L.prelu()]) {
      const ctx = { training: false, mask: new Uint8Array([1, 0]) as Uint8Array | null };
      engineApply(layer, rl.tensor(new Float32Array(6), [1, 2, 3]), ctx);
      expect(Array.from(ctx.mask ?? []), layer.className).toEqual([1, 0]);
    }
  });
});

describe('float64 gradients against central differences', () => {
  beforeAll(() => rl.setPrecision(64));
  afterAll(() => rl.setPrecision(32));
  const cases: [string, () => rl.layerClasses.Layer][] = [
    ['reLU plain (the native kernel)', () => L.reLU()],
    ['reLU with every Keras option', () => L.reLU({ maxValue: 0.6, negativeSlope: 0.1, threshold: 0.2 })],
    ['leakyReLU', () => L.leakyReLU({ alpha: 0.2 })],
    ['elu', () => L.elu({ alpha: 0.7 })],
    ['thresholdedReLU', () => L.thresholdedReLU({ theta: 0.3 })],
    ['softmax last axis', () => L.softmax()],
    ['softmax over axes [1, 2]', () => L.softmax({ axis: [1, 2] })],
    ['softmax over the middle axis', () => L.softmax({ axis: 1 })],
    ['rescaling', () => L.rescaling({ scale: -1.5, offset: 0.25 })],
    ['prelu (alpha too)', () => L.prelu({ alphaInitializer: 'randomUniform' })],
    ['prelu shared over steps (alpha too)', () => L.prelu({ sharedAxes: [1], alphaInitializer: 'randomNormal' })],
  ];
  for (const [title, make] of cases) it(title, () => { checkLayerGradients(make(), [2, 3, 4]); });
});

describe('parameters', () => {
  it('prelu has one alpha per input element, one per channel when shared over steps; the others none', () => {
    const count = (layer: rl.layerClasses.Layer, shape: (number | null)[]) => { layer.ensureBuilt(shape); return layer.countParams(); };
    expect(count(L.prelu(), [null, 7, 4])).toBe(28);
    expect(count(L.prelu({ sharedAxes: 1 }), [null, 7, 4])).toBe(4);
    expect(count(L.prelu({ sharedAxes: [1, 2] }), [null, 7, 4])).toBe(1);
    expect(count(L.prelu({ sharedAxes: 1 }), [null, null, 4])).toBe(4);
    for (const layer of [L.reLU(), L.leakyReLU(), L.elu(), L.thresholdedReLU(), L.softmax(), L.rescaling({ scale: 2 }), L.activityRegularization({ l1: 1 })]) {
      expect(count(layer, [null, 3]), layer.className).toBe(0);
    }
    const m = rl.sequential({ layers: [L.dense({ units: 6, inputShape: [3] }), L.prelu()] });
    expect(m.countParams()).toBe(3 * 6 + 6 + 6);
  });

  it('prelu trains: fit moves alpha, and alphaConstraint nonNeg keeps it >= 0', async () => {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [L.dense({ units: 4, inputShape: [3] }), L.prelu({ alphaInitializer: 'ones', alphaConstraint: 'nonNeg' }), L.dense({ units: 1 })] });
    m.compile({ optimizer: rl.train.sgd(0.5), loss: 'meanSquaredError' });
    const x = inputs([16, 3], 5);
    await m.fit(x, rl.tensor(Float32Array.from({ length: 16 }, (_, i) => (i % 2 ? 3 : -3)), [16, 1]), { epochs: 5, batchSize: 16, verbose: 0 });
    const alpha = m.layers[1].getWeightValues()[0];
    expect(Array.from(alpha).some((a) => a !== 1)).toBe(true);
    expect(Math.min(...alpha)).toBeGreaterThanOrEqual(0);
  });
});

describe('softmax as the last layer', () => {
  it('trains as dense({activation: softmax}) does: categoricalCrossentropy folds it in the same way', async () => {
    const x = inputs([12, 4], 14);
    const y = rl.tensor(Float32Array.from({ length: 36 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), [12, 3]);
    const losses: number[][] = [];
    for (const separate of [false, true]) {
      rl.setSeed(15);
      const m = rl.sequential({ layers: separate
        ? [L.dense({ units: 3, inputShape: [4] }), L.softmax()]
        : [L.dense({ units: 3, inputShape: [4], activation: 'softmax' })] });
      m.compile({ optimizer: rl.train.sgd(0.5), loss: 'categoricalCrossentropy' });
      expect(m.foldsActivation).toBe(true);
      const h = await m.fit(x, y, { epochs: 4, batchSize: 12, verbose: 0 });
      losses.push(h.history.loss as number[]);
    }
    expect(losses[1]).toEqual(losses[0]);
    expect(losses[0][3]).toBeLessThan(losses[0][0]);
  });

  it('over another axis it is not folded', () => {
    const m = rl.sequential({ layers: [L.dense({ units: 3, inputShape: [2, 4] }), L.softmax({ axis: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    expect(m.foldsActivation).toBe(false);
  });
});

describe('activityRegularization', () => {
  it('adds (l1 * sum|y| + l2 * sum y^2) / batch of its input to the loss, and passes the input through', () => {
    const x = inputs([4, 3], 6), y = inputs([4, 2], 7);
    const build = (reg: boolean) => {
      rl.setSeed(8);
      const m = rl.sequential({ layers: [L.dense({ units: 2, inputShape: [3], name: 'hidden' }), ...(reg ? [L.activityRegularization({ l1: 0.05, l2: 0.4 })] : [])] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return m;
    };
    const plain = build(false), reg = build(true);
    const h = (plain.predict(x) as rl.Tensor).values;
    expect(Array.from((reg.predict(x) as rl.Tensor).values)).toEqual(Array.from(h));
    const penalty = (0.05 * Array.from(h).reduce((s, v) => s + Math.abs(v), 0) + 0.4 * Array.from(h).reduce((s, v) => s + v * v, 0)) / 4;
    expect(penalty).toBeGreaterThan(0.01);
    expect(evaluated(reg.evaluate(x, y))[0] - evaluated(plain.evaluate(x, y))[0]).toBeCloseTo(penalty, 5);
  });

  it("saves l1 and l2 as Keras does (no activity_regularizer of its own) and loads back", () => {
    const layer = L.activityRegularization({ l1: 0.1, l2: 0.2, name: 'ar' });
    const s = serializeLayer(layer);
    expect(s.config).toMatchObject({ l1: 0.1, l2: 0.2 });
    expect(s.config.activityRegularizer).toBeUndefined();
    const back = deserializeLayer(s) as rl.layerClasses.ActivityRegularization;
    expect([back.l1, back.l2, back.activityRegularizer?.l1, back.activityRegularizer?.l2]).toEqual([0.1, 0.2, 0.1, 0.2]);
  });
});

describe("Keras 3's saved configs (as the loader hands them over, camelCased)", () => {
  const dtype = { className: 'DTypePolicy', config: { name: 'float32' } };
  it('load with their values', () => {
    const relu = deserializeLayer({ className: 'ReLU', config: { name: 'r', trainable: true, dtype, maxValue: null, negativeSlope: 0, threshold: 0 } }) as rl.layerClasses.ReLU;
    expect([relu.maxValue, relu.negativeSlope, relu.threshold]).toEqual([null, 0, 0]);
    expect((deserializeLayer({ className: 'LeakyReLU', config: { name: 'l', dtype, negativeSlope: 0.2 } }) as rl.layerClasses.LeakyReLU).alpha).toBe(0.2);
    const prelu = deserializeLayer({ className: 'PReLU', config: { name: 'p', dtype, alphaInitializer: { module: 'keras.initializers', className: 'Zeros', config: {} }, alphaRegularizer: null, alphaConstraint: null, sharedAxes: [1] } }) as rl.layerClasses.PReLU;
    expect(prelu.sharedAxes).toEqual([1]);
    const ce = deserializeLayer({ className: 'CategoryEncoding', config: { name: 'c', dtype, numTokens: 4, outputMode: 'multi_hot', sparse: false } }) as rl.layerClasses.CategoryEncoding;
    expect(ce.outputMode).toBe('multiHot');
    const sm = deserializeLayer({ className: 'Softmax', config: { name: 's', dtype, axis: -1 } }) as rl.layerClasses.Softmax;
    expect(sm.axis).toBe(-1);
  });
});

describe('the Layers-format round trip, and tfjs loading it', () => {
  it('a model with each of the tfjs-known layers: rnnlab -> rnnlab and tfjs', async () => {
    rl.setSeed(9);
    const m = rl.sequential({ layers: [
      L.rescaling({ scale: 0.5, offset: 0.1, inputShape: [3, 4] }), L.dense({ units: 5 }), L.reLU({ maxValue: 0.4 }), L.dense({ units: 5 }),
      L.leakyReLU({ alpha: 0.1 }), L.dense({ units: 5 }), L.elu(), L.dense({ units: 5 }), L.thresholdedReLU({ theta: 0.05 }),
      L.dense({ units: 5 }), L.prelu({ sharedAxes: 1, alphaInitializer: 'randomUniform' }), L.dense({ units: 3 }), L.softmax(),
    ] });
    const layers = await roundTrip(m, inputs([6, 3, 4], 10), root, 'advanced');
    const names = layers.map((l) => l.class_name);
    expect(names).toEqual(['Rescaling', 'Dense', 'ReLU', 'Dense', 'LeakyReLU', 'Dense', 'ELU', 'Dense', 'ThresholdedReLU', 'Dense', 'PReLU', 'Dense', 'Softmax']);
    expect((layers[2].config as Record<string, unknown>).max_value).toBe(0.4);
    expect((layers[10].config as Record<string, unknown>).shared_axes).toEqual([1]);
  });

  it("Keras's options (reLU negativeSlope, elu alpha, activityRegularization) round-trip in rnnlab", async () => {
    rl.setSeed(10);
    const m = rl.sequential({ layers: [
      L.dense({ units: 4, inputShape: [3] }), L.reLU({ negativeSlope: 0.2, threshold: 0.1 }), L.dense({ units: 4 }),
      L.elu({ alpha: 0.5 }), L.activityRegularization({ l2: 0.01 }), L.softmax({ axis: [1] }),
    ] });
    const layers = await roundTrip(m, inputs([5, 3], 11), root, 'keras-options', false);
    expect(layers[1].config).toMatchObject({ negative_slope: 0.2, threshold: 0.1 });
  });

  // tfjs 4.22 reads the file but cannot predict with it: its CategoryEncoding.computeOutputShape overwrites the
  // model input's shape with [null, numTokens] (the same happens to a model built in tfjs itself).
  it('categoryEncoding first, on int ids: rnnlab -> rnnlab, and tfjs reads the layer', async () => {
    rl.setSeed(12);
    const m = rl.sequential({ layers: [L.categoryEncoding({ numTokens: 6, outputMode: 'count', inputShape: [4] }), L.dense({ units: 2 })] });
    const ids = rl.tensor(Int32Array.from({ length: 20 }, (_, i) => (i * 7) % 6), [5, 4], 'int32');
    const layers = await roundTrip(m, ids, root, 'category', false);
    expect(layers[0].config).toMatchObject({ num_tokens: 6, output_mode: 'count' });
    const tm = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(join(root, 'category')) as tf.io.ModelArtifacts));
    expect(tm.layers[0].getConfig()).toMatchObject({ numTokens: 6, outputMode: 'count' });
  });

  it("categoryEncoding refuses tfjs's countWeights call argument by name (not supported)", () => {
    const layer = L.categoryEncoding({ numTokens: 4, outputMode: 'count' });
    expect(() => layer.apply(rl.tensor([[1, 1]], [1, 2], 'int32'), { countWeights: rl.tensor([[1, 2]]) } as never)).toThrow(/apply does not take 'countWeights'/);
  });

  it('categoryEncoding oneHot and multiHot are written as tfjs 4.22 writes them (one_hot, multi_hot), and read back', async () => {
    for (const [mode, written] of [['oneHot', 'one_hot'], ['multiHot', 'multi_hot']] as const) {
      const topology = async (lib: typeof rl | typeof tf) => {
        const m = lib.sequential();
        m.add(lib.layers.categoryEncoding({ numTokens: 4, outputMode: mode, inputShape: [1] }) as never);
        let saved: tf.io.ModelArtifacts | undefined;
        const handler = async (a: unknown) => { saved = a as tf.io.ModelArtifacts; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } }; };
        await m.save((lib.io.withSaveHandler as (h: typeof handler) => never)(handler));
        return saved!;
      };
      const ours = await topology(rl), theirs = await topology(tf);
      const config = (a: tf.io.ModelArtifacts) => (a.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers[0].config;
      expect(config(theirs).output_mode).toBe(written);
      expect(config(ours).output_mode).toBe(written);
      const back = await rl.loadLayersModel(rl.io.fromMemory(ours) as never);
      expect((back.layers[0] as unknown as { outputMode: string }).outputMode).toBe(mode);
    }
  });

  it('a functional model (int ids -> categoryEncoding, two branches with prelu and leakyReLU) saves, loads, predicts the same', async () => {
    rl.setSeed(17);
    const ids = rl.input({ shape: [3], dtype: 'int32' });
    const counts = L.categoryEncoding({ numTokens: 5, outputMode: 'count' }).apply(ids) as rl.SymbolicTensor;
    const a = L.prelu({ alphaInitializer: 'randomUniform' }).apply(L.dense({ units: 4 }).apply(counts) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const b = L.leakyReLU().apply(L.dense({ units: 4 }).apply(counts) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const m = rl.model({ inputs: ids, outputs: L.softmax().apply(L.add().apply([a, b]) as rl.SymbolicTensor) as rl.SymbolicTensor });
    const dir = join(root, 'functional');
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`);
    const x = rl.tensor(Int32Array.from({ length: 12 }, (_, i) => (i * 3) % 5), [4, 3], 'int32');
    expect(Array.from((back.predict(x) as rl.Tensor).values)).toEqual(Array.from((m.predict(x) as rl.Tensor).values));
  });

  it('a tfjs model with these layers loads in rnnlab and predicts the same', async () => {
    const tm = tf.sequential({ layers: [
      tf.layers.dense({ units: 5, inputShape: [4] }), tf.layers.prelu({ alphaInitializer: 'randomUniform' }), tf.layers.dense({ units: 5 }),
      tf.layers.leakyReLU(), tf.layers.dense({ units: 5 }), tf.layers.reLU({ maxValue: 0.3 }), tf.layers.dense({ units: 5 }), tf.layers.elu(),
      tf.layers.thresholdedReLU({ theta: 0.01 }), tf.layers.rescaling({ scale: 3 }), tf.layers.softmax(),
    ] });
    const m = await fromTfjs(tm, inputs([6, 4], 13), root, 'from-tfjs');
    expect(m.layers.map((l) => l.className)).toEqual(['Dense', 'PReLU', 'Dense', 'LeakyReLU', 'Dense', 'ReLU', 'Dense', 'ELU', 'ThresholdedReLU', 'Rescaling', 'Softmax']);
  });
});

describe('bad options name the option', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['reLU maxValue < 0', () => L.reLU({ maxValue: -1 }), /maxValue must be a finite number >= 0, got -1/],
    ['reLU negativeSlope a string', () => L.reLU({ negativeSlope: '0.1' as never }), /negativeSlope must be a finite number >= 0, got the string "0.1"/],
    ['reLU threshold < 0', () => L.reLU({ threshold: -0.5 }), /threshold must be/],
    ['leakyReLU alpha < 0', () => L.leakyReLU({ alpha: -0.1 }), /alpha must be a finite number >= 0/],
    ['leakyReLU alpha and negativeSlope disagree', () => L.leakyReLU({ alpha: 0.1, negativeSlope: 0.2 }), /alpha 0.1 and negativeSlope 0.2 disagree/],
    ['elu alpha NaN', () => L.elu({ alpha: NaN }), /alpha must be a finite number, got NaN/],
    ['thresholdedReLU theta < 0', () => L.thresholdedReLU({ theta: -1 }), /theta must be a finite number >= 0/],
    ['softmax axis not an integer', () => L.softmax({ axis: 1.5 }), /axis must be an integer or a non-empty list of integers/],
    ['softmax axis out of range', () => L.softmax({ axis: 3 }).computeOutputShape([null, 4]), /axis 3 does not fit input \(None, 4\)/],
    ['prelu sharedAxes 0 (the batch)', () => L.prelu({ sharedAxes: 0 }), /sharedAxes must be an axis number >= 1/],
    ['prelu sharedAxes beyond the rank', () => L.prelu({ sharedAxes: 3 }).ensureBuilt([null, 4]), /sharedAxes \[3\] names axis 3/],
    ['prelu unknown size not shared', () => L.prelu().ensureBuilt([null, null, 4]), /unknown size; give it a size or list it in sharedAxes/],
    ['prelu alphaInitializer unknown', () => L.prelu({ alphaInitializer: 'nope' as never }), /alphaInitializer/],
    ['prelu alphaRegularizer unknown', () => L.prelu({ alphaRegularizer: 'l3' as never }), /alphaRegularizer/],
    ['prelu alphaConstraint unknown', () => L.prelu({ alphaConstraint: 'positive' as never }), /alphaConstraint/],
    ['activityRegularization l1 < 0', () => L.activityRegularization({ l1: -1 }), /ActivityRegularization\): regularizer: l1 must be a finite number >= 0/],
    ['activityRegularization with activityRegularizer', () => L.activityRegularization({ activityRegularizer: 'l2' } as never), /takes l1 and l2, not activityRegularizer/],
    ['rescaling without scale', () => L.rescaling({} as never), /missing required field 'scale'/],
    ['rescaling offset a list', () => L.rescaling({ scale: 1, offset: [1] as never }), /offset must be a finite number, got an array/],
    ['categoryEncoding without numTokens', () => L.categoryEncoding({} as never), /missing required field 'numTokens'/],
    ['categoryEncoding outputMode tfIdf', () => L.categoryEncoding({ numTokens: 3, outputMode: 'tfIdf' as never }), /outputMode must be 'oneHot', 'multiHot' or 'count', got "tfIdf"/],
    ['categoryEncoding sparse', () => L.categoryEncoding({ numTokens: 3, sparse: true }), /sparse = boolean true is not supported/],
    ['categoryEncoding oneHot of several ids', () => L.categoryEncoding({ numTokens: 3, outputMode: 'oneHot' }).computeOutputShape([null, 2]), /outputMode 'oneHot' takes one id per sample/],
    ['categoryEncoding id out of range', () => run(L.categoryEncoding({ numTokens: 3 }), rl.tensor([[1, 3]], [1, 2], 'int32')), /ids must be integers in \[0, numTokens = 3\), got 3 \(sample 0\)/],
  ];
  for (const [title, f, re] of cases) it(title, () => { expect(f).toThrow(re); });

  it('a loaded config with a bad value fails the same way, naming the option', () => {
    expect(() => deserializeLayer({ className: 'LeakyReLU', config: { alpha: 'x' } })).toThrow(/alpha must be a finite number >= 0, got the string "x"/);
    expect(() => deserializeLayer({ className: 'PReLU', config: { sharedAxes: [0] } })).toThrow(/sharedAxes/);
  });
});
