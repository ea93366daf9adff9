/**
 * POST /api/inspect/gradients measures in a child process of its own (gradient_process.ts, gradient_child.ts): the
 * server answers other clients meanwhile, the numbers are those gradientNorms gives in this process, measurements run
 * one request at a time behind a bounded line, and a child that crashes, hangs, or outlives its server is dealt with.
 * The tests hold a measurement by stopping its process (SIGSTOP), found by wrapping fork.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { imdbModel } from '../../src/experiments/lab_models.js';
import { saveImdbModel } from '../../src/experiments/model_store.js';
import type { Sequential } from '../../src/models/sequential.js';
import { writeRecord } from '../../src/report/record.js';
import { finishRecord, startRecord } from '../../src/report/run.js';
import { setSeed } from '../../src/random.js';
import { gradientNorms, MAX_GRADIENTS_WAITING, MAX_TEST_SAMPLES, reviewBatch, TestReviews } from '../../src/server/inference.js';
import { ModelRegistry } from '../../src/server/models.js';
import { RunStore } from '../../src/server/runs.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { get, imdbDataPath, post, startTestServer, tempDir, type Reply, type TestServer } from './helpers.js';

const forks = vi.hoisted(() => ({ onFork: null as null | ((c: ChildProcess) => void), deadlineMs: 120_000 }));
vi.mock('node:child_process', async (importOriginal) => {
  const orig = await importOriginal<typeof import('node:child_process')>();
  const fork = (...args: unknown[]) => {
    const child = (orig.fork as (...a: unknown[]) => ChildProcess)(...args);
    if (String(args[0]).endsWith('gradient_child.js')) forks.onFork?.(child);
    return child;
  };
  return { ...orig, fork };
});
vi.mock('../../src/server/gradient_process.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/server/gradient_process.js')>();
  return { ...orig, get GRADIENT_DEADLINE_MS() { return forks.deadlineMs; } };
});

const runsDir = tempDir();
const sizes = { vocab: 100, maxlen: 20, units: 4, embeddingDim: 4 };

/** A completed run folder `id` with `model` (compiled) saved in it as the CLI's model store does. */
async function runFolder(id: string, kind: 'lstm' | 'ff_embed', model: Sequential): Promise<void> {
  const dir = join(runsDir, id);
  mkdirSync(dir);
  await saveImdbModel(join(dir, 'model'), model, kind, sizes, {});
  const config = { model: kind, vocab: sizes.vocab, maxlen: sizes.maxlen };
  const start = startRecord({ command: 'imdb', argv: [], source: 'cli', runName: id, startedAt: new Date(), config });
  writeRecord(dir, finishRecord(start, { config, data: null, models: [{ name: 'm', params: model.countParams(), history: {}, secondsPerEpoch: [] }], metrics: {}, finding: '' }));
}

function compiled(kind: 'lstm' | 'ff_embed'): Sequential {
  setSeed(7);
  const m = imdbModel(kind, sizes);
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  return m;
}

let s: TestServer;
beforeAll(async () => {
  assertDistFresh('server/gradient_child.ts');
  await runFolder('tiny-lstm', 'lstm', compiled('lstm'));
  await runFolder('tiny-dense', 'ff_embed', compiled('ff_embed'));
  s = await startTestServer({ runsDir });
});
afterAll(async () => { await s?.close(); });
afterEach(() => {
  forks.onFork = null;
  forks.deadlineMs = 120_000;
});

/** Stops the next measurement's process as soon as it is forked: `started` gives it, `release` lets it go on. */
function holdNext(): { started: Promise<ChildProcess>; release: () => void } {
  let child: ChildProcess | null = null;
  const started = new Promise<ChildProcess>((resolve) => {
    forks.onFork = (c) => {
      forks.onFork = null;
      c.kill('SIGSTOP');
      child = c;
      resolve(c);
    };
  });
  return { started, release: () => { child?.kill('SIGCONT'); } };
}

const exited = (c: ChildProcess) => new Promise<string | null>((resolve) => {
  if (c.exitCode !== null || c.signalCode !== null) resolve(c.signalCode);
  else c.once('exit', (_code, signal) => resolve(signal));
});

const TEXT = { text: 'a dull and boring film', label: 'negative' };
// Layer names count up per process ('lstm', then 'lstm_1' for this test's own copy): all else must be equal.
const unnamed = (series: { layer: string }[]) => JSON.parse(JSON.stringify(series.map(({ layer: _, ...rest }) => rest)));

describe.skipIf(process.platform === 'win32')('a measurement in its own process', () => {
  it.runIf(imdbDataPath() !== undefined)(`lets a health check through while it measures ${MAX_TEST_SAMPLES} test reviews`, async () => {
    const events: string[] = [];
    const { started, release } = holdNext();
    const measuring = post(s.base, '/api/inspect/gradients', { models: ['fresh:lstm'], samples: MAX_TEST_SAMPLES }).then((r) => {
      events.push(`gradients ${r.status}`);
      return r;
    });
    const child = await started;
    const h = await get(s.base, '/api/health');
    events.push(`health ${h.status}`);
    release();
    const r = await measuring;
    expect(events).toEqual(['health 200', 'gradients 200']);
    const registry = new ModelRegistry(new RunStore(tempDir()));
    const entry = await registry.get('fresh:lstm', 'imdb');
    const batch = await new TestReviews(imdbDataPath()).batch(entry.model, entry.meta as never, MAX_TEST_SAMPLES);
    expect(r.body.samples).toBe(batch.x.shape[0]);
    expect(unnamed(r.body.series)).toEqual(unnamed([gradientNorms(entry, batch.x, batch.y)]));
    // The process ended with its answer.
    expect(await exited(child)).toBeNull();
  }, 120_000);

  it("gives gradientNorms' numbers in this process for fresh:lstm and a saved run's model", async () => {
    const ids = ['fresh:lstm', 'tiny-lstm'];
    const r = await post(s.base, '/api/inspect/gradients', { models: ids, ...TEXT });
    expect(r.status, r.text).toBe(200);
    const registry = new ModelRegistry(new RunStore(runsDir));
    const direct = [];
    for (const id of ids) {
      const e = await registry.get(id, 'imdb');
      const b = reviewBatch(e.model, TEXT.text, 0, e.meta as never);
      direct.push(gradientNorms(e, b.x, b.y));
    }
    expect(r.body.series[1].norms).toHaveLength(sizes.maxlen);
    expect(unnamed(r.body.series)).toEqual(unnamed(direct));
    // The saved model's layer names come from its files, so they match too.
    expect(r.body.series[1].layer).toBe(direct[1].layer);
  });

  it.runIf(imdbDataPath() !== undefined)("gives gradientNorms' numbers on test reviews for a saved run's model", async () => {
    const r = await post(s.base, '/api/inspect/gradients', { models: ['tiny-lstm'], samples: 40 });
    expect(r.status, r.text).toBe(200);
    const e = await new ModelRegistry(new RunStore(runsDir)).get('tiny-lstm', 'imdb');
    const b = await new TestReviews(imdbDataPath()).batch(e.model, e.meta as never, 40);
    expect(r.body.series).toEqual([JSON.parse(JSON.stringify(gradientNorms(e, b.x, b.y)))]);
  }, 120_000);

  it("keeps the child's refusals: 422 for a model without a loss is tested elsewhere; 400 for one with no recurrent layer", async () => {
    const r = await post(s.base, '/api/inspect/gradients', { models: ['tiny-dense'], ...TEXT });
    expect([r.status, r.body.error]).toEqual([400, "model 'tiny-dense' has no recurrent layer to measure"]);
  });

  it('is a 500 naming the crash when its process dies, and the server goes on', async () => {
    const { started } = holdNext();
    const measuring = post(s.base, '/api/inspect/gradients', { models: ['fresh:simple_rnn'], ...TEXT });
    (await started).kill('SIGKILL');
    const r = await measuring;
    expect([r.status, r.body.error]).toEqual([500, "the gradient measurement's process ended without a result (signal SIGKILL)"]);
    expect((await get(s.base, '/api/health')).status).toBe(200);
    expect((await post(s.base, '/api/inspect/gradients', { models: ['fresh:simple_rnn'], ...TEXT })).status).toBe(200);
  });

  it('is a 503 when its process does not answer within the deadline, and the process is killed', async () => {
    forks.deadlineMs = 500;
    const { started } = holdNext();
    const measuring = post(s.base, '/api/inspect/gradients', { models: ['fresh:simple_rnn'], ...TEXT });
    const child = await started;
    const r = await measuring;
    expect([r.status, r.body.error]).toEqual([503, 'the gradient measurement did not finish within 0.5 s and was stopped; measure fewer reviews or models']);
    expect(await exited(child)).toBe('SIGKILL');
  });

  it("kills a running measurement's process when the server closes", async () => {
    const other = await startTestServer();
    const { started } = holdNext();
    const measuring = post(other.base, '/api/inspect/gradients', { models: ['fresh:simple_rnn'], ...TEXT }).catch((e: Error) => e);
    const child = await started;
    await other.close();
    expect(await exited(child)).toBe('SIGKILL');
    // The client sees its connection end without an answer.
    expect(await measuring).toBeInstanceOf(Error);
  });
});

describe.skipIf(process.platform === 'win32')('how many run at once', () => {
  const one = { models: ['fresh:simple_rnn'], text: 'good' };

  it(`runs one request at a time, with at most ${MAX_GRADIENTS_WAITING} waiting; one more is a 429 at once`, async () => {
    const { started, release } = holdNext();
    const running = post(s.base, '/api/inspect/gradients', one);
    await started;
    const more = Array.from({ length: MAX_GRADIENTS_WAITING + 1 }, () => post(s.base, '/api/inspect/gradients', one));
    // Nothing else can finish while the first is held: the first answer is the refused one.
    const firstAnswer = await Promise.race(more);
    expect([firstAnswer.status, firstAnswer.body.error]).toEqual([429,
      `${MAX_GRADIENTS_WAITING} gradient measurements are already waiting behind the one running (at most ${MAX_GRADIENTS_WAITING}); try again when they have finished`]);
    release();
    const answers: Reply[] = [await running, ...(await Promise.all(more))];
    expect(answers.map((a) => a.status).sort()).toEqual([...new Array(MAX_GRADIENTS_WAITING + 1).fill(200), 429]);
    // Every measurement that ran got the same numbers, each in a process of its own.
    const ok = answers.filter((a) => a.status === 200).map((a) => a.body);
    for (const b of ok) expect(b).toEqual(ok[0]);
  });

  it('frees its turn when a measurement fails', async () => {
    expect((await post(s.base, '/api/inspect/gradients', { models: ['fresh:lstm', 'no-such-run'], text: 'good' })).status).toBe(404);
    expect((await post(s.base, '/api/inspect/gradients', one)).status).toBe(200);
  });

  it('refuses a bad request before it waits for a turn', async () => {
    const { started, release } = holdNext();
    const running = post(s.base, '/api/inspect/gradients', one);
    await started;
    const bad = await post(s.base, '/api/inspect/gradients', { models: [], text: 'good' });
    expect([bad.status, bad.body.error]).toEqual([400, 'models must name at least one IMDb model']);
    release();
    expect((await running).status).toBe(200);
  });
});
