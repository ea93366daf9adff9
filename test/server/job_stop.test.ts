/**
 * How a running job ends when it is stopped: a cancel its process does not answer (frozen) kills it after the
 * cancel's deadline, the job ending cancelled and the queue moving on; a SIGTERM or SIGINT sent to the job's process
 * alone fails the job, saying so, since nobody cancelled it; and a terminal's Ctrl-C, which reaches the server and
 * the job's process together, still cancels it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processAlive } from '../../src/io/process_alive.js';
import { afterFirstBatch, finished, get, PAUSE_MS, post, request, serverPerTest, serveWithTrainingJob, SMALL_SUM, tempDir, type TestServer } from './helpers.js';

const s = serverPerTest();

const sum = SMALL_SUM;

const record = (t: TestServer, runId: string) => JSON.parse(readFileSync(join(t.runsDir, runId, 'results.json'), 'utf8'));

describe('a cancel the job\'s process does not answer', () => {
  it('kills the process after the deadline: the job ends cancelled, saying so, and the next one trains', async () => {
    await s.start({ batchDelayMs: PAUSE_MS });
    const id = (await post(s.base, '/api/jobs', { ...sum, name: 'frozen' })).body.job.id;
    const next = (await post(s.base, '/api/jobs', { ...sum, name: 'next' })).body.job.id;
    const { runId } = await afterFirstBatch(s, id);
    const pid = s.d.jobs.trainingPid()!;
    // Frozen: the cancel is never read.
    process.kill(pid, 'SIGSTOP');
    s.d.jobs.cancelDeadlineMs = 1000;
    const cancel = await request(s.base, 'DELETE', `/api/jobs/${id}`);
    expect(cancel.body.job).toMatchObject({ status: 'running', phase: 'cancelling' });
    s.d.jobs.batchDelayMs = 0;
    const job = await finished(s.base, id);
    expect(job).toMatchObject({ status: 'cancelled', error: null, phase: 'cancelled after 0 epochs; its process did not stop in time and was killed' });
    expect(processAlive(pid)).toBe(false);
    expect(record(s, runId)).toMatchObject({
      status: 'cancelled', error: null, cancellation: { afterEpochs: 0, partialLastEpoch: false },
      finding: 'The run was cancelled after 0 epochs. Its process did not stop within 1 s of the cancel and was killed.',
    });
    expect((await finished(s.base, next)).status).toBe('completed');
  });

  it('leaves alone a process that stops in time, and the next job once its deadline has passed', async () => {
    await s.start({ batchDelayMs: PAUSE_MS });
    const id = (await post(s.base, '/api/jobs', { ...sum, name: 'prompt' })).body.job.id;
    const next = (await post(s.base, '/api/jobs', { ...sum, name: 'next' })).body.job.id;
    await afterFirstBatch(s, id);
    s.d.jobs.cancelDeadlineMs = 1000;
    expect((await post(s.base, `/api/jobs/${id}/cancel`, {})).status).toBe(200);
    const job = await finished(s.base, id);
    expect(job).toMatchObject({ status: 'cancelled', phase: 'cancelled after 0 epochs and part of epoch 1' });
    expect(record(s, job.runId)).toMatchObject({ finding: 'The run was cancelled after 0 epochs, 1 of 9 batches into epoch 1 (kept as a partial last epoch).' });
    expect(record(s, job.runId).reportError).toBeUndefined();
    await afterFirstBatch(s, next);
    const pid = s.d.jobs.trainingPid()!;
    // Well past the first job's deadline: its timer must not have killed the process now training.
    await new Promise((r) => setTimeout(r, 2500));
    expect(processAlive(pid)).toBe(true);
    expect((await get(s.base, `/api/jobs/${next}`)).body.job).toMatchObject({ status: 'running', phase: 'training' });
    await post(s.base, `/api/jobs/${next}/cancel`, {});
    expect((await finished(s.base, next)).phase).toBe('cancelled after 0 epochs and part of epoch 1');
  });
});

describe.skipIf(process.platform === 'win32')("a signal sent to the job's process alone", () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s fails the job, saying that the server did not send it', async (signal) => {
    await s.start({ batchDelayMs: PAUSE_MS });
    const id = (await post(s.base, '/api/jobs', { ...sum, name: 'signalled' })).body.job.id;
    await afterFirstBatch(s, id);
    process.kill(s.d.jobs.trainingPid()!, signal);
    const job = await finished(s.base, id);
    const why = `the job's training process received ${signal}, which this server did not send (a signal to that process alone), and stopped`;
    expect(job).toMatchObject({ status: 'failed', error: why, phase: 'failed', modelReady: false });
    expect(record(s, job.runId)).toMatchObject({
      status: 'failed', error: { message: why }, cancellation: null, finding: `The run failed after 0 epochs and part of epoch 1: ${why}`,
    });
    // The queue goes on.
    s.d.jobs.batchDelayMs = 0;
    expect((await finished(s.base, (await post(s.base, '/api/jobs', { ...sum, name: 'after' })).body.job.id)).status).toBe('completed');
  });
});

describe.skipIf(process.platform !== 'linux')("a terminal's Ctrl-C, which reaches the server and the job's process together", () => {
  it('cancels the job: its folder says cancelled', async () => {
    const runsDir = tempDir();
    // A process group of its own, as a terminal gives a foreground command: a signal to the group reaches every process in it.
    const { proc, exited, running } = await serveWithTrainingJob(runsDir, true);
    try {
      process.kill(-proc.pid!, 'SIGINT');
      expect(await exited).toBe(0);
      const rec = JSON.parse(readFileSync(join(runsDir, running.runId, 'results.json'), 'utf8'));
      expect(rec).toMatchObject({ status: 'cancelled', error: null });
    } finally {
      if (proc.exitCode === null) process.kill(-proc.pid!, 'SIGKILL');
    }
  });
});
