/**
 * Event streams are written as the page's socket takes them: a page that stops reading for a while (or reads slowly)
 * has its frames queued in the server, in order, and gets every one of them once it reads again, the final frame of a
 * job included; a job's summary that a newer one replaced before it was sent is the only frame it may miss. What
 * waits for a page stays out of its socket's buffer, a page whose queue passes EVENT_HUB_LIMITS.maxBufferedBytes is
 * dropped, and a slow reader of a large first snapshot shows the stall rule progress with every piece it takes.
 */
import { mkdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRecord } from '../../src/report/record.js';
import { finishRecord, startRecord } from '../../src/report/run.js';
import { BODY_PIECE_BYTES } from '../../src/server/http.js';
import { SERVER_LIMITS } from '../../src/server/server.js';
import { EVENT_HUB_LIMITS } from '../../src/server/sse.js';
import { finished, post, serverPerTest, SMALL_SUM, tempDir, until, type TestServer } from './helpers.js';
import { hubServer, nextServerSocket, openStream, type Stream } from './sse_frames.js';

const RUNS = 40;
/** Each failed run's error this long: a first snapshot of 24 MiB, far more than the kernel's buffers on both ends take in. */
const ERROR_CHARS = 600 << 10;

/** A runs folder of RUNS failed dashboard jobs with long errors: the job list a new page's snapshot carries. */
function runsWithLargeSnapshot(): string {
  const runsDir = tempDir();
  for (let i = 0; i < RUNS; i++) {
    const dir = join(runsDir, `20250101-0000${String(i).padStart(2, '0')}-failed`);
    mkdirSync(dir);
    const start = startRecord({ command: 'addition', argv: ['addition'], source: 'dashboard', runName: `failed-${i}`, startedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)) });
    const body = { config: {}, data: null, models: [], metrics: {}, finding: 'failed' };
    writeRecord(dir, finishRecord(start, body, 'failed', { error: { name: 'Error', message: `${i}:${'e'.repeat(ERROR_CHARS)}` } }));
  }
  return runsDir;
}

/** Two pages on the server: one that stops reading at once (with the server's socket for it), one that reads, its snapshot begun. */
async function pausedAndReading(t: TestServer): Promise<{ paused: Stream; pausedSocket: Socket; reading: Stream }> {
  const socket = nextServerSocket(t);
  const paused = await openStream(t.base, { paused: true });
  const pausedSocket = await socket;
  const reading = await openStream(t.base);
  await until(() => reading.frames.length > 0, 60_000, "the reading page's snapshot");
  return { paused, pausedSocket, reading };
}

const finalFrame = (s: Stream, id: string) => s.frames.find((f) => f.event === 'job' && f.data.id === id && f.data.status === 'completed');

function expectWholeSnapshot(s: Stream): void {
  const first = s.frames[0];
  expect(first.event).toBe('snapshot');
  expect(first.data.jobs).toHaveLength(RUNS);
  for (const j of first.data.jobs) expect(j.error).toMatch(new RegExp(`^\\d+:e{${ERROR_CHARS}}$`));
}

describe('an event stream whose page reads slower than the server sends', () => {
  const s = serverPerTest();

  it('a page that stops reading while a job runs gets every frame in order once it reads again; meanwhile they wait in the server, not its socket', async () => {
    await s.start({ runsDir: runsWithLargeSnapshot() });
    const { paused, pausedSocket, reading } = await pausedAndReading(s);
    const id = (await post(s.base, '/api/jobs', { ...SMALL_SUM, name: 'while-paused' })).body.job.id as string;
    expect((await finished(s.base, id)).status).toBe('completed');
    await until(() => finalFrame(reading, id), 30_000, "the job's final frame on the reading page");
    // The kernel's buffers are full of the snapshot; the socket holds at most the piece being written, and the rest
    // of the snapshot and every frame of the job wait in the hub's queue.
    expect(paused.frames.filter((f) => f.data.id === id)).toEqual([]);
    expect(pausedSocket.writableLength).toBeLessThanOrEqual(BODY_PIECE_BYTES + 64);

    paused.res.resume();
    await until(() => finalFrame(paused, id), 60_000, "the job's final frame on the page that paused");
    expect(paused.closed).toBe(false);
    expectWholeSnapshot(paused);
    // Each stream numbers its frames as it writes them, from 1.
    for (const st of [paused, reading]) st.frames.forEach((f, i) => expect(f.id, `frame ${i}`).toBe(i + 1));
    // The paused page's frames are the reading page's, each whole, in the same order, less a job summary that the
    // next frame about the job, a newer summary, replaced, and a progress that a newer progress replaced.
    const about = (st: Stream) => st.frames.filter((f) => f.data.id === id).map(({ event, data }) => ({ event, data }));
    const all = about(reading);
    const got = about(paused);
    let at = 0;
    for (const f of got) {
      for (; at < all.length && !isDeepStrictEqual(all[at], f); at++) {
        if (all[at].event === 'progress') continue;
        expect(all[at].event, `frame ${at} about the job left out`).toBe('job');
        expect(all[at + 1]?.event, `the frame after ${at}`).toBe('job');
      }
      expect(at, `a frame the reading page never got: ${JSON.stringify(f).slice(0, 200)}`).toBeLessThan(all.length);
      at++;
    }
    expect(at).toBe(all.length);
    expect(got.filter((f) => f.event !== 'job' && f.event !== 'progress')).toEqual(all.filter((f) => f.event !== 'job' && f.event !== 'progress'));
    // The page's stream carries the job's progress, not its curve (that is the job's own stream's): of the progress
    // queued while it did not read, only the newest.
    expect(got.filter((f) => f.event === 'progress')).toEqual(all.filter((f) => f.event === 'progress').slice(-1));
    expect(all.filter((f) => f.event === 'batches' || f.event === 'epoch')).toEqual([]);
    expect(got.length).toBeLessThan(all.length);
    paused.res.destroy();
    reading.res.destroy();
  }, 180_000);

  it('a page whose queue passes maxBufferedBytes is dropped; a page that reads gets every frame', async () => {
    const saved = { ...EVENT_HUB_LIMITS };
    // The hub reads its limits at every frame: a queue of a few frames is past this one.
    Object.assign(EVENT_HUB_LIMITS, { maxBufferedBytes: 4 << 10 });
    try {
      await s.start({ runsDir: runsWithLargeSnapshot() });
      const { paused, pausedSocket, reading } = await pausedAndReading(s);
      // Enough epochs that the page's queue passes the bound however few progress frames the host's timing gives (a
      // newer summary replaces one queued just before it, so two epochs stayed under 4 KiB on a Zen 3 host).
      const id = (await post(s.base, '/api/jobs', { ...SMALL_SUM, epochs: 12, name: 'past-the-bound' })).body.job.id as string;
      await until(() => pausedSocket.destroyed, 60_000, 'the page that stopped reading to be dropped');
      expect((await finished(s.base, id)).status).toBe('completed');
      await until(() => finalFrame(reading, id), 30_000, "the job's final frame on the reading page");
      expect(reading.closed).toBe(false);
      paused.res.destroy();
      reading.res.destroy();
    } finally {
      Object.assign(EVENT_HUB_LIMITS, saved);
    }
  }, 180_000);

  it('a page reading a large snapshot slowly is not taken for a stalled one: it gets the whole snapshot and stays open', async () => {
    const saved = { ...SERVER_LIMITS };
    // The server reads its stall bound when it starts: a short one for this server only.
    Object.assign(SERVER_LIMITS, { writeStallMs: 3000, checkEveryMs: 250 });
    try {
      await s.start({ runsDir: runsWithLargeSnapshot() });
    } finally {
      Object.assign(SERVER_LIMITS, saved);
    }
    // 1 MiB, then a pause well within the bound: the snapshot takes several times the bound to arrive. (The kernel
    // lets the server write again only once a good part of its buffers is free, a few reads apart.)
    const slow = await openStream(s.base, { burst: 1 << 20, pauseMs: 300 });
    await until(() => slow.frames.length > 0 || slow.closed, 60_000, 'the snapshot, or the stream to be cut');
    expect(slow.closed).toBe(false);
    expectWholeSnapshot(slow);
    slow.res.destroy();
  }, 120_000);
});

const job = (id: string, status: string, progress = 0) => ({ id, name: id, status, progress });

describe('job summaries queued for a busy page', () => {
  it('a newer summary takes the queued one\'s place, never a job\'s first: the page hears of jobs in order, and sees each go on', async () => {
    let held = { entries: -1, bytes: -1 };
    const h = await hubServer(4 << 20, (hub) => {
      hub.broadcast('job', job('X', 'queued'));
      hub.broadcast('job', job('Y', 'queued'));
      // X is queued first, so the page lists it first, though its next summaries come after Y's.
      for (let p = 0; p <= 500; p++) hub.broadcast('job', job('X', 'running', p / 500));
      // Z fails before the page reads a frame: it is still seen queued, then failed.
      hub.broadcast('job', job('Z', 'queued'));
      hub.broadcast('job', job('Z', 'starting'));
      hub.broadcast('job', job('Z', 'failed'));
      held = hub.backlog();
    });
    try {
      const page = await openStream(h.base);
      await until(() => page.frames.some((f) => f.data.id === 'Z' && f.data.status === 'failed'), 30_000, "Z's last summary");
      expect(page.frames.map((f) => (f.event === 'job' ? `${f.data.id} ${f.data.status} ${f.data.progress}` : f.event))).toEqual([
        'snapshot', 'X queued 0', 'Y queued 0', 'X running 1', 'Z queued 0', 'Z failed 0',
      ]);
      // 506 summaries, one entry each for the six the page gets (no blank entry kept for each one replaced).
      expect(held.entries).toBe(6);
      page.res.destroy();
    } finally {
      await h.close();
    }
  });

  it('a frame is let go once written: a page that has read its snapshot and events holds none of their bytes', async () => {
    const h = await hubServer(8 << 20);
    try {
      const pages = [await openStream(h.base), await openStream(h.base)];
      await until(() => pages.every((p) => p.frames.length === 1), 60_000, 'both snapshots');
      for (let i = 0; i < 5; i++) h.hub.broadcast('batches', { id: 'X', points: [i] });
      await until(() => pages.every((p) => p.frames.length === 6), 30_000, 'the five events on both pages');
      expect(h.hub.backlog()).toEqual({ entries: 0, bytes: 0 });
      for (const p of pages) p.res.destroy();
    } finally {
      await h.close();
    }
  });
});
