/**
 * What an event stream carries (docs/SECURITY.md): a page that connects gets the jobs' summaries, not their histories,
 * and what a running job adds reaches it as summaries and progress only; the job's epochs with their histograms and
 * its batch points go to that job's own stream (GET /api/jobs/:id/events), which a page opens for the job it shows.
 */
import { describe, expect, it } from 'vitest';
import { finished, post, SMALL_SUM, SseClient, tempDir, useTestServer } from './helpers.js';

const s = useTestServer(() => ({ dataPath: tempDir('rnnlab-no-imdb-') }));

describe('an event stream', () => {
  it('opens with summaries only, and hears of a running job\'s epochs as summaries, without their histograms or batch points', async () => {
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
      expect(stream.events.filter((e) => e.event === 'epoch' || e.event === 'batches')).toEqual([]);
      const counts = stream.events.filter((e) => e.event === 'job' && e.data.id === id).map((e) => e.data.epochCount);
      expect([...new Set(counts)]).toEqual([0, 1, 2]);
      expect(JSON.stringify(stream.events)).not.toContain('histograms');
      const progress = stream.events.filter((e) => e.event === 'progress' && e.data.id === id);
      expect(progress.length).toBeGreaterThan(0);
      expect(Object.keys(progress[0].data).sort()).toEqual(['id', 'progress']);
      expect(progress.at(-1)!.data.progress).toMatchObject({ epoch: 2, epochs: 2, fraction: 1 });
    } finally {
      stream.close();
    }
  });
});
