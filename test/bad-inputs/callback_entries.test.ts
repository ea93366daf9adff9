/** Entries of fit's and fitDataset's callbacks that are not callback objects: refused naming the call and the index, before training. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { expectClean } from './helpers.js';

function dense(): rl.Sequential {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: rl.train.sgd(0.1), loss: 'mse' });
  return m;
}

const X = [[1, 2], [0.5, -1], [3, 0]];
const Y = [[1], [0], [2]];
const dataset = () => rl.data.zip({ xs: rl.data.array(X.map((r) => rl.tensor1d(r))), ys: rl.data.array(Y.map((r) => rl.tensor1d(r))) }).batch(2);

const BAD: [string, unknown, RegExp][] = [
  ['a number', [5], /callbacks\[0\] must be a callback object \(e\.g\. rl\.callbacks\.earlyStopping\(\)\), got 5/],
  ['null', [null], /callbacks\[0\] must be a callback object .*got null/],
  ['a string', [{ onEpochEnd: () => undefined }, 'x'], /callbacks\[1\] must be a callback object .*got "x"/],
  ['a nested list', [[]], /callbacks\[0\] must be a callback object .*got an array \(give the callbacks as one flat list\)/],
  ['a lone number', 5, /callbacks must be a list of callbacks or one callback object .*got number 5/],
];

describe('callbacks entries that are not callbacks', () => {
  it.each(BAD)('fit refuses %s', async (_, callbacks, message) => {
    const m = dense();
    const before = m.getWeights().map((w) => [...w.dataSync()]);
    await expectClean(() => m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: callbacks as never }), Error, new RegExp(`^fit: ${message.source}`));
    expect(m.getWeights().map((w) => [...w.dataSync()])).toEqual(before);
  });

  it.each(BAD)('fitDataset refuses %s', async (_, callbacks, message) => {
    const m = dense();
    const before = m.getWeights().map((w) => [...w.dataSync()]);
    await expectClean(() => m.fitDataset(dataset(), { epochs: 1, verbose: 0, callbacks: callbacks as never }), Error, new RegExp(`^fitDataset: ${message.source}`));
    expect(m.getWeights().map((w) => [...w.dataSync()])).toEqual(before);
  });

  it('a flat list of callback objects still runs', async () => {
    const seen: number[] = [];
    await dense().fitDataset(dataset(), { epochs: 2, verbose: 0, callbacks: [{ onEpochEnd: (e: number) => { seen.push(e); } }] });
    expect(seen).toEqual([0, 1]);
  });
});
