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

describe('rnnlab compare', () => {
  it('trains the six lab models on the same reviews and tabulates them', async () => {
    const out = tempDir();
    const r = await run(['compare', '--limit', '200', '--epochs', '1', '--maxlen', '50', '--vocab', '2000', '--embedding-dim', '8', '--units', '8',
      '--data', data, '--out', out, '--verbose', '0']);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const header = r.out.split('\n').findIndex((l) => /^model +params +epochs +batch +s\/epoch +train acc +test acc$/.test(l));
    expect(header).toBeGreaterThan(0);
    const rows = r.out.split('\n').slice(header + 2, header + 8);
    expect(rows.map((l) => l.split(/ +/)[0])).toEqual(['ff_raw', 'ff_embed', 'cnn', 'simple_rnn', 'lstm', 'cnn_lstm']);
    for (const l of rows) expect(l).toMatch(/ \d+\.\d\d% +\d+\.\d\d%$/);
    // Each model keeps its seed batch size.
    expect(rows[3]).toMatch(/^simple_rnn +[\d,]+ +1 +16 /);

    const res = readResults(out);
    checkCommonResults(res, 'compare');
    expect(res.details.comparison).toHaveLength(6);
    for (const row of res.details.comparison) {
      expect(row.params).toBeGreaterThan(0);
      expect(row.secondsPerEpoch).toBeGreaterThan(0);
      expect(row.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(row.trainAccuracy).toBeLessThanOrEqual(1);
    }
    expect(res.models.map((m: { name: string }) => m.name)).toEqual(['ff_raw', 'ff_embed', 'cnn', 'simple_rnn', 'lstm', 'cnn_lstm']);
    expect(res.models[4].history.loss).toHaveLength(1);
    expect(res.metrics.lstm.testAccuracy).toBe(res.details.comparison[4].testAccuracy);
    // One confusion matrix per model, on every test review, its diagonal the model's test accuracy.
    expect(res.details.classes).toEqual(['negative', 'positive']);
    expect(Object.keys(res.details.confusionByModel)).toEqual(['ff_raw', 'ff_embed', 'cnn', 'simple_rnn', 'lstm', 'cnn_lstm']);
    for (const row of res.details.comparison) {
      const m = res.details.confusionByModel[row.model] as number[][];
      expect(m.flat().reduce((a, b) => a + b, 0)).toBe(res.data.nTest);
      expect((m[0][0] + m[1][1]) / res.data.nTest).toBeCloseTo(row.testAccuracy, 6);
    }
    const { html } = checkReport(out);
    expect(html).toContain('Training accuracy per epoch');
    expect(html).toContain('<th>test acc</th>');
  });

  it('trains only the models given', async () => {
    const out = tempDir();
    const r = await run(['compare', '--models', 'gru,bilstm', '--limit', '64', '--epochs', '1', '--maxlen', '20', '--vocab', '500',
      '--embedding-dim', '4', '--units', '4', '--data', data, '--out', out, '--verbose', '0']);
    expect(r.code).toBe(0);
    const res = readResults(out);
    checkCommonResults(res, 'compare');
    expect(res.models.map((m: { name: string }) => m.name)).toEqual(['gru', 'bilstm']);
  });
});
