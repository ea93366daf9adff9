/**
 * A job's final report (report.html, report.png) is rendered by the job's own process, which writes results.json
 * last; the server only serves the files. Shown by the server's own writeRun never being called while the files
 * appear, by the server answering while the job's process is stopped in the middle of writing them, and by a job
 * whose process was killed still getting its report (from a process started for it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { finished, get, post, serverPerTest, SseClient, until } from './helpers.js';

vi.mock('../../src/report/run.js', async (original) => {
  const m = await original<typeof import('../../src/report/run.js')>();
  return { ...m, writeRun: vi.fn(m.writeRun) };
});
const { writeRun } = await import('../../src/report/run.js');

const sum = { task: 'addition', digits: 1, trainingSize: 40, hidden: 8, epochs: 2, batchSize: 8, name: 'report-child' };
const s = serverPerTest();

const record = (runsDir: string, runId: string) => JSON.parse(readFileSync(join(runsDir, runId, 'results.json'), 'utf8'));

describe("a job's report", () => {
  it('is written by the job\'s process: report.html, report.png, then the final record; the server renders nothing', async () => {
    await s.start();
    const id = (await post(s.base, '/api/jobs', sum)).body.job.id;
    const job = await finished(s.base, id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    const dir = join(s.runsDir, job.runId);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('report-child (completed)');
    expect(readFileSync(join(dir, 'report.png')).subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(record(s.runsDir, job.runId)).toMatchObject({ status: 'completed', runName: 'report-child' });
    expect(record(s.runsDir, job.runId).reportError).toBeUndefined();
    expect(vi.mocked(writeRun)).not.toHaveBeenCalled();
    expect((await get(s.base, `/api/runs/${job.runId}/report.html`)).status).toBe(200);
  });

  it.skipIf(process.platform !== 'linux')('is written while the server goes on answering: the job\'s process is stopped mid-way and requests still succeed', async () => {
    await s.start();
    const sse = await SseClient.connect(s.base);
    try {
      // The render can end before the signal lands (the server sends it as it announces the phase): then that job
      // proves nothing and the next one tries again; one of three must be caught mid-way.
      let caught = false;
      for (let attempt = 0; attempt < 3 && !caught; attempt++) {
        const id = (await post(s.base, '/api/jobs', { ...sum, name: `paused-report-${attempt}` })).body.job.id;
        await sse.waitFor((e) => e.event === 'job' && e.data.id === id && e.data.phase === 'writing the report', 60_000, 'the report phase');
        const pid = s.d.jobs.trainingPid();
        let stopped = false;
        try { if (pid) { process.kill(pid, 'SIGSTOP'); stopped = true; } } catch { /* it ended already */ }
        try {
          const runId = (await get(s.base, `/api/jobs/${id}`)).body.job.runId;
          // The process holds the record until the reports are written: stopped, it still says running.
          if (stopped && record(s.runsDir, runId).status === 'running') {
            caught = true;
            expect((await get(s.base, '/api/health')).status).toBe(200);
            expect((await get(s.base, '/api/runs')).status).toBe(200);
            expect((await get(s.base, `/api/jobs/${id}`)).body.job).toMatchObject({ status: 'running', phase: 'writing the report' });
            // Its status is decided: a cancel now is refused, not answered and ignored.
            const cancel = await post(s.base, `/api/jobs/${id}/cancel`, {});
            expect(cancel.status).toBe(409);
            expect(cancel.body.error).toMatch(/has finished training and is writing its report/);
          }
        } finally {
          if (stopped) try { process.kill(pid!, 'SIGCONT'); } catch { /* gone */ }
        }
        const job = await finished(s.base, id);
        expect(job.error).toBeNull();
        expect(job.status).toBe('completed');
        expect(existsSync(join(s.runsDir, job.runId, 'report.html'))).toBe(true);
      }
      expect(caught).toBe(true);
      expect(vi.mocked(writeRun)).not.toHaveBeenCalled();
    } finally {
      sse.close();
    }
  });

  it.skipIf(process.platform !== 'linux')('is still written for a job whose process was killed, by a process started for it', async () => {
    await s.start({ batchDelayMs: 300 });
    const id = (await post(s.base, '/api/jobs', { ...sum, name: 'killed' })).body.job.id;
    await until(async () => (await get(s!.base, `/api/jobs/${id}`)).body.job.progress?.batch >= 1, 60_000, 'the first batch');
    const pid = s.d.jobs.trainingPid()!;
    process.kill(pid, 'SIGKILL');
    const job = await finished(s.base, id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/ended without a result \(signal SIGKILL\)/);
    expect(readFileSync(join(s.runsDir, job.runId, 'report.html'), 'utf8')).toContain('killed (failed)');
    expect(record(s.runsDir, job.runId)).toMatchObject({ status: 'failed' });
    expect(record(s.runsDir, job.runId).reportError).toBeUndefined();
    expect(vi.mocked(writeRun)).not.toHaveBeenCalled();
  });
});
