/**
 * A dashboard that has lived long: a new page's snapshot carries job summaries (their epochs and curves come per job,
 * on demand), a "running" record whose pid now belongs to a newer process is seen as interrupted, and temp files
 * that interrupted writes left behind are removed at startup once an hour old with their writer gone, each one logged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMP_HOST, TEMP_PREFIX } from '../../src/io/atomic.js';
import { startDashboard, type Dashboard } from '../../src/server/index.js';
import { processStartMs } from '../../src/server/process_identity.js';
import { finished, get, post, startTestServer, tempDir, until } from './helpers.js';

const tiny = { task: 'addition', digits: 2, trainingSize: 300, hidden: 8, epochs: 2, batchSize: 32, name: 'tiny-sum' };
/** Above the largest pid Linux hands out (2^22): never a live process. */
const DEAD_PID = 2 ** 22 + 12345;
const HAVE_PROC = existsSync('/proc/self/stat');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** A finished dashboard run's record and folder, the template of the records the tests write. */
let template: Json;
let child: ChildProcess;
beforeAll(async () => {
  const s = await startTestServer();
  try {
    const job = await finished(s.base, (await post(s.base, '/api/jobs', tiny)).body.job.id);
    expect(job.status).toBe('completed');
    template = JSON.parse(readFileSync(join(s.runsDir, job.runId, 'results.json'), 'utf8'));
  } finally {
    await s.close();
  }
  // A live process that is not this one and started now: a pid a stale record may happen to name.
  child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
  await until(() => processStartMs(child.pid!) !== null || !HAVE_PROC, 10000, 'the child process');
}, 120000);
afterAll(() => {
  child?.kill();
});

async function withDashboard<T>(runsDir: string, fn: (base: string, d: Dashboard) => Promise<T>): Promise<T> {
  const d = await startDashboard({ port: 0, runsDir, dataPath: tempDir('rnnlab-no-imdb-') });
  try {
    return await fn(`http://127.0.0.1:${d.port}`, d);
  } finally {
    await d.close();
  }
}

/** The raw bytes of the snapshot event a new page gets. */
function snapshotBytes(base: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/api/events`, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => {
        text += chunk;
        const start = text.indexOf('event: snapshot\n');
        const end = start < 0 ? -1 : text.indexOf('\n\n', start);
        if (end >= 0) {
          req.destroy();
          resolve(end - start);
        }
      });
    });
    req.on('error', (e) => (e.message === 'socket hang up' ? undefined : reject(e)));
  });
}

/** A dashboard run record of `epochs` epochs, each with the template's weight histograms. */
function longRecord(name: string, epochs: number, startedAt: string): Json {
  const m = template.models[0];
  const history = Object.fromEntries(Object.keys(m.history).map((k) => [k, Array.from({ length: epochs }, (_, e) => m.history[k][e % m.history[k].length])]));
  const weights = template.details.histograms[0].weights;
  return {
    ...template, runName: name, startedAt, models: [{ ...m, history, secondsPerEpoch: Array.from({ length: epochs }, () => 0.5) }],
    details: { ...template.details, histograms: Array.from({ length: epochs }, (_, e) => ({ epoch: e + 1, weights })) },
  };
}

describe('the snapshot a new page gets', () => {
  it('holds every kept job as a summary of a few kilobytes; a job\'s epochs and histograms come with the job', async () => {
    const runsDir = tempDir();
    for (let i = 0; i < 50; i++) {
      const id = `20250101-0000${String(i).padStart(2, '0')}-long-${i}`;
      mkdirSync(join(runsDir, id));
      writeFileSync(join(runsDir, id, 'results.json'), JSON.stringify(longRecord(`long-${i}`, 40, `2025-01-01T00:00:${String(i).padStart(2, '0')}.000Z`)));
    }
    await withDashboard(runsDir, async (base) => {
      const list = (await get(base, '/api/jobs')).body.jobs as Json[];
      expect(list).toHaveLength(50);
      let full = 0;
      for (const j of list) full += (await get(base, `/api/jobs/${encodeURIComponent(j.id)}`)).text.length;
      const snap = await snapshotBytes(base);
      // What every page and reconnect was sent before: each job in full (here about 5.7 MB).
      expect(full).toBeGreaterThan(5e6);
      expect(snap).toBeLessThan(100e3);
      const detail = (await get(base, `/api/jobs/${encodeURIComponent(list[7].id)}`)).body.job;
      const rec = JSON.parse(readFileSync(join(runsDir, list[7].runId, 'results.json'), 'utf8'));
      expect(detail.epochs.map((e: Json) => e.histograms)).toEqual(rec.details.histograms.map((h: Json) => h.weights));
      expect(detail.epochs.map((e: Json) => e.logs.loss)).toEqual(rec.models[0].history.loss);
      expect(list[7]).not.toHaveProperty('epochs');
      expect(list[7].epochCount).toBe(40);
      expect(list[7].lastEpoch).toEqual({ epoch: 40, logs: detail.epochs[39].logs, seconds: 0.5 });
    });
  });

  it('gives a training job without its batch curve or epochs, which the job itself holds', async () => {
    const s = await startTestServer({ batchDelayMs: 5 });
    try {
      const id = (await post(s.base, '/api/jobs', { ...tiny, trainingSize: 2000, epochs: 200, name: 'long-sum' })).body.job.id;
      const detail = await until(async () => {
        const j = (await get(s.base, `/api/jobs/${id}`)).body.job;
        return j.epochs.length >= 1 && j.points.length > 0 ? j : null;
      }, 60000, 'an epoch');
      const snapshot = await new Promise<Json>((resolve, reject) => {
        const req = http.get(`${s.base}/api/events`, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
            const m = /event: snapshot\ndata: (.*)\n\n/.exec(text);
            if (m) {
              req.destroy();
              resolve(JSON.parse(m[1]));
            }
          });
        });
        req.on('error', (e) => (e.message === 'socket hang up' ? undefined : reject(e)));
      });
      const summary = snapshot.jobs.find((j: Json) => j.id === id);
      expect(summary.status).toBe('running');
      expect(summary).not.toHaveProperty('points');
      expect(summary).not.toHaveProperty('epochs');
      expect(summary.epochCount).toBeGreaterThanOrEqual(1);
      expect(summary.lastEpoch.logs).toHaveProperty('loss');
      expect(detail.epochs[0].histograms.length).toBeGreaterThan(0);
      await post(s.base, `/api/jobs/${id}/cancel`, {});
      expect((await finished(s.base, id)).status).toBe('cancelled');
    } finally {
      await s.close();
    }
  });
});

describe.runIf(HAVE_PROC)('a record left "running" whose pid is alive', () => {
  it('is interrupted when that process started after the run began (a reused pid), running when before', async () => {
    const runsDir = tempDir();
    const childStart = processStartMs(child.pid!)!;
    const write = (id: string, startedAt: number) => {
      mkdirSync(join(runsDir, id));
      writeFileSync(join(runsDir, id, 'results.json'), JSON.stringify({ ...template, runName: id, status: 'running', pid: child.pid, finishedAt: null, startedAt: new Date(startedAt).toISOString() }));
    };
    write('20250101-000000-reused', childStart - 3600e3);
    write('20250101-000001-alive', childStart + 10e3);
    await withDashboard(runsDir, async (base) => {
      const runs = (await get(base, '/api/runs')).body.runs as Json[];
      expect(Object.fromEntries(runs.map((r) => [r.id, r.status]))).toEqual({ '20250101-000000-reused': 'interrupted', '20250101-000001-alive': 'running' });
      // The job list: the reused pid's run comes back interrupted; the live one is left to the server writing it.
      expect((await get(base, '/api/jobs')).body.jobs.map((j: Json) => [j.name, j.status])).toEqual([['20250101-000000-reused', 'interrupted']]);
    });
  });
});

describe('temp files left in the runs folder', () => {
  it('are removed at startup when an hour old and their writer is gone or is not the process its pid names now; others stay, and each removal is logged', async () => {
    const runsDir = tempDir();
    const outside = tempDir('rnnlab-outside-');
    const temp = (name: string, pid: number, hex = '0badc0de') => `${TEMP_PREFIX}${name}-${pid}-${hex}`;
    const hoursAgo = () => new Date(Date.now() - 2 * 3600e3);
    const files: Record<string, { stays: boolean; old: boolean }> = {
      // path -> whether it stays, whether it was last written two hours ago
      [join('run', temp('results.json', DEAD_PID))]: { stays: false, old: true },
      [join('run', 'model', temp('model.json', DEAD_PID, '000000ff'))]: { stays: false, old: true },
      [join('sweep', 'runs', 'a', temp('results.json', DEAD_PID, '00000011'))]: { stays: false, old: true },
      [temp('stray.json', DEAD_PID)]: { stays: false, old: true },
      [`${temp('host.json', DEAD_PID)}@${TEMP_HOST}`]: { stays: false, old: true },
      // Fresh: a writer on another machine sharing the folder, or in another pid namespace, may be writing it now.
      [join('r1', `${TEMP_PREFIX}weights.bin-999999-abcd1234`)]: { stays: true, old: false },
      [join('run', temp('fresh.json', DEAD_PID))]: { stays: true, old: false },
      // Another host's temp file, however old: its pid says nothing here.
      [join('run', `${temp('remote.json', DEAD_PID)}@other-machine`)]: { stays: true, old: true },
      // Not the shape writeFileAtomic makes (8 hex digits): a user's file.
      [join('run', `${TEMP_PREFIX}notes-2024-01`)]: { stays: true, old: true },
      [join('run', temp('short-hex.json', DEAD_PID, '00ff'))]: { stays: true, old: true },
      [join('run', temp('results.json', child.pid!))]: { stays: true, old: false },
      [join('run', 'notes.txt')]: { stays: true, old: true },
      [join('run', `${TEMP_PREFIX}results.json`)]: { stays: true, old: true },
    };
    // Written two hours before the live child started: the child is not its writer.
    if (HAVE_PROC) files[join('run', temp('weights.bin', child.pid!))] = { stays: false, old: true };
    for (const [f, { old }] of Object.entries(files)) {
      mkdirSync(join(runsDir, f, '..'), { recursive: true });
      writeFileSync(join(runsDir, f), 'partial');
      if (old) utimesSync(join(runsDir, f), hoursAgo(), hoursAgo());
    }
    // An hour-old temp file of a live process that was already running when it was written: its writer, it stays.
    const elder = [1, process.ppid].find((pid) => (processStartMs(pid) ?? Infinity) < Date.now() - 1.5 * 3600e3);
    if (elder !== undefined) {
      const f = join('run', temp('elder.json', elder));
      files[f] = { stays: true, old: true };
      writeFileSync(join(runsDir, f), 'partial');
      utimesSync(join(runsDir, f), new Date(Date.now() - 1.2 * 3600e3), new Date(Date.now() - 1.2 * 3600e3));
    }
    // A staging folder, and links (to a temp file outside, to a folder outside holding one): none is touched.
    mkdirSync(join(runsDir, 'run', `${TEMP_PREFIX}model-0badc0de`));
    writeFileSync(join(outside, temp('x', DEAD_PID)), 'not ours');
    symlinkSync(join(outside, temp('x', DEAD_PID)), join(runsDir, 'run', temp('link', DEAD_PID)));
    symlinkSync(outside, join(runsDir, 'linked'));

    const logged: string[] = [];
    const error = console.error;
    console.error = (...a: unknown[]) => { logged.push(a.join(' ')); };
    const started = startDashboard({ port: 0, runsDir, dataPath: tempDir('rnnlab-no-imdb-') }).finally(() => { console.error = error; });
    await (await started).close();
    await withDashboard(runsDir, async (base) => {
      for (const [f, { stays }] of Object.entries(files)) expect(existsSync(join(runsDir, f)), f).toBe(stays);
      const removed = Object.entries(files).filter(([, v]) => !v.stays).map(([f]) => join(runsDir, f));
      expect(logged.filter((l) => l.includes('removed')).map((l) => l.split(' ')[3].replace(/:$/, '')).sort()).toEqual(removed.sort());
      expect(lstatSync(join(runsDir, 'run', `${TEMP_PREFIX}model-0badc0de`)).isDirectory()).toBe(true);
      expect(lstatSync(join(runsDir, 'run', temp('link', DEAD_PID))).isSymbolicLink()).toBe(true);
      expect(readdirSync(outside)).toEqual([temp('x', DEAD_PID)]);
      expect((await get(base, '/api/health')).status).toBe(200);
    });
  });
});
