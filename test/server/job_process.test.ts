/**
 * A dashboard job trains in a process of its own (src/server/job_process.ts): the server answers while that process
 * is frozen in the middle of loading or training, a cancel still stops the job (a batch pause included) and leaves
 * a consistent run folder, a process that dies fails its job without taking the server along, and the model it
 * trained, saved into the run folder by that process, answers "Try it" once the server loads it from there.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaProblems } from '../cli/helpers.js';
import { afterFirstBatch, finished, get, imdbDataPath, PAUSE_MS, post, request, serverPerTest, SMALL_SUM, type TestServer, until } from './helpers.js';
import { processAlive } from '../../src/io/process_alive.js';
import { restoredJobs } from '../../src/server/job_history.js';

const s = serverPerTest();

const sum = SMALL_SUM;
const reviews = { task: 'imdb', model: 'gru', limit: 200, maxlen: 40, units: 8, embeddingDim: 8, epochs: 2, batchSize: 32 };

/** The run folder's results.json, checked against the published schema, and the folder's file names. */
function runFolder(t: TestServer, runId: string) {
  const record = JSON.parse(readFileSync(join(t.runsDir, runId, 'results.json'), 'utf8'));
  expect(schemaProblems(record), `${runId}/results.json`).toEqual([]);
  return { record, files: readdirSync(join(t.runsDir, runId)) };
}

const alive = processAlive;

describe('a job in its own process', () => {
  it.skipIf(imdbDataPath() === undefined)('leaves the server answering while the process is frozen loading or training, and a cancel given then still stops it', async () => {
    await s.start({ batchDelayMs: PAUSE_MS });
    const r = await post(s.base, '/api/jobs', { ...reviews, name: 'frozen' });
    expect(r.status).toBe(202);
    const id = r.body.job.id;
    const pid = s.d.jobs.trainingPid();
    expect(pid).not.toBeNull();
    expect(pid).not.toBe(process.pid);
    // Past Node's start-up: the process has said it is loading the reviews (or already trains, in its batch pause).
    await until(async () => {
      const phase = (await get(s!.base, `/api/jobs/${id}`)).body.job.phase;
      return phase === 'loading IMDb' || phase === 'training';
    }, 60_000, `job ${id} to start loading`);
    // Frozen there: in one process with the server, nothing would answer.
    process.kill(pid!, 'SIGSTOP');
    try {
      const health = await get(s.base, '/api/health');
      expect(health.status).toBe(200);
      expect(health.body.jobs).toBe(1);
      const listed = (await get(s.base, '/api/jobs')).body.jobs.find((j: { id: string }) => j.id === id);
      expect(listed).toMatchObject({ status: 'running', epochCount: 0 });
      expect(['loading IMDb', 'training']).toContain(listed.phase);
      const runs = (await get(s.base, '/api/runs')).body.runs;
      expect(runs.find((x: { id: string }) => x.id === listed.runId)).toMatchObject({ status: 'running' });
      const page = await request(s.base, 'GET', '/');
      expect(page.status).toBe(200);
      const cancel = await post(s.base, `/api/jobs/${id}/cancel`, {});
      expect(cancel.status).toBe(200);
      expect(cancel.body.job).toMatchObject({ status: 'running', phase: 'cancelling' });
    } finally {
      process.kill(pid!, 'SIGCONT');
    }
    const job = await finished(s.base, id);
    expect(job.status).toBe('cancelled');
    const { record, files } = runFolder(s, job.runId);
    // Stopped while loading, no epoch is recorded; in its first batch's pause, that epoch is kept as a partial one.
    expect(record).toMatchObject({ status: 'cancelled', cancellation: { afterEpochs: 0, partialLastEpoch: job.epochs.length === 1 }, error: null });
    expect(record.models[0].history.loss ?? []).toHaveLength(job.epochs.length);
    expect(files).toContain('report.html');
    expect(files).not.toContain('model');
    expect(files.filter((f) => f.startsWith('.'))).toEqual([]);
    expect(alive(pid!)).toBe(false);
    expect(s.d.jobs.trainingPid()).toBeNull();
  });

  it('stops at once when cancelled during a batch pause, keeping the batches it did', async () => {
    await s.start({ batchDelayMs: PAUSE_MS });
    const id = (await post(s.base, '/api/jobs', { ...sum, name: 'paused' })).body.job.id;
    const running = await afterFirstBatch(s, id);
    expect(running).toMatchObject({ status: 'running', phase: 'training', progress: { epoch: 1, batch: 1, steps: 9 } });
    await post(s.base, `/api/jobs/${id}/cancel`, {});
    // A pause the cancel did not cut short would outlast the test.
    const job = await finished(s.base, id);
    expect(job).toMatchObject({ status: 'cancelled', modelReady: false, phase: 'cancelled after 0 epochs and part of epoch 1', progress: { batch: 1 } });
    const { record, files } = runFolder(s, job.runId);
    // fit records the epoch it was stopped in, with its one batch.
    expect(record).toMatchObject({ status: 'cancelled', cancellation: { afterEpochs: 0, partialLastEpoch: true } });
    expect(record.finding).toBe('The run was cancelled after 0 epochs, 1 of 9 batches into epoch 1 (kept as a partial last epoch).');
    expect(record.models[0].history.loss).toEqual([job.epochs[0].logs.loss]);
    expect(files).not.toContain('model');
    // The runs list and the job rebuilt after a restart count whole epochs as the record does.
    expect((await get(s.base, `/api/runs/${job.runId}`)).body.summary).toMatchObject({ status: 'cancelled', epochs: 0 });
    expect(restoredJobs([{ id: job.runId, record }], () => false)[0]).toMatchObject({ status: 'cancelled', phase: 'cancelled after 0 epochs and part of epoch 1' });
  });

  it('fails a job whose process dies, saying so in its folder, and trains the next one, which follows a changed batch pause', async () => {
    await s.start({ batchDelayMs: PAUSE_MS });
    const id = (await post(s.base, '/api/jobs', { ...sum, name: 'killed' })).body.job.id;
    await afterFirstBatch(s, id);
    process.kill(s.d.jobs.trainingPid()!, 'SIGKILL');
    const job = await finished(s.base, id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/^the job's training process ended without a result \(signal SIGKILL\)/);
    const { record } = runFolder(s, job.runId);
    expect(record).toMatchObject({ status: 'failed', error: { message: job.error } });
    expect((await get(s.base, '/api/health')).status).toBe(200);

    const next = (await post(s.base, '/api/jobs', { ...sum, name: 'next' })).body.job.id;
    await afterFirstBatch(s, next);
    // The running job's process takes the new pause: without it this job would wait out PAUSE_MS after every batch.
    s.d.jobs.batchDelayMs = 0;
    const done = await finished(s.base, next);
    expect(done).toMatchObject({ status: 'completed', modelReady: true, epochs: [{ epoch: 1 }, { epoch: 2 }] });
    expect(existsSync(join(s.runsDir, done.runId, 'model', 'model.json'))).toBe(true);
    // The job's process saved the model; the server loads it from the run folder when it is first asked for.
    const p = await post(s.base, '/api/predict/sum', { model: done.runId, query: '12+34' });
    expect(p.status, p.text).toBe(200);
  });
});
