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

describe('learningRateScheduler refuses what it cannot set, naming the schedule and the value', () => {
  async function refusal(schedule: () => unknown): Promise<string> {
    const m = model();
    const err = await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler(schedule as () => number)] })
      .then(() => undefined, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(m.optimizer!.learningRate).toBe(0.001);
    return (err as Error).message;
  }

  it('a finite rate beyond float32\'s range, which float32 would make Infinity', async () => {
    expect(await refusal(() => 1e39)).toBe('LearningRateScheduler: schedule returned 1e+39 for epoch 0, beyond float32\'s range (about 3.4e38 at most), in which the optimizer holds its rate');
    // float32's largest value, and what rounds to it, are still rates.
    const m = model();
    await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.learningRateScheduler(() => 3.4028235e38)] });
    expect(m.optimizer!.learningRate).toBe(3.4028234663852886e38);
  });

  it('a bigint, a Promise and a Tensor, each in words', async () => {
    expect(await refusal(() => 1n)).toBe('LearningRateScheduler: schedule returned 1n (a bigint) for epoch 0; it must return a finite number >= 0 (Number(1n))');
    expect(await refusal(async () => 0.1)).toBe('LearningRateScheduler: schedule returned a Promise for epoch 0; the schedule must return a number, not a Promise (it is called synchronously, as Keras calls it)');
    expect(await refusal(() => rl.scalar(0.1))).toBe('LearningRateScheduler: schedule returned a Tensor for epoch 0; return a number, e.g. t.dataSync()[0]');
  });

  it('a rejected Promise does not surface again as an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (r: unknown): void => { unhandled.push(r); };
    process.on('unhandledRejection', onUnhandled);
    try {
      expect(await refusal(() => Promise.reject(new Error('schedule failed')))).toMatch(/returned a Promise for epoch 0/);
      await new Promise((r) => setTimeout(r, 20));
    } finally { process.off('unhandledRejection', onUnhandled); }
    expect(unhandled).toEqual([]);
  });

  it('other values shown short, JSON that cannot be written included', async () => {
    expect(await refusal(() => '0.1')).toBe('LearningRateScheduler: schedule returned string "0.1" for epoch 0; it must return a finite number >= 0');
    expect(await refusal(() => undefined)).toBe('LearningRateScheduler: schedule returned undefined for epoch 0; it must return a finite number >= 0');
    expect(await refusal(() => null)).toBe('LearningRateScheduler: schedule returned null for epoch 0; it must return a finite number >= 0');
    expect(await refusal(() => ({ lr: 1n }))).toBe('LearningRateScheduler: schedule returned object a value JSON cannot write for epoch 0; it must return a finite number >= 0');
    expect(await refusal(() => Array.from({ length: 100 }, () => 0.1))).toBe(`LearningRateScheduler: schedule returned an array ${JSON.stringify(Array(100).fill(0.1)).slice(0, 60)}… for epoch 0; it must return a finite number >= 0`);
  });
});
