/** Training jobs: validation, the queue, live events, cancelling, failures, and the run folders they leave. */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADDITION_COMMAND_FLAGS } from '../../src/cli/addition.js';
import { parseFlags } from '../../src/cli/flags.js';
import { IMDB_FLAGS } from '../../src/cli/imdb.js';
import { commandLine, parseJobSpec } from '../../src/server/job_spec.js';
import { main } from '../../src/cli/main.js';
import { schemaProblems } from '../cli/helpers.js';
import { finished, get, imdbDataPath, post, request, SseClient, startTestServer, tempDir, useTestServer } from './helpers.js';

// Every test gets its own server and runs folder: none depends on what another left behind.
const s = useTestServer({}, { each: true });

const tiny = { task: 'addition', digits: 2, trainingSize: 300, hidden: 8, epochs: 2, batchSize: 32, name: 'tiny-sum' };
/** Long enough to still be training when the test cancels it. */
const long = { task: 'addition', digits: 3, trainingSize: 20000, hidden: 32, epochs: 200, batchSize: 16, name: 'long-sum' };

/** A job's results.json, checked against the published schema. */
function results(runId: string, runsDir = s.runsDir) {
  const r = JSON.parse(readFileSync(join(runsDir, runId, 'results.json'), 'utf8'));
  expect(schemaProblems(r), `${runId}/results.json`).toEqual([]);
  return r;
}

/** The same run from the terminal: the job's command line, into dir. */
async function cliRun(command: string, dir: string): Promise<Record<string, any>> {
  let err = '';
  const code = await main([...command.split(' ').slice(1), '--out', dir, '--verbose', '0'], { out: { write: () => true }, err: { write: (t: string) => { err += t; return true; } } });
  expect(code, err).toBe(0);
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
}

const sortedKeys = (o: object) => Object.keys(o).sort();

describe('POST /api/jobs checks every field', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['no task', {}, /task is required/],
    ['unknown task', { task: 'mnist' }, /task must be one of imdb, addition/],
    ['unknown model', { task: 'imdb', model: 'transformer' }, /model must be one of ff_raw, .*bilstm/],
    ['epochs 0', { task: 'imdb', epochs: 0 }, /epochs must be from 1 to 200, got 0/],
    ['epochs too many', { task: 'addition', epochs: 100000 }, /epochs must be from 1 to 200/],
    ['fractional batch size', { task: 'imdb', batchSize: 2.5 }, /batchSize must be an integer/],
    ['negative limit', { task: 'imdb', limit: -5 }, /limit must be from 1 to 25000/],
    ['string maxlen', { task: 'imdb', maxlen: 'long' }, /maxlen must be an integer/],
    ['vocab too small', { task: 'imdb', vocab: 3 }, /vocab must be from 10/],
    ['learning rate 0', { task: 'imdb', lr: 0 }, /lr must be from/],
    ['learning rate NaN', { task: 'imdb', lr: 'fast' }, /lr must be a number/],
    ['unknown optimizer', { task: 'addition', optimizer: 'adagrad' }, /optimizer must be one of adam, rmsprop, sgd, adamw/],
    ['digits 9', { task: 'addition', digits: 9 }, /digits must be from 1 to 5/],
    ['more questions than exist', { task: 'addition', digits: 1, trainingSize: 1000 }, /more than the 55 distinct questions/],
    ['reverse not boolean', { task: 'addition', reverse: 'yes' }, /reverse must be true or false/],
    ['unknown field (a typo)', { task: 'imdb', epoch: 3 }, /unknown field in the job: epoch/],
    ['field of the other task', { task: 'imdb', digits: 3 }, /unknown field in the job: digits/],
    ['name with a slash', { task: 'imdb', name: '../../etc' }, /name may hold only/],
    ['name too long', { task: 'imdb', name: 'x'.repeat(65) }, /name is 65 characters long/],
  ];
  for (const [what, body, message] of cases) {
    it(what, async () => {
      const r = await post(s.base, '/api/jobs', body);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(message);
    });
  }
  it('queues nothing for bad requests', async () => {
    for (const [, body] of cases) await post(s.base, '/api/jobs', body);
    expect((await get(s.base, '/api/jobs')).body.jobs).toEqual([]);
  });
});

describe('parseJobSpec', () => {
  it('reads form values: numeric strings as numbers, empty and null fields as absent, defaults from the runs\' defaults', () => {
    const a = parseJobSpec({ task: 'addition', epochs: '3', lr: '', hidden: null, reverse: true });
    expect(a.config).toEqual({ task: 'addition', digits: 3, trainingSize: 50000, reverse: true, rnn: 'lstm', hidden: 128, layers: 1, epochs: 3, batchSize: 128, optimizer: 'adam', lr: undefined, seed: 1 });
    expect(a.name).toBe('addition-lstm-reversed');
    const i = parseJobSpec({ task: 'imdb', model: 'cnn' });
    expect(i.config).toMatchObject({ model: 'cnn', epochs: 2, batchSize: 128, vocab: 10000, maxlen: 500, embeddingDim: 100, validate: true, limit: null });
    expect(() => parseJobSpec({ task: 'imdb', epoch: 1, batchsize: 2 })).toThrow(/unknown fields in the job: epoch, batchsize/);
  });

  it('refuses maskZero for a model no layer of which reads the mask (it would be accepted and ignored)', () => {
    for (const model of ['ff_raw', 'ff_embed', 'cnn', 'cnn_lstm']) {
      expect(() => parseJobSpec({ task: 'imdb', model, maskZero: true })).toThrow(new RegExp(`maskZero changes nothing for ${model}: .*it applies to simple_rnn, lstm, gru, bilstm`));
    }
    expect(parseJobSpec({ task: 'imdb', model: 'lstm', maskZero: true }).config).toMatchObject({ maskZero: true });
  });
});

describe('the command line shown for a job', () => {
  it('is one the rnnlab CLI accepts, with the same values', () => {
    const imdb = parseJobSpec({ task: 'imdb', model: 'gru', epochs: 2, limit: 300, maxlen: 80, units: 16, maskZero: true, validate: false, lr: 0.002, optimizer: 'rmsprop' });
    const a = parseFlags(IMDB_FLAGS, commandLine(imdb.config).split(' ').slice(2), 'imdb');
    expect(a.flags).toMatchObject({ model: 'gru', epochs: 2, limit: 300, maxlen: 80, units: 16, maskZero: true, validate: false, lr: 0.002, optimizer: 'rmsprop', batchSize: 64 });
    const add = parseJobSpec({ task: 'addition', digits: 2, trainingSize: 400, reverse: true, rnn: 'gru', layers: 2 });
    const b = parseFlags(ADDITION_COMMAND_FLAGS, commandLine(add.config).split(' ').slice(2), 'addition');
    expect(b.flags).toMatchObject({ digits: 2, trainingSize: 400, reverse: true, rnn: 'gru', layers: 2, epochs: 20, batchSize: 128 });
  });
});

describe('a training job', () => {
  it('streams batches and epochs over its own SSE stream, then leaves a completed run folder in the CLI format with its model', async () => {
    const page = await SseClient.connect(s.base);
    const snap = await page.waitFor((e) => e.event === 'snapshot', 5000, 'snapshot');
    page.close();
    expect(Array.isArray(snap.data.jobs)).toBe(true);
    const r = await post(s.base, '/api/jobs', tiny);
    expect(r.status).toBe(202);
    const id = r.body.job.id;
    // The job's curve so far comes first, then what it adds: nothing is missed or sent twice, however soon it trains.
    const sse = await SseClient.connect(s.base, `/api/jobs/${id}/events`);
    try {
      // It trains in a process of its own.
      const pid = s.d.jobs.trainingPid();
      expect(pid).toBeGreaterThan(0);
      expect(pid).not.toBe(process.pid);
      expect(r.body.job).toMatchObject({ name: 'tiny-sum', command: expect.stringMatching(/^rnnlab addition --digits 2 --training-size 300/) });
      const done = await sse.waitFor((e) => e.event === 'job' && e.data.id === id && e.data.status === 'completed', 60000, 'completion');
      expect(done.data.modelReady).toBe(true);
      await sse.waitFor((e) => e.event === 'end', 10000, 'the end of the stream');
      const first = sse.events[0].data.job;
      const points = [...first.points, ...sse.events.filter((e) => e.event === 'batches').flatMap((e) => e.data.points)];
      const epochs = [...first.epochs, ...sse.events.filter((e) => e.event === 'epoch').map((e) => e.data.epoch)];
      expect(points.map((p) => p.step)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
      const p = points[0];
      expect(p.loss).toBeGreaterThan(0);
      expect(p.acc).toBeGreaterThanOrEqual(0);
      expect(done.data.progress).toMatchObject({ epochs: 2, steps: 9 });
      expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
      const epoch = epochs[0];
      expect(Object.keys(epoch.logs)).toEqual(expect.arrayContaining(['loss', 'accuracy', 'val_loss', 'val_accuracy', 'val_exact']));
      // Every trainable weight's histogram after the epoch, and its last batch's gradient's (30 bins each).
      const hist = epoch.histograms as { name: string; shape: number[]; values: { counts: number[] }; gradients: { counts: number[] } | null }[];
      expect(hist.length).toBeGreaterThanOrEqual(5);
      for (const w of hist) {
        const size = w.shape.reduce((a, b) => a * b, 1);
        expect(w.values.counts.reduce((a, b) => a + b, 0), w.name).toBe(size);
        expect(w.gradients!.counts.reduce((a, b) => a + b, 0), w.name).toBe(size);
        expect(w.values.counts).toHaveLength(30);
      }
      // That process ended with the job (and gave its memory back): signalling it finds no such process.
      expect(() => process.kill(pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
      expect(done.data.progress.fraction).toBe(1);
      const job = (await get(s.base, `/api/jobs/${id}`)).body.job;
      expect(job.points).toHaveLength(18);
      expect(job.epochs).toHaveLength(2);
      const res = results(job.runId);
      expect(res).toMatchObject({ command: 'addition', status: 'completed', source: 'dashboard', pid: null, runName: 'tiny-sum', config: { digits: 2, trainingSize: 300, rnn: 'lstm', hidden: 8, epochs: 2 } });
      expect(res.argv).toEqual(['addition', '--digits', '2', '--training-size', '300', '--rnn', 'lstm', '--hidden', '8', '--layers', '1', '--epochs', '2', '--batch-size', '32', '--seed', '1']);
      expect(res.models[0].history.loss).toHaveLength(2);
      expect(res.models[0].secondsPerEpoch).toHaveLength(2);
      expect(res.details.histograms).toEqual(job.epochs.map((e: { epoch: number; histograms: unknown }) => ({ epoch: e.epoch, weights: e.histograms })));
      expect(res.details.histograms[0].weights).toEqual(hist);
      expect(typeof res.metrics.exactMatchAccuracy).toBe('number');
      expect(res.samples.length).toBeGreaterThan(0);
      expect(existsSync(join(s.runsDir, job.runId, 'report.html'))).toBe(true);
      expect(existsSync(join(s.runsDir, job.runId, 'model', 'model.json'))).toBe(true);
      // The runs list and the model list know it.
      const runs = (await get(s.base, '/api/runs')).body.runs;
      expect(runs.find((x: { id: string }) => x.id === job.runId)).toMatchObject({ status: 'completed', epochs: 2, hasModel: true, command: 'addition' });
      const models = (await get(s.base, '/api/models')).body.models;
      expect(models.find((m: { id: string }) => m.id === job.runId)).toMatchObject({ source: 'disk', meta: { task: 'addition', digits: 2, reverse: false } });
    } finally {
      sse.close();
    }
  });

  it('keeps a bounded, evenly thinned batch curve for late clients, however many batches a job runs', async () => {
    s.d.jobs.maxPoints = 5;
    const r = await post(s.base, '/api/jobs', tiny);
    const id = r.body.job.id;
    await finished(s.base, id);
    const job = (await get(s.base, `/api/jobs/${id}`)).body.job;
    // 18 batches, at most 5 kept: every 4th (steps 4, 8, 12, 16).
    expect(job.points.map((p: { step: number }) => p.step)).toEqual([4, 8, 12, 16]);
  });

  it('runs one at a time: the next waits, and cancelling leaves consistent folders', async () => {
    const a = (await post(s.base, '/api/jobs', long)).body.job;
    const b = (await post(s.base, '/api/jobs', { ...tiny, name: 'waiting' })).body.job;
    expect(b.status).toBe('queued');
    // Cancelling takes no options: a field or a body that is not JSON is refused and cancels nothing.
    const force = await post(s.base, `/api/jobs/${b.id}/cancel`, { force: true });
    expect([force.status, force.body.error]).toEqual([400, 'unknown field in the request: force']);
    const notJson = await request(s.base, 'POST', `/api/jobs/${b.id}/cancel`, { body: '{"force":', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    // Node sends a DELETE's body unframed unless told its length.
    const forceDelete = await request(s.base, 'DELETE', `/api/jobs/${b.id}`, { body: '{"force":true}', headers: { 'content-type': 'application/json', 'content-length': '14' } });
    expect(forceDelete.status).toBe(400);
    expect((await get(s.base, `/api/jobs/${b.id}`)).body.job.status).toBe('queued');
    // Cancel the queued one (a POST without a body; every POST says it sends JSON): it never starts and leaves no folder.
    const cb = await request(s.base, 'POST', `/api/jobs/${b.id}/cancel`, { headers: { 'content-type': 'application/json' } });
    expect(cb.status).toBe(200);
    expect(cb.body.job.status).toBe('cancelled');
    expect(cb.body.job.runId).toBeNull();
    // Wait until the long one has trained a few batches, then cancel it (DELETE works too).
    const running = await until(async () => {
      const j = (await get(s.base, `/api/jobs/${a.id}`)).body.job;
      return j.points.length >= 3 ? j : null;
    });
    expect(running.status).toBe('running');
    expect(running.progress.etaSeconds).toBeGreaterThan(0);
    const during = results(running.runId);
    expect(during).toMatchObject({ status: 'running', pid: process.pid });
    const ca = await request(s.base, 'DELETE', `/api/jobs/${a.id}`);
    expect(ca.status).toBe(200);
    const end = await finished(s.base, a.id);
    expect(end.status).toBe('cancelled');
    expect(end.modelReady).toBe(false);
    const res = results(end.runId);
    expect(res).toMatchObject({ status: 'cancelled', pid: null, cancellation: { afterEpochs: 0, partialLastEpoch: true } });
    expect(res.finding).toMatch(/cancelled after 0 epochs, \d+ of 1125 batches into epoch 1/);
    expect(res.finishedAt).toEqual(expect.any(String));
    expect(existsSync(join(s.runsDir, end.runId, 'report.html'))).toBe(true);
    expect(existsSync(join(s.runsDir, end.runId, 'model'))).toBe(false);
    expect(readdirSync(join(s.runsDir, end.runId)).filter((f) => f.startsWith('.rnnlab-tmp'))).toEqual([]);
    const listed = (await get(s.base, '/api/runs')).body.runs.find((x: { id: string }) => x.id === end.runId);
    expect(listed.status).toBe('cancelled');
    // Cancelling twice, or an unknown job.
    expect((await post(s.base, `/api/jobs/${a.id}/cancel`, {})).status).toBe(409);
    expect((await post(s.base, '/api/jobs/job-999/cancel', {})).status).toBe(404);
    expect((await get(s.base, '/api/jobs/job-999')).status).toBe(404);
  });

  it('a job that crashes is marked failed, with the reason, in its folder', async () => {
    // The data is there when the job is submitted, but it is no tarball: the job's process fails reading it.
    const data = tempDir('damaged-imdb-');
    writeFileSync(join(data, 'aclImdb_v1.tar.gz'), 'not a tarball\n');
    const t = await startTestServer({ dataPath: data });
    try {
      const r = await post(t.base, '/api/jobs', { task: 'imdb', model: 'lstm', limit: 10, epochs: 1, name: 'no-data' });
      expect(r.status).toBe(202);
      const end = await finished(t.base, r.body.job.id);
      expect(end.status).toBe('failed');
      expect(end.error).toMatch(/aclImdb_v1\.tar\.gz/);
      const res = results(end.runId, t.runsDir);
      expect(res.status).toBe('failed');
      expect(res.error.message).toMatch(/aclImdb_v1\.tar\.gz/);
      const listed = (await get(t.base, '/api/runs')).body.runs[0];
      expect(listed).toMatchObject({ status: 'failed', name: 'no-data' });
      // The queue moves on.
      const next = (await post(t.base, '/api/jobs', tiny)).body.job;
      expect((await finished(t.base, next.id)).status).toBe('completed');
    } finally {
      await t.close();
    }
  });

  /** Trains the job on the dashboard and its command line in the CLI; both records must say the same. */
  async function sameAsCli(body: Record<string, unknown>, extraArgs = '') {
    const job = (await post(s.base, '/api/jobs', body)).body.job;
    const end = await finished(s.base, job.id);
    expect(end.status).toBe('completed');
    const dash = results(end.runId);
    const cli = await cliRun(`${job.command}${extraArgs}`, tempDir('rnnlab-cli-same-'));
    expect(schemaProblems(cli)).toEqual([]);
    expect(sortedKeys(dash)).toEqual(sortedKeys(cli));
    expect(sortedKeys(dash.models[0])).toEqual(sortedKeys(cli.models[0]));
    // One task function trained both: the seed gives the same model, numbers and finding.
    expect(dash.config).toEqual(cli.config);
    expect(dash.metrics).toEqual(cli.metrics);
    expect(dash.models[0].history).toEqual(cli.models[0].history);
    // The finding quotes the measured seconds per epoch, the one thing that differs.
    const untimed = (f: string) => f.replace(/at [\d.]+ s per epoch/, 'at _ s per epoch');
    expect(untimed(dash.finding)).toBe(untimed(cli.finding));
    expect([dash.source, cli.source]).toEqual(['dashboard', 'cli']);
    return { dash, cli };
  }

  it('writes the record the CLI writes for the same settings: same keys, same numbers', async () => {
    const { dash, cli } = await sameAsCli(tiny);
    expect(dash.samples).toEqual(cli.samples);
  });

  it.skipIf(!imdbDataPath())('an IMDb job writes the record `rnnlab imdb` writes for the same settings (needs the IMDb tarball)', async () => {
    const data = imdbDataPath()!;
    await sameAsCli({ task: 'imdb', model: 'gru', limit: 64, epochs: 1, maxlen: 20, vocab: 500, units: 4, embeddingDim: 4, batchSize: 32 },
      ` --data ${data.endsWith('.tar.gz') ? data : join(data, 'aclImdb_v1.tar.gz')}`);
  });

  it('POST /api/demo queues the tiny demo jobs', async () => {
    const r = await post(s.base, '/api/demo', { task: 'addition' });
    expect(r.status).toBe(202);
    expect(r.body.jobs).toHaveLength(1);
    expect(r.body.jobs[0]).toMatchObject({ name: 'demo-addition', config: { task: 'addition', trainingSize: 30000, reverse: true, epochs: 20 } });
    await post(s.base, `/api/jobs/${r.body.jobs[0].id}/cancel`, {});
    await finished(s.base, r.body.jobs[0].id);
  });
});

async function until<T>(fn: () => Promise<T | null>, ms = 60000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
