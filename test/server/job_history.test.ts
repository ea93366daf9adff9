/** After a restart the dashboard's job list is rebuilt from the run folders it wrote. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDashboard } from '../../src/server/index.js';
import { finished, get, post, startTestServer } from './helpers.js';

describe('job list after a restart', () => {
  it('brings back finished jobs with their results and shows a job cut off mid-run as interrupted', { timeout: 120000 }, async () => {
    const first = await startTestServer();
    const { runsDir } = first;
    const r = await post(first.base, '/api/jobs', { task: 'addition', digits: 2, trainingSize: 800, hidden: 12, epochs: 2, batchSize: 64, name: 'small-adder' });
    expect(r.status, r.text).toBe(202);
    const done = await finished(first.base, r.body.job.id);
    expect(done.status).toBe('completed');
    // A folder whose server died while it trained still says "running" (made from the finished one's record).
    const rec = JSON.parse(readFileSync(join(runsDir, done.runId, 'results.json'), 'utf8'));
    cpSync(join(runsDir, done.runId), join(runsDir, `${done.runId}-cut`), { recursive: true });
    writeFileSync(join(runsDir, `${done.runId}-cut`, 'results.json'), JSON.stringify({ ...rec, runName: 'cut-adder', status: 'running', pid: process.pid, finishedAt: null, models: [{ ...rec.models[0], history: { loss: [rec.models[0].history.loss[0]] }, secondsPerEpoch: [rec.models[0].secondsPerEpoch[0]] }] }));
    await first.d.close();

    const again = await startDashboard({ port: 0, runsDir });
    const base = `http://127.0.0.1:${again.port}`;
    try {
      const jobs = (await get(base, '/api/jobs')).body.jobs as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(jobs.map((j) => [j.name, j.status])).toEqual([['small-adder', 'completed'], ['cut-adder', 'interrupted']]);
      // The list carries summaries; each job's epochs come with the job itself.
      const [old, cut] = await Promise.all(jobs.map(async (j) => (await get(base, `/api/jobs/${encodeURIComponent(j.id)}`)).body.job));
      expect(jobs.map((j) => j.epochCount)).toEqual([old.epochs.length, cut.epochs.length]);
      expect(old.runId).toBe(done.runId);
      expect(old.metrics.exactMatchAccuracy).toBe(rec.metrics.exactMatchAccuracy);
      expect(old.epochs.map((e: { logs: { loss: number } }) => e.logs.loss)).toEqual(rec.models[0].history.loss);
      expect(old.epochs[1].samples).toEqual(rec.details.samplesPerEpoch[1]);
      expect(old.command).toBe(done.command);
      expect(old.modelReady).toBe(true);
      expect(cut.epochs.length).toBe(1);
      expect(cut.phase).toBe('interrupted by a server restart after 1 epoch');
      expect(cut.modelReady).toBe(false);
      // Finished is finished: a rebuilt job cannot be cancelled.
      const c = await post(base, `/api/jobs/${encodeURIComponent(cut.id)}/cancel`, {});
      expect([c.status, c.body.error]).toEqual([409, `job '${cut.id}' has already been interrupted`]);
      // The snapshot a new page gets lists them too.
      expect((await get(base, `/api/jobs/${encodeURIComponent(old.id)}`)).body.job.status).toBe('completed');
    } finally {
      await again.close();
    }
  });
});
