/**
 * A dashboard left running: run folders made atomically, write failures reported instead of hidden, run folders
 * linked from elsewhere never read, stale "running" records, event streams that cannot pile up, and a shutdown
 * that leaves consistent folders and a free port.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOutDir } from '../../src/report/run.js';
import { EventHub } from '../../src/server/sse.js';
import { finished, get, post, request, SseClient, until, useTestServer } from './helpers.js';

const tiny = { task: 'addition', digits: 2, trainingSize: 300, hidden: 8, epochs: 2, batchSize: 32, name: 'tiny-sum' };
/** Long enough to still be training when the test acts on it (each batch waits batchDelayMs). */
const long = { task: 'addition', digits: 2, trainingSize: 2000, hidden: 8, epochs: 200, batchSize: 32, name: 'long-sum' };

const s = useTestServer({ batchDelayMs: 5 }, { each: true });

const outsideDirs: string[] = [];
afterAll(() => {
  for (const d of outsideDirs) rmSync(d, { recursive: true, force: true });
});

async function runningJob(body: Record<string, unknown>): Promise<{ id: string; runId: string }> {
  const r = await post(s.base, '/api/jobs', body);
  expect(r.status, r.text).toBe(202);
  const id = r.body.job.id as string;
  const runId = await until(async () => {
    const j = (await get(s.base, `/api/jobs/${id}`)).body.job;
    return j.status === 'running' && j.progress ? (j.runId as string) : null;
  }, 60000, 'the job to train');
  return { id, runId: runId! };
}

const noMachinePaths = (text: string) => {
  for (const p of [s.runsDir, tmpdir()]) expect(text).not.toContain(p);
};

describe('run folders', () => {
  it('a folder already holding the name a job would take is left alone; the job takes the next free name', async () => {
    // The CLI may start a run of the same name in the same second: make every folder the job could pick taken.
    const now = Date.now();
    const taken: string[] = [];
    for (let t = -2; t <= 30; t++) {
      const dir = defaultOutDir(tiny.name, new Date(now + t * 1000), s.runsDir);
      mkdirSync(dir);
      writeFileSync(join(dir, 'notes.txt'), 'a CLI run');
      taken.push(dir);
    }
    const r = await post(s.base, '/api/jobs', tiny);
    const job = await finished(s.base, r.body.job.id);
    expect(job.status).toBe('completed');
    expect(job.runId).toMatch(/-tiny-sum-2$/);
    for (const dir of taken) expect(readdirSync(dir)).toEqual(['notes.txt']);
    expect(JSON.parse(readFileSync(join(s.runsDir, job.runId, 'results.json'), 'utf8')).status).toBe('completed');
  });

  it('a job whose run folder cannot be made fails at once, saying why, and the next job runs', async () => {
    rmSync(s.runsDir, { recursive: true });
    writeFileSync(s.runsDir, 'the runs folder was replaced by a file');
    const r = await post(s.base, '/api/jobs', tiny);
    const job = await finished(s.base, r.body.job.id);
    expect(job.status).toBe('failed');
    expect(job.epochs).toEqual([]);
    expect(job.runId).toBe(null);
    expect(job.error).toMatch(/^cannot create the job's run folder: cannot make the folder rnnlab-serve-\w+: a file of that name is in the way$/);
    noMachinePaths(JSON.stringify(job));
    rmSync(s.runsDir);
    mkdirSync(s.runsDir);
    const next = await finished(s.base, (await post(s.base, '/api/jobs', tiny)).body.job.id);
    expect(next.status).toBe('completed');
  });

  it('a job whose record cannot be written at its end is failed with the reason, and what took its place is untouched', async () => {
    const { id, runId } = await runningJob(long);
    const dir = join(s.runsDir, runId);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'not a folder');
    await post(s.base, `/api/jobs/${id}/cancel`, {});
    const job = await finished(s.base, id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(new RegExp(`^the run folder ${runId} could not be written: cannot make the folder rnnlab-serve-\\w+/${runId}: a file of that name is in the way$`));
    noMachinePaths(JSON.stringify(job));
    expect(readFileSync(dir, 'utf8')).toBe('not a folder');
  });

  it('a model that cannot be saved is said so on the finished job, which then has no model to answer with', async () => {
    const { id, runId } = await runningJob({ ...tiny, epochs: 20, name: 'unsaved' });
    // A file where the model's folder goes: saving it fails, the record and report still go in.
    writeFileSync(join(s.runsDir, runId, 'model'), 'in the way');
    const job = await finished(s.base, id);
    expect(job.status).toBe('completed');
    expect(job.phase).toMatch(/^done, but the model was not saved: /);
    noMachinePaths(job.phase);
    // The job's process saves the model and keeps it: the server has no copy to answer with.
    expect(job.modelReady).toBe(false);
    expect(JSON.parse(readFileSync(join(s.runsDir, runId, 'results.json'), 'utf8')).status).toBe('completed');
    const p = await post(s.base, '/api/predict/sum', { model: runId, query: '12+34' });
    expect(p.status, p.text).toBe(404);
  });
});

describe('the queue', () => {
  it('takes at most 20 waiting jobs; the demo queues both its jobs or, when they do not fit, neither', async () => {
    const { id } = await runningJob(long);
    for (let i = 0; i < 19; i++) expect((await post(s.base, '/api/jobs', { ...tiny, name: `w${i}` })).status).toBe(202);
    const demo = await post(s.base, '/api/demo', { task: 'both' });
    expect(demo.status).toBe(429);
    expect(demo.body.error).toBe('19 jobs are already waiting (at most 20); cancel some or wait');
    expect((await get(s.base, '/api/jobs')).body.jobs.length).toBe(20);
    expect((await post(s.base, '/api/jobs', { ...tiny, name: 'last' })).status).toBe(202);
    expect((await post(s.base, '/api/jobs', { ...tiny, name: 'over' })).status).toBe(429);
    // Cancelling twice: a job still stopping is asked again (no harm); one that has stopped (a cancel ends it at the
    // batch boundary, without that epoch's validation, so this can be quick) says it is writing its report or is done.
    expect((await post(s.base, `/api/jobs/${id}/cancel`, {})).status).toBe(200);
    const second = await post(s.base, `/api/jobs/${id}/cancel`, {});
    if (second.status !== 200) {
      expect(second.status).toBe(409);
      expect([
        `job '${id}' has finished training and is writing its report; it ends in moments`,
        `job '${id}' has already been cancelled`,
      ]).toContain(second.body.error);
    }
    const queued = (await get(s.base, '/api/jobs')).body.jobs.find((j: { name: string }) => j.name === 'last').id;
    expect((await request(s.base, 'DELETE', `/api/jobs/${queued}`)).status).toBe(200);
    const again = await request(s.base, 'DELETE', `/api/jobs/${queued}`);
    expect([again.status, again.body.error]).toEqual([409, `job '${queued}' has already been cancelled`]);
    expect((await finished(s.base, id)).status).toBe('cancelled');
  });
});

describe('a run folder that is a symbolic link out of the runs folder', () => {
  it('is never read: not its results, not its model', async () => {
    const job = await finished(s.base, (await post(s.base, '/api/jobs', tiny)).body.job.id);
    expect(job.status).toBe('completed');
    const outside = mkdtempSync(join(tmpdir(), 'rnnlab-outside-'));
    outsideDirs.push(outside);
    renameSync(join(s.runsDir, job.runId), join(outside, 'run'));
    symlinkSync(join(outside, 'run'), join(s.runsDir, 'linked'));
    // A symlink that stays inside the runs folder is only another name for a run there.
    mkdirSync(join(s.runsDir, 'inside'));
    writeFileSync(join(s.runsDir, 'inside', 'results.json'), readFileSync(join(outside, 'run', 'results.json')));
    symlinkSync(join(s.runsDir, 'inside'), join(s.runsDir, 'alias'));
    expect((await get(s.base, '/api/runs/alias')).status).toBe(200);

    for (const [method, path, body] of [['POST', '/api/predict/sum', { model: 'linked', query: '12+34' }], ['POST', '/api/inspect/states', { model: 'linked', query: '12+34' }],
      ['GET', '/api/runs/linked', undefined], ['GET', '/api/runs/linked/report.html', undefined]] as const) {
      const r = body ? await post(s.base, path, body) : await get(s.base, path);
      expect(r.status, `${method} ${path}: ${r.text}`).toBe(403);
      expect(r.text).not.toContain(outside);
    }
    expect((await get(s.base, '/api/models')).body.models.map((m: { id: string }) => m.id)).not.toContain('linked');
  });
});

describe('a record left "running"', () => {
  it('under this very pid by an earlier server is listed as interrupted; the job training now is listed as running', async () => {
    // A container restarts its server under the same small pid: the pid alone does not say the run is alive.
    const stale = join(s.runsDir, '20250101-000000-stale');
    mkdirSync(stale);
    const job = await finished(s.base, (await post(s.base, '/api/jobs', tiny)).body.job.id);
    const rec = JSON.parse(readFileSync(join(s.runsDir, job.runId, 'results.json'), 'utf8'));
    writeFileSync(join(stale, 'results.json'), JSON.stringify({ ...rec, status: 'running', pid: process.pid, finishedAt: null }));
    const { id, runId } = await runningJob(long);
    const runs = (await get(s.base, '/api/runs')).body.runs as { id: string; status: string }[];
    expect(runs.find((r) => r.id === '20250101-000000-stale')?.status).toBe('interrupted');
    expect(runs.find((r) => r.id === runId)?.status).toBe('running');
    expect((await get(s.base, '/api/runs/20250101-000000-stale')).body.summary.status).toBe('interrupted');
    await post(s.base, `/api/jobs/${id}/cancel`, {});
    await finished(s.base, id);
  });
});

describe('shutting down', () => {
  it('cancels the running and waiting jobs, leaves their folders consistent with no temp files, and frees the port', async () => {
    const { id, runId } = await runningJob(long);
    const waiting = (await post(s.base, '/api/jobs', { ...tiny, name: 'waiting' })).body.job.id;
    const events = await SseClient.connect(s.base);
    await s.d.close();
    const rec = JSON.parse(readFileSync(join(s.runsDir, runId, 'results.json'), 'utf8'));
    expect(rec.status).toBe('cancelled');
    expect(rec.cancellation.afterEpochs).toBeGreaterThanOrEqual(0);
    expect(readdirSync(join(s.runsDir, runId)).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(s.d.jobs.get(id).status).toBe('cancelled');
    expect(s.d.jobs.get(waiting).status).toBe('cancelled');
    expect(s.d.jobs.get(waiting).runId).toBe(null);
    expect(s.d.server.listening).toBe(false);
    // The port is free: another server can take it.
    const again = net.createServer();
    await new Promise<void>((resolve, reject) => again.once('error', reject).listen(s.d.port, '127.0.0.1', resolve));
    await new Promise((r) => again.close(r));
    events.close();
  });
});

describe('event streams', () => {
  it('at most 32 at once: the next is a 503 that says why, and a closed one frees its place', async () => {
    const clients: SseClient[] = [];
    for (let i = 0; i < 32; i++) clients.push(await SseClient.connect(s.base));
    const refused = await get(s.base, '/api/events');
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatch(/32 event streams are open/);
    // Streams come and go many times: none is left behind holding a place.
    for (let round = 0; round < 5; round++) {
      clients.pop()!.close();
      clients.push((await until(() => SseClient.connect(s.base).catch(() => null), 10000, 'a freed place'))!);
    }
    expect((await get(s.base, '/api/events')).status).toBe(503);
    for (const c of clients) c.close();
  });

  it('HEAD /api/events answers with the headers and ends, instead of holding a stream open', async () => {
    const r = await request(s.base, 'HEAD', '/api/events');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(r.text).toBe('');
  });

  it('a client that stops reading is dropped once its backlog passes the limit; a reading client gets every event', async () => {
    const hub = new EventHub((t) => t, { maxClients: 8, maxBufferedBytes: 1 << 20 });
    // A first snapshot larger than the limit: a page still reading it is not taken for a stalled one.
    const server = http.createServer((req, res) => hub.add(req, res, [['snapshot', { payload: 'y'.repeat(4 << 20) }]]));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const stalled = net.connect(port, '127.0.0.1');
      stalled.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await new Promise((r) => stalled.once('data', r));
      stalled.pause();
      let received = 0, snapshots = 0, tail = '', readerClosed = false;
      const marker = 'event: big\n';
      const reader = net.connect(port, '127.0.0.1');
      reader.on('close', () => { readerClosed = true; });
      reader.on('data', (d: Buffer) => {
        // A marker may straddle two chunks: count over the end of the last one too.
        const text = tail + d.toString('latin1');
        received += text.split(marker).length - 1;
        snapshots += text.split('event: snapshot\n').length - 1;
        tail = text.slice(-(marker.length - 1));
      });
      reader.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await until(() => hub.size === 2, 10000, 'both clients');
      const payload = 'x'.repeat(64 << 10);
      let sent = 0;
      // Up to 256 MiB: far beyond what the kernel's socket buffers can hold for the stalled client.
      while (hub.size === 2 && sent < 4096) {
        hub.broadcast('big', { payload });
        sent++;
        await new Promise((r) => setImmediate(r));
      }
      expect(hub.size).toBe(1);
      expect(readerClosed).toBe(false);
      for (let i = 0; i < 10; i++) hub.broadcast('big', { payload });
      sent += 10;
      await until(() => received === sent, 30000, 'the reading client to get every event');
      expect(snapshots).toBe(1);
      stalled.destroy();
      reader.destroy();
    } finally {
      hub.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
