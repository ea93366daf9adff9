/**
 * What an event stream carries (docs/SECURITY.md): a page that connects gets the jobs' summaries, not their histories
 * (those come with GET /api/jobs/:id); what a running job adds goes to every stream as it comes, epochs with their
 * histograms and the new batch points included.
 */
import { describe, expect, it } from 'vitest';
import { finished, post, SMALL_SUM, SseClient, tempDir, useTestServer } from './helpers.js';

const s = useTestServer(() => ({ dataPath: tempDir('rnnlab-no-imdb-') }));

describe('an event stream', () => {
  it('opens with summaries only, and gets a running job\'s epochs and batch points without opening it', async () => {
    const { id: before } = (await post(s.base, '/api/jobs', { ...SMALL_SUM, epochs: 1, name: 'before' })).body.job;
    await finished(s.base, before);
    const stream = await SseClient.connect(s.base);
    try {
      const snapshot = await stream.waitFor((e) => e.event === 'snapshot');
      const summary = snapshot.data.jobs.find((j: { id: string }) => j.id === before);
      expect(summary).toMatchObject({ id: before, epochCount: 1 });
      expect(summary.epochs).toBeUndefined();
      expect(summary.points).toBeUndefined();
      const { id } = (await post(s.base, '/api/jobs', { ...SMALL_SUM, name: 'live' })).body.job;
      await finished(s.base, id);
      await stream.waitFor((e) => e.event === 'job' && e.data.id === id && e.data.status === 'completed');
      const epochs = stream.events.filter((e) => e.event === 'epoch' && e.data.id === id);
      expect(epochs.map((e) => e.data.epoch.epoch)).toEqual([1, 2]);
      expect(epochs.every((e) => e.data.epoch.histograms.length > 0)).toBe(true);
      expect(stream.events.some((e) => e.event === 'batches' && e.data.id === id && e.data.points.length > 0)).toBe(true);
    } finally {
      stream.close();
    }
  });
});
