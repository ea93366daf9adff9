/**
 * Keras's callback hooks are snake_case (on_epoch_end); tfjs's and rnnlab's are camelCase. A port that keeps Keras's
 * names, in a plain callback object or a tf.Callback subclass, would train without its hooks ever running: refused,
 * naming the hook to use. camelCase hooks still run.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function model(): rl.Sequential {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}
const x = rl.tensor([[1, 2], [3, 4]]), y = rl.tensor([[1], [0]]);

describe("Keras's snake_case callback hooks", () => {
  it('are refused in a plain callback object, naming the camelCase hook', async () => {
    await expect(model().fit(x, y, { epochs: 1, verbose: 0, callbacks: { on_epoch_end: () => {} } as never }))
      .rejects.toThrow("fit: callbacks[0]: hook 'on_epoch_end' is Keras's spelling, which rnnlab (as tfjs) never calls; name it 'onEpochEnd'");
    await expect(model().fit(x, y, { epochs: 1, verbose: 0, callbacks: [{ on_train_batch_end: () => {} }] as never }))
      .rejects.toThrow(/hook 'on_train_batch_end' is Keras's spelling.*name it 'onBatchEnd'/);
    // A Keras hook rnnlab has no counterpart for is named as such.
    await expect(model().fit(x, y, { epochs: 1, verbose: 0, callbacks: [{ on_test_batch_end: () => {} }] as never }))
      .rejects.toThrow(/Keras's hook 'on_test_batch_end' has no rnnlab counterpart \(fit calls onTrainBegin, /);
  });

  it('are refused as methods of a tf.Callback subclass', async () => {
    class Logger extends rl.Callback {
      seen: number[] = [];
      async on_epoch_end(epoch: number) { this.seen.push(epoch); }
    }
    await expect(model().fit(x, y, { epochs: 2, verbose: 0, callbacks: [new Logger()] }))
      .rejects.toThrow(/hook 'on_epoch_end' is Keras's spelling.*name it 'onEpochEnd'/);
  });

  it('camelCase hooks run, in objects and subclasses, with other members left alone', async () => {
    const calls: string[] = [];
    class Logger extends rl.Callback {
      on_the_side = 1;
      async onEpochEnd(epoch: number) { calls.push(`class ${epoch}`); }
    }
    const plain = { onEpochEnd: (epoch: number) => { calls.push(`plain ${epoch}`); }, note: 'kept' };
    await model().fit(x, y, { epochs: 2, verbose: 0, callbacks: [new Logger(), plain] });
    expect(calls).toEqual(['class 0', 'plain 0', 'class 1', 'plain 1']);
  });
});
