/**
 * A job id the queue no longer keeps gets a 404 that says so and points at the runs; a dashboard record left
 * "running" after its training had ended is not said to be cut off by a server restart.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobNotKept, modelNewerThanRecord, restoredJobs } from '../../src/server/job_history.js';
import { parseRecord } from '../../src/report/record.js';
import { get, imdbRunId, tempDir, useTestServer, writeImdbRuns } from './helpers.js';

const s = useTestServer(() => {
  const runsDir = tempDir();
  writeImdbRuns(runsDir, 1);
  return { runsDir };
});

describe('a job no longer kept', () => {
  it('is said to be no longer in the list, pointing at the runs, for ids of the forms the server hands out', async () => {
    const live = await get(s.base, `/api/jobs/job-${'A'.repeat(16)}`);
    expect(live.status).toBe(404);
    expect(live.body.error).toMatch(/^no job 'job-A{16}' in the job list: the server keeps its most recent finished jobs only.*GET \/api\/runs$/);
    // A dashboard run's folder beyond the 50 the list keeps (the server reads its record's source).
    expect(jobNotKept(`run-${imdbRunId(0)}`, () => 'dashboard')?.message).toBe(
      `job 'run-${imdbRunId(0)}' is no longer kept in the job list (the server keeps its most recent finished jobs only); its run is GET /api/runs/${imdbRunId(0)}`);
    // A run from the terminal was never a job.
    const restored = await get(s.base, `/api/jobs/run-${imdbRunId(0)}`);
    expect([restored.status, restored.body.error]).toEqual([404,
      `no job 'run-${imdbRunId(0)}': run '${imdbRunId(0)}' was not trained by the dashboard, so it is no job; the run is GET /api/runs/${imdbRunId(0)}`]);
    const cancel = await fetch(`${s.base}/api/jobs/run-${imdbRunId(0)}`, { method: 'DELETE' });
    expect(cancel.status).toBe(404);
    expect(((await cancel.json()) as { error: string }).error).toMatch(/not trained by the dashboard/);
    // Anything else is simply no job.
    expect((await get(s.base, '/api/jobs/nonsense')).body.error).toBe("no job 'nonsense'");
    expect((await get(s.base, '/api/jobs/run-no-such-folder')).body.error).toBe("no job 'run-no-such-folder'");
  });
});

/** A dashboard record left "running" by a server that is gone, with `epochs` of its `asked` epochs recorded. */
function leftRunning(epochs: number, asked: number) {
  return { ...parseRecord({ command: 'addition', status: 'running', pid: 2 ** 22 + 17, source: 'dashboard', argv: ['addition'], runName: 'r',
    startedAt: '2025-03-01T10:00:00.000Z', finishedAt: null, config: { epochs: asked }, history: { loss: Array(epochs).fill(0.5) }, metrics: {} }, 'results.json'), source: 'dashboard' as const };
}

describe('a record left running, after a restart', () => {
  it('is interrupted by a restart while it trained, and missing only its final record once training had ended', () => {
    const [cut, ended, saved] = restoredJobs([{ id: 'cut', record: leftRunning(1, 2) }, { id: 'ended', record: leftRunning(2, 2) }, { id: 'saved', record: leftRunning(0, 2) }],
      () => false, (id) => id === 'saved');
    expect([cut.status, cut.phase, cut.error]).toEqual(['interrupted', 'interrupted by a server restart after 1 epoch', 'the server stopped while this job trained']);
    expect([ended.status, ended.phase]).toEqual(['interrupted', 'interrupted before its final record was written (its folder records 2 epochs)']);
    expect(ended.error).toBe('its training had ended, but its final record was never written: the server stopped before it was, or could not write it (a full disk?)');
    expect([saved.phase, saved.error]).toEqual(['interrupted before its final record was written (its folder records 0 epochs)', ended.error]);
  });

  it('takes a model/ written after the record as the sign that training had ended', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'results.json'), '{}');
    expect(modelNewerThanRecord(dir)).toBe(false);
    mkdirSync(join(dir, 'model'));
    utimesSync(join(dir, 'results.json'), 1_700_000_000, 1_700_000_000);
    utimesSync(join(dir, 'model'), 1_700_000_100, 1_700_000_100);
    expect(modelNewerThanRecord(dir)).toBe(true);
    utimesSync(join(dir, 'results.json'), 1_700_000_200, 1_700_000_200);
    expect(modelNewerThanRecord(dir)).toBe(false);
  });
});
