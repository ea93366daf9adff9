/**
 * fit's and fitDataset's `callbacks` option: a list or one callback object (tfjs's); anything else is refused as the
 * option it is, naming what was given, before any batch trains (it was reported as a bad `callbacks[0]` of a list
 * nobody wrote, and 0, false or '' were read as no callbacks).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X, LINEAR_Y, tinyLinearModel } from '../helpers/tiny_linear.js';

const bad: [unknown, string][] = [
  [5, 'number 5'], [0, 'number 0'], [false, 'boolean false'], [true, 'boolean true'], ['', 'the string ""'], ['earlyStopping', 'the string "earlyStopping"'],
  [() => undefined, 'a function (a callback is an object with hooks such as onEpochEnd)'],
];

describe('fit({callbacks}) that is neither a list nor a callback', () => {
  it.each(bad)('%s: refused naming it, and no batch trains', async (given, words) => {
    const m = tinyLinearModel();
    const before = Array.from(m.getWeights()[0].dataSync());
    await expect(m.fit(LINEAR_X, LINEAR_Y, { epochs: 1, verbose: 0, callbacks: given as never }))
      .rejects.toThrow(`fit: callbacks must be a list of callbacks or one callback object (e.g. [rl.callbacks.earlyStopping()]), got ${words}`);
    expect(Array.from(m.getWeights()[0].dataSync())).toEqual(before);
  });

  it('fitDataset says the same, under its own name', async () => {
    const m = tinyLinearModel();
    const ds = rl.data.array(LINEAR_X.map((x, i) => ({ xs: x, ys: LINEAR_Y[i] }))).batch(3);
    await expect(m.fitDataset(ds, { epochs: 1, verbose: 0, callbacks: 5 as never }))
      .rejects.toThrow(`fitDataset: callbacks must be a list of callbacks or one callback object (e.g. [rl.callbacks.earlyStopping()]), got number 5`);
  });

  it('one callback object, a list, null and undefined still work', async () => {
    let seen = 0;
    for (const callbacks of [{ onEpochEnd() { seen++; } }, [{ onEpochEnd() { seen++; } }], null, undefined]) {
      await tinyLinearModel().fit(LINEAR_X, LINEAR_Y, { epochs: 1, verbose: 0, callbacks: callbacks as never });
    }
    expect(seen).toBe(2);
  });
});
