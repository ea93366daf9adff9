/**
 * GET /api/models a page at a time, as GET /api/runs: ?limit= (default 100, at most 1000) and ?offset= over the
 * newest-first list with the untrained models last, `total` to page through, and bad values refused by name.
 */
import { describe, expect, it } from 'vitest';
import { get, imdbRunId, tempDir, useTestServer, writeImdbRuns } from './helpers.js';

const RUNS = 150;
/** The model ids, newest run first, then the untrained networks. */
const ids = [...Array.from({ length: RUNS }, (_, i) => imdbRunId(i)).reverse(), 'fresh:simple_rnn', 'fresh:lstm', 'fresh:gru'];

const s = useTestServer(() => {
  const runsDir = tempDir();
  writeImdbRuns(runsDir, RUNS, { metrics: { testAccuracy: 0.8 }, withModel: true });
  return { runsDir };
});

const idsOf = (body: { models: { id: string }[] }) => body.models.map((m) => m.id);

describe('GET /api/models pages', () => {
  it('gives the first 100 by default, with the total, each model with its fields', async () => {
    const r = await get(s.base, '/api/models');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ total: RUNS + 3, limit: 100, offset: 0 });
    expect(idsOf(r.body)).toEqual(ids.slice(0, 100));
    expect(r.body.models[0]).toEqual({ id: ids[0], label: `${ids[0]} (IMDb lstm, maxlen 500)`, meta: { task: 'imdb', kind: 'lstm', vocab: 10000, maxlen: 500 },
      source: 'disk', accuracy: 0.8, createdAt: new Date(Date.UTC(2025, 0, 1, 10, 0, RUNS - 1)).toISOString() });
  });

  it('gives the page asked for, the untrained models on the last, an empty one past the end', async () => {
    const last = await get(s.base, `/api/models?limit=10&offset=${RUNS - 2}`);
    expect(last.body).toMatchObject({ total: RUNS + 3, limit: 10, offset: RUNS - 2 });
    expect(idsOf(last.body)).toEqual(ids.slice(RUNS - 2));
    expect(last.body.models.at(-1)).toMatchObject({ id: 'fresh:gru', source: 'fresh', accuracy: null });
    const past = await get(s.base, '/api/models?offset=5000');
    expect([past.status, past.body.models, past.body.total]).toEqual([200, [], RUNS + 3]);
    const all: string[] = [];
    for (let offset = 0; offset < RUNS + 3; offset += 40) all.push(...idsOf((await get(s.base, `/api/models?limit=40&offset=${offset}`)).body));
    expect(all).toEqual(ids);
    expect(idsOf((await get(s.base, '/api/models?limit=1000')).body)).toEqual(ids);
  });

  it.each([
    ['limit=0', 'limit must be from 1 to 1000, got 0'],
    ['limit=1001', 'limit must be from 1 to 1000, got 1001'],
    ['limit=-5', 'limit must be a whole number from 1 to 1000, got "-5"'],
    ['limit=', 'limit must be a whole number from 1 to 1000, got ""'],
    ['offset=1.5', 'offset must be a whole number from 0 to 1000000, got "1.5"'],
    ['offset=1000001', 'offset must be from 0 to 1000000, got 1000001'],
    ['offset=2&offset=3', 'offset is given 2 times in the query; give it once'],
    ['page=2', "/api/models takes only limit and offset in its query (got 'page'); send fields in a JSON body"],
  ])('refuses ?%s naming the parameter, as /api/runs does', async (query, message) => {
    const r = await get(s.base, `/api/models?${query}`);
    expect([r.status, r.body.error]).toEqual([400, message]);
    expect((await get(s.base, `/api/runs?${query}`)).body.error).toBe(message.replace('/api/models', '/api/runs'));
  });
});
