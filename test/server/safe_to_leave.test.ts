/**
 * "Safe to leave running": what a long-lived dashboard accumulates. Many jobs leave no file descriptors or abort
 * listeners behind, pages that disconnect mid-stream free their event-stream places, a job whose folder is removed
 * still ends (its folder written again whole), a runs folder of 1,000 runs is listed whole, and runs removed behind
 * the server's back leave neither the list nor its cache.
 */
import { getEventListeners } from 'node:events';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, get, imdbRunId, post, serverPerTest, SseClient, until, writeImdbRuns } from './helpers.js';


const sum = { task: 'addition', digits: 1, trainingSize: 20, hidden: 4, epochs: 1, batchSize: 10 };
const s = serverPerTest();

const openFds = () => readdirSync('/proc/self/fd').length;

describe('a dashboard left running', () => {
  it.skipIf(process.platform !== 'linux')('keeps no file descriptor or listener of the jobs it ran', async () => {
    await s.start();
    const runJob = async (name: string) => {
      const job = await finished(s!.base, (await post(s!.base, '/api/jobs', { ...sum, name })).body.job.id);
      expect(job.status).toBe('completed');
    };
    // The first job loads what every later one shares (modules, the report's fonts...).
    await runJob('warm-up');
    const before = openFds();
    for (let i = 0; i < 6; i++) await runJob(`job-${i}`);
    expect(openFds()).toBeLessThanOrEqual(before);
    // No job's cancel signal still holds the listener that forwarded a cancel to its process.
    const kept = (s.d.jobs as unknown as { jobs: { abort: AbortController }[] }).jobs;
    expect(kept.length).toBe(7);
    for (const j of kept) expect(getEventListeners(j.abort.signal, 'abort')).toEqual([]);
  });

  it('frees the event-stream place of every page that goes away mid-stream, so later pages still connect', async () => {
    await s.start();
    // Twice as many pages as the hub holds at once (32), each gone before the next comes.
    for (let i = 0; i < 64; i++) {
      const page = await SseClient.connect(s.base);
      await page.waitFor((e) => e.event === 'snapshot', 10_000, 'the snapshot');
      page.close();
    }
    const last = await SseClient.connect(s.base);
    last.close();
    // A job's events, sent to pages now gone, do not fail it.
    const job = await finished(s.base, (await post(s.base, '/api/jobs', { ...sum, name: 'after-pages' })).body.job.id);
    expect(job.status).toBe('completed');
  });

  it('finishes a job whose run folder is removed while it trains, writing the folder again whole at the end', async () => {
    await s.start({ batchDelayMs: 200 });
    const id = (await post(s.base, '/api/jobs', { ...sum, epochs: 2, name: 'removed' })).body.job.id;
    const runId = await until<string>(async () => {
      const job = (await get(s!.base, `/api/jobs/${id}`)).body.job;
      return job.progress?.batch >= 1 ? job.runId : null;
    }, 60_000, 'the first batch');
    rmSync(join(s.runsDir, runId), { recursive: true });
    s.d.jobs.batchDelayMs = 0;
    const job = await finished(s.base, id);
    expect(job.status).toBe('completed');
    const record = JSON.parse(readFileSync(join(s.runsDir, runId, 'results.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'completed', runName: 'removed' });
    expect(record.models[0].history.loss).toHaveLength(2);
    expect(existsSync(join(s.runsDir, runId, 'report.html'))).toBe(true);
    expect((await get(s.base, `/api/runs/${runId}`)).status).toBe(200);
  });

  it('lists a runs folder of 1,000 runs whole, and forgets the runs removed behind its back', async () => {
    await s.start();
    writeImdbRuns(s.runsDir, 1000);
    const all = (await get(s.base, '/api/runs')).body;
    expect(all.total).toBe(1000);
    expect(all.runs[0].id).toBe(imdbRunId(999));
    // Every page of the list, newest first, each run once.
    const ids: string[] = [];
    for (let offset = 0; offset < 1000; offset += all.limit) ids.push(...(await get(s.base, `/api/runs?offset=${offset}`)).body.runs.map((r: { id: string }) => r.id));
    expect(ids).toEqual(Array.from({ length: 1000 }, (_, i) => imdbRunId(999 - i)));
    for (let i = 0; i < 1000; i += 2) rmSync(join(s.runsDir, imdbRunId(i)), { recursive: true });
    const heads = () => (s!.d.runs as unknown as { heads: Map<string, unknown> }).heads.size;
    // A page that only lists models (GET /api/models) lets the store forget them too, not only the run list.
    expect((await get(s.base, '/api/models')).status).toBe(200);
    expect(heads()).toBe(500);
    const left = (await get(s.base, '/api/runs')).body;
    expect(left.total).toBe(500);
    expect(left.runs[0].id).toBe(imdbRunId(999));
    expect(left.runs[1].id).toBe(imdbRunId(997));
    expect(heads()).toBe(500);
    expect((await get(s.base, `/api/runs/${imdbRunId(0)}`)).status).toBe(404);
  });
});
