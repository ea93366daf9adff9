/**
 * POST /api/inspect/gradients holds the event loop for one model's measurement at a time: between models it yields,
 * so other clients are answered while it is in flight, and measurements run one request at a time behind a bounded
 * line (one more is a 429). Its numbers are those of measuring each model on its whole batch, as before.
 * The pause between models is wrapped so the tests see, in order, where it happens and can hold a measurement there.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Sequential } from '../../src/models/sequential.js';
import { gradientNorms, MAX_GRADIENTS_WAITING, reviewBatch, TestReviews } from '../../src/server/inference.js';
import { ModelRegistry } from '../../src/server/models.js';
import { RunStore } from '../../src/server/runs.js';
import { get, imdbDataPath, post, startTestServer, tempDir, type TestServer, type Reply } from './helpers.js';

const yields = vi.hoisted(() => ({ onYield: null as null | (() => Promise<void>) }));
vi.mock('../../src/server/compute_queue.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/server/compute_queue.js')>();
  return { ...orig, letOthersIn: async () => { await yields.onYield?.(); return orig.letOthersIn(); } };
});

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });
afterEach(() => {
  yields.onYield = null;
  vi.restoreAllMocks();
});

const TEXT = { text: 'a dull and boring film', label: 'negative' };

/** Holds the first measurement at its first pause: atYield resolves there, release lets it go on. */
function holdFirstYield(): { atYield: Promise<void>; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => { release = resolve; });
  let reached!: () => void;
  const atYield = new Promise<void>((resolve) => { reached = resolve; });
  let first = true;
  yields.onYield = async () => {
    if (!first) return;
    first = false;
    reached();
    await held;
  };
  return { atYield, release };
}

describe('a gradients request in flight', () => {
  it('lets a health check through between its models', async () => {
    const events: string[] = [];
    const measure = Sequential.prototype.hiddenStateGradients;
    vi.spyOn(Sequential.prototype, 'hiddenStateGradients').mockImplementation(function (this: Sequential, x, y) {
      events.push('measure');
      return measure.call(this, x, y);
    });
    let asked = false;
    yields.onYield = async () => {
      events.push('yield');
      // Asked once the first model has been measured: the request is then in flight with two models to go.
      if (!events.includes('measure') || asked) return;
      asked = true;
      const h = await get(s.base, '/api/health');
      events.push(`health ${h.status}`);
    };
    const r = await post(s.base, '/api/inspect/gradients', { models: ['fresh:simple_rnn', 'fresh:lstm', 'fresh:gru'], ...TEXT });
    events.push(`gradients ${r.status}`);
    expect(events).toEqual(['yield', 'measure', 'yield', 'health 200', 'measure', 'yield', 'measure', 'gradients 200']);
  });
});

describe('the numbers', () => {
  // The reference: each model measured on its whole batch in one call, as the route did before it yielded.
  const registry = new ModelRegistry(new RunStore(tempDir()));
  const direct = async (ids: string[], batchOf: (id: string) => Promise<{ x: never; y: never }>) => {
    const out = [];
    for (const id of ids) {
      const entry = await registry.get(id, 'imdb');
      const b = await batchOf(id);
      out.push(gradientNorms(entry, b.x, b.y));
    }
    return out;
  };
  // Layer names count up per process ('gru', then 'gru_1' for this test's own copy): all else must be equal.
  const unnamed = (series: { layer: string }[]) => JSON.parse(JSON.stringify(series.map(({ layer: _, ...rest }) => rest)));

  it('are those of one pass per model on a typed review', async () => {
    const ids = ['fresh:simple_rnn', 'fresh:lstm', 'fresh:gru'];
    const r = await post(s.base, '/api/inspect/gradients', { models: ids, ...TEXT });
    expect(r.status).toBe(200);
    const series = await direct(ids, async (id) => {
      const e = await registry.get(id, 'imdb');
      return reviewBatch(e.model, TEXT.text, 0, e.meta as never) as never;
    });
    expect([r.body.source, r.body.samples]).toEqual(['text', 1]);
    expect(unnamed(r.body.series)).toEqual(unnamed(series));
  });

  // A GRU's gradient at the first of 200 steps is about 1e-42 (float32 subnormals), where batch-size-dependent
  // rounding would show first: the test reviews' batch is measured whole.
  it.runIf(imdbDataPath() !== undefined)('are those of one pass per model on test reviews', async () => {
    const ids = ['fresh:gru', 'fresh:lstm'];
    const r = await post(s.base, '/api/inspect/gradients', { models: ids, samples: 12 });
    expect(r.status).toBe(200);
    const reviews = new TestReviews(imdbDataPath());
    const series = await direct(ids, async (id) => {
      const e = await registry.get(id, 'imdb');
      return reviews.batch(e.model, e.meta as never, 12) as never;
    });
    expect([r.body.source, r.body.samples]).toEqual(['test', 12]);
    expect(unnamed(r.body.series)).toEqual(unnamed(series));
  }, 120_000);
});

describe('how many run at once', () => {
  const one = { models: ['fresh:simple_rnn'], text: 'good' };

  it(`runs one request at a time, with at most ${MAX_GRADIENTS_WAITING} waiting; one more is a 429 at once`, async () => {
    const { atYield, release } = holdFirstYield();
    const running = post(s.base, '/api/inspect/gradients', one);
    await atYield;
    const more = Array.from({ length: MAX_GRADIENTS_WAITING + 1 }, () => post(s.base, '/api/inspect/gradients', one));
    // Nothing else can finish while the first is held: the first answer is the refused one.
    const firstAnswer = await Promise.race(more);
    expect([firstAnswer.status, firstAnswer.body.error]).toEqual([429,
      `${MAX_GRADIENTS_WAITING} gradient measurements are already waiting behind the one running (at most ${MAX_GRADIENTS_WAITING}); try again when they have finished`]);
    release();
    const answers: Reply[] = [await running, ...(await Promise.all(more))];
    expect(answers.map((a) => a.status).sort()).toEqual([...new Array(MAX_GRADIENTS_WAITING + 1).fill(200), 429]);
    // Every measurement that ran got the same numbers.
    const ok = answers.filter((a) => a.status === 200).map((a) => a.body);
    for (const b of ok) expect(b).toEqual(ok[0]);
  });

  it('frees its turn when a measurement fails', async () => {
    expect((await post(s.base, '/api/inspect/gradients', { models: ['fresh:lstm', 'no-such-run'], text: 'good' })).status).toBe(404);
    expect((await post(s.base, '/api/inspect/gradients', one)).status).toBe(200);
  });

  it('refuses a bad request before it waits for a turn', async () => {
    const { atYield, release } = holdFirstYield();
    const running = post(s.base, '/api/inspect/gradients', one);
    await atYield;
    const bad = await post(s.base, '/api/inspect/gradients', { models: [], text: 'good' });
    expect([bad.status, bad.body.error]).toEqual([400, 'models must name at least one IMDb model']);
    release();
    expect((await running).status).toBe(200);
  });
});
