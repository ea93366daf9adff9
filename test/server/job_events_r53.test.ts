/**
 * A job's own event stream (GET /api/jobs/:id/events): its whole state so far, then its epochs and batch points as
 * they come, and the end once the job is over; the page's stream (/api/events) carries summaries and progress only.
 * Either kind is written as its reader takes it, counts against the same limit, falls under the stall rule, and
 * numbers its frames from 1 in the order they go out, a summary that took an older one's place included.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRecord } from '../../src/report/record.js';
import { finishRecord, startRecord } from '../../src/report/run.js';
import { SERVER_LIMITS } from '../../src/server/server.js';
import { EVENT_HUB_LIMITS } from '../../src/server/sse.js';
import { finished, get, post, request, serverPerTest, SMALL_SUM, SseClient, tempDir, until, useTestServer } from './helpers.js';
import { hubServer, nextServerSocket, openStream, type Frame, type Stream } from './sse_frames.js';

const STEPS = 18;
const ids = (s: Stream) => s.frames.map((f) => f.id);
const idOf = (f: Frame) => (f.event === 'snapshot' ? f.data.job.id : f.data.id);

/** The job's epochs and batch steps as its stream told them: the snapshot's, then those the events added. */
function curve(s: Stream): { epochs: number[]; steps: number[] } {
  const [first, ...rest] = s.frames;
  expect(first.event).toBe('snapshot');
  return {
    epochs: [...first.data.job.epochs, ...rest.filter((f) => f.event === 'epoch').map((f) => f.data.epoch)].map((e) => e.epoch),
    steps: [...first.data.job.points, ...rest.filter((f) => f.event === 'batches').flatMap((f) => f.data.points)].map((p) => p.step),
  };
}

describe("a job's event stream", () => {
  const s = useTestServer(() => ({ dataPath: tempDir('rnnlab-no-imdb-') }));
  /** The id of a finished job on the server (one made if there is none). */
  const finishedJob = async (): Promise<string> => {
    const kept = (await get(s.base, '/api/jobs')).body.jobs.find((j: { status: string }) => j.status === 'completed');
    if (kept) return kept.id;
    const { id } = (await post(s.base, '/api/jobs', { ...SMALL_SUM, epochs: 1, name: 'over' })).body.job;
    await finished(s.base, id);
    return id;
  };

  it("carries that job's epochs and batch points, and not another's; the page's stream carries neither", async () => {
    const page = await SseClient.connect(s.base);
    const a = (await post(s.base, '/api/jobs', { ...SMALL_SUM, name: 'a' })).body.job.id as string;
    const b = (await post(s.base, '/api/jobs', { ...SMALL_SUM, name: 'b' })).body.job.id as string;
    const streams = [await openStream(s.base, { path: `/api/jobs/${a}/events` }), await openStream(s.base, { path: `/api/jobs/${b}/events` })];
    try {
      for (const id of [a, b]) expect((await finished(s.base, id)).status).toBe('completed');
      await until(() => streams.every((st) => st.ended), 30_000, 'both job streams to end');
      [a, b].forEach((id, i) => {
        const st = streams[i];
        expect(st.frames.map(idOf).filter((x) => x !== id), `frames about another job on ${id}'s stream`).toEqual([]);
        // Whatever came before the page connected is in the snapshot, the rest in events: each once, in order.
        expect(curve(st)).toEqual({ epochs: [1, 2], steps: Array.from({ length: STEPS }, (_, k) => k + 1) });
        expect(st.frames.filter((f) => f.event === 'epoch').every((f) => f.data.epoch.histograms.length > 0)).toBe(true);
        expect(st.frames.slice(-2).map((f) => [f.event, f.data.status])).toEqual([['job', 'completed'], ['end', 'completed']]);
        expect(ids(st)).toEqual(st.frames.map((_, k) => k + 1));
      });
      await page.waitFor((e) => e.event === 'job' && e.data.id === b && e.data.status === 'completed', 10_000, "b's last summary");
      expect(page.events.filter((e) => e.event === 'epoch' || e.event === 'batches')).toEqual([]);
      for (const id of [a, b]) expect(page.events.some((e) => e.event === 'progress' && e.data.id === id)).toBe(true);
      expect(page.ended).toBe(false);
    } finally {
      page.close();
      for (const st of streams) st.res.destroy();
    }
  }, 120_000);

  it("of a job already over sends the job's whole state and the end, then closes", async () => {
    const id = await finishedJob();
    const st = await openStream(s.base, { path: `/api/jobs/${id}/events` });
    await until(() => st.ended, 10_000, 'the stream to end');
    expect(st.frames.map((f) => f.event)).toEqual(['snapshot', 'end']);
    expect(st.frames[0].data.job).toEqual((await get(s.base, `/api/jobs/${id}`)).body.job);
    expect(st.frames[0].data.job.epochs[0].histograms.length).toBeGreaterThan(0);
    expect(st.frames[1].data).toEqual({ id, status: 'completed' });
    expect(ids(st)).toEqual([1, 2]);
  });

  it('is a 404 naming an id the server has no job for, HEAD too; HEAD of a job\'s stream answers its headers only', async () => {
    const r = await get(s.base, '/api/jobs/no-such-job/events');
    expect(r.status).toBe(404);
    expect(r.body.error).toBe("no job 'no-such-job'");
    expect((await request(s.base, 'HEAD', '/api/jobs/no-such-job/events')).status).toBe(404);
    const id = await finishedJob();
    const head = await request(s.base, 'HEAD', `/api/jobs/${id}/events`);
    expect([head.status, head.headers['content-type'], head.headers['cache-control'], head.text]).toEqual([200, 'text/event-stream; charset=utf-8', 'no-store', '']);
  });

  it("counts against the same limit as the page's streams: a 503 past it", async () => {
    const saved = { ...EVENT_HUB_LIMITS };
    Object.assign(EVENT_HUB_LIMITS, { maxClients: 2 });
    const id = await finishedJob();
    const pages = [await SseClient.connect(s.base), await SseClient.connect(s.base)];
    try {
      const refused = await get(s.base, `/api/jobs/${id}/events`);
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatch(/^2 event streams are open/);
      pages.pop()!.close();
      const st = await until(() => openStream(s.base, { path: `/api/jobs/${id}/events` }).catch(() => null), 10_000, 'a freed place');
      await until(() => st!.ended, 10_000, 'the finished job\'s stream to end');
    } finally {
      Object.assign(EVENT_HUB_LIMITS, saved);
      for (const p of pages) p.close();
    }
  });
});

/** A runs folder holding one failed dashboard job whose error makes its detail `chars` long. */
function runWithLargeDetail(chars: number): string {
  const runsDir = tempDir();
  const dir = join(runsDir, '20250101-000000-failed');
  mkdirSync(dir);
  const start = startRecord({ command: 'addition', argv: ['addition'], source: 'dashboard', runName: 'failed', startedAt: new Date(Date.UTC(2025, 0, 1)) });
  writeRecord(dir, finishRecord(start, { config: {}, data: null, models: [], metrics: {}, finding: 'failed' }, 'failed', { error: { name: 'Error', message: 'e'.repeat(chars) } }));
  return runsDir;
}

describe("a job's stream under the stall rule", () => {
  const s = serverPerTest();
  // Far more than the kernel's buffers on both ends take in for a client that does not read.
  const CHARS = 24 << 20;

  it('drops a client that stops reading; one reading slowly gets the whole job and the end', async () => {
    const saved = { ...SERVER_LIMITS };
    Object.assign(SERVER_LIMITS, { writeStallMs: 2000, checkEveryMs: 250 });
    try {
      await s.start({ runsDir: runWithLargeDetail(CHARS) });
    } finally {
      Object.assign(SERVER_LIMITS, saved);
    }
    const { id } = (await get(s.base, '/api/jobs')).body.jobs[0];
    const path = `/api/jobs/${id}/events`;
    const socket = nextServerSocket(s);
    const stalled = await openStream(s.base, { path, paused: true });
    const stalledSocket = await socket;
    // 1 MiB, then a pause well within the bound: the job takes several times the bound to arrive.
    const slow = await openStream(s.base, { path, burst: 1 << 20, pauseMs: 300 });
    await until(() => stalledSocket.destroyed, 30_000, 'the client that stopped reading to be dropped');
    await until(() => slow.ended || slow.closed, 60_000, 'the slow reader\'s stream to end');
    expect(slow.ended).toBe(true);
    expect(slow.frames.map((f) => f.event)).toEqual(['snapshot', 'end']);
    expect(slow.frames[0].data.job.error).toBe('e'.repeat(CHARS));
    stalled.res.destroy();
  }, 120_000);
});

const summary = (id: string, status: string, progress = 0) => ({ id, status, progress });
const shown = (s: Stream) => s.frames.map((f) => (f.event === 'job' ? `${f.data.id} ${f.data.status} ${f.data.progress}` : f.event === 'snapshot' ? 'snapshot' : `${f.event} ${f.data.id} ${f.data.n ?? f.data.status}`));

describe('the hub', () => {
  it('numbers frames as they go out: a summary put in an older one\'s place is not behind a later id', async () => {
    const h = await hubServer(4 << 20, (hub) => {
      hub.broadcast('job', summary('X', 'queued'));
      hub.broadcast('job', summary('Y', 'queued'));
      hub.broadcast('job', summary('X', 'running', 0.1));
      hub.broadcast('job', summary('Y', 'running', 0.2));
      // Takes the place of X's last, before Y's.
      hub.broadcast('job', summary('X', 'running', 0.3));
    });
    try {
      const page = await openStream(h.base);
      await until(() => page.frames.length === 5, 30_000, 'five frames');
      expect(shown(page)).toEqual(['snapshot', 'X queued 0', 'Y queued 0', 'X running 0.3', 'Y running 0.2']);
      expect(ids(page)).toEqual([1, 2, 3, 4, 5]);
      page.res.destroy();
    } finally {
      await h.close();
    }
  });

  it("queues a busy job stream's frames in order, keeps the page's from it, and ends it after the topic's last", async () => {
    const h = await hubServer(4 << 20, (hub) => {
      for (let n = 1; n <= 3; n++) {
        hub.broadcast('batches', { id: 'X', n }, 'job:X');
        hub.broadcast('epoch', { id: 'X', n }, 'job:X');
        hub.broadcast('job', summary('X', 'running', n), 'job:X');
      }
      hub.broadcast('job', summary('X', 'running', 9));
      hub.broadcast('epoch', { id: 'Y', n: 1 }, 'job:Y');
      hub.broadcast('job', summary('X', 'completed', 1), 'job:X');
      hub.endTopic('job:X', ['end', { id: 'X', status: 'completed' }]);
      // Nothing after the end.
      hub.broadcast('epoch', { id: 'X', n: 4 }, 'job:X');
    });
    try {
      const st = await openStream(h.base, { path: '/?job=X' });
      await until(() => st.ended, 30_000, 'the end of the stream');
      expect(shown(st)).toEqual([
        'snapshot', 'batches X 1', 'epoch X 1', 'X running 1', 'batches X 2', 'epoch X 2', 'X running 2', 'batches X 3', 'epoch X 3',
        // A summary nothing followed is replaced by the next, as on the page's stream.
        'X completed 1', 'end X completed',
      ]);
      expect(ids(st)).toEqual(st.frames.map((_, k) => k + 1));
      await until(() => h.hub.size === 0, 10_000, 'the ended stream to leave the hub');
    } finally {
      await h.close();
    }
  });

  it('drops a job stream whose queue passes maxBufferedBytes, as a page\'s', async () => {
    // A first snapshot far larger than the kernel's buffers on both ends: the frames after it wait in the hub.
    const h = await hubServer(24 << 20, () => {}, { maxClients: 8, maxBufferedBytes: 4 << 10 });
    try {
      const st = await openStream(h.base, { path: '/?job=X', paused: true });
      await until(() => h.hub.size === 1, 10_000, 'the stream');
      for (let n = 0; n < 10 && h.hub.size === 1; n++) h.hub.broadcast('epoch', { id: 'X', n, pad: 'q'.repeat(1 << 10) }, 'job:X');
      expect(h.hub.size).toBe(0);
      st.res.destroy();
    } finally {
      await h.close();
    }
  });
});
