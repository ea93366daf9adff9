import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommonResults, checkReport, cleanup, readResults, requireData, run, tempDir } from './helpers.js';

let data: string;
const savedCache = process.env.RNNLAB_CACHE;
beforeAll(() => {
  data = requireData();
  process.env.RNNLAB_CACHE = tempDir('rnnlab-cache-');
});
afterAll(() => {
  if (savedCache === undefined) delete process.env.RNNLAB_CACHE;
  else process.env.RNNLAB_CACHE = savedCache;
  cleanup();
});

async function experiment(name: string, ...args: string[]) {
  const out = tempDir();
  const r = await run(['experiment', name, '--out', out, ...args]);
  expect(r.err).not.toMatch(/error/);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^Finding: .+\.\)?$/m);
  const res = readResults(out);
  checkCommonResults(res, `experiment ${name}`);
  expect(res.details.title).toEqual(expect.any(String));
  expect(typeof res.finding).toBe('string');
  const { html } = checkReport(out);
  expect(html).toContain(res.finding.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
  return { r, res, html };
}

describe('rnnlab experiment', () => {
  it('digitwise: a tiny RNN adds digit by digit to ~100% and generalises to longer numbers', async () => {
    const { r, res } = await experiment('digitwise', '--verbose', '0');
    expect(r.out).toMatch(/^ +6 +7 +no +\d+\.\d\d% /m);
    expect(res.metrics.exactTrainedLength).toBeGreaterThanOrEqual(0.99);
    expect(res.metrics.exactLongest).toBeGreaterThanOrEqual(0.97);
    expect(res.metrics.minExactLonger).toBeGreaterThanOrEqual(0.97);
    expect(res.metrics.testDigits).toBe(6);
    expect(res.metrics.params).toBeLessThan(3000);
    expect(res.finding).toMatch(/generalises to more digits than it was trained on/);
    expect(res.models[0]).toMatchObject({ name: 'digitwise' });
    expect(res.models[0].history.loss).toHaveLength(res.config.epochs);
  });

  it('reverse: the same model with plain and reversed queries, per epoch side by side', async () => {
    const { r, res } = await experiment('reverse', '--digits', '2', '--training-size', '600', '--epochs', '2', '--hidden', '16', '--verbose', '0');
    expect(r.out).toMatch(/^epoch +plain: per char +reversed: per char +plain: exact +reversed: exact$/m);
    expect(r.out).toMatch(/^ +2 +\d+\.\d\d% +\d+\.\d\d% +\d+\.\d\d% +\d+\.\d\d%$/m);
    expect(res.models.map((m: { name: string }) => m.name)).toEqual(['plain', 'reversed']);
    for (const m of res.models) expect(m.history.val_exact).toHaveLength(2);
    expect(res.metrics).toHaveProperty('reversedExact');
    // The finding is the measured one: its verb follows the exact-match gain, and it quotes the two accuracies.
    const gain = res.metrics.reversedExact - res.metrics.plainExact;
    const verb = gain > 0.005 ? 'helps' : gain < -0.005 ? 'hurts' : 'makes little difference';
    const pc = (v: number) => `${(v * 100).toFixed(2)}%`;
    // With (almost) no answer right either way the run cannot rank the two, and the finding says so instead of a verb.
    const lead = Math.max(res.metrics.reversedExact, res.metrics.plainExact) < 0.05 ? 'Neither model has learned to add after 2 epoch(s):' : `Reversing the queries ${verb}: after 2 epoch(s)`;
    expect(res.finding).toContain(`${lead} ${pc(res.metrics.reversedExact)} of validation answers are exactly right with reversed queries vs ${pc(res.metrics.plainExact)} without`);
    expect(res.finding).toContain(`(per character: ${pc(res.metrics.reversedPerChar)} vs ${pc(res.metrics.plainPerChar)})`);
    expect(res.metrics.reversedExact).toBeCloseTo(res.models[1].history.val_exact[1], 10);
    expect(res.metrics.plainExact).toBeCloseTo(res.models[0].history.val_exact[1], 10);
  });

  it('commutativity: cosine similarity of encoder states for a+b vs b+a, with baselines, and swapped accuracy', async () => {
    const { r, res } = await experiment('commutativity', '--digits', '2', '--training-size', '1000', '--epochs', '1', '--hidden', '16', '--pairs', '50', '--verbose', '0');
    expect(r.out).toMatch(/^a\+b vs b\+a +\d+ +-?\d\.\d{4}/m);
    expect(r.out).toMatch(/^a\+b vs a random pair +\d+ /m);
    expect(r.out).toMatch(/^b\+a \(swapped operands\) +\d+\.\d\d%$/m);
    for (const k of ['meanCosineCommutative', 'meanCosineRandom', 'meanCosineSameSum', 'exactOriginal', 'exactSwapped']) {
      expect(Number.isFinite(res.metrics[k]), k).toBe(true);
    }
    expect(res.metrics.meanCosineCommutative).toBeLessThanOrEqual(1.000001);
    expect(res.metrics.pairs).toBe(50);
  });

  it('gradients: ||dL/dh_t|| per step for SimpleRNN and LSTM on IMDb batches', async () => {
    const { r, res } = await experiment('gradients', '--data', data, '--maxlen', '40', '--batch-size', '8', '--batches', '2', '--units', '8', '--embedding-dim', '8', '--verbose', '0');
    expect(r.out).toContain('first 16 reviews per split');
    expect(r.out).toMatch(/^simple_rnn +SimpleRNN /m);
    expect(r.out).toMatch(/^lstm +LSTM /m);
    const profiles = res.details.profiles as { model: string; norms: number[] }[];
    expect(profiles.map((p) => p.model)).toEqual(['simple_rnn', 'lstm']);
    for (const p of profiles) {
      expect(p.norms).toHaveLength(40);
      for (const v of p.norms) expect(v).toBeGreaterThanOrEqual(0);
      // The loss reaches the last hidden state directly, so its gradient cannot be zero.
      expect(p.norms[39], p.model).toBeGreaterThan(0);
    }
  });

  it('shapes: the TimeDistributed and RepeatVector demos print the lab\'s shapes', async () => {
    const { r, res } = await experiment('shapes');
    expect(r.out).toContain('Shape of input :  (1, 3, 5)');
    expect(r.out).toContain('Shape of output :  (1, 3, 8)');
    expect(r.out).toMatch(/^ {2}\(None, 6\)\n {2}\(None, 3, 6\)$/m);
    expect(r.out).toContain('Shape of output :  (1, 3, 6)');
    expect(res.metrics.repeatedRowsIdentical).toBe(1);
  });

  it('params: the formula and the count per layer, matching the models', async () => {
    const { r, res } = await experiment('params');
    expect(r.out).toContain('ff_raw: 125,501 parameters by hand, 125,501 reported by countParams() ☑');
    expect(r.out).toMatch(/^dense(_\d+)? \(Dense\) +\(500 inputs \+ 1 bias\) x 250 units +125,250 +125,250$/m);
    expect(r.out).toMatch(/4 gates x 100 units x \(100 inputs \+ 100 recurrent \+ 1 bias\) +80,400 +80,400/);
    expect(r.out).toContain('addition: 205,324 parameters by hand');
    expect(res.metrics.allMatch).toBe(1);
    expect(res.metrics.cnn_lstm).toBe(1_062_933);
  });
});
