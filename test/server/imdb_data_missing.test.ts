/**
 * The dashboard never downloads the IMDb data: without it, GET /api/config says so, an IMDb job (or the demo's) is a
 * 409 naming where the data was looked for, nothing is queued, and a job's process runs with RNNLAB_OFFLINE=1.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, get, post, startTestServer, tempDir, until, type TestServer } from './helpers.js';

let s: TestServer;
const saved = process.env.RNNLAB_OFFLINE;
beforeAll(async () => {
  // The server's own environment allows downloads: the refusal must not depend on it.
  delete process.env.RNNLAB_OFFLINE;
  s = await startTestServer({ dataPath: tempDir('rnnlab-no-imdb-') });
});
afterAll(async () => {
  await s?.close();
  if (saved !== undefined) process.env.RNNLAB_OFFLINE = saved;
});

const refusal = /^IMDb jobs need the IMDb data, which is not on this machine, and the dashboard does not download it \(checked: path: \S*rnnlab-no-imdb-\S+ \(a folder without aclImdb_v1\.tar\.gz\)\): start rnnlab serve with --data or RNNLAB_DATA naming aclImdb_v1\.tar\.gz, or let `rnnlab imdb` download it into the cache once$/;

describe('IMDb jobs without the IMDb data', () => {
  it('are refused with a 409 naming where the data was looked for, and nothing is queued or written', async () => {
    expect((await get(s.base, '/api/config')).body.imdbData.available).toBe(false);
    const job = await post(s.base, '/api/jobs', { task: 'imdb', model: 'lstm', limit: 10, epochs: 1 });
    expect(job.status).toBe(409);
    expect(job.body.error).toMatch(refusal);
    // The demo's IMDb job too, and with it the addition one: a demo is queued whole or not at all.
    for (const body of [{}, { task: 'both' }, { task: 'imdb' }]) {
      const demo = await post(s.base, '/api/demo', body);
      expect([demo.status, demo.body.error], JSON.stringify(body)).toEqual([409, expect.stringMatching(refusal)]);
    }
    expect((await get(s.base, '/api/jobs')).body.jobs).toEqual([]);
    expect(readdirSync(s.runsDir)).toEqual([]);
  });

  it('are checked field by field first: a bad IMDb job is a 400 naming its field', async () => {
    const r = await post(s.base, '/api/jobs', { task: 'imdb', epochs: 0 });
    expect([r.status, r.body.error]).toEqual([400, expect.stringMatching(/epochs must be from 1 to 200, got 0/)]);
  });

  it.skipIf(process.platform !== 'linux')("leave addition jobs alone, whose process runs offline", async () => {
    s.d.jobs.batchDelayMs = 60_000;
    const r = await post(s.base, '/api/demo', { task: 'addition' });
    expect(r.status, r.text).toBe(202);
    const id = r.body.jobs[0].id;
    await until(async () => (await get(s.base, `/api/jobs/${id}`)).body.job.progress?.batch >= 1, 60_000, 'the first batch');
    const env = readFileSync(`/proc/${s.d.jobs.trainingPid()}/environ`, 'utf8').split('\0');
    expect(env).toContain('RNNLAB_OFFLINE=1');
    await post(s.base, `/api/jobs/${id}/cancel`, {});
    expect((await finished(s.base, id)).status).toBe('cancelled');
  });
});
