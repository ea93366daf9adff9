/**
 * docs/API.md's deliberate differences list the refusal of NaN / Inf in the data (Keras and tfjs compute NaN for the
 * rows that hold it), and what it names is what the code refuses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { REPO_ROOT } from '../helpers/imdb.js';

function deliberateDifferences(): string {
  const api = readFileSync(join(REPO_ROOT, 'docs', 'API.md'), 'utf8');
  const start = api.indexOf('## Deliberate differences from tfjs');
  expect(start).toBeGreaterThan(0);
  return api.slice(start, api.indexOf('\n## ', start + 1));
}

describe('docs/API.md: NaN or Inf in x is refused', () => {
  it('is listed among the deliberate differences, naming the calls that refuse it', () => {
    const item = deliberateDifferences().split('\n- ').find((b) => /NaN or Inf in the data is refused/.test(b));
    expect(item).toBeDefined();
    for (const call of ['`fit`', '`evaluate`', '`predict`', '`predictOnBatch`', '`trainOnBatch`', '`testOnBatch`', '`apply(x)`', '`execute`']) expect(item).toContain(call);
  });

  it('the calls it names refuse it; a Functional apply computes NaN, as it says', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], name: 'd' })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const bad = rl.tensor([[NaN, 1], [1, 1]]), y = rl.tensor([[1], [0]]);
    const why = /x: value NaN at flat index 0 is not finite \(NaN or Inf in features\)/;
    await expect(m.fit(bad, y, { verbose: 0 })).rejects.toThrow(why);
    expect(() => m.evaluate(bad, y)).toThrow(why);
    expect(() => m.predict(bad)).toThrow(why);
    expect(() => m.predictOnBatch(bad)).toThrow(why);
    expect(() => m.trainOnBatch(bad, y)).toThrow(why);
    expect(() => m.testOnBatch(bad, y)).toThrow(why);
    expect(() => m.apply(bad)).toThrow(why);
    const i = rl.input({ shape: [2], name: 'i' });
    const f = rl.model({ inputs: i, outputs: rl.layers.dense({ units: 1, name: 'o' }).apply(i) as rl.SymbolicTensor });
    expect(() => f.predict(bad)).toThrow(why);
    expect(() => f.execute(bad, 'o')).toThrow(why);
    const out = Array.from((f.apply(bad) as rl.Tensor).dataSync());
    expect(Number.isNaN(out[0])).toBe(true);
    expect(Number.isFinite(out[1])).toBe(true);
  });
});
