/**
 * Under rl.setPrecision(64) the weights are Float64Array, and so are getWeights()'s copies: setWeights(getWeights())
 * and earlyStopping's restoreBestWeights give the weights back exactly, not rounded to float32.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(() => rl.setPrecision(64));
afterAll(() => rl.setPrecision(32));

function twoLayers(): rl.Sequential {
  rl.setSeed(4);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2] }), rl.layers.dense({ units: 1 })] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
  return m;
}

const values = (m: rl.Sequential) => m.weights.map((w) => Array.from(w.values));

describe('getWeights under precision 64', () => {
  it('copies in float64, so setWeights(getWeights()) is exact (model and layer)', () => {
    const m = twoLayers();
    m.weights[0].assign(Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6));
    const got = m.getWeights();
    expect(got[0].values).toBeInstanceOf(Float64Array);
    expect(Array.from(got[0].values)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    const before = values(m);
    m.setWeights(m.getWeights());
    expect(values(m)).toEqual(before);
    const layer = m.layers[0];
    layer.setWeights(layer.getWeights());
    expect(Array.from(m.weights[0].values)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    // A copy: changing the weights afterwards leaves it alone.
    m.weights[0].assign(Float64Array.of(1, 1, 1, 1, 1, 1));
    expect(Array.from(got[0].values)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
  });

  it("earlyStopping's restoreBestWeights puts back the best epoch's weights exactly", async () => {
    const m = twoLayers();
    const x = rl.randomNormal([16, 2]), y = rl.randomNormal([16, 1]);
    const monitored = [1, 2, 3];
    const snaps: number[][][] = [];
    await m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [
      { onEpochEnd: (e, logs) => { logs!.m = monitored[e]; } },
      rl.callbacks.earlyStopping({ monitor: 'm', mode: 'min', patience: 5, restoreBestWeights: true }),
      { onEpochEnd: () => { snaps.push(values(m)); } },
    ] });
    expect(m.weights[0].values).toBeInstanceOf(Float64Array);
    expect(snaps[2]).not.toEqual(snaps[0]);
    expect(values(m)).toEqual(snaps[0]);
  });
});
