/**
 * A tfjs-style classification program end to end: data made and normalised with tensor ops, one-hot labels,
 * a model trained on them, predictions scored with argMax/equal/mean inside tidy, and memory left as found.
 */
import { expect, it } from 'vitest';
import * as rl from '../../src/index.js';

it('prepares data, trains, and scores with tensor ops only', async () => {
  rl.setSeed(11);
  const before = rl.memory().numTensors;
  // Three Gaussian blobs in 2-D, labels 0..2.
  const centers = rl.tensor2d([[0, 0], [6, 6], [-6, 6]]);
  const labels = rl.tensor1d(Array.from({ length: 300 }, (_, i) => i % 3), 'int32');
  const raw = rl.tidy(() => rl.gather(centers, labels).add(rl.randomNormal([300, 2])));
  const { mean, variance } = rl.moments(raw, 0);
  const xs = rl.tidy(() => raw.sub(mean).div(variance.sqrt()));
  const ys = rl.tidy(() => rl.oneHot(labels, 3).cast('float32'));
  expect(rl.memory().numTensors - before).toBe(7);
  const columnMeans = rl.mean(xs, 0);
  expect(columnMeans.arraySync()).toEqual([expect.closeTo(0, 5), expect.closeTo(0, 5)]);
  // The one-hot intermediate above was tidied; this one is left for the final check to catch unless disposed.
  columnMeans.dispose();

  const model = rl.sequential({ layers: [rl.layers.dense({ units: 8, activation: 'relu', inputShape: [2] }), rl.layers.dense({ units: 3, activation: 'softmax' })] });
  model.compile({ optimizer: rl.train.adam(0.05), loss: 'categoricalCrossentropy' });
  await model.fit(xs, ys, { epochs: 20, batchSize: 30, verbose: 0 });

  const accuracy = rl.tidy(() => {
    const predicted = (model.predict(xs) as rl.Tensor).argMax(-1);
    return predicted.equal(labels).cast('float32').mean();
  });
  expect(accuracy.dataSync()[0]).toBeGreaterThan(0.95);
  rl.dispose([centers, labels, raw, mean, variance, xs, ys, accuracy]);
  expect(rl.memory().numTensors).toBe(before);
});

it('reads predictions with await t.data() as tfjs programs do', async () => {
  const model = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
  const probs = model.predict(rl.tensor2d([[1, 2, 3], [0, 0, 0]])) as rl.Tensor;
  const values = await probs.data();
  expect(values).toBeInstanceOf(Float32Array);
  expect(Array.from(values)).toEqual(Array.from(probs.dataSync()));
  expect(values[0] + values[1]).toBeCloseTo(1, 6);
  const ids = await rl.tensor1d([4, 5], 'int32').data();
  expect(ids).toBeInstanceOf(Int32Array);
  expect(Array.from(ids)).toEqual([4, 5]);
});
