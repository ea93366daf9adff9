/** DashboardOptions.demoJobs: fields that replace the demo jobs' (tests train smaller demos), checked when the server starts. */
import { describe, expect, it } from 'vitest';
import { DEMO_JOBS } from '../../src/server/job_spec.js';
import { startDashboard } from '../../src/server/index.js';
import { get, post, startTestServer, tempDir } from './helpers.js';

describe('demo job overrides', () => {
  it('queues the demo jobs with the given fields and describes them in /api/config', async () => {
    const s = await startTestServer({ demoJobs: { addition: { trainingSize: 2000, epochs: 1, hidden: 8 } } });
    try {
      const config = await get(s.base, '/api/config');
      expect(config.body.demo.addition).toEqual({ ...DEMO_JOBS.addition, trainingSize: 2000, epochs: 1, hidden: 8 });
      expect(config.body.demo.imdb).toEqual(DEMO_JOBS.imdb);
      const r = await post(s.base, '/api/demo', { task: 'addition' });
      expect(r.status).toBe(202);
      await s.d.jobs.cancel(r.body.jobs[0].id);
      expect(r.body.jobs[0].config).toMatchObject({ task: 'addition', trainingSize: 2000, epochs: 1, hidden: 8, reverse: true });
    } finally {
      await s.d.close();
    }
  });

  it('refuses an invalid field or an unknown task, naming it', async () => {
    const runsDir = tempDir('rnnlab-demo-');
    await expect(startDashboard({ port: 0, runsDir, demoJobs: { addition: { epochs: 0 } } })).rejects.toThrow(/demoJobs\.addition: .*epochs/);
    await expect(startDashboard({ port: 0, runsDir, demoJobs: { sums: {} } as never })).rejects.toThrow(/demoJobs: unknown task 'sums'/);
  });
});
