/**
 * GET /api/runs lists newest first by start time: a run whose results.json cannot be read by the time its folder's
 * name starts with, and one with neither after every dated run. Folder names used to be compared with the ISO
 * times, so "add-broken" came before every run and filled the first page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { get, imdbRunId, tempDir, useTestServer, writeImdbRuns } from './helpers.js';

const s = useTestServer(() => {
  const runsDir = tempDir();
  writeImdbRuns(runsDir, 3);
  // Undated names on either side of "2025…"; timestamped ones newer and older than the dated runs.
  for (const id of ['add-broken', '0-broken', '20300101-000000-broken', '20200101-000000-broken']) {
    mkdirSync(join(runsDir, id));
    writeFileSync(join(runsDir, id, 'results.json'), '{"command": ');
  }
  return { runsDir };
});

it('orders by the recorded start, else the folder name\'s time, and puts runs with neither last', async () => {
  const all = await get(s.base, '/api/runs');
  expect(all.status).toBe(200);
  expect(all.body.runs.map((r: { id: string; status: string }) => `${r.id} ${r.status}`)).toEqual(['20300101-000000-broken invalid',
    `${imdbRunId(2)} completed`, `${imdbRunId(1)} completed`, `${imdbRunId(0)} completed`, '20200101-000000-broken invalid', 'add-broken invalid', '0-broken invalid']);
  const page = await get(s.base, '/api/runs?limit=2');
  expect(page.body.runs.map((r: { id: string }) => r.id)).toEqual(['20300101-000000-broken', imdbRunId(2)]);
  expect(page.body.total).toBe(7);
});
