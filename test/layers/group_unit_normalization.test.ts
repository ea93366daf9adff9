/**
 * Keras 3's UnitNormalization and GroupNormalization: values by hand and against torch.nn.GroupNorm (fixture made by
 * test/fixtures/keras_numeric_layers/make_group_norm.py), float64 gradient checks, the padding mask passing through,
 * saving and loading, small models that fit, ONNX export refusing them by name, and every bad option an error naming it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { gradCheck, maxDiff, randomTensor, removeDir, tempDir } from '../compat/functional_helpers.js';
import { randomF32 } from './tfjs_twin.js';

const root = tempDir('rnnlab-norm-');
afterAll(() => removeDir(root));
const L = rl.layers;
const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((t as rl.Tensor).dataSync());

interface TorchCase { shape: number[]; groups: number; epsilon: number; x: number[]; gamma: number[]; beta: number[]; probe: number[]; y: number[]; dx: number[]; dgamma: number[]; dbeta: number[] }
const torchCases = (JSON.parse(readFileSync(join(__dirname, '../fixtures/keras_numeric_layers/group_norm.json'), 'utf8')) as { cases: TorchCase[] }).cases;

function float64<T>(fn: () => T): T {
  rl.setPrecision(64);
  try { return fn(); } finally { rl.setPrecision(32); }
}

describe('UnitNormalization forward, by hand', () => {
  it('scales each sample to L2 norm 1 over the last axis; a zero vector stays zero (Keras clamps the squared norm at 1e-24)', () => {
    const y = values(L.unitNormalization().apply(rl.tensor([[3, 4], [0, 0], [1e-13, 0]])));
    expect(y.slice(0, 4)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
    // |x|^2 = 1e-26 < 1e-24: scaled by 1 / 1e-12, not to norm 1.
    expect(y[4]).toBeCloseTo(0.1, 6);
  });

  it('axis [1, 2] normalizes each sample whole; axis 1 normalizes over the steps for each feature', () => {
    const x = randomF32([2, 3, 4], 3);
    const d = x.values as Float32Array;
    const whole = values(L.unitNormalization({ axis: [1, 2] }).apply(x));
    const overSteps = values(L.unitNormalization({ axis: 1 }).apply(x));
    for (let b = 0; b < 2; b++) {
      const n = Math.hypot(...d.subarray(b * 12, b * 12 + 12));
      for (let i = 0; i < 12; i++) expect(whole[b * 12 + i]).toBeCloseTo(d[b * 12 + i] / n, 5);
      for (let f = 0; f < 4; f++) {
        const col = [0, 1, 2].map((t) => d[b * 12 + t * 4 + f]);
        const m = Math.hypot(...col);
        for (let t = 0; t < 3; t++) expect(overSteps[b * 12 + t * 4 + f]).toBeCloseTo(col[t] / m, 5);
      }
    }
  });

  it('gradients (float64, central differences) on the last axis, on axis 1 and on [1, 2]', () => {
    float64(() => {
      for (const axis of [-1, 1, [1, 2]] as (number | number[])[]) {
        const u = L.unitNormalization({ axis });
        gradCheck(([t]) => u.apply(t) as rl.Tensor, [randomTensor([2, 3, 4], 11)]);
      }
    });
  });
});

describe('GroupNormalization against torch.nn.GroupNorm (channels moved last)', () => {
  for (const c of torchCases) {
    it(`input [${c.shape.join(', ')}], groups ${c.groups}, epsilon ${c.epsilon}: outputs and gradients of x, gamma and beta`, () => {
      float64(() => {
        const gn = L.groupNormalization({ groups: c.groups, epsilon: c.epsilon });
        const x = rl.tensor(Float64Array.from(c.x), c.shape);
        gn.apply(x);
        gn.setWeights([c.gamma, c.beta]);
        expect(maxDiff(values(gn.apply(x)), c.y)).toBeLessThan(1e-10);
        const probe = rl.tensor(Float64Array.from(c.probe), c.shape);
        // rl.grad and rl.variableGrads hand back float32 tensors even under setPrecision(64): float32 accuracy here
        // (the float64 gradient checks below hold the op to 1e-6 relative).
        const dx = rl.grad((t) => gn.apply(t) as rl.Tensor)(x, probe);
        expect(maxDiff(values(dx), c.dx)).toBeLessThan(1e-6);
        const { grads } = rl.variableGrads(() => rl.sum(rl.mul(gn.apply(x) as rl.Tensor, probe)) as never, gn.trainableWeights as never);
        expect(maxDiff(values(grads[gn.weights[0].name] as rl.Tensor), c.dgamma)).toBeLessThan(1e-6);
        expect(maxDiff(values(grads[gn.weights[1].name] as rl.Tensor), c.dbeta)).toBeLessThan(1e-6);
      });
    });
  }

  it('in float32 as well (same outputs to float32 accuracy)', () => {
    const c = torchCases[1];
    const gn = L.groupNormalization({ groups: c.groups, epsilon: c.epsilon });
    const x = rl.tensor(c.x, c.shape);
    gn.apply(x);
    gn.setWeights([c.gamma, c.beta]);
    expect(maxDiff(values(gn.apply(x)), c.y)).toBeLessThan(1e-5);
  });
});

describe('GroupNormalization, by hand and gradients', () => {
  it('groups 1 is LayerNormalization over steps and channels together; groups -1 normalizes each channel alone', () => {
    const x = randomF32([2, 3, 4], 5);
    const one = values(L.groupNormalization({ groups: 1 }).apply(x));
    const ln = values(L.layerNormalization({ axis: [1, 2] }).apply(x));
    expect(maxDiff(one, ln)).toBeLessThan(1e-5);
    const inst = L.groupNormalization({ groups: -1, epsilon: 0 });
    const y = values(inst.apply(x));
    const d = x.values as Float32Array;
    for (let b = 0; b < 2; b++) for (let ch = 0; ch < 4; ch++) {
      const col = [0, 1, 2].map((t) => d[b * 12 + t * 4 + ch]);
      const m = col.reduce((s, v) => s + v, 0) / 3, v = col.reduce((s, q) => s + (q - m) ** 2, 0) / 3;
      for (let t = 0; t < 3; t++) expect(y[b * 12 + t * 4 + ch]).toBeCloseTo((col[t] - m) / Math.sqrt(v), 4);
    }
    expect(inst.getConfig().groups).toBe(-1);
  });

  it('gammaInitializer and betaInitializer set the starting scale and offset', () => {
    const gn = L.groupNormalization({ groups: 2, gammaInitializer: 'zeros', betaInitializer: 'ones' });
    expect(values(gn.apply(randomF32([2, 3, 4], 6)))).toEqual(new Array(24).fill(1));
  });

  it('axis 1 takes the channels from axis 1 (the same as moving them last)', () => {
    const x = randomF32([2, 6, 3], 8);
    const onAxis1 = values(L.groupNormalization({ groups: 2, axis: 1 }).apply(x));
    const moved = L.groupNormalization({ groups: 2 }).apply(rl.transpose(x, [0, 2, 1])) as rl.Tensor;
    expect(maxDiff(onAxis1, values(rl.transpose(moved, [0, 2, 1])))).toBeLessThan(1e-6);
  });

  it('gradients (float64, central differences): gamma and beta, without them, and on axis 1', () => {
    float64(() => {
      const cases: [rl.layerClasses.GroupNormalizationArgs, number[]][] = [[{ groups: 2 }, [2, 3, 4]], [{ groups: 3, center: false }, [3, 6]], [{ groups: 2, scale: false, epsilon: 0.1 }, [2, 2, 4]], [{ groups: 2, axis: 1 }, [2, 4, 3]]];
      for (const [args, shape] of cases) {
        const gn = L.groupNormalization({ ...args, betaInitializer: 'randomNormal', gammaInitializer: 'randomUniform' });
        const x = randomTensor(shape, 5);
        gn.apply(x);
        gradCheck(([t]) => gn.apply(t) as rl.Tensor, [x], gn.trainableWeights);
      }
    });
  });

  it('has one gamma and one beta per channel (Keras\'s counts); gammaRegularizer adds its penalty; betaConstraint holds', async () => {
    const m = rl.sequential({ layers: [L.dense({ units: 6, inputShape: [3, 2] }), L.groupNormalization({ groups: 3 }), L.groupNormalization({ groups: 2, center: false })] });
    expect(m.layers.map((l) => l.countParams())).toEqual([18, 12, 6]);
    expect(m.layers[1].weights.map((w) => w.name.split('/')[1])).toEqual(['gamma', 'beta']);
    const build = (args: rl.layerClasses.GroupNormalizationArgs) => {
      rl.setSeed(2);
      const model = rl.sequential({ layers: [L.dense({ units: 4, inputShape: [2] }), L.groupNormalization({ groups: 2, ...args })] });
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return model;
    };
    const x = randomF32([6, 2], 3), y = randomF32([6, 4], 4);
    const plain = (build({}).evaluate(x, y) as rl.Tensor).dataSync()[0];
    const penalized = (build({ gammaRegularizer: rl.regularizers.l2({ l2: 0.5 }) }).evaluate(x, y) as rl.Tensor).dataSync()[0];
    expect(penalized - plain).toBeCloseTo(2, 4);
    const free = build({});
    await free.fit(x, y, { epochs: 5, batchSize: 2, verbose: 0 });
    expect(Array.from(free.layers[1].getWeightValues()[1]).some((b) => b < 0)).toBe(true);
    const held = build({ betaConstraint: 'nonNeg' });
    await held.fit(x, y, { epochs: 5, batchSize: 2, verbose: 0 });
    expect(Array.from(held.layers[1].getWeightValues()[1]).every((b) => b >= 0)).toBe(true);
  });
});

describe('masks, saving, fitting and export', () => {
  it('a padding mask passes through both layers: the LSTM after them skips the masked steps', () => {
    // GroupNormalization's statistics span the steps, masked ones included (as in Keras), so the reference is the
    // LSTM run on the normalized output's real steps only.
    for (const norm of [() => L.unitNormalization(), () => L.groupNormalization({ groups: 2, axis: -1 })]) {
      rl.setSeed(4);
      const m = rl.sequential({ layers: [L.embedding({ inputDim: 6, outputDim: 4, maskZero: true }), norm(), L.lstm({ units: 3 })] });
      const ids = rl.tensor([[1, 2, 0, 0]], [1, 4], 'int32');
      const predicted = values(m.predict(ids));
      const normalized = m.layers[1].apply(m.layers[0].apply(ids) as rl.Tensor) as rl.Tensor;
      const realSteps = m.layers[2].apply(rl.slice(normalized, [0, 0, 0], [1, 2, 4])) as rl.Tensor;
      const allSteps = m.layers[2].apply(normalized) as rl.Tensor;
      expect(maxDiff(predicted, values(realSteps))).toBeLessThan(1e-6);
      expect(maxDiff(values(allSteps), values(realSteps))).toBeGreaterThan(1e-3);
    }
  });

  it('save and load keep the configs and the predictions', async () => {
    rl.setSeed(12);
    const m = rl.sequential({ layers: [L.dense({ units: 6, inputShape: [5, 3] }), L.groupNormalization({ name: 'gn', groups: 3, epsilon: 0.02, gammaRegularizer: 'l2', betaConstraint: 'nonNeg' }), L.unitNormalization({ name: 'un', axis: [1, 2] }), L.dense({ units: 2 })] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const x = randomF32([8, 5, 3], 1);
    await m.fit(x, randomF32([8, 5, 2], 2), { epochs: 1, batchSize: 4, verbose: 0 });
    const dir = join(root, 'saved');
    await m.save(dir);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers;
    expect(saved[1].class_name).toBe('GroupNormalization');
    expect(saved[1].config).toMatchObject({ groups: 3, axis: -1, epsilon: 0.02 });
    expect(saved[2].config.axis).toEqual([1, 2]);
    const back = await rl.loadModel(dir);
    expect(back.layers[1].getConfig()).toEqual(m.layers[1].getConfig());
    expect(back.layers[2].getConfig()).toEqual(m.layers[2].getConfig());
    expect(values(back.predict(x))).toEqual(values(m.predict(x)));
  });

  it('a small model with groupNormalization fits (loss falls by more than half); one with unitNormalization learns directions', async () => {
    rl.setSeed(3);
    const x = randomF32([64, 4], 7);
    const xd = x.values as Float32Array;
    const target = rl.tensor(Array.from({ length: 64 }, (_, i) => xd[i * 4] - 2 * xd[i * 4 + 1] + 0.5 * xd[i * 4 + 2]), [64, 1]);
    const m = rl.sequential({ layers: [L.dense({ units: 8, inputShape: [4] }), L.groupNormalization({ groups: 4 }), L.dense({ units: 8, activation: 'tanh' }), L.dense({ units: 1 })] });
    m.compile({ optimizer: rl.train.adam(0.02), loss: 'meanSquaredError' });
    const h = await m.fit(x, target, { epochs: 60, batchSize: 16, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss[loss.length - 1]).toBeLessThan(loss[0] * 0.5);
    // Unit vectors in the plane labelled by their half-plane: a layer that scales them to norm 1 keeps that learnable.
    const pts = randomF32([64, 2], 9), pd = pts.values as Float32Array;
    const labels = rl.tensor(Array.from({ length: 64 }, (_, i) => (pd[i * 2] + pd[i * 2 + 1] > 0 ? 1 : 0)), [64, 1]);
    const u = rl.sequential({ layers: [L.unitNormalization({ inputShape: [2] }), L.dense({ units: 1, activation: 'sigmoid' })] });
    u.compile({ optimizer: rl.train.adam(0.1), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const hu = await u.fit(pts, labels, { epochs: 40, batchSize: 16, verbose: 0 });
    const acc = hu.history.acc ?? hu.history.accuracy;
    expect((acc as number[])[acc!.length - 1]).toBeGreaterThan(0.9);
  });

  it('ONNX export refuses both by name', () => {
    for (const layer of [L.groupNormalization({ groups: 2 }), L.unitNormalization()]) {
      const m = rl.sequential({ layers: [L.dense({ units: 4, inputShape: [3] }), layer] });
      expect(() => rl.toOnnx(m)).toThrow(new RegExp(`${layer.getClassName()}.*has no ONNX export`));
    }
  });
});

describe('bad options and inputs, each an error naming it', () => {
  it.each([
    ['groups 0', () => L.groupNormalization({ groups: 0 }), /groups must be a positive integer \(or -1 for instance normalization\), got 0/],
    ['groups a string', () => L.groupNormalization({ groups: '2' as never }), /groups must be a positive integer .*got the string "2"/],
    ['axis a list', () => L.groupNormalization({ axis: [1, 2] as never }), /axis must be one integer \(the channels axis\), got \[1,2\]/],
    ['epsilon negative', () => L.groupNormalization({ epsilon: -1 }), /epsilon must be a finite number >= 0, got -1/],
    ['an unknown option', () => L.groupNormalization({ group: 2 } as never), /group/],
    ['unit axis a string', () => L.unitNormalization({ axis: 'last' as never }), /axis must be an integer or a list of integers, got the string "last"/],
    ['unit epsilon (Keras has none)', () => L.unitNormalization({ epsilon: 1e-6 } as never), /epsilon/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it('groups that do not divide the channels, more groups than channels, and an unknown channel count fail at build', () => {
    const build = (args: rl.layerClasses.GroupNormalizationArgs, inputShape: (number | null)[]) => () => rl.sequential({ layers: [L.groupNormalization({ ...args, inputShape })] });
    expect(build({ groups: 32 }, [3, 8])).toThrow(/groups \(32\) cannot be more than the number of channels \(8\) on axis -1/);
    expect(build({ groups: 3 }, [3, 8])).toThrow(/groups \(3\) must divide the number of channels \(8\) on axis -1/);
    expect(build({ groups: 2 }, [3, null])).toThrow(/axis -1 of input \(None, 3, None\) must have a known size/);
    expect(build({ groups: 2, axis: 0 }, [4])).toThrow(/axis 0 is out of range for input of rank 2 \(axis 0 is the batch\)/);
    expect(() => rl.sequential({ layers: [L.unitNormalization({ axis: 3, inputShape: [2, 2] })] })).toThrow(/axis 3 is out of range for input of rank 3/);
    expect(() => rl.sequential({ layers: [L.unitNormalization({ axis: [2, -1], inputShape: [2, 2] })] })).toThrow(/axis \[2,-1\] repeats an axis/);
  });
});
