/**
 * A job's `progress` on the page's stream gives its whole place in training, a dozen times a second: while a page does
 * not read, a newer one takes the place of the one waiting for it, so a stalled page holds one per job, not a pile that
 * grows until the page is dropped. Every other event still reaches it, in order, numbered as written.
 */
import { describe, expect, it } from 'vitest';
import type { EventHub } from '../../src/server/sse.js';
import { until } from './helpers.js';
import { hubServer, openStream, type Stream } from './sse_frames.js';

const progress = (id: string, batch: number) => ({ id, progress: { epoch: 1, epochs: 1, batch, steps: 300, fraction: batch / 300, elapsedSeconds: batch, etaSeconds: 300 - batch } });
const job = (id: string, status: string) => ({ id, status });
const shown = (s: Stream) => s.frames.map((f) =>
  f.event === 'snapshot' ? 'snapshot' : f.event === 'progress' ? `progress ${f.data.id} ${f.data.progress.batch}` : f.event === 'job' ? `job ${f.data.id} ${f.data.status}` : `${f.event} ${f.data.line}`);

/** What the jobs and the lab send while the page is stalled. */
function whileStalled(hub: EventHub): void {
  hub.broadcast('job', job('X', 'queued'));
  for (let b = 1; b <= 100; b++) hub.broadcast('progress', progress('X', b));
  hub.broadcast('lab-output', { run: 1, line: 'L1' });
  hub.broadcast('job', job('Y', 'queued'));
  for (let b = 1; b <= 50; b++) hub.broadcast('progress', progress('Y', b));
  hub.broadcast('lab-output', { run: 1, line: 'L2' });
  for (let b = 101; b <= 200; b++) hub.broadcast('progress', progress('X', b));
  // X's summary after its epoch: X's next progress comes after it, never an older one in its place before it.
  hub.broadcast('job', job('X', 'running'));
  for (let b = 201; b <= 300; b++) hub.broadcast('progress', progress('X', b));
  hub.broadcast('lab-output', { run: 1, line: 'L3' });
  for (let b = 51; b <= 60; b++) hub.broadcast('progress', progress('Y', b));
}

describe("a stalled page's progress events", () => {
  it('are merged per job while they wait: after the stall the page gets the newest of each job, and every other event in order', async () => {
    let held = { entries: -1, bytes: -1 };
    const h = await hubServer(16 << 20, (hub) => {
      whileStalled(hub);
      held = hub.backlog();
    });
    try {
      const page = await openStream(h.base, { paused: true });
      // 361 progress frames of about 200 bytes were sent; the queue holds the snapshot, the 6 other events and 2 of them.
      expect(held.bytes).toBeLessThan((16 << 20) + 4096);
      page.res.resume();
      await until(() => page.frames.some((f) => f.data.line === 'L3'), 30_000, 'the last lab line');
      await until(() => page.frames.length >= 9, 5_000, 'every frame');
      expect(shown(page)).toEqual([
        'snapshot', 'job X queued', 'lab-output L1', 'job Y queued', 'progress Y 60', 'lab-output L2', 'job X running', 'progress X 300', 'lab-output L3',
      ]);
      expect(page.frames.map((f) => f.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      page.res.destroy();
    } finally {
      await h.close();
    }
  });

  it('a page that reads gets each progress as it comes', async () => {
    const h = await hubServer(16);
    try {
      const page = await openStream(h.base);
      await until(() => page.frames.length === 1, 10_000, 'the snapshot');
      for (let b = 1; b <= 3; b++) {
        h.hub.broadcast('progress', progress('X', b));
        await until(() => page.frames.length === 1 + b, 10_000, `progress ${b}`);
      }
      expect(shown(page)).toEqual(['snapshot', 'progress X 1', 'progress X 2', 'progress X 3']);
      page.res.destroy();
    } finally {
      await h.close();
    }
  });
});
