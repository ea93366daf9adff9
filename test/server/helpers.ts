/** Shared helpers for the dashboard's API and browser tests: a server on a random port, requests, and SSE. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startDashboard, type Dashboard, type DashboardOptions } from '../../src/server/index.js';
import { envFlag } from '../../src/env.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { imdbTarball, REPO_ROOT } from '../helpers/imdb.js';

export { REPO_ROOT } from '../helpers/imdb.js';

/** The IMDb tarball (real when present, else synthetic); undefined under RNNLAB_TEST_NO_IMDB=1. */
export function imdbDataPath(): string | undefined {
  // RNNLAB_TEST_NO_IMDB=1 runs the tests as on a machine without the tarball.
  if (envFlag('RNNLAB_TEST_NO_IMDB')) return undefined;
  return imdbTarball();
}

const made: string[] = [];
// Runs at the end of each test file that imports these helpers: no folder it made outlives it.
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'rnnlab-serve-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** The folder name of the i-th finished IMDb run written by writeImdbRuns (names sort oldest first). */
export const imdbRunId = (i: number) => `20250101-1${String(i).padStart(5, '0')}-imdb-lstm`;

/**
 * `count` finished lstm runs in runsDir, run i started i seconds after the first, with the given loss history and
 * metrics. withModel: each gets a model/model.json, which listing reads as a run with a model (its records only).
 */
export function writeImdbRuns(runsDir: string, count: number, o: { loss?: number[]; metrics?: Record<string, number>; withModel?: boolean } = {}): void {
  for (let i = 0; i < count; i++) {
    mkdirSync(join(runsDir, imdbRunId(i)));
    const startedAt = new Date(Date.UTC(2025, 0, 1, 10, 0, i)).toISOString();
    writeFileSync(join(runsDir, imdbRunId(i), 'results.json'), JSON.stringify({ command: 'imdb', startedAt, finishedAt: startedAt, config: { model: 'lstm' }, history: { loss: o.loss ?? [0.5] }, metrics: o.metrics ?? {} }));
    if (o.withModel) {
      mkdirSync(join(runsDir, imdbRunId(i), 'model'));
      writeFileSync(join(runsDir, imdbRunId(i), 'model', 'model.json'), '{}');
    }
  }
}

/**
 * A finished one-run addition sweep record in runsDir/id. damaged: without its spec.metric, which the server refuses
 * (a 422 when opened).
 */
export function writeFinishedSweep(runsDir: string, id: string, o: { damaged?: boolean } = {}): void {
  mkdirSync(join(runsDir, id, 'runs'), { recursive: true });
  const spec = { command: 'addition', flags: {}, grid: { hidden: [4] }, samples: null, sampleSeed: 1, list: [], seeds: [1], goal: 'max', attempts: 1, ...(o.damaged ? {} : { metric: 'per_char_accuracy' }) };
  const at = '2025-01-02T00:00:00.000Z';
  writeFileSync(join(runsDir, id, 'sweep.json'), JSON.stringify({ schemaVersion: 1, kind: 'sweep', spec, createdAt: at, updatedAt: at, finishedAt: at,
    runs: [{ id: 'hidden-4_seed-1', axes: { hidden: 4 }, seed: 1, status: 'completed', attempts: 1, value: 0.5, metrics: { perCharAccuracy: 0.5 } }], summary: null }));
}

export interface TestServer {
  d: Dashboard;
  base: string;
  runsDir: string;
  close(): Promise<void>;
}

export async function startTestServer(o: DashboardOptions = {}): Promise<TestServer> {
  // The server under test is src/, its jobs run dist/server/job_child.js: both must be the same code.
  assertDistFresh('server/job_child.ts');
  const runsDir = o.runsDir ?? tempDir();
  // Without the tarball, point the server at an empty folder so nothing tries a download.
  const noData = imdbDataPath() === undefined && !o.dataPath ? tempDir('rnnlab-no-imdb-') : undefined;
  const d = await startDashboard({ port: 0, runsDir, dataPath: imdbDataPath() ?? noData, ...o });
  return {
    d, base: `http://127.0.0.1:${d.port}`, runsDir,
    async close() {
      await d.close();
      if (!o.runsDir) rmSync(runsDir, { recursive: true, force: true });
      if (noData) rmSync(noData, { recursive: true, force: true });
    },
  };
}

/**
 * A test server read through a handle: its fields are those of the server started last, read inside tests or hooks;
 * closed by the test (close) or else after it.
 */
function serverHandle(closeAfter: typeof afterAll): TestServer & { start(o?: DashboardOptions): Promise<void> } {
  let t: TestServer | undefined;
  const started = () => {
    if (!t) throw new Error('the test server is not started yet: read it inside a test or hook');
    return t;
  };
  closeAfter(async () => {
    const last = t;
    t = undefined;
    await last?.close();
  });
  return {
    get d() { return started().d; },
    get base() { return started().base; },
    get runsDir() { return started().runsDir; },
    async close() {
      const c = started();
      t = undefined;
      await c.close();
    },
    async start(o = {}) { t = await startTestServer(o); },
  };
}

/**
 * A test server for the enclosing file or describe block, started before its tests (each: before each test) and
 * closed after them. options a function: called in the hook, so what it makes (a runs folder) is made then.
 */
export function useTestServer(options: DashboardOptions | (() => DashboardOptions | Promise<DashboardOptions>) = {}, o: { each?: boolean; timeoutMs?: number } = {}): TestServer {
  const h = serverHandle(o.each ? afterEach : afterAll);
  (o.each ? beforeEach : beforeAll)(async () => h.start(typeof options === 'function' ? await options() : options), o.timeoutMs);
  return h;
}

/** Makes runsDir/id holding the given files (name to text) and returns its path. */
export type MakeRun = (id: string, files?: Record<string, string>) => string;

/**
 * A test server for the enclosing file over a runs folder of its own, which `fill` fills before the server starts:
 * `run` makes a run folder with its files.
 */
export function useRunsServer(fill: (run: MakeRun, runsDir: string) => void): TestServer {
  return useTestServer(() => {
    const runsDir = tempDir();
    const run: MakeRun = (id, files = {}) => {
      mkdirSync(join(runsDir, id));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(runsDir, id, name), text);
      return join(runsDir, id);
    };
    fill(run, runsDir);
    return { runsDir };
  });
}

/** A test server each test starts itself, with its own options (start); closed after each test. */
export function serverPerTest(): TestServer & { start(o?: DashboardOptions): Promise<void> } {
  return serverHandle(afterEach);
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One HTTP request with full control over the path, headers and raw body (fetch would normalise some of them). */
export function request(base: string, method: string, path: string, o: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Reply> {
  const u = new URL(base);
  return new Promise((resolveReply, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers: { connection: 'close', ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = null;
        try {
          body = JSON.parse(text);
        } catch {
          body = null;
        }
        resolveReply({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

export const get = (base: string, path: string) => request(base, 'GET', path);
export const post = (base: string, path: string, body: unknown) =>
  request(base, 'POST', path, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

export interface SseEvent { event: string; data: any } // eslint-disable-line @typescript-eslint/no-explicit-any

/** Listens to an event stream (/api/events unless another path is given) and keeps every event. */
export class SseClient {
  events: SseEvent[] = [];
  /** The server ended the stream. */
  ended = false;
  private req: http.ClientRequest | null = null;
  private waiters: (() => void)[] = [];

  static connect(base: string, path = '/api/events'): Promise<SseClient> {
    const c = new SseClient();
    const u = new URL(path, base);
    return new Promise((resolveClient, reject) => {
      c.req = http.get({ host: u.hostname, port: u.port, path: u.pathname }, (res) => {
        if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
          reject(new Error(`SSE answered ${res.statusCode} ${res.headers['content-type']}`));
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let at: number;
          while ((at = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, at);
            buf = buf.slice(at + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of frame.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length) {
              c.events.push({ event, data: JSON.parse(data.join('\n')) });
              for (const w of c.waiters.splice(0)) w();
            }
          }
        });
        res.on('end', () => {
          c.ended = true;
          for (const w of c.waiters.splice(0)) w();
        });
        resolveClient(c);
      });
      c.req.on('error', (e) => {
        if (c.req) reject(e);
      });
    });
  }

  /** Resolves with the first event (already received or coming) that matches. */
  async waitFor(pred: (e: SseEvent) => boolean, timeoutMs = 60000, what = 'event'): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${this.events.map((e) => e.event).join(', ')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  close(): void {
    const r = this.req;
    this.req = null;
    r?.destroy();
  }
}

/** Polls until fn returns a truthy value. */
export async function until<T>(fn: () => Promise<T> | T, timeoutMs = 60000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for a job to reach a final state and returns it. */
export async function finished(base: string, id: string, timeoutMs = 90000) {
  return until(async () => {
    const r = await get(base, `/api/jobs/${id}`);
    const j = r.body?.job;
    return j && (j.status === 'completed' || j.status === 'cancelled' || j.status === 'failed') ? j : null;
  }, timeoutMs, `job ${id} to finish`);
}

/** A pause after every batch longer than any test may take: a job still in it is held there until the test acts. */
export const PAUSE_MS = 10 * 60_000;
/** A small addition job for the tests that pause a job mid-run. */
export const SMALL_SUM = { task: 'addition', digits: 2, trainingSize: 300, hidden: 8, epochs: 2, batchSize: 32 };

/** The job once its first batch is done (it then waits in the batch pause). */
export async function afterFirstBatch(t: TestServer, id: string) {
  return until(async () => {
    const job = (await get(t.base, `/api/jobs/${id}`)).body.job;
    return job.progress?.batch >= 1 ? job : null;
  }, 60_000, `job ${id}'s first batch`);
}

/**
 * `rnnlab serve` (the built CLI) in a process of its own over runsDir, on a free port, with a long addition job
 * training in it: what the signal tests stop. `detached`: a process group of its own, as a terminal gives a
 * foreground command. On failure the process is killed before the error is thrown; after success the caller is.
 */
export async function serveWithTrainingJob(runsDir: string, detached = false): Promise<{
  proc: ChildProcess; output: { out: string; err: string }; exited: Promise<number | null>; base: string; running: { runId: string };
}> {
  assertDistFresh('cli/main.ts');
  const proc = spawn(process.execPath, [join(REPO_ROOT, 'bin/rnnlab.js'), 'serve', '--port', '0', '--runs', runsDir], { stdio: ['ignore', 'pipe', 'pipe'], detached });
  const output = { out: '', err: '' };
  proc.stdout!.on('data', (c: Buffer) => { output.out += c; });
  proc.stderr!.on('data', (c: Buffer) => { output.err += c; });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  try {
    const base = (await until(() => /rnnlab dashboard: (http:\/\/\S+?)\/?\n/.exec(output.out)?.[1], 30_000, `the URL (stderr: ${output.err})`))!;
    const job = (await post(base, '/api/jobs', { task: 'addition', digits: 3, trainingSize: 30000, epochs: 200, name: 'long' })).body.job;
    const running = await until(async () => {
      const j = (await get(base, `/api/jobs/${job.id}`)).body.job;
      if (j.status !== 'running' && j.status !== 'queued') throw new Error(`the job ended before the signal: ${JSON.stringify(j)}`);
      return j.progress ? j : null;
    }, 60_000, 'the job to train');
    return { proc, output, exited, base, running };
  } catch (e) {
    if (proc.exitCode === null) detached ? process.kill(-proc.pid!, 'SIGKILL') : proc.kill('SIGKILL');
    throw e;
  }
}

/** For a test file that sets the server's environment: process.env as the file found it, back after each test. */
export function restoreEnvAfterEach(): void {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
}
