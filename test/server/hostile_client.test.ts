/**
 * The dashboard API as a sloppy or hostile client uses it: wrong JSON types that a lenient checker would turn into
 * values, models of runs that are missing, unfinished or half-written, and many jobs at once. Each is a 4xx naming
 * what is wrong, and nothing it asks for is done half-way.
 */
import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imdbModel } from '../../src/experiments/lab_models.js';
import { saveImdbModel } from '../../src/experiments/model_store.js';
import { parseJobSpec } from '../../src/server/job_spec.js';
import { get, post, tempDir, useTestServer } from './helpers.js';

const s = useTestServer(() => ({ runsDir: tempDir() }));

/** A run folder as `rnnlab imdb` leaves it: results.json with the given status and a saved tiny model. */
async function imdbRun(id: string, status: string): Promise<string> {
  const dir = join(s.runsDir, id);
  mkdirSync(dir, { recursive: true });
  const startedAt = new Date().toISOString();
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ command: 'imdb', status, pid: null, startedAt, finishedAt: status === 'running' ? null : startedAt,
    config: { model: 'lstm', vocab: 50, maxlen: 6 }, history: { loss: [0.5] }, metrics: { testAccuracy: 0.5 } }));
  const model = imdbModel('lstm', { vocab: 50, maxlen: 6, embeddingDim: 3, units: 2 });
  await saveImdbModel(join(dir, 'model'), model, 'lstm', { vocab: 50, maxlen: 6, embeddingDim: 3, units: 2 });
  return dir;
}


describe('wrong JSON types in a job', () => {
  it.each([
    [{ epochs: true }, 'epochs must be an integer from 1 to 200, got true'],
    [{ seed: false }, `seed must be an integer from 0 to ${2 ** 31 - 1}, got false`],
    [{ dropout: true }, 'dropout must be a number from 0 up to but not including 1, got true'],
    [{ model: 'lstm', maskZero: 1 }, 'maskZero must be true or false, got 1'],
    [{ validate: 0 }, 'validate must be true or false, got 0'],
    [{ name: 123 }, 'name must be a string, got 123'],
    [{ name: true }, 'name must be a string, got true'],
    [{ epochs: { n: 3 } }, 'epochs must be an integer from 1 to 200, got {"n":3}'],
    // A lenient reader took these for numbers: Infinity epochs would train for ever.
    [{ epochs: 'Infinity' }, 'epochs must be an integer from 1 to 200, got "Infinity"'],
    [{ epochs: '0x10' }, 'epochs must be an integer from 1 to 200, got "0x10"'],
    [JSON.parse('{"epochs": 1e309}'), 'epochs must be an integer from 1 to 200, got Infinity'],
    [{ lr: '-Infinity' }, 'lr must be a number from 0.000001 to 10, got "-Infinity"'],
  ])('refuses %j instead of reading it as a value', (fields, message) => {
    expect(() => parseJobSpec({ task: 'imdb', ...fields })).toThrow(message);
  });

  it('still reads numbers sent as text, as a form or curl sends them', () => {
    expect(parseJobSpec({ task: 'imdb', epochs: '2', lr: '0.001' }).config).toMatchObject({ epochs: 2, lr: 0.001 });
    expect(parseJobSpec({ task: 'imdb', lr: '1e-3', epochs: ' 4 ' }).config).toMatchObject({ epochs: 4, lr: 0.001 });
  });

  it('answers such a job with a 400 over HTTP and queues nothing', async () => {
    const before = (await get(s.base, '/api/jobs')).body.jobs.length;
    const r = await post(s.base, '/api/jobs', { task: 'addition', reverse: 1 });
    expect([r.status, r.body.error]).toEqual([400, 'reverse must be true or false, got 1']);
    expect((await get(s.base, '/api/jobs')).body.jobs).toHaveLength(before);
  });
});

describe('models of missing, unfinished and damaged runs', () => {
  it('says there is no such model for a run that does not exist or has no model', async () => {
    const r = await post(s.base, '/api/predict/sentiment', { model: '20990101-000000-nope', text: 'good' });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatch(/no trained model '20990101-000000-nope'/);
    mkdirSync(join(s.runsDir, 'no-model'));
    writeFileSync(join(s.runsDir, 'no-model', 'results.json'), JSON.stringify({ command: 'imdb', status: 'completed', config: { model: 'lstm' }, history: {}, metrics: {} }));
    expect((await post(s.base, '/api/predict/sentiment', { model: 'no-model', text: 'good' })).status).toBe(404);
  });

  it('uses a completed run\'s model', async () => {
    await imdbRun('done-run', 'completed');
    const r = await post(s.base, '/api/predict/sentiment', { model: 'done-run', text: 'a good film' });
    expect(r.status).toBe(200);
    expect(r.body.probability).toBeGreaterThanOrEqual(0);
  });

  it('refuses the model of a run that did not complete (its model folder may be half-written), saying why', async () => {
    for (const status of ['running', 'failed', 'cancelled']) {
      await imdbRun(`${status}-run`, status);
      const r = await post(s.base, '/api/predict/sentiment', { model: `${status}-run`, text: 'good' });
      expect([r.status, r.body.error], status).toEqual([409, `run '${status}-run' has not completed (it is ${status}), so its model is not used: pick a completed run from GET /api/models`]);
    }
  });

  it('answers 422 for a completed run whose weights were cut short, naming no path of the machine', async () => {
    const dir = await imdbRun('cut-run', 'completed');
    const weights = join(dir, 'model', 'weights.bin');
    truncateSync(weights, Math.floor(readFileSync(weights).length / 2));
    const r = await post(s.base, '/api/predict/sentiment', { model: 'cut-run', text: 'good' });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatch(/^the model saved in run 'cut-run' cannot be loaded: /);
    expect(r.body.error).not.toContain(s.runsDir);
    rmSync(join(dir, 'model', 'model.json'));
    expect((await post(s.base, '/api/predict/sentiment', { model: 'cut-run', text: 'good' })).status).toBe(404);
  });
});

describe('many jobs at once', () => {
  it('queues at most 20 waiting jobs, refusing the rest whole with a 429, and every one gets its own id', async () => {
    const tiny = { task: 'addition', digits: 1, trainingSize: 20, hidden: 2, epochs: 1, batchSize: 20 };
    s.d.jobs.batchDelayMs = 200;
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => post(s.base, '/api/jobs', { ...tiny, name: `burst-${i}` })));
    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 429);
    expect(accepted.length + refused.length).toBe(30);
    // One may already have left the queue to train, so 20 or 21 are accepted.
    expect(accepted.length).toBeGreaterThanOrEqual(20);
    expect(refused[0].body.error).toMatch(/jobs are already waiting \(at most 20\)/);
    expect(new Set(accepted.map((a) => a.body.job.id)).size).toBe(accepted.length);
    s.d.jobs.batchDelayMs = 0;
    for (const a of accepted) await post(s.base, `/api/jobs/${a.body.job.id}/cancel`, {}).catch(() => undefined);
  });
});
