/**
 * A BatchNormalization called twice in one forward pass (shared, or inside a nested model called twice) moves its
 * statistics once per call, each move starting from the one before, in the order the graph runs the calls:
 * add([bn(x), bn(z)]) runs x's call, then z's, as Keras 3 does (docs/API.md, Deliberate differences from tfjs);
 * tfjs 4.22 runs them the other way round.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const X = [[1, 2], [3, 5], [0, 1], [2, 2]];
const Z = [[10, -1], [4, 0], [6, 2], [8, 1]];
const Y = [[1], [0], [1], [0]];
const M = 0.5;
const columnMean = (rows: number[][]) => rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
// moving_mean starts at 0; each call sets it to m * moving + (1 - m) * batch mean.
const after = (first: number[][], second: number[][]) => columnMean(first).map((a, j) => ((1 - M) * a) * M + (1 - M) * columnMean(second)[j]);

type Lib = typeof rl | typeof tf;

function model(lib: Lib, nested: boolean) {
  const L = lib.layers as typeof rl.layers;
  const x = lib.input({ shape: [2], name: 'x' }), z = lib.input({ shape: [2], name: 'z' });
  const bn = L.batchNormalization({ momentum: M, name: 'bn' });
  let call = (t: rl.SymbolicTensor) => bn.apply(t) as rl.SymbolicTensor;
  if (nested) {
    const i = lib.input({ shape: [2] }) as rl.SymbolicTensor;
    const inner = (lib.model as typeof rl.model)({ inputs: i, outputs: bn.apply(i) as rl.SymbolicTensor, name: 'inner' });
    call = (t) => inner.apply(t) as rl.SymbolicTensor;
  }
  const sum = L.add().apply([call(x as rl.SymbolicTensor), call(z as rl.SymbolicTensor)]) as rl.SymbolicTensor;
  const m = (lib.model as typeof rl.model)({ inputs: [x, z] as rl.SymbolicTensor[], outputs: L.dense({ units: 1, kernelInitializer: 'ones' }).apply(sum) as rl.SymbolicTensor });
  // A zero learning rate: only the moving statistics change.
  m.compile({ optimizer: (lib.train as typeof rl.train).sgd(0), loss: 'meanSquaredError' });
  return m;
}

async function movingMean(lib: Lib, nested: boolean): Promise<number[]> {
  const m = model(lib, nested);
  const t = lib.tensor as typeof rl.tensor;
  await m.fit([t(X), t(Z)], t(Y), { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
  const bn = nested ? (m.getLayer('inner') as unknown as rl.Functional).getLayer('bn') : m.getLayer('bn');
  return Array.from(bn.getWeights()[2].dataSync());
}

describe('a BatchNormalization called twice in one step', () => {
  for (const nested of [false, true]) {
    it(nested ? 'inside a nested model: x then z, as Keras 3; tfjs z then x' : 'shared: x then z, as Keras 3; tfjs z then x', async () => {
      const xThenZ = after(X, Z), zThenX = after(Z, X);
      expect(xThenZ).not.toEqual(zThenX);
      (await movingMean(rl, nested)).forEach((v, j) => expect(v).toBeCloseTo(xThenZ[j], 6));
      (await movingMean(tf as never, nested)).forEach((v, j) => expect(v).toBeCloseTo(zThenX[j], 6));
    });
  }
});
