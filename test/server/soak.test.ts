/**
 * A short soak of a server left running: a stream of small jobs (some cancelled while waiting), pages opening and
 * closing event streams (and one that stops reading), predictions and run pages between them. What must not grow
 * with the job count: the jobs the server keeps (at most 50 finished), the event-stream clients, the open file
 * descriptors, and temp files in the runs folder. (docs/BENCHMARKS.md, "Dashboard soak", has the longer run.)
 */
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { request, startTestServer } from './helpers.js';

const JOBS = 60;

/** An event stream a page holds; `read` false: a page that stopped reading. */
function stream(base: string, read: boolean): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/api/events`, { agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream refused: ${res.statusCode}`));
      if (read) res.resume();
      else res.pause();
      resolve(req);
    });
    req.on('error', () => {});
  });
}

const openFds = () => readdirSync('/proc/self/fd').length;
const json = { 'content-type': 'application/json' };

function tempFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes('.rnnlab-tmp-'));
}

describe.skipIf(process.platform !== 'linux')('a dashboard left running', () => {
  it(`keeps its jobs, streams, descriptors and temp files bounded over ${JOBS} jobs`, async () => {
    // A pause after each batch keeps a job running while the next is queued and cancelled.
    const s = await startTestServer({ batchDelayMs: 200 });
    try {
      // Warm up once (the first job loads modules and opens what the server keeps open), then take the baseline.
      const post = (path: string, body: unknown) => request(s.base, 'POST', path, { body: JSON.stringify(body), headers: json });
      const tiny = (name: string) => ({ task: 'addition', digits: 2, trainingSize: 100, hidden: 3, epochs: 1, name });
      const finish = async (id: string) => {
        for (;;) {
          const v = (await request(s.base, 'GET', `/api/jobs/${id}`)).body.job;
          if (!['queued', 'running'].includes(v.status)) return v;
          await new Promise((res) => setTimeout(res, 20));
        }
      };
      const firstRun = (await finish((await post('/api/jobs', tiny('warm'))).body.job.id)).runId as string;
      const baseline = openFds();
      const stalled = await stream(s.base, false);
      let cancelled = 0;
      for (let n = 0; n < JOBS; n++) {
        const pages = await Promise.all([stream(s.base, true), stream(s.base, true)]);
        const job = (await post('/api/jobs', tiny(`soak-${n}`))).body.job;
        if (n % 5 === 4) {
          const waiting = (await post('/api/jobs', tiny(`cancel-${n}`))).body.job;
          const r = await post(`/api/jobs/${waiting.id}/cancel`, {});
          // A tiny job may start (or even end) before the cancel arrives: count only those cancelled while waiting.
          if (r.status < 300 && r.body.job.status === 'cancelled') cancelled++;
        }
        const v = await finish(job.id);
        expect(v.status, v.error).toBe('completed');
        await request(s.base, 'GET', '/api/runs');
        await request(s.base, 'GET', `/api/runs/${v.runId}`);
        // The newest model is loaded from its run folder; the first, after 8 newer ones, has left the cache of 6 and is read again.
        for (const model of [v.runId, firstRun]) expect((await post('/api/predict/sum', { model, query: '12+34' })).status).toBe(200);
        for (const p of pages) p.destroy();
      }
      stalled.destroy();
      // Closed streams leave the server's hub on the next tick of their sockets' close events.
      await new Promise((res) => setTimeout(res, 300));
      expect(cancelled).toBeGreaterThan(0);
      expect(s.d.jobs.list().length).toBeLessThanOrEqual(50);
      expect(openFds()).toBeLessThanOrEqual(baseline);
      expect((await request(s.base, 'GET', '/api/health')).body.jobs).toBe(0);
      expect(tempFilesUnder(s.runsDir)).toEqual([]);
      // Every job wrote its folder: nothing was dropped to stay small.
      expect(readdirSync(s.runsDir).filter((d) => /-soak-\d+$/.test(d)).length).toBe(JOBS);
    } finally {
      await s.close();
    }
  }, 240_000);
});
