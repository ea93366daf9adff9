// The elementwise merge layers broadcast as Keras's and tfjs's do: an axis of size 1 stretches (the attention
// weighting pattern multiply([x (batch, 4, 3), a (batch, 4, 1)])), an input of lower rank gains axes after the batch
// axis; gradients sum over what was stretched; tfjs computes the same model to float precision.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { maxDiff } from './functional_helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function values(n: number, seed: number): number[] {
  const r = new rl.Random(seed);
  return Array.from({ length: n }, () => r.uniform(-1, 1));
}

describe('elementwise merges broadcast', () => {
  it('multiply by a (batch, steps, 1) weight, and add a lower-rank input: values and gradients', () => {
    const xv = values(2 * 4 * 3, 1), av = values(2 * 4, 2), bv = values(2 * 3, 3);
    const x = rl.tensor3d(xv, [2, 4, 3]), a = rl.tensor3d(av, [2, 4, 1]), b = rl.tensor2d(bv, [2, 3]);
    const y = rl.layers.multiply().apply([x, a]) as rl.Tensor;
    expect(y.shape).toEqual([2, 4, 3]);
    expect(maxDiff(y.dataSync() as Float32Array, rl.mul(x, a).dataSync() as Float32Array)).toBe(0);
    // (batch, 3) against (batch, 4, 3): Keras reads the first as (batch, 1, 3).
    const s = rl.layers.add().apply([b, x]) as rl.Tensor;
    expect(s.shape).toEqual([2, 4, 3]);
    expect(maxDiff(s.dataSync() as Float32Array, rl.add(x, rl.reshape(b, [2, 1, 3])).dataSync() as Float32Array)).toBe(0);
    // d/da sum(x * a) sums x over the stretched features; d/dx is a, stretched.
    const [gx, ga] = rl.grads((p: rl.Tensor, q: rl.Tensor) => rl.sum(rl.layers.multiply().apply([p, q]) as rl.Tensor))([x, a]);
    expect(ga.shape).toEqual([2, 4, 1]);
    expect(maxDiff(ga.dataSync() as Float32Array, rl.sum(x, -1, true).dataSync() as Float32Array)).toBeLessThan(1e-6);
    expect(maxDiff(gx.dataSync() as Float32Array, rl.mul(rl.onesLike(x), a).dataSync() as Float32Array)).toBe(0);
    const [, gb] = rl.grads((p: rl.Tensor, q: rl.Tensor) => rl.sum(rl.layers.maximum().apply([p, q]) as rl.Tensor))([x, b]);
    expect(gb.shape).toEqual([2, 3]);
  });

  it('symbolic shapes follow Keras (None stays None, 1 stretches); sizes that differ otherwise are refused', () => {
    const x = rl.input({ shape: [4, 3] }), w = rl.input({ shape: [4, 1] }), v = rl.input({ shape: [3] });
    expect((rl.layers.multiply().apply([x, w]) as rl.SymbolicTensor).shape).toEqual([null, 4, 3]);
    expect((rl.layers.average().apply([v, x, w]) as rl.SymbolicTensor).shape).toEqual([null, 4, 3]);
    expect((rl.layers.add().apply([rl.input({ shape: [null, 1] }), rl.input({ shape: [5, 2] })]) as rl.SymbolicTensor).shape).toEqual([null, null, 2]);
    expect(() => rl.layers.add({ name: 'bad' }).apply([x, rl.input({ shape: [4, 2] })]))
      .toThrow(/bad \(Add\): inputs must have the same shape, or sizes of 1 where they differ \(Keras's broadcast\), got \(None, 4, 3\) and \(None, 4, 2\)/);
  });

  it('an attention-weighted model trains and predicts as tfjs\'s with the same weights', async () => {
    const build = (L: typeof rl.layers | typeof tf.layers, lib: typeof rl | typeof tf) => {
      const x = (lib.input as (a: object) => rl.SymbolicTensor)({ shape: [4, 3] });
      const score = (L.dense as (a: object) => Layer)({ units: 1, activation: 'sigmoid' }).apply(x);
      const weighted = (L.multiply as () => Layer)().apply([x, score] as never);
      const pooled = (L.globalAveragePooling1d as () => Layer)().apply(weighted);
      const out = (L.dense as (a: object) => Layer)({ units: 1 }).apply(pooled);
      return (lib.model as (a: object) => rl.LayersModel)({ inputs: x, outputs: out });
    };
    const ours = build(rl.layers, rl), theirs = build(tf.layers, tf) as unknown as tf.LayersModel;
    theirs.setWeights(ours.getWeights().map((w) => tf.tensor(w.dataSync() as Float32Array, w.shape)));
    const xv = values(5 * 12, 4), yv = values(5, 5);
    for (const m of [ours, theirs] as unknown as tf.LayersModel[]) m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await ours.fit(rl.tensor3d(xv, [5, 4, 3]), rl.tensor2d(yv, [5, 1]), { epochs: 2, batchSize: 5, verbose: 0, shuffle: false });
    await theirs.fit(tf.tensor3d(xv, [5, 4, 3]), tf.tensor2d(yv, [5, 1]), { epochs: 2, batchSize: 5, verbose: 0, shuffle: false });
    const p = (ours.predict(rl.tensor3d(xv, [5, 4, 3])) as rl.Tensor).dataSync() as Float32Array;
    const q = (theirs.predict(tf.tensor3d(xv, [5, 4, 3])) as tf.Tensor).dataSync() as Float32Array;
    expect(maxDiff(p, q)).toBeLessThan(1e-5);
  });
});
