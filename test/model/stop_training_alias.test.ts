/**
 * Keras's spelling model.stop_training, set in a callback, ends fit as tfjs's stopTraining does (it used to be a
 * field nothing read, so every epoch ran).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function compiled(layers: InstanceType<typeof rl.layers.Layer>[]) {
  const m = rl.sequential({ layers });
  m.compile({ loss: 'mse', optimizer: 'sgd' });
  return m;
}

describe('model.stop_training', () => {
  it('set in onEpochEnd of a Callback subclass stops fit after that epoch (Keras)', async () => {
    const m = compiled([rl.layers.dense({ units: 1, inputShape: [3] })]);
    class StopAfter extends rl.Callback {
      override async onEpochEnd(epoch: number) { if (epoch === 1) (this.model as unknown as { stop_training: boolean }).stop_training = true; }
    }
    const h = await m.fit(rl.ones([4, 3]), rl.ones([4, 1]), { epochs: 5, verbose: 0, callbacks: [new StopAfter()] });
    expect(h.epoch).toEqual([0, 1]);
    expect(m.stopTraining).toBe(true);
  });

  it('in a plain object callback and a functional model, and reads stopTraining', async () => {
    const i = rl.input({ shape: [3] });
    const m = rl.model({ inputs: i, outputs: rl.layers.dense({ units: 1 }).apply(i) as rl.SymbolicTensor });
    m.compile({ loss: 'mse', optimizer: 'sgd' });
    const h = await m.fit(rl.ones([4, 3]), rl.ones([4, 1]), {
      epochs: 4, verbose: 0, callbacks: [{ onEpochEnd(this: { model: { stop_training: boolean } }) { this.model.stop_training = true; } }],
    });
    expect(h.epoch).toEqual([0]);
    m.stopTraining = false;
    expect(m.stop_training).toBe(false);
    m.stopTraining = true;
    expect(m.stop_training).toBe(true);
  });
});
