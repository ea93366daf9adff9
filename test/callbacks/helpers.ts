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

/** A seeded two-layer tanh regression model (SGD 0.3) and its random data, for the resumed-best tests. */
export function resumeModel(): rl.Sequential {
  rl.setSeed(11);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 4, inputShape: [3], activation: 'tanh' }), rl.layers.dense({ units: 1 })] });
  m.compile({ optimizer: rl.train.sgd(0.3), loss: 'meanSquaredError' });
  return m;
}

export function resumeData(): { X: rl.Tensor; Y: rl.Tensor } {
  rl.setSeed(5);
  return { X: rl.randomNormal([40, 3]), Y: rl.randomNormal([40, 1]) };
}

/** A callback, listed before the ones that read it, that sets the monitored 'm' of each epoch to seq's. */
export const stampMonitor = (seq: number[]): rl.Callback => ({ onEpochEnd: (e, logs) => { logs!.m = seq[e]!; } });
