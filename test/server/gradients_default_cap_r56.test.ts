/**
 * POST /api/inspect/gradients without `models` measures the default pair, fresh:simple_rnn against fresh:lstm. Under a
 * small `rnnlab serve --max-model-params` the client named no model, so the 422 says that the refused one is from the
 * default pair and to send `models`; named models are refused as every route refuses them, and the default pair
 * within the cap is measured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imdbModel } from '../../src/experiments/lab_models.js';
import { post, startTestServer, type TestServer } from './helpers.js';

const count = (kind: 'simple_rnn' | 'lstm') => imdbModel(kind, { vocab: 10000, maxlen: 200 }).countParams();
const en = (n: number) => n.toLocaleString('en-US');
const HOW = "the default pair (fresh:simple_rnn, fresh:lstm) measured when models is not sent: send models, naming IMDb models within the limit (GET /api/models lists them)";

describe('the gradients default pair under --max-model-params', () => {
  const rnn = count('simple_rnn'), lstm = count('lstm');
  const servers: TestServer[] = [];
  let betweenCap: TestServer, tinyCap: TestServer;

  beforeAll(async () => {
    betweenCap = await startTestServer({ maxModelParams: rnn + 1 });
    tinyCap = await startTestServer({ maxModelParams: 1000 });
    servers.push(betweenCap, tinyCap);
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('names the one default model over the cap, says it is the default, and how to name others', async () => {
    const r = await post(betweenCap.base, '/api/inspect/gradients', { text: 'a good film' });
    expect(r.status, r.text).toBe(422);
    expect(r.body.error).toBe(`the untrained model 'fresh:lstm' has ${en(lstm)} parameters, over this dashboard's limit of ${en(rnn + 1)} (rnnlab serve --max-model-params), and it is one of ${HOW}`);
  });

  it('names both when neither is within the cap', async () => {
    const r = await post(tinyCap.base, '/api/inspect/gradients', { source: 'text', text: 'a good film', label: 'negative' });
    expect(r.status, r.text).toBe(422);
    expect(r.body.error).toBe(`the untrained models 'fresh:simple_rnn' (${en(rnn)} parameters) and 'fresh:lstm' (${en(lstm)} parameters) are over this dashboard's limit of 1,000 (rnnlab serve --max-model-params), and they are ${HOW}`);
  });

  it('measures the models a client names within the cap; a named one over it keeps the 422 every route gives', async () => {
    const ok = await post(betweenCap.base, '/api/inspect/gradients', { models: ['fresh:simple_rnn'], text: 'a good film' });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.series).toHaveLength(1);
    expect(ok.body.series[0].norms.length).toBeGreaterThan(0);
    const named = await post(betweenCap.base, '/api/inspect/gradients', { models: ['fresh:lstm'], text: 'a good film' });
    expect(named.status, named.text).toBe(422);
    expect(named.body.error).toBe(`the untrained model 'fresh:lstm' has ${en(lstm)} parameters, over this dashboard's limit of ${en(rnn + 1)} (rnnlab serve --max-model-params)`);
  });

  it('a bad field is still the 400 naming it, before the cap is looked at', async () => {
    const r = await post(betweenCap.base, '/api/inspect/gradients', { text: 'a good film', samples: 4 });
    expect(r.status, r.text).toBe(400);
    expect(r.body.error).toMatch(/^samples is the number of test reviews/);
  });
});
