// Outputs of one layer share its name (an LSTM's returnState: [h, c] are both 'lstm'). Their losses and metrics
// must not overwrite each other in the logs: as @tensorflow/tfjs 4.22, a repeated label is numbered
// 'lstm_loss_0', 'lstm_loss_1', ... in fit's history and callbacks; rnnlab's metricsNames name them the same way.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxDiff } from './functional_helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;
beforeAll(async () => { await tf.setBackend('cpu'); });

function statesModel(lib: Lib) {
  const x = lib.input({ shape: [3, 2], name: 'x' });
  const [, h, c] = lib.layers.lstm({ units: 2, returnState: true, name: 'lstm', recurrentActivation: 'sigmoid', unitForgetBias: false,
    kernelInitializer: lib.initializers.constant({ value: 0.3 }), recurrentInitializer: lib.initializers.constant({ value: -0.2 }) }).apply(x);
  const m = lib.model({ inputs: x, outputs: [h, c] });
  m.compile({ optimizer: lib.train.sgd(0.1), loss: ['meanSquaredError', 'meanAbsoluteError'], metrics: ['mse'] });
  return m;
}
const data = (lib: Lib) => ({
  x: lib.tensor3d([[[1, 0], [0, 1], [1, 1]], [[0.5, -1], [0, 0], [2, 1]]]),
  y: [lib.tensor2d([[0.1, 0.2], [0.3, -0.1]]), lib.tensor2d([[1, 0], [0, 1]])],
});

it('fit logs each output under its own numbered key, with tfjs values', async () => {
  const ours = statesModel(rl), theirs = statesModel(tf);
  const a = data(rl), b = data(tf);
  const logged: string[][] = [];
  const h1 = await ours.fit(a.x, a.y, { epochs: 2, batchSize: 2, verbose: 0, validationData: [a.x, a.y],
    callbacks: { onEpochEnd: async (_e: number, logs?: Record<string, unknown>) => { logged.push(Object.keys(logs ?? {})); } } });
  const h2 = await theirs.fit(b.x, b.y, { epochs: 2, batchSize: 2, verbose: 0 });
  const keys = ['loss', 'lstm_loss_0', 'lstm_loss_1', 'lstm_mse_0', 'lstm_mse_1'];
  expect(Object.keys(h2.history).sort()).toEqual([...keys].sort());
  for (const k of keys) expect(maxDiff(h1.history[k] as number[], h2.history[k] as number[]), k).toBeLessThan(1e-5);
  expect(h1.history.lstm_loss_0).not.toEqual(h1.history.lstm_loss_1);
  expect(logged[0]).toEqual([...keys, ...keys.map((k) => `val_${k}`)]);
  expect(ours.metricsNames).toEqual(keys);
});
