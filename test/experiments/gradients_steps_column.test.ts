// experiment gradients' table: the column of steps counted back from the last says what it counts (the steps whose
// norm stays at least 1% of the last step's, not steps "within 1%" of it); --lr's help gives every optimizer's default.
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { gradientsExperiment, type GradientProfile } from '../../src/experiments/gradients.js';
import type { ImdbArrays } from '../../src/experiments/imdb_task.js';
import { cleanup, run } from '../cli/helpers.js';

afterAll(cleanup);

function reviews(n: number, maxlen: number, vocab: number): ImdbArrays {
  const r = new rl.Random(5);
  const x = Float32Array.from({ length: n * maxlen }, () => 1 + r.int(vocab - 1));
  const y = Float32Array.from({ length: n }, (_, i) => i % 2);
  return { xTrain: rl.tensor2d(x, [n, maxlen]), yTrain: rl.tensor2d(y, [n, 1]), xTest: rl.tensor2d(x, [n, maxlen]), yTest: rl.tensor2d(y, [n, 1]),
    vocab, maxlen, nTrain: n, nTest: n, loadSeconds: 0, meanLength: maxlen };
}

describe('experiment gradients, the steps column', () => {
  it('is named for what it counts, and counts the last steps whose norm is at least 1% of the last one\'s', async () => {
    const res = await gradientsExperiment(reviews(8, 40, 30), { models: ['simple_rnn', 'lstm'], units: 3, embeddingDim: 3, batchSize: 8, batches: 1, longRange: false });
    const table = res.tables[0];
    const col = table.columns.indexOf('steps from the end ≥ 1% of last');
    expect(col).toBeGreaterThan(0);
    expect(table.columns.some((c) => /within/.test(c))).toBe(false);
    const profiles = (res.details as { profiles: GradientProfile[] }).profiles;
    profiles.forEach((p, i) => {
      const last = p.norms[p.norms.length - 1];
      let counted = 0;
      for (let t = p.norms.length - 1; t >= 0 && p.norms[t] >= 0.01 * last; t--) counted++;
      expect(table.rows[i][col]).toBe(counted);
    });
  });

  it('--lr\'s help gives the default of every optimizer --optimizer takes, adamw included', async () => {
    const r = await run(['experiment', 'gradients', '--help']);
    expect(r.code).toBe(0);
    expect(r.out.replace(/\s+/g, ' ')).toMatch(/learning rate of the --epochs of IMDb training \(optimizer default: 0\.001 for adam, rmsprop and adamw, 0\.01 for sgd\)/);
  });
});
