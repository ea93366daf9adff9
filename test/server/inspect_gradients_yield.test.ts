/**
 * POST /api/inspect/gradients measures each model on its whole batch, in one pass, as it did when it computed in the
 * server's process: its numbers, now computed in a process of its own, are those of gradientNorms here. The
 * measurement's process itself (health checks meanwhile, crashes, deadlines, the line of requests) is
 * gradients_process.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import { gradientNorms, reviewBatch, TestReviews } from '../../src/server/inference.js';
import { ModelRegistry } from '../../src/server/models.js';
import { RunStore } from '../../src/server/runs.js';
import { imdbDataPath, post, tempDir, useTestServer } from './helpers.js';

const s = useTestServer();

const TEXT = { text: 'a dull and boring film', label: 'negative' };

describe('the numbers', () => {
  // The reference: each model measured on its whole batch in one call, as the route did in the server's process.
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
