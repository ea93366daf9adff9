/**
 * When a cancel counts: one that reaches a job before its first batch stops it untrained; one that comes after its
 * last batch (in the last validation, or the scoring after fit) stops nothing, so the job completes with its trained
 * model; and one sent while its process saves that model is refused, as one sent while it writes its report is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainImdb, type ImdbArrays } from '../../src/experiments/imdb_task.js';
import { HttpError } from '../../src/server/http.js';
import { stopMessage } from '../../src/server/index.js';
import { parseJobSpec } from '../../src/server/job_spec.js';
import { JobQueue, type JobSummary } from '../../src/server/jobs.js';
import { JobCancelled, SAVING_PHASE, trainJob } from '../../src/server/train.js';
import { Tensor } from '../../src/tensor.js';
import { finished, post, serverPerTest, SMALL_SUM, tempDir } from './helpers.js';

const sumConfig = (epochs: number) => parseJobSpec({ ...SMALL_SUM, epochs, name: 'sum' }).config;

describe('a cancel after the last batch', () => {
  it('leaves an addition job completed, its final scoring done', async () => {
    const stop = new AbortController();
    const out = await trainJob(sumConfig(2), { signal: stop.signal, onBatchEnd: () => undefined, onEpochEnd: (epoch) => { if (epoch === 1) stop.abort(); } });
    expect(stop.signal.aborted).toBe(true);
    expect(out.cancelled).toBe(false);
    expect(out.body.models![0].history.loss).toHaveLength(2);
    expect(out.body.finding).not.toMatch(/cancel/);
  });

  it('leaves an IMDb model trained and evaluated on the test reviews', async () => {
    const n = 64, maxlen = 8;
    const ids = Int32Array.from({ length: n * maxlen }, (_, i) => 1 + (i * 7) % 19);
    const labels = Float32Array.from({ length: n }, (_, i) => i % 2);
    const x = new Tensor(ids, [n, maxlen], 'int32'), y = new Tensor(labels, [n, 1], 'float32');
    const data: ImdbArrays = { xTrain: x, yTrain: y, xTest: x, yTest: y, vocab: 20, maxlen, nTrain: n, nTest: n, loadSeconds: 0, meanLength: maxlen };
    const stop = new AbortController();
    const run = await trainImdb('gru', data, {
      epochs: 1, batchSize: 32, units: 4, embeddingDim: 4, validate: true, verbose: 0, signal: stop.signal, onEpochEnd: () => stop.abort(),
    });
    expect(run.cancelled).toBe(false);
    expect(Number.isFinite(run.testAccuracy)).toBe(true);
  });

  it('still cancels a job whose cancel came between two batches', async () => {
    const stop = new AbortController();
    const out = await trainJob(sumConfig(2), { signal: stop.signal, onBatchEnd: () => stop.abort() });
    expect(out.cancelled).toBe(true);
    expect(out.body.models![0].history.loss).toHaveLength(1);
  });
});

describe('a cancel before the first batch', () => {
  it('stops an addition job whose cancel arrived while its questions were generated, before any batch', async () => {
    const stop = new AbortController();
    let batches = 0, began = false;
    const run = trainJob(sumConfig(2), {
      signal: stop.signal,
      // An event that comes in during the synchronous generation, as the server's cancel message does.
      onPhase: (text) => { if (text === 'generating questions') setTimeout(() => stop.abort(), 0); },
      onTrainBegin: () => { began = true; },
      onBatchEnd: () => { batches++; },
    });
    await expect(run).rejects.toBeInstanceOf(JobCancelled);
    expect([began, batches]).toEqual([false, 0]);
  });
});

describe('a dashboard job cancelled early or late', () => {
  const s = serverPerTest();

  it('ends a job cancelled while starting as cancelled after 0 epochs, no batch trained', async () => {
    await s.start();
    const id = (await post(s.base, '/api/jobs', { ...SMALL_SUM, name: 'early' })).body.job.id;
    const cancel = await post(s.base, `/api/jobs/${id}/cancel`, {});
    expect(cancel.body.job).toMatchObject({ status: 'running', phase: 'cancelling' });
    const job = await finished(s.base, id);
    expect(job).toMatchObject({ status: 'cancelled', phase: 'cancelled after 0 epochs', progress: null, epochs: [] });
    const record = JSON.parse(readFileSync(join(s.runsDir, job.runId, 'results.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'cancelled', cancellation: { afterEpochs: 0, partialLastEpoch: false } });
  });

  it('refuses a cancel while the job saves its model, and the job completes with it', async () => {
    const refusals: string[] = [];
    let queue: JobQueue | null = null;
    // Asked the moment the queue says the process saves: the state a client's cancel would meet then.
    const broadcast = (event: string, data: unknown) => {
      const job = data as JobSummary;
      if (event !== 'job' || job.phase !== SAVING_PHASE) return;
      try {
        queue!.cancel(job.id);
      } catch (e) {
        refusals.push(`${(e as HttpError).status} ${(e as Error).message}`);
      }
    };
    queue = new JobQueue(tempDir(), broadcast);
    try {
      const { id } = queue.submit(parseJobSpec({ ...SMALL_SUM, name: 'saving' }));
      await queue.drain();
      expect(refusals).toEqual([`409 job '${id}' has finished training and is saving its model; a cancel would change nothing, and it ends completed in moments`]);
      expect(queue.get(id)).toMatchObject({ status: 'completed', phase: 'done', modelReady: true });
    } finally {
      await queue.close();
    }
  });
});

it('says a stop lets a job that saves its model finish, since a cancel then changes nothing', () => {
  expect(stopMessage([{ id: 'job-a', name: 'a', status: 'running', phase: SAVING_PHASE }]))
    .toBe('Stopping: letting the running job a (job-a) finish saving its model and writing its report; no jobs are waiting.');
});
