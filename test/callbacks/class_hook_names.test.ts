/** An rl.Callback subclass's hook-like method that fit never calls is refused as a plain object's key is. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-hooknames-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const xs = [[0, 1], [1, 0], [1, 1], [0, 0]];
const ys = [[1], [1], [0], [0]];
const model = () => {
  rl.setSeed(1);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  return m;
};
const fit = (cb: object) => model().fit(xs, ys, { epochs: 2, verbose: 0, callbacks: [cb as rl.Callback] });

class TrainBatchEnd extends rl.Callback { onTrainBatchEnd(): void { /* Keras's name */ } }
class EpochEnds extends rl.Callback { onEpochEnds(): void { /* a typo */ } }
class TestEnd extends rl.Callback { onTestEnd(): void { /* Keras's evaluate hook */ } }
class Yields extends rl.Callback { onYield(): void { /* tfjs CustomCallback's option */ } }

describe('hook names of an rl.Callback subclass', () => {
  it.each([
    ['onTrainBatchEnd', new TrainBatchEnd(), /callbacks\[0\]: hook 'onTrainBatchEnd' is Keras's on_train_batch_end in camelCase, which rnnlab \(as tfjs\) never calls; name it 'onBatchEnd'/],
    ['onEpochEnds', new EpochEnds(), /callbacks\[0\]: unknown hook 'onEpochEnds' \(did you mean 'onEpochEnd'\?\)/],
    ['onTestEnd', new TestEnd(), /callbacks\[0\]: Keras's hook 'onTestEnd' has no rnnlab counterpart/],
    ['onYield', new Yields(), /callbacks\[0\]: option 'onYield' is not supported by rnnlab/],
  ])('%s is refused before training', async (_name, cb, message) => {
    const m = model();
    const before = m.getWeights().map((t) => Array.from(t.dataSync()));
    await expect(m.fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [cb] })).rejects.toThrow(message);
    expect(m.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(before);
  });

  it('a plain object\'s onTrainBatchEnd names onBatchEnd too', async () => {
    await expect(fit({ onTrainBatchEnd() { /* never called */ } })).rejects.toThrow(/name it 'onBatchEnd'/);
  });

  it('every tfjs hook and helpers named otherwise run', async () => {
    const calls: string[] = [];
    class Full extends rl.Callback {
      private note(s: string) { calls.push(s); }
      onTrainBegin() { this.note('trainBegin'); }
      onEpochBegin() { this.note('epochBegin'); }
      onBatchBegin() { this.note('batchBegin'); }
      onBatchEnd() { this.note('batchEnd'); }
      onEpochEnd() { this.note('epochEnd'); }
      onTrainEnd() { this.note('trainEnd'); }
      summarize() { return calls.length; }
    }
    const cb = new Full();
    await model().fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0, callbacks: [cb] });
    expect(calls).toEqual(['trainBegin', 'epochBegin', 'batchBegin', 'batchEnd', 'epochEnd', 'trainEnd']);
    expect(cb.summarize()).toBe(6);
  });

  it('backupAndRestore with its onRestored set is accepted', async () => {
    const b = rl.callbacks.backupAndRestore({ backupDir: join(root, 'backup'), restore: 'never', handleInterrupt: false, verbose: 0 });
    b.onRestored = () => { /* the CLI's resume notice */ };
    await expect(model().fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [b] })).resolves.toBeDefined();
  });
});

describe('a callback class keeps its own members', () => {
  it('fields named like hooks or tfjs options (a listener, a clock) and helper methods are the class\'s own', async () => {
    const seen: number[] = [];
    class Timed extends rl.Callback {
      nowFunc = () => 42;
      constructor(readonly onLog: (epoch: number) => void) { super(); }
      onEpochEnd(epoch: number): void { this.onLog(epoch); seen.push(this.nowFunc()); }
    }
    const logged: number[] = [];
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await m.fit(rl.ones([4, 2]), rl.zeros([4, 1]), { epochs: 2, verbose: 0, callbacks: [new Timed((e) => logged.push(e))] });
    expect(logged).toEqual([0, 1]);
    expect(seen).toEqual([42, 42]);
  });
});
