import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
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

describe('rnnlab imdb and predict on real reviews', () => {
  let out: string;

  it('trains the LSTM on 200 reviews: summary, progress, accuracy, results.json and the report', async () => {
    out = tempDir();
    const r = await run(['imdb', '--model', 'lstm', '--limit', '200', '--epochs', '1', '--maxlen', '100', '--units', '16', '--embedding-dim', '16', '--data', data, '--out', out]);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Model: "sequential(_\d+)?"$/m);
    expect(r.out).toMatch(/^lstm(_\d+)? \(LSTM\) +\(None, 16\) +2112 *$/m);
    expect(r.out).toMatch(/^Total params: 162,129$/m);
    expect(r.out).toMatch(/^Epoch 1\/1$/m);
    expect(r.out).toMatch(/^4\/4 \[=+\] - .* - loss: \d\.\d{4} - accuracy: \d\.\d{4}$/m);
    expect(r.out).toMatch(/^Accuracy: \d+\.\d\d%$/m);
    expect(r.out).toContain('200 training and 200 test reviews');

    const res = readResults(out);
    checkCommonResults(res, 'imdb');
    expect(res.config).toMatchObject({ model: 'lstm', epochs: 1, batchSize: 64, maxlen: 100, vocab: 10000, units: 16, embeddingDim: 16, optimizer: 'adam', seed: 1 });
    expect(res.models[0].history.loss).toHaveLength(1);
    expect(res.models[0].history.accuracy).toHaveLength(1);
    expect(res.metrics.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(res.metrics.testAccuracy).toBeLessThanOrEqual(1);
    expect(Number.isFinite(res.metrics.testLoss)).toBe(true);
    expect(res.models[0].secondsPerEpoch).toHaveLength(1);
    expect(res.models[0].secondsPerEpoch[0]).toBeGreaterThan(0);
    expect(res.models[0].params).toBe(162_129);
    expect(res.data).toMatchObject({ nTrain: 200, nTest: 200, limit: 200 });
    expect(res.models[0].summary.join('\n')).toContain('Total params: 162,129');

    const { html } = checkReport(out);
    expect(html).toContain('IMDb sentiment: lstm');
    expect(html).toContain('Loss per epoch');
    expect(html).toMatch(/<svg [^>]*>/);
    expect(html).toContain('Total params: 162,129');
    // TensorFlow.js Layers files (model.save) plus how texts become inputs.
    for (const f of ['model.json', 'weights.bin', 'rnnlab-input.json']) expect(existsSync(path.join(out, 'model', f)), f).toBe(true);
  });

  it('predict scores reviews with the saved model', async () => {
    const r = await run(['predict', '--model', out, 'A wonderful film, beautifully acted.', 'Dull and far too long.']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Model: lstm \(vocab 10000, maxlen 100, test accuracy \d+\.\d\d%\)\nprob {4}label {5}text$/m);
    const lines = r.out.trim().split('\n').slice(2);
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      const m = /^(\d\.\d{4}) {2}(positive|negative) {2}".*" {2}\(\d+ known words\)$/.exec(l);
      expect(m, l).not.toBeNull();
      // The predicted label's probability, as in every predict table.
      const p = Number(m![1]);
      expect(p).toBeGreaterThanOrEqual(0.5);
      expect(p).toBeLessThanOrEqual(1);
    }
  });

  it('predict gives the same probability as the model that was trained', async () => {
    const r1 = await run(['predict', '--model', path.join(out, 'model'), 'great great great']);
    const r2 = await run(['predict', '--model', out, 'great great great']);
    expect(r1.out).toBe(r2.out);
  });

  it('predict also reads a model saved without rnnlab-input.json, taking maxlen and vocab from the model', async () => {
    const copy = path.join(tempDir(), 'bare');
    cpSync(path.join(out, 'model'), copy, { recursive: true });
    rmSync(path.join(copy, 'rnnlab-input.json'));
    const r = await run(['predict', '--model', copy, 'great great great']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\(vocab 10000, maxlen 100\)/);
    const p1 = /^(\d\.\d{4})/m.exec(r.out.split('\n')[2])?.[1];
    const p2 = /^(\d\.\d{4})/m.exec((await run(['predict', '--model', out, 'great great great'])).out.split('\n')[2])?.[1];
    expect(p1).toMatch(/^\d\.\d{4}$/);
    expect(p1).toBe(p2);
  });

  it('feeds raw ids to the feed-forward net (ff_raw) with the seed defaults but for epochs', async () => {
    const dir = tempDir();
    const r = await run(['imdb', '--model', 'ff_raw', '--limit', '200', '--epochs', '1', '--maxlen', '100', '--data', data, '--out', dir, '--verbose', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^dense(_\d+)? \(Dense\) +\(None, 250\) +25250 *$/m);
    // The seed validates the feed-forward models every epoch.
    expect(r.out).toMatch(/val_loss: \d+\.\d{4} - val_accuracy: \d\.\d{4}$/m);
    const res = readResults(dir);
    // The sizes of the model built: no Embedding, a hidden Dense of 250 (the seed's width, in force though not given).
    expect(res.config).toMatchObject({ model: 'ff_raw', batchSize: 128, validate: true, units: 250, embeddingDim: null });
    expect(res.models[0].history.val_accuracy).toHaveLength(1);
    checkReport(dir);
  });
});
