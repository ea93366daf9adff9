/**
 * fit's bucket option: seeded length-sorted batches that cover every sample once per epoch, trimmed to the
 * steps their rows use, exact for a model that masks its padding, refused (naming why) where trimming would
 * change the results.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { readCheckpointInfo } from '../../src/io/checkpoint.js';
import { takeRows } from '../../src/models/batches.js';
import { LengthBuckets } from '../../src/models/buckets.js';
import { globalRandom } from '../../src/random.js';
import type { Layer } from '../../src/layers/layer.js';
import { binaryLabels, removeDir, sameBits, tempDir } from '../io/helpers.js';
import { paddedIds, recorder, type FitTrace } from './fit_scenarios.js';

function maskedLstm(seed = 3, layers: Layer[] = [rl.layers.lstm({ units: 5 })]): rl.Sequential {
  rl.setSeed(seed);
  const m = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 20, outputDim: 4, maskZero: true }), ...layers, rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  m.build([null, null]);
  return m;
}

const lengthsOf = (b: LengthBuckets, idx: ArrayLike<number>) => Array.from(idx, (i) => b.length(i));

describe('LengthBuckets', () => {
  const x = paddedIds(50, 12, 20, 1);

  it('covers every sample exactly once per epoch, shuffled or not, with a partial last batch', () => {
    for (const shuffle of [true, false]) {
      const b = new LengthBuckets(x, 8, { poolBatches: 3 }, 'test');
      rl.setSeed(1);
      for (let epoch = 0; epoch < 3; epoch++) {
        const order = b.order(shuffle);
        expect(Array.from(order).sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      }
    }
  });

  it('is deterministic per seed and differs between seeds', () => {
    const b = new LengthBuckets(x, 8, {}, 'test');
    const epochs = (seed: number) => { rl.setSeed(seed); return [Array.from(b.order(true)), Array.from(b.order(true))]; };
    expect(epochs(4)).toEqual(epochs(4));
    expect(epochs(4)).not.toEqual(epochs(5));
    expect(epochs(4)[0]).not.toEqual(epochs(4)[1]);
  });

  it('sorts by length within pools: one pool of everything gives batches of neighbouring lengths', () => {
    const b = new LengthBuckets(x, 10, { poolBatches: 5 }, 'test');
    rl.setSeed(2);
    const order = b.order(true);
    const batches = [0, 1, 2, 3, 4].map((k) => lengthsOf(b, order.subarray(k * 10, k * 10 + 10)));
    // Each batch is a run of the sorted lengths: no batch's range overlaps another's interior.
    const all = lengthsOf(b, order).sort((p, q) => p - q);
    const runs = batches.map((l) => [Math.min(...l), Math.max(...l)]).sort((p, q) => p[0] - q[0]);
    expect(runs).toEqual([0, 1, 2, 3, 4].map((k) => [all[k * 10], all[k * 10 + 9]]));
    for (const l of batches) expect(l).toEqual([...l].sort((p, q) => p - q));
  });

  it('poolBatches 1 keeps the plain shuffle\'s batches (only their order and inner order change)', () => {
    const b = new LengthBuckets(x, 8, { poolBatches: 1 }, 'test');
    rl.setSeed(6);
    const plain = globalRandom.permutation(50);
    rl.setSeed(6);
    const bucketed = b.order(true);
    const sets = (o: Int32Array) => Array.from({ length: 6 }, (_, k) => Array.from(o.subarray(k * 8, k * 8 + 8)).sort((p, q) => p - q).join(',')).sort();
    expect(sets(bucketed)).toEqual(sets(plain));
    expect(Array.from(bucketed.subarray(48)).sort()).toEqual(Array.from(plain.subarray(48)).sort());
  });

  it('trims a batch to the steps its rows use, for pre- and post-padding', () => {
    const ids = (rows: number[][]) => rl.tensor(Int32Array.from(rows.flat()), [rows.length, rows[0].length], 'int32');
    const pre = ids([[0, 0, 0, 5, 6], [0, 0, 7, 0, 8], [0, 0, 0, 0, 9], [0, 0, 0, 0, 0]]);
    const b = new LengthBuckets(pre, 2, {}, 'test');
    expect(b.window(null, 0, 2)).toEqual({ from: 2, to: 5 });
    expect(b.window(Int32Array.from([2, 3, 0, 1]), 0, 2)).toEqual({ from: 4, to: 5 });
    expect(b.window(Int32Array.from([3, 3, 0, 1]), 0, 2)).toEqual({ from: 0, to: 1 });
    const kept = takeRows(pre, Int32Array.from([1, 0, 2, 3]), 0, 2, b.window(null, 0, 2));
    expect(kept.shape).toEqual([2, 3]);
    expect(Array.from(kept.values)).toEqual([7, 0, 8, 0, 5, 6]);
    const post = new LengthBuckets(ids([[5, 6, 0, 0], [7, 8, 9, 0], [1, 2, 3, 4]]), 2, {}, 'test');
    expect(post.window(null, 0, 2)).toEqual({ from: 0, to: 3 });
    expect(post.window(null, 1, 3)).toBeNull();
    expect(lengthsOf(post, [0, 1, 2])).toEqual([2, 3, 4]);
  });

  it('trims one-hot steps too (axis 1 of a rank-3 tensor keeps its features)', () => {
    const t = rl.tensor(Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => i), [2, 4, 3]);
    const kept = takeRows(t, null, 0, 2, { from: 1, to: 3 });
    expect(kept.shape).toEqual([2, 2, 3]);
    expect(Array.from(kept.values)).toEqual([3, 4, 5, 6, 7, 8, 15, 16, 17, 18, 19, 20]);
  });
});

describe('fit with bucket', () => {
  const y = binaryLabels(60, 2);

  for (const padding of ['pre', 'post'] as const) {
    it(`a trimmed batch trains a masked model as the untrimmed one does (${padding}-padding)`, () => {
      const x = paddedIds(16, 12, 20, 3, padding);
      // Rows of 1 to 8 real ids out of 12: the batch keeps 8 steps.
      const order = Int32Array.from([0, 2, 4, 6, 7, 9, 11, 13, 1, 3, 5, 8, 10, 12, 14, 15]);
      const b = new LengthBuckets(x, 16, {}, 'test');
      const window = b.window(order, 0, 8);
      expect(window).not.toBeNull();
      const full = maskedLstm(), trimmed = maskedLstm();
      const yb = rl.tensor(y.values.slice(0, 8), [8, 1]);
      const a = [full.trainOnBatch(takeRows(x, order, 0, 8), yb)].flat();
      const t = [trimmed.trainOnBatch(takeRows(x, order, 0, 8, window), yb)].flat();
      expect(t[0]).toBeCloseTo(a[0], 6);
      const wf = full.getWeights(), wt = trimmed.getWeights();
      wf.forEach((w, i) => w.values.forEach((v, k) => expect(wt[i].values[k]).toBeCloseTo(v, 6)));
    });
  }

  it('trains, reproducibly per seed, and reports the same logs shape to callbacks', async () => {
    const x = paddedIds(60, 12, 20, 4);
    const run = async (seed: number) => {
      const m = maskedLstm();
      const calls: FitTrace['calls'] = [];
      rl.setSeed(seed);
      const h = await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, bucket: { poolBatches: 4 }, callbacks: [recorder(calls)] });
      return { h: h.history, w: m.getWeights().map((t) => Array.from(t.values)), calls };
    };
    const a = await run(9), b = await run(9), c = await run(10);
    expect(a).toEqual(b);
    expect(a.w).not.toEqual(c.w);
    expect(Object.keys(a.h).sort()).toEqual(['accuracy', 'loss']);
    expect(a.h.loss[2]).toBeLessThan(a.h.loss[0]);
    const ends = a.calls.filter((k) => k[0] === 'onBatchEnd');
    expect(ends).toHaveLength(3 * 8);
    expect(ends.slice(0, 8).reduce((s, k) => s + k[2].size, 0)).toBe(60);
  });

  it('works with a bidirectional layer and with global average pooling behind a recurrent sequence', async () => {
    const x = paddedIds(30, 10, 20, 5, 'post');
    for (const layers of [[rl.layers.bidirectional({ layer: rl.layers.gru({ units: 3 }) })], [rl.layers.lstm({ units: 3, returnSequences: true }), rl.layers.globalAveragePooling1d()]]) {
      const h = await maskedLstm(3, layers).fit(x, y.slice([0, 0], [30, 1]), { epochs: 1, batchSize: 8, verbose: 0, bucket: true });
      expect(Number.isFinite(h.history.loss[0])).toBe(true);
    }
  });

  it('refuses models where trimming padding would change the results, naming bucket and the reason', async () => {
    const x = paddedIds(20, 10, 20, 6), y20 = y.slice([0, 0], [20, 1]);
    const fitWith = (m: rl.Sequential, xs: rl.Tensor = x, bucket: unknown = true) => m.fit(xs, y20, { verbose: 0, bucket: bucket as boolean });
    rl.setSeed(1);
    const unmasked = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 20, outputDim: 4 }), rl.layers.lstm({ units: 3 }), rl.layers.dense({ units: 1 })] });
    unmasked.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await expect(fitWith(unmasked)).rejects.toThrow(/fit: bucket .*embedding(_\d+)? \(Embedding\) does not mask padding \(maskZero\)/);
    const fixed = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 10, maskZero: true }), rl.layers.lstm({ units: 3 }), rl.layers.dense({ units: 1 })] });
    fixed.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await expect(fitWith(fixed)).rejects.toThrow(/fit: bucket .*fixed length of 10 steps \(inputLength\)/);
    const conv = maskedLstm(3, [rl.layers.conv1d({ filters: 2, kernelSize: 3, padding: 'same' }), rl.layers.lstm({ units: 3 })]);
    await expect(fitWith(conv)).rejects.toThrow(/fit: bucket .*conv1d(_\d+)? \(Conv1D\) reads every step/);
    const seqOut = maskedLstm(3, [rl.layers.lstm({ units: 3, returnSequences: true })]);
    await expect(seqOut.fit(x, rl.tensor(new Float32Array(200), [20, 10, 1]), { verbose: 0, bucket: true })).rejects.toThrow(/fit: bucket .*keeps the time axis to its output/);
    const dense = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputDim: 10 })] });
    dense.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await expect(dense.fit(rl.tensor(new Float32Array(200), [20, 10]), y20, { verbose: 0, bucket: true })).rejects.toThrow(/fit: bucket .*must start with an Embedding/);
    await expect(fitWith(maskedLstm(), x, 'yes')).rejects.toThrow(/fit: bucket must be true, false or \{ poolBatches \}/);
    await expect(fitWith(maskedLstm(), x, { poolBatches: 0 })).rejects.toThrow(/fit: bucket: poolBatches must be a positive integer, got 0/);
    // The same ids as float32 train without bucket; bucket says it is the dtype, not the shape.
    const floatIds = rl.tensor(Float32Array.from(x.dataSync()), [20, 10]);
    await expect(fitWith(maskedLstm(), floatIds)).rejects.toThrow(/fit: bucket needs x as int32 token ids shaped \(samples, steps\) .*got a float32 tensor of rank 2/);
  });

  it('a mid-epoch checkpoint resumes a bucketed run bit for bit (the epoch\'s order is saved, the trims follow)', async () => {
    const x = paddedIds(48, 12, 20, 7), y48 = y.slice([0, 0], [48, 1]);
    const FIT = { epochs: 3, batchSize: 8, verbose: 0 as const, bucket: { poolBatches: 2 } };
    const ref = maskedLstm(21);
    rl.setSeed(100);
    await ref.fit(x, y48, FIT);
    const dir = tempDir('rnnlab-bucket-ckpt-');
    try {
      const a = maskedLstm(21);
      rl.setSeed(100);
      // Six batches an epoch: the crash comes after batch 4 of epoch 2.
      const crash = { onBatchEnd: () => { if (a.optimizer!.iterations === 10) throw new Error('crash'); } };
      const backup = rl.callbacks.backupAndRestore({ backupDir: dir, saveFreq: 1, verbose: 0, handleInterrupt: false });
      await expect(a.fit(x, y48, { ...FIT, callbacks: [backup, crash] })).rejects.toThrow('crash');
      expect(readCheckpointInfo(dir).state.progress).toMatchObject({ epoch: 1, batch: 4 });
      const b = maskedLstm(5);
      await b.fit(x, y48, { ...FIT, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 })] });
      expect(sameBits(b.getWeights().map((w) => w.dataSync() as Float32Array), ref.getWeights().map((w) => w.dataSync() as Float32Array))).toBe(true);
    } finally {
      removeDir(dir);
    }
  });
});
