/**
 * fitDataset's errors name what is wrong: the keys of a batch object missing xs or ys, and validationData when
 * reading the validation dataset fails (an empty or an unbatched one), not evaluateDataset, which the user never called.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';

function model() {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}
const train = () => rl.data.array([{ xs: [1, 2], ys: [1] }, { xs: [3, 4], ys: [0] }]).batch(2);

afterEach(() => { vi.restoreAllMocks(); });

describe('a batch object without xs or ys', () => {
  it('names the keys it has and the one missing', async () => {
    await expect(model().fitDataset(rl.data.array([{ xs: [1, 2], y: [1] }]).batch(1), { verbose: 0 }))
      .rejects.toThrow("fitDataset: a batch has keys xs, y, missing 'ys'; batches hold xs, ys, sampleWeight");
    await expect(model().fitDataset(rl.data.array([{ a: 1, b: 2 }]).batch(1), { verbose: 0 }))
      .rejects.toThrow("a batch has keys a, b, missing 'xs' and 'ys'");
    await expect(model().evaluateDataset(rl.data.array([{ x: [1, 2], ys: [1] }]).batch(1)))
      .rejects.toThrow("evaluateDataset: a batch has keys x, ys, missing 'xs'");
  });
});

describe('errors reading a validation dataset name validationData', () => {
  it('an empty one of known size is refused before the first epoch trains', async () => {
    let epochs = 0;
    await expect(model().fitDataset(train(), { verbose: 0, validationData: rl.data.array([]).batch(2), callbacks: { onEpochBegin: () => { epochs++; } } }))
      .rejects.toThrow(/fitDataset: validationData: the dataset is empty$/);
    expect(epochs).toBe(0);
  });

  it('an empty one of unknown size is named when it is read', async () => {
    const empty = rl.data.generator(function* () { /* nothing */ });
    await expect(model().fitDataset(train(), { verbose: 0, validationData: empty })).rejects.toThrow(/fitDataset: validationData: the dataset is empty$/);
  });

  it('an unbatched one names the batch and the model\'s complaint', async () => {
    await expect(model().fitDataset(train(), { verbose: 0, validationData: rl.data.array([{ xs: [1, 2], ys: [1] }]) }))
      .rejects.toThrow(/fitDataset: validationData: batch 1: evaluate: x has shape \[2\]/);
  });

  it('running out before validationBatches names validationBatches', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await model().fitDataset(train(), { verbose: 0, validationData: train(), validationBatches: 3 });
    expect(String(warn.mock.calls[0][0])).toContain('fitDataset: validationData: validationBatches is 3, but the dataset ran out after 1 batches');
  });

  it('evaluateDataset keeps its own name', async () => {
    await expect(model().evaluateDataset(rl.data.array([]))).rejects.toThrow(/evaluateDataset: the dataset is empty$/);
  });
});
