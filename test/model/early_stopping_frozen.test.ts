/**
 * earlyStopping's restoreBestWeights restores each weight's own values even when a layer was frozen after the best
 * epoch: getWeights lists a frozen layer's weights after the trainable ones (tfjs), so a snapshot taken by that
 * order would land on the wrong weights (silently when the shapes agree, as here).
 */
import { expect, it } from 'vitest';
import * as rl from '../../src/index.js';

it('restores the best epoch\'s values weight by weight after a layer is frozen', async () => {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [2], name: 'first' }), rl.layers.dense({ units: 2, name: 'second' })] });
  m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
  const x = rl.tensor2d([[1, 2], [-1, 0.5], [0.3, -2], [2, 1]]);
  const y = rl.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]]);
  let atBest: number[][] = [];
  const watch = {
    onEpochEnd: (epoch: number) => {
      // mode 'max' on a falling loss makes epoch 0 the best.
      if (epoch === 0) atBest = m.layers.flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
      if (epoch === 1) m.layers[0].trainable = false;
    },
  };
  const stop = rl.callbacks.earlyStopping({ monitor: 'loss', mode: 'max', patience: 10, restoreBestWeights: true });
  await m.fit(x, y, { epochs: 4, batchSize: 4, shuffle: false, verbose: 0, callbacks: [watch, stop] });
  const now = m.layers.flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
  now.forEach((w, i) => w.forEach((v, k) => expect(v).toBeCloseTo(atBest[i][k], 6)));
});
