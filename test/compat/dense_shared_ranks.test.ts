/**
 * One Dense shared between inputs of different ranks, as Keras's and tfjs's Dense allow (their input spec fixes only
 * the last axis, with a minimum rank of 2): built symbolically, called eagerly, and a tfjs-saved model of it loaded.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const values = (t: { dataSync(): ArrayLike<number> }): number[] => Array.from(t.dataSync());

function maxDiff(a: number[], b: number[]): number {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

describe('a Dense shared across ranks', () => {
  it('applies to [batch, 3] and [batch, 5, 3] with one kernel, in either order', () => {
    const d = rl.layers.dense({ units: 2 });
    const a = rl.input({ shape: [3] }), b = rl.input({ shape: [5, 3] });
    expect((d.apply(a) as rl.SymbolicTensor).shape).toEqual([null, 2]);
    expect((d.apply(b) as rl.SymbolicTensor).shape).toEqual([null, 5, 2]);
    const e = rl.layers.dense({ units: 2 });
    expect((e.apply(b) as rl.SymbolicTensor).shape).toEqual([null, 5, 2]);
    expect((e.apply(a) as rl.SymbolicTensor).shape).toEqual([null, 2]);
    // Eager: each row of the rank-3 input is the rank-2 product.
    const x = rl.tensor(Float32Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i)), [2, 5, 3]);
    const y3 = values(d.apply(x) as rl.Tensor);
    const y2 = values(d.apply(rl.reshape(x, [10, 3])) as rl.Tensor);
    expect(maxDiff(y3, y2)).toBe(0);
  });

  it('still refuses another last axis, and rank 1', () => {
    const d = rl.layers.dense({ units: 2 });
    d.apply(rl.input({ shape: [3] }));
    expect(() => d.apply(rl.input({ shape: [5, 4] }))).toThrow(/was built for input \(None, 3\) but is applied to \(None, 5, 4\)/);
    expect(() => d.apply(rl.tensor([1, 2, 3]))).toThrow(/Dense/);
    const lstm = rl.layers.lstm({ units: 2 });
    lstm.apply(rl.input({ shape: [5, 3] }));
    expect(() => lstm.apply(rl.input({ shape: [4, 5, 3] }))).toThrow(/was built for input/);
  });

  it('a tfjs-saved model sharing a Dense across ranks loads and predicts as tfjs 4.22', async () => {
    const a = tf.input({ shape: [3] }), b = tf.input({ shape: [5, 3] });
    const d = tf.layers.dense({ units: 2, name: 'd' });
    const ya = d.apply(a) as tf.SymbolicTensor, yb = tf.layers.flatten().apply(d.apply(b) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const tm = tf.model({ inputs: [a, b], outputs: tf.layers.concatenate().apply([ya, yb]) as tf.SymbolicTensor });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await tm.save(tf.io.withSaveHandler(async (art) => { artifacts = art; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const m = await rl.loadLayersModel(rl.io.fromMemory(artifacts as never));
    const xa = Float32Array.from({ length: 2 * 3 }, (_, i) => Math.cos(i)), xb = Float32Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i));
    const theirs = values(tm.predict([tf.tensor(xa, [2, 3]), tf.tensor(xb, [2, 5, 3])]) as tf.Tensor);
    const ours = values((m as rl.Functional).predict([rl.tensor(xa, [2, 3]), rl.tensor(xb, [2, 5, 3])]) as rl.Tensor);
    expect(maxDiff(ours, theirs)).toBeLessThan(1e-5);
  });
});
