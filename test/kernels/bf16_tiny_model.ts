/**
 * A tiny binary classifier trained under a precision policy, for the mixed_bfloat16 tests: the same seed, data and
 * schedule under each policy, so their test accuracies and weights can be compared.
 */
import * as rl from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';

/** A seeded uniform generator in [0, 1) (an LCG: the tests' data must not depend on the library's own RNG). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export interface TinyRun {
  layers: () => Layer[];
  data: (n: number, seed: number) => { x: rl.Tensor; y: rl.Tensor };
  epochs: number;
  seed: number;
  learningRate: number;
  /** Index (in getWeights order) of the weight whose trained values are returned. */
  weight: number;
}

/** Trains run's model under `policy` on 600 samples and returns its accuracy on 300 others and one trained weight. */
export async function trainTiny(policy: 'float32' | 'mixed_bfloat16', run: TinyRun): Promise<{ acc: number; weights: Float32Array }> {
  rl.mixedPrecision.setGlobalPolicy(policy);
  rl.setSeed(run.seed);
  const m = rl.sequential({ layers: run.layers() });
  m.compile({ optimizer: rl.train.adam(run.learningRate), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const train = run.data(600, 1), test = run.data(300, 2);
  await m.fit(train.x, train.y, { epochs: run.epochs, batchSize: 32, verbose: 0 });
  const [, acc] = m.evaluate(test.x, test.y, { batchSize: 100 }) as rl.Scalar[];
  return { acc: acc.dataSync()[0], weights: Float32Array.from(m.getWeights()[run.weight].values as Float32Array) };
}
