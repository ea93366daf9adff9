/**
 * Discretization.adapt on a list of batches, as Keras 3.14+ iterates a Python list of arrays (keras-team/keras#22417):
 * an array holding tensors is one batch per element, summarized and merged in turn, and steps takes the first ones.
 * Expected boundaries: Keras 3.16's summarize / merge_summaries / get_bin_boundaries run with NumPy 2.4 on the same
 * batches (epsilon 0.01, numBins 5).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

// No value repeats: where equal values meet in a merge, NumPy's unstable argsort may order their weights otherwise.
const b1 = Array.from({ length: 150 }, (_, i) => i * 0.5 + 0.25);
const b2 = Array.from({ length: 5 }, (_, j) => Array.from({ length: 50 }, (_, i) => 0.1 + 0.4 * (50 * j + i)));
const adapted = (data: unknown, steps?: number) => {
  const layer = rl.layers.discretization({ numBins: 5 });
  layer.adapt(data as never, steps);
  return layer.binBoundaries;
};

describe('Discretization.adapt on a list of batches', () => {
  it('an array of tensors is one batch each, as Keras iterates a list; one tensor or nested arrays stay one batch', () => {
    expect(adapted([rl.tensor(b1), rl.tensor(b2)])).toEqual([17.450008392333984, 34.9666748046875, 52.50000762939453, 70.1500015258789]);
    // A batch of nested arrays in the list reads as the tensor of it would.
    expect(adapted([rl.tensor(b1), b2])).toEqual([17.450008392333984, 34.9666748046875, 52.50000762939453, 70.1500015258789]);
    const whole = [17.69998550415039, 35.299983978271484, 53.24998092651367, 70.89999389648438];
    expect(adapted(rl.tensor([...b1, ...b2.flat()]))).toEqual(whole);
    expect(adapted([...b1, ...b2.flat()])).toEqual(whole);
  });

  it('an empty batch is merged as Keras merges it (its summary is compressed again), and a number is a batch of one', () => {
    expect(adapted([rl.tensor(b1), rl.tensor([]), rl.tensor(b2)])).toEqual([17.450002670288086, 34.96665954589844, 52.50000762939453, 70.14999389648438]);
    expect(adapted([rl.tensor(b1), 3])).toEqual([14.483318328857422, 29.549978256225586, 44.616641998291016, 59.68332290649414]);
  });

  it('steps takes the first batches of the list', () => {
    expect(adapted([rl.tensor(b1), rl.tensor(b2)], 1)).toEqual([14.749990463256836, 29.749984741210938, 44.7499885559082, 59.75]);
    expect(adapted([rl.tensor(b1), rl.tensor(b2)], 5)).toEqual(adapted([rl.tensor(b1), rl.tensor(b2)]));
  });

  it('refuses, naming the batch, and keeps the boundaries it had', () => {
    const layer = rl.layers.discretization({ numBins: 2 });
    layer.adapt(rl.tensor([0, 1, 2, 3]));
    const had = layer.binBoundaries;
    expect(() => layer.adapt([rl.tensor([1]), rl.tensor([2, NaN])])).toThrow(/adapt batch 1 holds NaN at flat index 1; values must be finite/);
    expect(() => layer.adapt([rl.tensor([1]), 'x'] as never)).toThrow(/adapt batch 1 needs a tensor or an array of numbers, got the string "x"/);
    expect(() => layer.adapt([rl.tensor([]), rl.tensor([])])).toThrow(/adapt data holds no values/);
    expect(() => layer.adapt([rl.tensor([1])], 0)).toThrow(/adapt's steps must be a positive integer, got 0/);
    expect(() => layer.adapt([1, 2, 3], 2)).toThrow(/adapt takes the data only when it is one batch .*steps counts the batches of a list: pass an array of tensors/);
    expect(layer.binBoundaries).toEqual(had);
  });
});
