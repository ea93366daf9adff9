/**
 * Run and sweep files the server reads: one that gives a key twice is refused naming the file and the key, and listed
 * with that problem beside the others; a report too large to serve is listed as not served, saying why, as the fetch
 * of it is refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/server/runs.js';
import { readJsonInside, UnsafeFileError } from '../../src/server/safe_files.js';
import { MAX_SERVED_BYTES } from '../../src/server/static.js';
import { get, tempDir, useRunsServer, writeFinishedSweep } from './helpers.js';

const record = (o: Record<string, unknown> = {}) => JSON.stringify({ command: 'imdb', startedAt: '2025-01-01T10:00:00.000Z', finishedAt: '2025-01-01T10:01:00.000Z', config: { model: 'lstm' }, history: { loss: [0.5] }, metrics: {}, ...o });
/** The record with `"testAccuracy":0.5` given twice: JSON.parse would read it as 0.9. */
const twice = record({ metrics: { testAccuracy: 0.5 } }).replace('"testAccuracy":0.5', '"testAccuracy":0.5,"testAccuracy":0.9');

/** A report.html past what the server serves, without writing it (a sparse file). */
const hugeReport = (dir: string) => {
  writeFileSync(join(dir, 'report.html'), '<p>');
  truncateSync(join(dir, 'report.html'), MAX_SERVED_BYTES + 1);
};

const outside = tempDir('rnnlab-outside-');
const s = useRunsServer((run, runsDir) => {
  run('20250101-100000-good', { 'results.json': record({ metrics: { testAccuracy: 0.75 } }), 'report.html': '<p>own</p>' });
  run('20250101-100001-twice', { 'results.json': twice });
  hugeReport(run('20250101-100002-huge', { 'results.json': record() }));
  // No record, only a report too large to serve: still a run whose record was lost.
  hugeReport(run('20250101-100003-lost'));
  writeFileSync(join(outside, 'report.html'), '<p>from outside</p>');
  symlinkSync(join(outside, 'report.html'), join(run('20250101-100004-out', { 'results.json': record() }), 'report.html'));
  execFileSync('mkfifo', [join(run('20250101-100005-fifo', { 'results.json': record() }), 'report.html')]);
  writeFinishedSweep(runsDir, 'sweep-good');
  writeFinishedSweep(runsDir, 'sweep-twice');
  const sweepFile = join(runsDir, 'sweep-twice', 'sweep.json');
  writeFileSync(sweepFile, readFileSync(sweepFile, 'utf8').replace('"goal":"max"', '"goal":"max","goal":"min"'));
});

type Summary = { id: string; status: string; error?: string; hasReport: boolean; reportError?: string; testAccuracy: number | null };
const listed = async () => Object.fromEntries(((await get(s.base, '/api/runs')).body.runs as Summary[]).map((r) => [r.id, r]));

describe('a JSON file giving a key twice', () => {
  it('is refused by readJsonInside, naming the file, the key and where it is; the same key in two objects is no repeat', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'top.json'), '{"a":1,"a":2}');
    writeFileSync(join(root, 'deep.json'), '{"spec":{"grid":{"hidden":[4]},"metric":"loss","metric":"acc"}}');
    writeFileSync(join(root, 'fine.json'), '{"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}]}');
    const refusal = (rel: string) => readJsonInside(root, rel, { maxBytes: 1024 }).then(() => null, (e: unknown) => e);
    const top = await refusal('top.json');
    expect(top).toBeInstanceOf(UnsafeFileError);
    expect(top).toMatchObject({ reason: 'bad-json', status: 422, message: 'top.json gives the key "a" more than once; it is not read' });
    expect(await refusal('deep.json')).toMatchObject({ status: 422, message: 'deep.json gives the key "metric" more than once (at spec.metric); it is not read' });
    expect(await readJsonInside(root, 'fine.json', { maxBytes: 1024 })).toEqual({ a: { k: 1 }, b: { k: 2 }, c: [{ k: 1 }, { k: 2 }] });
  });

  it("a run's results.json: the run is listed invalid with the problem, the others as before", async () => {
    const runs = await listed();
    expect(runs['20250101-100001-twice']).toMatchObject({ status: 'invalid', testAccuracy: null, error: 'results.json gives the key "testAccuracy" more than once (at metrics.testAccuracy)' });
    expect(runs['20250101-100000-good']).toMatchObject({ status: 'completed', testAccuracy: 0.75 });
    const one = await get(s.base, '/api/runs/20250101-100001-twice');
    expect([one.status, one.body.results, one.body.summary.error]).toEqual([200, null, runs['20250101-100001-twice'].error]);
  });

  it("a sweep's sweep.json: listed with the problem beside the others, a 422 by id", async () => {
    const sweeps = Object.fromEntries(((await get(s.base, '/api/sweeps')).body.sweeps as { id: string; error?: string; total: number }[]).map((w) => [w.id, w]));
    expect(sweeps['sweep-twice'].error).toBe('sweep-twice/sweep.json gives the key "goal" more than once (at spec.goal); it is not read');
    expect(sweeps['sweep-good']).toMatchObject({ total: 1 });
    expect(sweeps['sweep-good'].error).toBeUndefined();
    const one = await get(s.base, '/api/sweeps/sweep-twice');
    expect([one.status, one.body.error]).toEqual([422, sweeps['sweep-twice'].error]);
  });
});

describe('a report the server does not serve', () => {
  it('is listed with hasReport false and why, as fetching it is refused; a served one has no reportError', async () => {
    const runs = await listed();
    const tooLarge = `report.html is ${MAX_SERVED_BYTES + 1} bytes, over the ${MAX_SERVED_BYTES >> 20} MiB the dashboard serves; open it from the run folder`;
    expect(runs['20250101-100002-huge']).toMatchObject({ status: 'completed', hasReport: false, reportError: tooLarge });
    expect(runs['20250101-100003-lost']).toMatchObject({ status: 'invalid', hasReport: false, reportError: tooLarge });
    expect(runs['20250101-100004-out']).toMatchObject({ hasReport: false, reportError: 'report.html leads outside the runs folder (a symbolic link?); it is not served' });
    expect(runs['20250101-100005-fifo']).toMatchObject({ hasReport: false, reportError: 'report.html is not a regular file; it is not served' });
    expect(runs['20250101-100000-good'].hasReport).toBe(true);
    expect('reportError' in runs['20250101-100000-good']).toBe(false);
    expect('reportError' in runs['20250101-100001-twice']).toBe(false);
    for (const [id, r] of Object.entries(runs)) {
      const fetched = await get(s.base, `/api/runs/${id}/report.html`);
      expect(fetched.status === 200, `${id}: ${fetched.status}`).toBe(r.hasReport);
      if (r.reportError?.includes('MiB')) expect(fetched.status).toBe(413);
    }
    expect((await get(s.base, '/api/runs/20250101-100002-huge')).body.summary).toMatchObject({ hasReport: false, reportError: tooLarge });
  });

  it('a report grown past the limit in place is seen by the next warm listing', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, '20250101-100000-grow'));
    writeFileSync(join(dir, '20250101-100000-grow', 'results.json'), record());
    writeFileSync(join(dir, '20250101-100000-grow', 'report.html'), '<p>small</p>');
    const store = new RunStore(dir);
    expect((await store.list())[0]).toMatchObject({ hasReport: true });
    truncateSync(join(dir, '20250101-100000-grow', 'report.html'), MAX_SERVED_BYTES + 1);
    expect((await store.list())[0]).toMatchObject({ hasReport: false, reportError: expect.stringMatching(/^report\.html is \d+ bytes, over the 64 MiB/) });
  });
});
