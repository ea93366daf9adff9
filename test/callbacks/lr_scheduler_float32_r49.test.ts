/**
 * learningRateScheduler reads the rate back as Keras 3's does, from a float32 variable: the schedule gets the float32
 * rate (as a double), the rate is stored in float32, and the logs hold it so (0.1 is 0.10000000149011612), as
 * reduceLROnPlateau's do. Its message prints the schedule's value in Python's float format.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const x = rl.ones([8, 2]);
const y = rl.ones([8, 1]);
function model(): rl.Sequential {
  rl.setSeed(1);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.001 }), loss: 'meanSquaredError' });
  return m;
}

describe('learningRateScheduler and Keras\'s float32 learning rate', () => {
  it('the schedule gets the float32 rate, and the logs and the optimizer hold the float32 of what it returned', async () => {
    const seen: number[] = [];
    const m = model();
    const cb = rl.callbacks.learningRateScheduler((epoch, lr) => { seen.push(lr); return epoch === 0 ? 0.1 : lr * 0.5; });
    const h = await m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [cb] });
    // Keras 3: float(convert_to_numpy(optimizer.learning_rate)), the float32 variable read as a Python float.
    expect(seen).toEqual([0.0010000000474974513, 0.10000000149011612, 0.05000000074505806]);
    expect(h.history.learning_rate).toEqual([0.10000000149011612, 0.05000000074505806, 0.02500000037252903]);
    expect(m.optimizer!.learningRate).toBe(0.02500000037252903);
  });

  it('logs the rate another callback set after it, as read back from the optimizer', async () => {
    const m = model();
    const late: rl.Callback = { onEpochBegin(this: { model: rl.Sequential }) { this.model.optimizer!.learningRate = 0.3; } };
    const h = await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler(() => 0.1), late] });
    expect(h.history.learning_rate).toEqual([Math.fround(0.3)]);
    expect(Math.fround(0.3)).not.toBe(0.3);
  });

  it('prints the value the schedule returned as Python prints a float (Keras\'s f-string)', async () => {
    const lines: string[] = [];
    const out = { write: (s: string) => { lines.push(s); } };
    await model().fit(x, y, { epochs: 2, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler((e) => (e === 0 ? 1e-5 : 1), { verbose: 1, out })] });
    expect(lines.join('')).toBe('\nEpoch 1: LearningRateScheduler setting learning rate to 1e-05.\n\nEpoch 2: LearningRateScheduler setting learning rate to 1.0.\n');
  });
});
