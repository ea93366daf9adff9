/**
 * Keras's validation_freq and validation_batch_size in fit (and validationFreq in fitDataset): which epochs are
 * validated, what History and the epoch logs then hold (Keras 3: no val_ values for an epoch not validated, so the
 * val_ lists are shorter), the batches validation runs in, and the checks on both options.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';

function dense(lr = 0.05): rl.Sequential {
  rl.setSeed(11);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], name: 'out' })] });
  m.compile({ optimizer: rl.train.sgd(lr), loss: 'mse', metrics: ['mae'] });
  return m;
}

const xs = [[1, 2], [0.5, -1], [3, 0], [-2, 1], [1, 1], [0, 2], [2, -1], [-1, -1]];
const ys = [[1], [0], [2], [-1], [0.5], [1], [1.5], [-0.5]];
const xvs = [[1, 0], [0, 1], [2, 2], [-1, 0], [0.5, 0.5], [3, 1], [1, -2], [0, 0], [2, 1], [-2, -2]];
const yvs = [[0.5], [0.5], [2], [-0.5], [0.5], [2], [-0.5], [0], [1.5], [-2]];
const X = rl.tensor(xs), Y = rl.tensor(ys), XV = rl.tensor(xvs), YV = rl.tensor(yvs);

/** The epochs (0-based) whose onEpochEnd logs had val_loss, and fit's History. */
async function validatedEpochs(m: rl.Sequential, args: rl.FitArgs): Promise<{ epochs: number[]; history: rl.History }> {
  const epochs: number[] = [];
  const history = await m.fit(X, Y, { verbose: 0, ...args, callbacks: { onEpochEnd: (e, logs) => { if (logs && 'val_loss' in logs) epochs.push(e); } } });
  return { epochs, history };
}

afterEach(() => { vi.restoreAllMocks(); });

describe("fit's validationFreq (Keras's validation_freq)", () => {
  it('N validates after epochs N, 2N, ... (counted from 1); the others log no val_ values, so History lists them only', async () => {
    const m = dense();
    const seen: Record<number, { logged: number; evaluated: number }> = {};
    const h = await m.fit(X, Y, { epochs: 5, batchSize: 4, verbose: 0, validationData: [XV, YV], validationFreq: 2, callbacks: {
      onEpochEnd: (e, logs) => {
        const keys = Object.keys(logs ?? {});
        if (e % 2 === 0) expect(keys.filter((k) => k.startsWith('val_'))).toEqual([]);
        else seen[e] = { logged: logs!.val_loss, evaluated: (m.evaluate(XV, YV, { returnDict: true })).loss };
      },
    } });
    expect(Object.keys(seen).map(Number)).toEqual([1, 3]);
    // The val_loss logged is the model's loss on the validation data at that epoch's end.
    for (const { logged, evaluated } of Object.values(seen)) expect(logged).toBeCloseTo(evaluated, 5);
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(h.history.loss).toHaveLength(5);
    expect(h.history.mae).toHaveLength(5);
    expect(h.history.val_loss).toEqual([seen[1].logged, seen[3].logged]);
    expect(h.history.val_mae).toHaveLength(2);
    // tfjs's params still say the run validates and list the val_ keys (Keras's CallbackList params do too).
    expect(h.params.doValidation).toBe(true);
  });

  it('1 (the default) validates every epoch; the snake_case name is an alias; both spellings are an error', async () => {
    expect((await validatedEpochs(dense(), { epochs: 3, validationData: [XV, YV], validationFreq: 1 })).epochs).toEqual([0, 1, 2]);
    expect((await validatedEpochs(dense(), { epochs: 3, validationData: [XV, YV] })).epochs).toEqual([0, 1, 2]);
    expect((await validatedEpochs(dense(), { epochs: 6, validation_data: [XV, YV], validation_freq: 3 })).epochs).toEqual([2, 5]);
    await expect(dense().fit(X, Y, { verbose: 0, validationData: [XV, YV], validationFreq: 2, validation_freq: 2 })).rejects.toThrow('fit: give validationFreq or validation_freq, not both');
  });

  it("a list names the epochs (from 1) to validate after, as Keras 3's list; epochs count from 0 across initialEpoch", async () => {
    expect((await validatedEpochs(dense(), { epochs: 5, validationData: [XV, YV], validationFreq: [1, 4, 9] })).epochs).toEqual([0, 3]);
    const { epochs, history } = await validatedEpochs(dense(), { epochs: 6, initialEpoch: 2, validationData: [XV, YV], validationFreq: 2 });
    expect(epochs).toEqual([3, 5]);
    expect(history.history.val_loss).toHaveLength(2);
  });

  it('validationSplit is validated on the same schedule', async () => {
    const { epochs, history } = await validatedEpochs(dense(), { epochs: 4, validationSplit: 0.25, validationFreq: 2 });
    expect(epochs).toEqual([1, 3]);
    expect(history.history.val_loss).toHaveLength(2);
  });

  it('anything but a positive integer or a list of them is an error naming the option, before training', async () => {
    for (const bad of [0, -2, 1.5, '2', true, null, { every: 2 }]) {
      const m = dense();
      const before = m.getWeights().map((w) => Array.from(w.dataSync()));
      await expect(m.fit(X, Y, { verbose: 0, validationData: [XV, YV], validationFreq: bad } as never)).rejects.toThrow(/^fit: validationFreq must be a positive integer N \(validate after every N-th epoch\) or a list of epochs counted from 1, got /);
      expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    }
    await expect(dense().fit(X, Y, { verbose: 0, validationData: [XV, YV], validationFreq: [2, 0] })).rejects.toThrow('fit: validationFreq[1] must be an epoch number (a positive integer, counted from 1), got 0');
    await expect(dense().fit(X, Y, { verbose: 0, validationData: [XV, YV], validation_freq: ['1'] } as never)).rejects.toThrow('fit: validationFreq[0] must be an epoch number');
  });

  it('without validation data it would do nothing: an error naming it (validationSplit 0 is none)', async () => {
    await expect(dense().fit(X, Y, { verbose: 0, validationFreq: 2 })).rejects.toThrow('fit: validationFreq applies to validation, but there is none (give validationData, or validationSplit above 0)');
    await expect(dense().fit(X, Y, { verbose: 0, validationSplit: 0, validation_freq: 1 })).rejects.toThrow('fit: validationFreq applies to validation');
  });
});

describe("fit's validationBatchSize (Keras's validation_batch_size)", () => {
  /** The sizes of the batches batchLoss saw in inference mode (validation) during fit. */
  async function validationBatches(args: rl.FitArgs): Promise<number[]> {
    const m = dense();
    const sizes: number[] = [];
    const original = m.batchLoss.bind(m);
    vi.spyOn(m, 'batchLoss').mockImplementation((xs, ys, ctx) => {
      if (!ctx.training) sizes.push(xs[0].shape[0]);
      return original(xs, ys, ctx);
    });
    await m.fit(X, Y, { epochs: 1, verbose: 0, batchSize: 4, validationData: [XV, YV], ...args });
    return sizes;
  }

  it("validation runs in batches of it; without it, in fit's batchSize (Keras's default)", async () => {
    expect(await validationBatches({})).toEqual([4, 4, 2]);
    expect(await validationBatches({ validationBatchSize: 3 })).toEqual([3, 3, 3, 1]);
    expect(await validationBatches({ validation_batch_size: 10 })).toEqual([10]);
    expect(await validationBatches({ validationBatchSize: 64 })).toEqual([10]);
  });

  it('the validation loss is the same in any batches', async () => {
    const a = await dense().fit(X, Y, { epochs: 2, verbose: 0, batchSize: 4, validationData: [XV, YV] });
    const b = await dense().fit(X, Y, { epochs: 2, verbose: 0, batchSize: 4, validationData: [XV, YV], validationBatchSize: 3 });
    expect(b.history.loss).toEqual(a.history.loss);
    b.history.val_loss.forEach((v, i) => expect(v).toBeCloseTo(a.history.val_loss[i], 5));
  });

  it('must be a positive integer, and needs validation data; both spellings are an error', async () => {
    for (const bad of [0, 2.5, '4']) {
      await expect(dense().fit(X, Y, { verbose: 0, validationData: [XV, YV], validationBatchSize: bad } as never)).rejects.toThrow(/^fit: validationBatchSize must be a positive integer, got /);
    }
    await expect(dense().fit(X, Y, { verbose: 0, validationBatchSize: 4 })).rejects.toThrow('fit: validationBatchSize applies to validation, but there is none');
    await expect(dense().fit(X, Y, { verbose: 0, validationData: [XV, YV], validationBatchSize: 4, validation_batch_size: 4 })).rejects.toThrow('fit: give validationBatchSize or validation_batch_size, not both');
  });
});

describe('callbacks on an epoch validationFreq skips', () => {
  it("earlyStopping on val_loss warns once that it is missing and counts only the validated epochs (Keras 3)", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // A learning rate of 0: val_loss never improves after its first reading.
    const h = await dense(0).fit(X, Y, { epochs: 8, verbose: 0, validationData: [XV, YV], validationFreq: 2,
      callbacks: [rl.callbacks.earlyStopping({ monitor: 'val_loss', patience: 1 })] });
    // Validated after epochs 2 and 4 (from 1): the first is the best, the second does not improve, and training stops.
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(h.history.val_loss).toHaveLength(2);
    const missing = warn.mock.calls.filter((c) => String(c[0]).includes("'val_loss', which is not available"));
    expect(missing).toHaveLength(1);
  });
});

describe("fitDataset's validationFreq (as fit's; tfjs's fitDataset has none)", () => {
  const train = () => rl.data.zip({ xs: rl.data.array(xs), ys: rl.data.array(ys) }).batch(4);
  const valSet = () => rl.data.zip({ xs: rl.data.array(xvs), ys: rl.data.array(yvs) }).batch(5);

  it('validates a dataset or [x, y] after the epochs it names; the others log no val_ values', async () => {
    for (const validationData of [valSet(), [XV, YV] as [rl.Tensor, rl.Tensor]]) {
      const epochs: number[] = [];
      const h = await dense().fitDataset(train(), { epochs: 4, verbose: 0, validationData, validationFreq: 2,
        callbacks: { onEpochEnd: (e, logs) => { if (logs && 'val_loss' in logs) epochs.push(e); } } });
      expect(epochs).toEqual([1, 3]);
      expect(h.history.loss).toHaveLength(4);
      expect(h.history.val_loss).toHaveLength(2);
    }
    const h = await dense().fitDataset(train(), { epochs: 3, verbose: 0, validationData: valSet(), validationFreq: [3] });
    expect(h.history.val_loss).toHaveLength(1);
  });

  it('is checked before training and needs validationData', async () => {
    await expect(dense().fitDataset(train(), { verbose: 0, validationData: valSet(), validationFreq: 0 })).rejects.toThrow(/fitDataset: validationFreq must be a positive integer N/);
    await expect(dense().fitDataset(train(), { verbose: 0, validationFreq: 2 })).rejects.toThrow(/fitDataset: validationFreq applies to validationData, which is not given/);
    await expect(dense().fitDataset(train(), { verbose: 0, validation_freq: 2 } as never)).rejects.toThrow(/fitDataset: unknown option 'validation_freq' \(did you mean 'validationFreq'\?\)/);
  });
});
