// Gating at work: the sign shown at step 0 must survive 49 steps of strong noise on the same input channel.
// A flag marks step 0, so an LSTM can learn to open its input gate there and close it after; a SimpleRNN adds
// every input into its state and cannot shut the noise out.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { evaluated } from '../io/helpers.js';
import { longRangeData } from '../../src/experiments/long_range.js';

const T = 50;

function data(seed: number): [rl.Tensor, rl.Tensor] {
  const d = longRangeData(seed, { steps: T, samples: 2000, noise: 3 });
  return [d.x, d.y];
}

async function heldOutAccuracy(kind: 'lstm' | 'simpleRNN'): Promise<number> {
  const [x, y] = data(1), [xv, yv] = data(2);
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers[kind]({ units: 16, inputShape: [T, 2] }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
  m.compile({ optimizer: rl.train.adam(0.003), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await m.fit(x, y, { epochs: 30, batchSize: 32, verbose: 0 });
  return evaluated(m.evaluate(xv, yv))[1];
}

describe('long-range dependency', () => {
  it('an LSTM(16) remembers a sign across 50 noisy steps; a SimpleRNN(16) stays at chance', async () => {
    const lstm = await heldOutAccuracy('lstm');
    const srnn = await heldOutAccuracy('simpleRNN');
    expect(lstm).toBeGreaterThan(0.9);
    expect(srnn).toBeLessThan(0.6);
  });
});
