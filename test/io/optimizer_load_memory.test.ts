/**
 * Loading a model saved with includeOptimizer leaves no counted tensors: the optimizer state goes in without the
 * temporary tensors staying registered, so memory().numTensors is the same after each load as before it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from './helpers.js';

const root = tempDir('rnnlab-optload-mem-');
afterAll(() => removeDir(root));

describe('load with the optimizer state', () => {
  it('leaves numTensors flat and still restores the optimizer\'s state', async () => {
    rl.setSeed(2);
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 4, inputShape: [5, 2] }), rl.layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const x = rl.randomNormal([6, 5, 2]), y = rl.randomNormal([6, 1]);
    await m.fit(x, y, { epochs: 2, verbose: 0 });
    await m.save(`file://${root}/m`, { includeOptimizer: true });
    const saved = await m.optimizer!.getWeights();
    const before = rl.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const loaded = await rl.loadLayersModel(`file://${root}/m/model.json`);
      expect(rl.memory().numTensors).toBe(before);
      const state = await loaded.optimizer!.getWeights();
      expect(state.map((w) => w.name)).toEqual(saved.map((w) => w.name));
      state.forEach((w, k) => expect(Array.from(w.tensor.dataSync())).toEqual(Array.from(saved[k].tensor.dataSync())));
      rl.dispose(state.map((w) => w.tensor));
      loaded.dispose();
      expect(rl.memory().numTensors).toBe(before);
    }
  });
});
