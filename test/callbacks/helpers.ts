/** A tiny seeded regression model and its data, for the callbacks' start-check tests. */
import * as rl from '../../src/index.js';

export const x = rl.ones([16, 4]);
export const y = rl.ones([16, 1]);

export function model(): rl.Sequential {
  rl.setSeed(1);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [4] })] });
  m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  return m;
}

export const values = (m: rl.Sequential) => m.getWeights().map((w) => Array.from(w.dataSync()));
