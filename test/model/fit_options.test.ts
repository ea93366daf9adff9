/** fit's option object: every key works or is refused by name; tfjs's yieldEvery changes when fit yields. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { binaryLabels, idData } from '../io/helpers.js';

function model(): rl.Sequential {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [
    rl.layers.embedding({ inputDim: 20, outputDim: 3, inputLength: 5 }),
    rl.layers.flatten({}),
    rl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  return m;
}

const x = idData(64, 5, 20, 1);
const y = binaryLabels(64, 2);

/** setImmediate callbacks that ran during the first epoch (a macrotask runs only when fit yields). */
async function ticksInFirstEpoch(yieldEvery: unknown): Promise<number> {
  let ticks = 0, running = true;
  const tick = () => { ticks++; if (running) setImmediate(tick); };
  setImmediate(tick);
  let seen = -1;
  const onEpochEnd = () => { if (seen < 0) seen = ticks; };
  await model().fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, yieldEvery, callbacks: { onEpochEnd } } as rl.FitArgs);
  running = false;
  return seen;
}

describe('fit options', () => {
  it('names an unknown option instead of ignoring it', async () => {
    await expect(model().fit(x, y, { epochs: 1, verbose: 0, epoch: 3 } as unknown as rl.FitArgs)).rejects.toThrow(/fit: unknown option 'epoch'/);
  });

  it('refuses tfjs options it does not implement, by name', async () => {
    for (const key of ['stepsPerEpoch', 'validationSteps']) {
      await expect(model().fit(x, y, { verbose: 0, [key]: 2 } as unknown as rl.FitArgs)).rejects.toThrow(new RegExp(`fit: option '${key}' is not supported`));
    }
  });

  it("yieldEvery 'batch' lets the event loop run between batches; 'never' does not", async () => {
    expect(await ticksInFirstEpoch('batch')).toBeGreaterThanOrEqual(15);
    expect(await ticksInFirstEpoch('never')).toBe(0);
  });

  it('rejects a bad yieldEvery naming it', async () => {
    await expect(model().fit(x, y, { verbose: 0, yieldEvery: 'often' } as unknown as rl.FitArgs)).rejects.toThrow(/fit: yieldEvery must be/);
  });
});
