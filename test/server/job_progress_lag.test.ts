/**
 * A job's progress follows its process, not a replay that falls behind: a 200-epoch addition job trains in about a
 * second, and the server used to rewrite its whole growing record after every epoch, so what the API showed (and
 * when a cancel was accepted) lagged the process by many seconds. A cancel that reaches the process after training
 * has ended changes nothing: the job completes with its saved model, as Keras's stopTraining set after fit returns.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPORT_PHASE } from '../../src/server/jobs.js';
import { finished, get, post, until, useTestServer } from './helpers.js';

const s = useTestServer({}, { each: true });

const LONG_TINY = { task: 'addition', digits: 2, trainingSize: 200, hidden: 8, epochs: 200, batchSize: 32 };

async function submit(name: string): Promise<{ id: string; runId: string }> {
  const r = await post(s.base, '/api/jobs', { ...LONG_TINY, name });
  expect(r.status).toBe(202);
  const id: string = r.body.job.id;
  const runId: string = await until(async () => (await get(s.base, `/api/jobs/${id}`)).body.job.runId, 60_000, 'the run folder');
  return { id, runId };
}

it('shows the last epoch by the time the job\'s process has saved its model, and records the training\'s time', async () => {
  const { id, runId } = await submit('lag');
  const modelFile = join(s.runsDir, runId, 'model', 'model.json');
  // The file first, then the job: what the API says is at least as recent as the saved model.
  const seen = await until(async () => {
    const saved = existsSync(modelFile);
    const job = (await get(s.base, `/api/jobs/${id}`)).body.job;
    return saved ? job : null;
  }, 90_000, 'the saved model');
  const caughtUp = seen.status !== 'running' || seen.phase === REPORT_PHASE || seen.phase === 'saving' || seen.epochs.length === 200;
  expect(caughtUp, `model saved while the job showed ${seen.status}, ${seen.phase}, epoch ${seen.progress?.epoch}`).toBe(true);

  const end = await finished(s.base, id);
  expect([end.status, end.phase]).toEqual(['completed', 'done']);
  const job = (await get(s.base, `/api/jobs/${id}`)).body.job;
  const rec = JSON.parse(readFileSync(join(s.runsDir, runId, 'results.json'), 'utf8'));
  expect(rec.models[0].secondsPerEpoch).toHaveLength(200);
  // Timed by the process: every epoch's elapsed time (validation included) covers its batches', and grows.
  const fit = rec.models[0].secondsPerEpoch.reduce((a: number, b: number) => a + b, 0);
  const elapsed = job.epochs.map((e: { elapsedSeconds: number }) => e.elapsedSeconds);
  expect(elapsed.every((t: number, i: number) => i === 0 || t >= elapsed[i - 1])).toBe(true);
  expect(elapsed[199]).toBeGreaterThanOrEqual(fit);
  // The record's total is the job's (process start, data, fit and evaluation), not a replay's many times the fit's batches.
  expect(rec.timing.totalSeconds).toBeGreaterThanOrEqual(elapsed[199]);
  expect(rec.timing.totalSeconds).toBeLessThan(3 * fit + 5);
}, 120_000);

it('completes a job whose cancel reached its process after training had ended, with a usable model', async () => {
  const { id, runId } = await submit('late-cancel');
  await until(async () => (await get(s.base, `/api/jobs/${id}`)).body.job.epochs.length >= 1, 60_000, 'the first epoch');
  // Hold the server's event loop (the process trains on) until the model is saved, then cancel before the server has
  // read a word of that: it accepts the cancel, as it would one sent a moment before the process's result came in.
  const modelFile = join(s.runsDir, runId, 'model', 'model.json');
  const deadline = Date.now() + 90_000;
  while (!existsSync(modelFile)) if (Date.now() > deadline) throw new Error('the model was never saved');
  expect(s.d.jobs.cancel(id)).toMatchObject({ status: 'running', phase: 'cancelling' });

  const end = await finished(s.base, id);
  expect([end.status, end.phase, end.modelReady]).toEqual(['completed', 'done (the cancel came after training had ended)', true]);
  const rec = JSON.parse(readFileSync(join(s.runsDir, runId, 'results.json'), 'utf8'));
  expect([rec.status, rec.cancellation, rec.models[0].history.loss.length]).toEqual(['completed', null, 200]);
  const sum = await post(s.base, '/api/predict/sum', { model: runId, query: '12+7' });
  expect(sum.status).toBe(200);
  expect(sum.body.question).toBe('12+7');
}, 120_000);
