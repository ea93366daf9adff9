/**
 * A stateful layer's batch-size error names the call that was made and the remedy that call takes: fit's
 * validationBatchSize, a batch of the right size for the calls that take x as one batch (predictOnBatch,
 * trainOnBatch, testOnBatch), the dataset's .batch(n) for fitDataset and evaluateDataset. Each is refused before
 * the batch runs, so weights and carried states stay as they were. model.resetStates takes no values.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const B = 2, T = 3, F = 2;

function data(n: number, seed: number): { x: rl.Tensor; y: rl.Tensor } {
  rl.setSeed(seed);
  return { x: rl.randomNormal([n, T, F]), y: rl.randomNormal([n, 1]) };
}

function gruModel(): rl.Sequential {
  rl.setSeed(7);
  const m = rl.sequential({ layers: [rl.layers.gru({ units: 3, stateful: true, batchInputShape: [B, T, F], name: 'gru' }), rl.layers.dense({ units: 1 })] });
  m.compile({ optimizer: rl.train.sgd(0.5), loss: 'meanSquaredError' });
  // Non-zero carried states, so that a refused call that moved them would show.
  m.predict(data(B, 1).x, { batchSize: B });
  return m;
}

function statesOf(m: rl.Sequential): rl.Tensor[] {
  return (m.layers[0] as unknown as { getStates(): rl.Tensor[] }).getStates();
}

function snapshot(m: rl.Sequential): number[] {
  return [...m.getWeights(), ...statesOf(m)].flatMap((t) => Array.from(t.dataSync()));
}

/** n samples as a dataset of {xs, ys} elements in batches of size. */
function dataset(n: number, size: number) {
  const { x, y } = data(n, 3);
  const rows = (t: rl.Tensor) => rl.unstack(t);
  return rl.data.zip({ xs: rl.data.array(rows(x)), ys: rl.data.array(rows(y)) }).batch(size);
}

describe('a stateful batch-size error names the call and its remedy', () => {
  it('fit names validationBatchSize when that option gives the wrong batch, and trains nothing', async () => {
    const m = gruModel();
    const before = snapshot(m);
    const { x, y } = data(8, 2);
    await expect(m.fit(x, y, { batchSize: B, validationSplit: 0.5, validationBatchSize: 4, verbose: 0 })).rejects.toThrow(
      /^fit: validationSplit 0\.5: gru \(GRU\): stateful layer was built for batches of 2, but 4 samples in batches of 4 give it a batch of 4; pass validationBatchSize: 2 and a number of samples divisible by 2 \(nothing was run\)$/);
    expect(snapshot(m)).toEqual(before);
    // Without validationBatchSize, validation runs in batchSize, and that is the option named.
    await expect(m.fit(x, y, { batchSize: 4, validationSplit: 0.5, verbose: 0 })).rejects.toThrow(/^fit: gru \(GRU\): .* pass batchSize: 2 /);
  });

  it('predictOnBatch, trainOnBatch and testOnBatch ask for a batch of the right size, not a batchSize they do not take', () => {
    const m = gruModel();
    const before = snapshot(m);
    const { x, y } = data(3, 2);
    const advice = 'gru \\(GRU\\): stateful layer was built for batches of 2, but it was given a batch of 3; give it a batch of exactly 2 samples \\(nothing was run\\)$';
    expect(() => m.predictOnBatch(x)).toThrow(new RegExp(`^${m.name}\\.predictOnBatch: ${advice}`));
    expect(() => m.trainOnBatch(x, y)).toThrow(new RegExp(`^trainOnBatch: ${advice}`));
    expect(() => m.testOnBatch(x, y)).toThrow(new RegExp(`^testOnBatch: ${advice}`));
    expect(snapshot(m)).toEqual(before);
    // A batch of 2 runs.
    expect(m.predictOnBatch(data(B, 4).x).shape).toEqual([B, 1]);
  });

  it('fitDataset and evaluateDataset point to the dataset\'s .batch(n), and the refused batch moves nothing', async () => {
    const m = gruModel();
    const before = snapshot(m);
    const advice = 'gru \\(GRU\\): stateful layer was built for batches of 2, but the dataset gave a batch of 5; batch the dataset with \\.batch\\(2\\) over a number of samples divisible by 2 \\(this batch was not run\\)$';
    await expect(m.fitDataset(dataset(10, 5), { epochs: 1, verbose: 0 })).rejects.toThrow(new RegExp(`^${m.name}\\.fitDataset: batch 1 of epoch 1: ${advice}`));
    await expect(m.evaluateDataset(dataset(10, 5))).rejects.toThrow(new RegExp(`^${m.name}\\.evaluateDataset: batch 1: ${advice}`));
    expect(snapshot(m)).toEqual(before);
    // A validation dataset's batches are checked as they come (here after one epoch of training).
    await expect(m.fitDataset(dataset(4, 2), { epochs: 1, verbose: 0, validationData: dataset(10, 5) })).rejects.toThrow(new RegExp(`^${m.name}\\.fitDataset: validationData: batch 1: ${advice}`));
  });

  it("fitDataset's [x, y] validationData names validationBatchSize, before any batch trains", async () => {
    const m = gruModel();
    const before = snapshot(m);
    const { x, y } = data(8, 5);
    await expect(m.fitDataset(dataset(4, 2), { epochs: 1, verbose: 0, validationData: [x, y], validationBatchSize: 4 })).rejects.toThrow(
      new RegExp(`^${m.name}\\.fitDataset: validationData: gru \\(GRU\\): stateful layer was built for batches of 2, but 8 samples in batches of 4 give it a batch of 4; pass validationBatchSize: 2 `));
    expect(snapshot(m)).toEqual(before);
  });

  it('a direct call of the layer names no option of a model call it was not given through', () => {
    const m = gruModel();
    expect(() => m.layers[0].apply(data(3, 2).x)).toThrow(
      /^gru \(GRU\): stateful layer was built for batches of 2, got a batch of 3; every call must have 2 samples \(fit, evaluate, predict: batchSize 2; a dataset: \.batch\(2\)\)$/);
  });
});

describe('model.resetStates', () => {
  it('refuses values, naming the layer method that takes them, and leaves the states as they were', () => {
    const m = gruModel();
    const before = statesOf(m)[0].dataSync().slice();
    expect(Array.from(before).some((v) => v !== 0)).toBe(true);
    expect(() => (m.resetStates as (...a: unknown[]) => void)([rl.ones([B, 3])])).toThrow(
      new RegExp(`^${m.name}\\.resetStates\\(\\) takes no argument: .*call the layer's own resetStates\\(states\\), e\\.g\\. model\\.getLayer\\('gru'\\)\\.resetStates\\(\\[h, c\\]\\)`));
    expect(statesOf(m)[0].dataSync()).toEqual(before);
    // The layer's own method sets them; the model's zeros them.
    (m.getLayer('gru') as unknown as { resetStates(s: rl.Tensor[]): void }).resetStates([rl.ones([B, 3])]);
    expect(Array.from(statesOf(m)[0].dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    m.resetStates();
    expect(Array.from(statesOf(m)[0].dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
