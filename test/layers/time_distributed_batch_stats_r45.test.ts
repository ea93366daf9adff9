/**
 * timeDistributed over a layer whose training depends on the batch (BatchNormalization, alone or inside a wrapped
 * model): tfjs 4.22 (K.rnn over the steps) and Keras 3 (a call per step) normalize each step with its own batch
 * statistics and move the moving statistics once per step, in step order. The references are computed here by
 * @tensorflow/tfjs on the twin of each model (same initial weights, loaded from rnnlab's saved files).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { maxDiff } from '../compat/functional_helpers.js';
import { randomF32, tfjsReady, tfjsTwin, toTf } from './tfjs_twin.js';

const L = rl.layers;
const STEPS = 3, FEATURES = 2;
const root = mkdtempSync(join(tmpdir(), 'rl-td-bn-'));

/** Twelve samples whose features sit off zero (so the statistics move), and their targets. */
function data(): { x: rl.Tensor; y: rl.Tensor } {
  const noise = randomF32([12, STEPS, FEATURES], 4);
  const x = rl.add(noise, rl.tensor(Float32Array.from({ length: STEPS * FEATURES }, (_, i) => 0.5 * i - 1), [1, STEPS, FEATURES])) as rl.Tensor;
  return { x, y: randomF32([12, 1], 5) };
}

const bn = () => L.batchNormalization({ momentum: 0.8, name: 'bn' });
const encoders: Record<string, () => unknown> = {
  'batchNormalization': bn,
  'a Sequential of dense and batchNormalization': () => rl.sequential({ name: 'enc', layers: [L.dense({ units: 3, inputShape: [FEATURES], name: 'd' }), bn()] }),
  'a functional model of dense and batchNormalization': () => {
    const i = rl.input({ shape: [FEATURES] });
    return rl.model({ name: 'enc', inputs: i, outputs: bn().apply(L.dense({ units: 3, name: 'd' }).apply(i)) as rl.SymbolicTensor });
  },
};

const outer = (inner: unknown) => rl.sequential({ layers: [
  L.timeDistributed({ layer: inner as Layer, inputShape: [STEPS, FEATURES], name: 'td' }), L.flatten({ name: 'flat' }), L.dense({ units: 1, name: 'out' })] });

describe('timeDistributed over batch-statistics layers: one fit epoch against tfjs 4.22', () => {
  for (const [what, make] of Object.entries(encoders)) {
    it(`timeDistributed(${what}): weights, moving statistics and predictions after three sgd batches`, async () => {
      const m = outer(make());
      const tm = await tfjsTwin(m, root, what.replace(/\W+/g, '_'));
      const { x, y } = data();
      m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
      tm.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
      await m.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
      await tm.fit(toTf(x), toTf(y), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
      // tfjs's order (trainable weights, then the moving statistics), which rnnlab's getWeights keeps.
      const ours = m.getWeights(), theirs = tm.getWeights();
      expect(ours.map((w) => w.shape)).toEqual(theirs.map((w) => w.shape));
      ours.forEach((w, i) => expect(maxDiff(w.dataSync(), theirs[i].dataSync())).toBeLessThan(1e-5));
      expect(maxDiff((m.predict(x) as rl.Tensor).dataSync(), (tm.predict(toTf(x)) as tf.Tensor).dataSync())).toBeLessThan(1e-5);
    });
  }

  it('moves the moving statistics once per step (three updates a batch), in step order', () => {
    const td = L.timeDistributed({ layer: L.batchNormalization({ momentum: 0.5 }) });
    const x = rl.tensor([[[0], [4], [8]], [[2], [6], [10]]]);
    td.apply(x, { training: true });
    // Step means 1, 5, 9 (variances 1): 0 → 0.5 → 2.75 → 5.875; 1 → 1 → 1 → 1.
    expect(Array.from(td.weights[2].values)).toEqual([5.875]);
    expect(Array.from(td.weights[3].values)).toEqual([1]);
  });
});

describe('timeDistributed(batchNormalization) in training: gradients against tfjs 4.22', () => {
  it('of the input, gamma and beta, for a random probe of the output', async () => {
    await tfjsReady();
    const x = randomF32([4, STEPS, FEATURES], 7, 2), probe = randomF32([4, STEPS, FEATURES], 8);
    const gamma = randomF32([FEATURES], 9), beta = randomF32([FEATURES], 10);
    const td = L.timeDistributed({ layer: L.batchNormalization() });
    td.apply(x);
    td.setWeights([gamma, beta, rl.zeros([FEATURES]), rl.ones([FEATURES])]);
    const f = (t: rl.Tensor) => rl.sum(rl.mul(td.apply(t, { training: true }) as rl.Tensor, probe)) as rl.Scalar;
    const dx = rl.grad(f)(x);
    const { grads } = rl.variableGrads(() => f(x), td.trainableWeights as never);

    const ttd = tf.layers.timeDistributed({ layer: tf.layers.batchNormalization() });
    ttd.apply(toTf(x));
    ttd.setWeights([toTf(gamma), toTf(beta), tf.zeros([FEATURES]), tf.ones([FEATURES])]);
    const tfF = (t: tf.Tensor) => tf.sum(tf.mul(ttd.apply(t, { training: true }) as tf.Tensor, toTf(probe))) as tf.Scalar;
    const tdx = tf.grad(tfF)(toTf(x));
    const tGrads = tf.variableGrads(() => tfF(toTf(x)), ttd.trainableWeights.map((w) => w.read() as tf.Variable)).grads;
    const [tGamma, tBeta] = ttd.trainableWeights.map((w) => tGrads[(w.read() as tf.Variable).name].dataSync());

    expect(maxDiff(dx.dataSync(), tdx.dataSync())).toBeLessThan(1e-5);
    expect(maxDiff((grads[td.trainableWeights[0].name] as rl.Tensor).dataSync(), tGamma)).toBeLessThan(1e-5);
    expect(maxDiff((grads[td.trainableWeights[1].name] as rl.Tensor).dataSync(), tBeta)).toBeLessThan(1e-5);
  });
});

describe('timeDistributed: the folded path stays where the batch does not matter', () => {
  it('layerNormalization and batchNormalization in inference give the same outputs per step as folded', () => {
    const x = randomF32([2, STEPS, FEATURES], 11);
    const ln = L.timeDistributed({ layer: L.layerNormalization() });
    const perStep = (td: Layer, training: boolean) => Array.from({ length: STEPS }, (_, t) =>
      Array.from(((td as unknown as { layer: Layer }).layer.apply(rl.slice(x, [0, t, 0], [2, 1, FEATURES]).reshape([2, FEATURES]), { training }) as rl.Tensor).dataSync()));
    const lnOut = (ln.apply(x, { training: true }) as rl.Tensor).arraySync() as number[][][];
    const lnSteps = perStep(ln, true);
    for (let t = 0; t < STEPS; t++) expect(maxDiff(lnOut.flatMap((s) => s[t]), lnSteps[t])).toBeLessThan(1e-6);
    const bnTd = L.timeDistributed({ layer: L.batchNormalization() });
    const bnOut = (bnTd.apply(x, { training: false }) as rl.Tensor).arraySync() as number[][][];
    const bnSteps = perStep(bnTd, false);
    for (let t = 0; t < STEPS; t++) expect(maxDiff(bnOut.flatMap((s) => s[t]), bnSteps[t])).toBeLessThan(1e-6);
  });

  it('a mask passes through a per-step training call as before', () => {
    const inp = rl.input({ shape: [STEPS, FEATURES] });
    const masked = L.masking({ maskValue: 0 }).apply(inp) as rl.SymbolicTensor;
    const td = L.timeDistributed({ layer: L.batchNormalization() }).apply(masked) as rl.SymbolicTensor;
    const out = L.lstm({ units: 2 }).apply(td) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: out });
    const x = rl.tensor([[[1, 2], [0, 0], [3, 1]], [[2, 1], [1, 1], [0, 0]]]);
    const tdLayer = m.layers[2];
    expect(Array.from((tdLayer.computeMask(x, rl.tensor([[1, 0, 1], [1, 1, 0]], [2, 3], 'bool')) as rl.Tensor).dataSync())).toEqual([1, 0, 1, 1, 1, 0]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const loss = m.trainOnBatch(x, rl.zeros([2, 2]));
    expect(Number.isFinite(Array.isArray(loss) ? loss[0] : loss)).toBe(true);
  });
});

describe('timeDistributed per step keeps integer ids exact', () => {
  it('ids above 2^24 hash to the same bins per step in training as the inner model gives them alone', () => {
    // float32 holds 123456789 as 123456792: a float step would hash other bins than inference does.
    const ids = rl.tensor(Int32Array.from([123456789, 123456787, 123456787, 5, 123456787, 7, 123456789, 123456789]), [2, 2, 2], 'int32');
    const inner = rl.sequential({ layers: [
      L.inputLayer({ inputShape: [2], dtype: 'int32' }), L.hashing({ numBins: 1000 }), L.embedding({ inputDim: 1000, outputDim: 2 }), L.batchNormalization()] });
    const td = L.timeDistributed({ layer: inner as unknown as Layer });
    const out = (td.apply(ids, { training: true }) as rl.Tensor).arraySync() as number[][][][];
    for (let t = 0; t < 2; t++) {
      const step = rl.slice(ids, [0, t, 0], [2, 1, 2]).reshape([2, 2]);
      expect(step.dtype).toBe('int32');
      const alone = (inner.apply(step, { training: true }) as rl.Tensor).dataSync();
      expect(maxDiff(out.flatMap((s) => s[t].flat()), alone)).toBeLessThan(1e-6);
    }
  });
});
