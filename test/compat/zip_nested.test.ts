/** tfjs's data.zip takes nested arrays and objects of datasets: the usual way to feed a multi-input model. */
import { describe, expect, it } from 'vitest';
import { rl, snippet } from './snippet_harness.js';

describe('data.zip of nested structures', () => {
  snippet('nested objects and arrays keep their shape', async (tf) => {
    const a = tf.data.array([1, 2, 3]), b = tf.data.array([10, 20]), c = tf.data.array(['x', 'y', 'z']);
    return tf.data.zip({ xs: { a, b }, ys: [c, { again: a }] }).toArray();
  });

  snippet('a two-input model trains by fitDataset on {xs: {a, b}, ys}', async (tf) => {
    const a = tf.input({ shape: [2], name: 'a' }), b = tf.input({ shape: [1], name: 'b' });
    const joined = tf.layers.concatenate().apply([a, b]);
    const out = tf.layers.dense({ units: 1, kernelInitializer: 'ones', biasInitializer: 'zeros' }).apply(joined);
    const model = tf.model({ inputs: [a, b], outputs: out });
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const xa = [[1, 2], [3, 4], [5, 6], [7, 8]], xb = [[1], [0], [1], [0]], y = [[1], [2], [3], [4]];
    const ds = tf.data.zip({ xs: { a: tf.data.array(xa), b: tf.data.array(xb) }, ys: tf.data.array(y) })
      .map((e: any) => ({ xs: { a: tf.tensor(e.xs.a), b: tf.tensor(e.xs.b) }, ys: tf.tensor(e.ys) })).batch(2);
    const history = await model.fitDataset(ds, { epochs: 2, verbose: 0 });
    return [history.history.loss, model.getWeights()[0]];
  }, { tol: 1e-4 });

  it('names the entry that is not a dataset', () => {
    expect(() => rl.data.zip({ xs: { a: rl.data.array([1]), b: [1, 2] as never } })).toThrow(/datasets\.xs\.b\[0\] is number/);
    expect(() => rl.data.zip(5 as never)).toThrow(/expected an array or an object of datasets/);
  });

  it('an empty zip ends at once', async () => {
    expect(await rl.data.zip([]).toArray()).toEqual([]);
  });
});
