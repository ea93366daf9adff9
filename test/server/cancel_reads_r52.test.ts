/**
 * When a job's process reads a cancel: right after loading IMDb (a load is mostly synchronous, so a cancel sent during
 * it is read only then) and after every batch (fit gives the event loop no turn of its own). Either way the job lands
 * on a documented outcome: untrained ("cancelled after 0 epochs"), cut after the batch the cancel came in, or, read
 * once the last batch is done, completed with its model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImdbArrays } from '../../src/experiments/imdb_task.js';
import { parseJobSpec } from '../../src/server/job_spec.js';
import { JobQueue, type JobSummary } from '../../src/server/jobs.js';
import { JobCancelled, trainJob } from '../../src/server/train.js';
import { syntheticImdbTarball } from '../helpers/imdb.js';
import { SMALL_SUM, tempDir } from './helpers.js';

const IMDB_JOB = { task: 'imdb', model: 'lstm', limit: 200, epochs: 3, maxlen: 20, units: 4, embeddingDim: 4, batchSize: 16 };
const imdbConfig = () => parseJobSpec({ ...IMDB_JOB, name: 'imdb' }).config;
// The synthetic tarball, real or not on this machine: a few hundred reviews, loaded in moments.
const data = syntheticImdbTarball();

describe('an IMDb job cancelled while it loads', () => {
  const cacheBefore = process.env.RNNLAB_CACHE;
  // A cache of this tarball made here: the job's load then reads it whole without a turn of the event loop, as a
  // load that parses the tarball does for most of its time (another run's cache may be checked by hashing the tarball).
  beforeAll(async () => {
    process.env.RNNLAB_CACHE = tempDir('rnnlab-cache-');
    await loadImdbArrays({ maxlen: IMDB_JOB.maxlen, limit: IMDB_JOB.limit, data });
  });
  afterAll(() => {
    if (cacheBefore === undefined) delete process.env.RNNLAB_CACHE;
    else process.env.RNNLAB_CACHE = cacheBefore;
  });

  it('stops untrained: the cancel is read once the load ends, before the model is built', async () => {
    const stop = new AbortController();
    let began = false, batches = 0;
    const run = trainJob(imdbConfig(), {
      signal: stop.signal,
      // Queued as the load begins, as the server's cancel message comes in while the process loads.
      onPhase: (text) => { if (text === 'loading IMDb') setImmediate(() => stop.abort()); },
      onTrainBegin: () => { began = true; },
      onBatchEnd: () => { batches++; },
    }, data);
    await expect(run).rejects.toBeInstanceOf(JobCancelled);
    expect([began, batches]).toEqual([false, 0]);
  });

  it('from the dashboard ends cancelled after 0 epochs, not trained to the end and thrown away', async () => {
    let queue: JobQueue | null = null;
    const cancels: string[] = [];
    // Cancelled the moment the queue says the job loads: the state a client's cancel would meet then.
    queue = new JobQueue(tempDir(), (event, d) => {
      const job = d as JobSummary;
      if (event === 'job' && job.phase === 'loading IMDb' && !cancels.length) cancels.push(queue!.cancel(job.id).phase ?? '');
    }, data);
    try {
      const { id } = queue.submit(parseJobSpec({ ...IMDB_JOB, name: 'loading' }));
      await queue.drain();
      expect(cancels).toEqual(['cancelling']);
      expect(queue.get(id)).toMatchObject({ status: 'cancelled', phase: 'cancelled after 0 epochs', modelReady: false });
    } finally {
      await queue.close();
    }
  });
});

describe('a cancel that comes in while fit computes', () => {
  const sum = () => parseJobSpec({ ...SMALL_SUM, epochs: 3, name: 'sum' }).config;

  it.each([['addition', sum], ['IMDb', imdbConfig]] as const)('is read after the batch it came in (%s)', async (_task, config) => {
    const stop = new AbortController();
    let batches = 0;
    const out = await trainJob(config(), {
      signal: stop.signal,
      // Queued during the first batch, as the server's message arrives: fit alone would not let it be read.
      onTrainBegin: () => { setImmediate(() => stop.abort()); },
      onBatchEnd: () => { batches++; },
    }, data);
    expect([out.cancelled, batches]).toEqual([true, 1]);
  });

  it('read once the last batch is done, stops nothing: the job completes with its final scoring', async () => {
    const stop = new AbortController();
    const config = sum();
    let steps = 0, ended = false;
    const out = await trainJob(config, {
      signal: stop.signal,
      onTrainBegin: (info) => { steps = info.steps; },
      onBatchEnd: (epoch, batch) => { if (epoch === config.epochs - 1 && batch === steps - 1) stop.abort(); },
      onTrainingEnd: () => { ended = true; },
    });
    expect(stop.signal.aborted).toBe(true);
    expect([out.cancelled, ended]).toEqual([false, true]);
    expect(out.body.models![0].history.loss).toHaveLength(3);
    expect(out.body.finding).not.toMatch(/cancel/);
  });
});
