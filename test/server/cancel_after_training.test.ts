/**
 * A cancel after a job's last batch: its process says training has ended before the last validation and the task's
 * scoring, which a cancel no longer stops, so the server refuses later cancels (a 409, as while it saves) and drops
 * the kill timer of one that raced with the end of training: a job finishing normally is never killed for it.
 */
import { describe, expect, it } from 'vitest';
import { trainImdb, type ImdbArrays } from '../../src/experiments/imdb_task.js';
import type { HttpError } from '../../src/server/http.js';
import { parseJobSpec } from '../../src/server/job_spec.js';
import { FINISHING_PHASE, JobQueue, type JobSummary, type Progress } from '../../src/server/jobs.js';
import { Tensor } from '../../src/tensor.js';
import { SMALL_SUM, tempDir } from './helpers.js';

const SCORING = 'scoring the validation questions';

function imdbData(): ImdbArrays {
  const n = 64, maxlen = 8;
  const ids = Int32Array.from({ length: n * maxlen }, (_, i) => 1 + (i * 7) % 19);
  const labels = Float32Array.from({ length: n }, (_, i) => i % 2);
  const x = new Tensor(ids, [n, maxlen], 'int32'), y = new Tensor(labels, [n, 1], 'float32');
  return { xTrain: x, yTrain: y, xTest: x, yTest: y, vocab: 20, maxlen, nTrain: n, nTest: n, loadSeconds: 0, meanLength: maxlen };
}

describe('the end of training, as the hooks see it', () => {
  const options = { epochs: 2, batchSize: 32, units: 4, embeddingDim: 4, validate: true, verbose: 0 as const };

  it('is told once, after the last batch and before the last validation and the test evaluation; a cancel then stops nothing', async () => {
    const stop = new AbortController();
    const seen: string[] = [];
    const run = await trainImdb('gru', imdbData(), {
      ...options, signal: stop.signal,
      onBatchEnd: (epoch, batch) => { seen.push(`batch ${epoch}.${batch}`); },
      onTrainingEnd: () => { seen.push('ended'); stop.abort(); },
      onEpochEnd: (epoch, logs) => { seen.push(`epoch ${epoch}${logs.val_loss === undefined ? '' : ' validated'}`); },
      onPhase: (text) => { if (text !== 'training') seen.push(text); },
    });
    expect(seen).toEqual(['batch 0.0', 'batch 0.1', 'epoch 0 validated', 'batch 1.0', 'batch 1.1', 'ended', 'epoch 1 validated', 'evaluating on the test reviews']);
    expect(run.cancelled).toBe(false);
    expect(Number.isFinite(run.testAccuracy)).toBe(true);
  });

  it('is told when a cancel is first seen after the last batch: the batch is done, so the run is not cancelled', async () => {
    const stop = new AbortController();
    let ended = false;
    const run = await trainImdb('gru', imdbData(), {
      ...options, epochs: 1, signal: stop.signal,
      onBatchEnd: (_epoch, batch) => { if (batch === 1) stop.abort(); },
      onTrainingEnd: () => { ended = true; },
    });
    expect([run.cancelled, ended]).toEqual([false, true]);
    expect(Number.isFinite(run.testAccuracy)).toBe(true);
  });

  it('is not told when a cancel stopped the last epoch before its last batch: the run is cancelled', async () => {
    const stop = new AbortController();
    let ended = false;
    const run = await trainImdb('gru', imdbData(), {
      ...options, epochs: 1, signal: stop.signal,
      onBatchEnd: (_epoch, batch) => { if (batch === 0) stop.abort(); },
      onTrainingEnd: () => { ended = true; },
    });
    expect([run.cancelled, ended]).toEqual([true, false]);
  });
});

/** A queue whose broadcasts go to `on` (given the queue): the moments a client's cancel would meet. */
function queueWith(on: (queue: JobQueue, event: string, data: unknown) => void): JobQueue {
  const queue: JobQueue = new JobQueue(tempDir(), (event, data) => on(queue, event, data));
  return queue;
}

function tryCancel(queue: JobQueue, id: string): string {
  try {
    return `${queue.cancel(id).phase}`;
  } catch (e) {
    return `${(e as HttpError).status} ${(e as Error).message}`;
  }
}

describe('a dashboard cancel after the last batch', () => {
  it('is a 409 while the job finishes its last epoch and scores its questions, and the job completes with its model', async () => {
    const answers: string[] = [];
    const queue = queueWith((q, event, data) => {
      const job = data as JobSummary;
      if (event === 'job' && (job.phase === FINISHING_PHASE || job.phase === SCORING)) answers.push(`${job.phase}: ${tryCancel(q, job.id)}`);
    });
    try {
      const { id } = queue.submit(parseJobSpec({ ...SMALL_SUM, name: 'late' }));
      await queue.drain();
      expect(queue.get(id)).toMatchObject({ status: 'completed', phase: 'done', modelReady: true });
      const refused = `409 job '${id}' has finished training and is evaluating the trained model; a cancel would change nothing, and it ends completed`;
      expect(answers).toEqual([`${FINISHING_PHASE}: ${refused}`, `${SCORING}: ${refused}`]);
    } finally {
      await queue.close();
    }
  });

  it('drops the kill timer of a cancel sent as the last batch came in, which its process read too late', async () => {
    const answers: string[] = [];
    const queue = queueWith((q, event, data) => {
      const { id, progress } = data as { id: string; progress: Progress | null };
      // The server has the last batch but not yet the word that training ended: it accepts the cancel, as a client's.
      if (event === 'batches' && progress?.fraction === 1) answers.push(`${tryCancel(q, id)}, kill pending ${q.killPending(id)}`);
      if (event === 'job' && (data as JobSummary).phase === SCORING) answers.push(`${SCORING}, kill pending ${q.killPending(id)}`);
    });
    try {
      const { id } = queue.submit(parseJobSpec({ ...SMALL_SUM, name: 'raced' }));
      await queue.drain();
      expect(queue.get(id)).toMatchObject({ status: 'completed', phase: 'done (the cancel came after training had ended)', modelReady: true });
      expect(answers).toEqual(['cancelling, kill pending true', `${SCORING}, kill pending false`]);
    } finally {
      await queue.close();
    }
  });
});

describe('the server stopping while a job finishes after its last batch', () => {
  it('waits for it rather than killing it at the close deadline: the job completes with its model', async () => {
    let closing: Promise<void> | null = null;
    const queue = queueWith((q, event, data) => {
      if (event === 'job' && (data as JobSummary).phase === SCORING && !closing) closing = q.close();
    });
    // Any job still running at the deadline would be killed (and recorded failed) before this change.
    queue.closeDeadlineMs = 1;
    const { id } = queue.submit(parseJobSpec({ ...SMALL_SUM, name: 'closing' }));
    await queue.drain();
    expect(closing).not.toBeNull();
    await closing;
    expect(queue.get(id)).toMatchObject({ status: 'completed', modelReady: true });
    expect(queue.runningPastTraining()).toBe(false);
  });
});
