// How far rnnlab's Adam (Keras 3's: epsilon added to sqrt(v), the bias correction folded into the rate) drifts
// from tfjs 4.22's (epsilon added to sqrt(v-hat)) when it continues from the state tfjs saved with includeOptimizer.
// The state is restored exactly: at epsilon 0 the two formulas coincide and only float rounding remains; the
// drift at tfjs's default epsilon, and its growth with a large epsilon, are the deliberate difference docs/API.md lists.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxAbsDiff } from './helpers.js';

beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });
const n = 16;
const xs = Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 1.3));
const ys = Float32Array.from({ length: n }, (_, i) => Math.cos(i));

/** tfjs trains 20 steps and saves with includeOptimizer; rnnlab loads; both continue: the max weight gap after each count of steps. */
async function drift(epsilon: number, counts: number[]): Promise<number[]> {
  // Seeded: the one-step gap depends on the starting weights (how small sqrt(v) is where epsilon sits).
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const tm = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: 'tanh', inputShape: [3], kernelInitializer: init(1) }), tf.layers.dense({ units: 1, kernelInitializer: init(2) })] });
  tm.compile({ optimizer: tf.train.adam(0.01, 0.9, 0.999, epsilon), loss: 'meanSquaredError' });
  const tx = tf.tensor2d(xs, [n, 3]), ty = tf.tensor2d(ys, [n, 1]);
  const opts = { batchSize: n, shuffle: false, verbose: 0 } as const;
  await tm.fit(tx, ty, { ...opts, epochs: 20 });
  let a: tf.io.ModelArtifacts | undefined;
  await tm.save(tf.io.withSaveHandler(async (z) => { a = z; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), { includeOptimizer: true });
  const m = await rl.loadLayersModel(rl.io.fromMemory(a as never));
  expect(m.optimizer!.getConfig()).toMatchObject({ learningRate: 0.01, epsilon });
  const rx = rl.tensor(xs, [n, 3]), ry = rl.tensor(ys, [n, 1]);
  const gaps: number[] = [];
  let done = 0;
  for (const steps of counts) {
    await tm.fit(tx, ty, { ...opts, epochs: steps - done });
    await m.fit(rx, ry, { ...opts, epochs: steps - done });
    done = steps;
    gaps.push(Math.max(...m.getWeights().map((w, i) => maxAbsDiff(w.dataSync(), tm.getWeights()[i].dataSync()))));
  }
  return gaps;
}

describe("Adam continued from tfjs's saved state", () => {
  it('epsilon 0: the formulas coincide, and 100 steps later the weights differ by float rounding only', async () => {
    const [one, hundred] = await drift(0, [1, 100]);
    expect(one).toBeLessThan(1e-6); // measured 6e-8
    expect(hundred).toBeLessThan(5e-5); // measured 4.1e-6
  });

  it("tfjs's default epsilon 1e-7: close after a step, slowly apart", async () => {
    const [one, hundred] = await drift(1e-7, [1, 100]);
    expect(one).toBeLessThan(5e-6); // measured 6.7e-7
    expect(hundred).toBeLessThan(5e-4); // measured 2.0e-5
  });

  it("epsilon 1e-3: Keras's epsilon weighs 1/sqrt(1 - beta2^t) times tfjs's, so the trajectories part", async () => {
    const [one, ten] = await drift(1e-3, [1, 10]);
    expect(one).toBeGreaterThan(1e-3); // measured 2.1e-3
    expect(ten).toBeGreaterThan(one); // measured 1.9e-2
  });
});
