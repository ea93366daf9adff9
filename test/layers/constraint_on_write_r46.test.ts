/**
 * Every weight-setting entry of tfjs 4.22 (model and layer setWeights, the layer option `weights`, loadWeights,
 * loadLayersModel) writes through LayerVariable.write, which applies the weight's constraint; tf.Variable.assign does
 * not. The same calls run here and in tfjs and must leave the same values.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { folderArtifacts, maxDiff } from '../compat/functional_helpers.js';
import { removeDir, tempDir } from '../io/helpers.js';
import { tfjsReady } from './tfjs_twin.js';

const KERNEL = [[1, 2], [3, 4], [5, 6]];
const BIAS = [-1, 1];

function rlDense(extra: Record<string, unknown> = {}): rl.Sequential {
  return rl.sequential({ layers: [rl.layers.dense({
    units: 2, inputShape: [3], kernelConstraint: rl.constraints.maxNorm({ maxValue: 0.1 }), biasConstraint: 'nonNeg', ...extra,
  })] });
}

function tfDense(extra: Record<string, unknown> = {}): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.dense({
    units: 2, inputShape: [3], kernelConstraint: tf.constraints.maxNorm({ maxValue: 0.1 }), biasConstraint: 'nonNeg', ...extra,
  })] });
}

const flat = (ts: { dataSync(): ArrayLike<number> }[]): number[][] => ts.map((t) => Array.from(t.dataSync()));

/** tfjs's values after `write` sets KERNEL and BIAS on a fresh constrained dense model. */
async function tfAfter(write: (m: tf.Sequential) => void): Promise<number[][]> {
  await tfjsReady();
  const m = tfDense();
  write(m);
  return flat(m.getWeights());
}

function expectSame(ours: number[][], theirs: number[][]): void {
  expect(ours.length).toBe(theirs.length);
  ours.forEach((o, i) => expect(maxDiff(o, theirs[i])).toBeLessThan(1e-6));
}

// maxNorm(0.1) over axis 0 scales each kernel column to norm 0.1; nonNeg zeroes the negative bias entry.
const BY_HAND = [[1, 2, 3, 4, 5, 6].map((v, i) => v * 0.1 / Math.hypot(...[1, 3, 5].map((k) => k + (i % 2)))), [0, 1]];

describe('a weight\'s constraint applies on every tfjs write path', () => {
  const root = tempDir('rnnlab-constraint-write-');
  afterAll(() => removeDir(root));

  it('model.setWeights constrains as tfjs (maxNorm kernel, nonNeg bias)', async () => {
    const m = rlDense();
    m.setWeights([rl.tensor2d(KERNEL), rl.tensor1d(BIAS)]);
    const theirs = await tfAfter((t) => t.setWeights([tf.tensor2d(KERNEL), tf.tensor1d(BIAS)]));
    expectSame(flat(m.getWeights()), theirs);
    expectSame(flat(m.getWeights()), BY_HAND);
  });

  it('layer.setWeights and a flat array constrain as tfjs', async () => {
    const m = rlDense();
    m.layers[0].setWeights([Float32Array.from(KERNEL.flat()), BIAS]);
    const theirs = await tfAfter((t) => t.layers[0].setWeights([tf.tensor2d(KERNEL), tf.tensor1d(BIAS)]));
    expectSame(flat(m.getWeights()), theirs);
  });

  it('the layer option weights goes through the constraint when the layer is built, as tfjs', async () => {
    const m = rlDense({ weights: [rl.tensor2d(KERNEL), rl.tensor1d(BIAS)] });
    await tfjsReady();
    const t = tfDense({ weights: [tf.tensor2d(KERNEL), tf.tensor1d(BIAS)] });
    expectSame(flat(m.getWeights()), flat(t.getWeights()));
    expectSame(flat(m.getWeights()), BY_HAND);
  });

  it('loadWeights, setWeights and loadLayersModel agree on the same values', async () => {
    const a = rlDense();
    const [kName, bName] = a.getNamedWeights().map((w) => w.name);
    a.loadWeights({ [kName]: rl.tensor2d(KERNEL), [bName]: rl.tensor1d(BIAS) });
    const b = rlDense();
    b.setWeights([rl.tensor2d(KERNEL), rl.tensor1d(BIAS)]);
    expect(flat(a.getWeights())).toEqual(flat(b.getWeights()));
    // A file holding the raw values (assign bypasses the constraint) loads as the two above.
    const c = rlDense();
    c.layers[0].weights[0].assign(rl.tensor2d(KERNEL));
    c.layers[0].weights[1].assign(rl.tensor1d(BIAS));
    await c.save(`file://${root}/raw`);
    const loaded = await rl.loadLayersModel(`file://${root}/raw`);
    expect(flat(loaded.getWeights())).toEqual(flat(b.getWeights()));
    expectSame(flat(loaded.getWeights()), BY_HAND);
  });

  it('loadLayersModel of a file holding unconstrained values gives tfjs\'s loaded weights', async () => {
    // A fresh model's initial values are not constrained (in tfjs neither): the file holds norms far above 0.01.
    rl.setSeed(5);
    const m = rl.sequential({ layers: [
      rl.layers.embedding({ inputDim: 6, outputDim: 3, inputShape: [4], embeddingsConstraint: rl.constraints.maxNorm({ maxValue: 0.01, axis: 1 }) }),
      rl.layers.lstm({ units: 3, kernelConstraint: 'nonNeg', recurrentConstraint: rl.constraints.unitNorm({ axis: 1 }),
        biasConstraint: rl.constraints.minMaxNorm({ minValue: 0.2, maxValue: 0.3, rate: 0.5 }), biasInitializer: 'ones' }),
      rl.layers.dense({ units: 2, kernelConstraint: rl.constraints.maxNorm({ maxValue: 0.05, axis: 1 }), biasConstraint: 'nonNeg', biasInitializer: rl.initializers.constant({ value: -1 }) }),
    ] });
    const dir = `${root}/fresh`;
    await m.save(`file://${dir}`);
    const saved = flat(m.getWeights());
    const loaded = await rl.loadLayersModel(`file://${dir}`);
    await tfjsReady();
    const t = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as tf.io.ModelArtifacts));
    expectSame(flat(loaded.getWeights()), flat(t.getWeights()));
    // and the constraint did change them
    expect(Math.max(...flat(loaded.getWeights()).map((v, i) => maxDiff(v, saved[i])))).toBeGreaterThan(0.1);
    expect(flat(loaded.getWeights())[5]).toEqual([0, 0]);
  });

  it('a model trained with constraints saves and reloads with the same predictions', async () => {
    rl.setSeed(11);
    const m = rlDense({ kernelConstraint: rl.constraints.maxNorm({ maxValue: 0.3 }) });
    m.compile({ optimizer: rl.train.sgd(0.5), loss: 'meanSquaredError' });
    const x = rl.tensor2d([[1, 2, 3], [-1, 0.5, 2], [0, 1, -2], [3, 1, 1]]);
    await m.fit(x, rl.tensor2d([[1, -1], [2, 0], [-3, 1], [0.5, 4]]), { epochs: 3, verbose: 0 });
    const dir = `${root}/trained`;
    await m.save(`file://${dir}`);
    const loaded = await rl.loadLayersModel(`file://${dir}`);
    const before = Array.from((m.predict(x) as rl.Tensor).dataSync());
    const after = Array.from((loaded.predict(x) as rl.Tensor).dataSync());
    expect(maxDiff(after, before)).toBeLessThan(1e-6);
  });

  it('variable.assign stays raw, as tf.Variable.assign; write applies the constraint, and a write of itself is a no-op', async () => {
    const m = rlDense();
    const k = m.layers[0].weights[0];
    k.assign(rl.tensor2d(KERNEL));
    expect(Array.from(k.dataSync())).toEqual(KERNEL.flat());
    k.write(k);
    expect(Array.from(k.dataSync())).toEqual(KERNEL.flat());
    k.write(rl.tensor2d(KERNEL));
    expect(maxDiff(Array.from(k.dataSync()), BY_HAND[0])).toBeLessThan(1e-6);
  });

  it('setWeights of the weights themselves writes nothing, constraint included, as tfjs (whose getWeights gives them)', async () => {
    const m = rlDense();
    m.layers[0].weights[0].assign(rl.tensor2d(KERNEL));
    m.setWeights(m.weights);
    expect(flat(m.getWeights())[0]).toEqual(KERNEL.flat());
    const theirs = await tfAfter((t) => {
      (t.layers[0].weights[0].read() as tf.Variable).assign(tf.tensor2d(KERNEL));
      t.setWeights(t.getWeights());
    });
    expect(theirs[0]).toEqual(KERNEL.flat());
  });

  it('a refused setWeights leaves every weight as it was, constraint not applied', () => {
    const m = rlDense();
    const before = flat(m.getWeights());
    expect(() => m.setWeights([rl.tensor2d(KERNEL), [1, 2, 3]])).toThrow(/expected 2 values/);
    expect(flat(m.getWeights())).toEqual(before);
  });
});
