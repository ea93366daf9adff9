/** GET /api/runs a page at a time: ?limit= and ?offset= over the newest-first list, checked and refused by name. */
import { describe, expect, it } from 'vitest';
import { get, imdbRunId, tempDir, useTestServer, writeImdbRuns } from './helpers.js';

const RUNS = 105;
/** The folder names, newest first. */
const ids = Array.from({ length: RUNS }, (_, i) => imdbRunId(i)).reverse();

const s = useTestServer(() => {
  const runsDir = tempDir();
  writeImdbRuns(runsDir, RUNS, { metrics: { testAccuracy: 0.5 } });
  return { runsDir };
});

describe('runs pages', () => {
  it('gives the newest 100 by default, with the total to page through', async () => {
    const r = await get(s.base, '/api/runs');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ total: RUNS, limit: 100, offset: 0 });
    expect(r.body.runs.map((x: { id: string }) => x.id)).toEqual(ids.slice(0, 100));
  });

  it('gives the page asked for, an empty one past the end', async () => {
    const page = await get(s.base, '/api/runs?limit=7&offset=98');
    expect(page.body).toMatchObject({ total: RUNS, limit: 7, offset: 98 });
    expect(page.body.runs.map((x: { id: string }) => x.id)).toEqual(ids.slice(98, 105));
    const past = await get(s.base, '/api/runs?offset=500');
    expect([past.status, past.body.runs, past.body.total]).toEqual([200, [], RUNS]);
    // Every page together is the whole list, once each.
    const all: string[] = [];
    for (let offset = 0; offset < RUNS; offset += 40) all.push(...(await get(s.base, `/api/runs?limit=40&offset=${offset}`)).body.runs.map((x: { id: string }) => x.id));
    expect(all).toEqual(ids);
  });

  it.each([
    ['limit=0', 'limit must be from 1 to 1000, got 0'],
    ['limit=1001', 'limit must be from 1 to 1000, got 1001'],
    ['limit=-5', 'limit must be a whole number from 1 to 1000, got "-5"'],
    ['limit=ten', 'limit must be a whole number from 1 to 1000, got "ten"'],
    ['limit=', 'limit must be a whole number from 1 to 1000, got ""'],
    ['offset=1.5', 'offset must be a whole number from 0 to 1000000, got "1.5"'],
    ['offset=99999999999', 'offset must be a whole number from 0 to 1000000, got "99999999999"'],
    ['limit=5&limit=6', 'limit is given 2 times in the query; give it once'],
    ['page=2', "/api/runs takes only limit and offset in its query (got 'page'); send fields in a JSON body"],
  ])('refuses ?%s naming the parameter', async (query, message) => {
    const r = await get(s.base, `/api/runs?${query}`);
    expect([r.status, r.body.error]).toEqual([400, message]);
  });

  it('keeps refusing query parameters on the routes that take none', async () => {
    const r = await get(s.base, '/api/jobs?limit=5');
    expect([r.status, r.body.error]).toEqual([400, "/api/jobs takes no query parameters (got 'limit'); send fields in a JSON body"]);
    const one = await get(s.base, `/api/runs/${ids[0]}?limit=5`);
    expect(one.status).toBe(400);
  });
});
