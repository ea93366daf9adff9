/**
 * Sweeps across machines on BullMQ over Redis. `enqueueSweep` puts every unfinished run on the queue under a
 * job id derived from the sweep folder and the run id, so queueing the same sweep twice adds nothing; workers
 * (`runWorker`) run jobs in child processes exactly as the local pool does, writing into the sweep folder, which
 * every worker must reach (a shared file system: docs/SCALING.md). A worker killed mid-run stops renewing its
 * lock; when the lock expires another worker's stalled-job check puts the job back, and the run resumes from its
 * last checkpoint in the same folder, so a retried run never makes a second result folder.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { epochOfLine, executeRun, RunFailedError, RunInterruptedError, runDirOf } from './execute.js';
import { readOutcome } from './outcome.js';
import type { SweepRun } from './expand.js';
import { finishSweep, type SweepOutcome } from './pool.js';
import { openSweep } from './record.js';
import type { SweepSpec } from './spec.js';
import type { RunEntry } from './summary.js';
import { envInt } from '../env.js';

export const DEFAULT_QUEUE_NAME = 'rnnlab-sweeps';

interface RunJob { sweepDir: string; run: SweepRun }

/** Progress a worker publishes on its job (the dashboard and `rnnlab sweep` read it). */
export interface RunProgress { worker: string; runId: string; epoch: number; epochs: number; resumed: boolean }

/** What is wrong with a --queue URL (not redis://[user:password@]host:port[/db]), or null when nothing is. */
export function redisUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `--queue: '${shownUrl(url)}' is not a URL; expected redis://HOST:PORT`;
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return `--queue: expected a redis:// URL, got ${u.protocol}//`;
  if (!u.port || !u.hostname) return `--queue: '${shownUrl(url)}' needs a host and a port, e.g. redis://127.0.0.1:6379`;
  return null;
}

/** A --queue URL as messages print it: a password in it is masked (terminals and logs are shared more than secrets). */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '***';
    return u.toString();
  } catch {
    // Unparsable ('redis://u:secret@[bad'): still hide whatever sits between '//' and the last '@'.
    return url.replace(/\/\/.*@/s, '//***@');
  }
}

/** A Redis connection from redis://[user:password@]host:port[/db]; BullMQ workers need blocking commands without retries per request. */
export function redisConnection(url: string): Redis {
  const problem = redisUrlProblem(url);
  if (problem) throw new Error(problem);
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false, enableOfflineQueue: true });
}

/** How long a sweep or worker waits for Redis before it gives up (RNNLAB_QUEUE_CONNECT_MS overrides it, for tests). */
export function connectTimeoutMs(): number {
  return envInt('RNNLAB_QUEUE_CONNECT_MS') ?? 10_000;
}

/**
 * A connection that has reached Redis, or an error naming --queue after a bounded wait (never an endless stream of
 * raw ECONNREFUSED dumps). `signal` aborts the wait (Ctrl-C on a worker that is not connected yet).
 */
export async function connectRedis(url: string, o: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Redis> {
  const connection = redisConnection(url);
  let last = '';
  connection.on('error', (e: NodeJS.ErrnoException) => { last = e.code ?? e.message; });
  if (connection.status === 'ready') return connection;
  const ms = o.timeoutMs ?? connectTimeoutMs();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`--queue: cannot reach Redis at ${shownUrl(url)}${last ? ` (${last})` : ''} after ${Math.round(ms / 100) / 10} s; is redis-server running there?`)), ms);
      const onAbort = () => { clearTimeout(timer); reject(new Error('stopped before Redis was reached')); };
      o.signal?.addEventListener('abort', onAbort, { once: true });
      connection.once('ready', () => { clearTimeout(timer); o.signal?.removeEventListener('abort', onAbort); resolve(); });
    });
  } catch (e) {
    connection.disconnect();
    throw e;
  }
  return connection;
}

/** One sweep's job ids never collide with another's: they carry a hash of the sweep folder's absolute path. */
export function jobId(sweepDir: string, runId: string): string {
  const key = createHash('sha256').update(path.resolve(sweepDir)).digest('hex').slice(0, 12);
  return `${key}-${runId}`;
}

export interface QueueOptions { url: string; name?: string }

function runJob(sweepDir: string, spec: SweepSpec, run: SweepRun) {
  return {
    name: run.id,
    data: { sweepDir, run },
    opts: { jobId: jobId(sweepDir, run.id), attempts: spec.attempts, backoff: { type: 'fixed' as const, delay: 1000 }, removeOnComplete: false, removeOnFail: false },
  };
}

export async function enqueueSweep(spec: SweepSpec, dir: string, q: QueueOptions): Promise<{ queued: number; done: number }> {
  const sweepDir = path.resolve(dir);
  const { runs, createdAt, known } = openSweep(sweepDir, spec);
  const { entries } = finishSweep(sweepDir, spec, runs, createdAt, known, false);
  const connection = await connectRedis(q.url);
  const queue = new Queue<RunJob>(q.name ?? DEFAULT_QUEUE_NAME, { connection });
  try {
    const todo = runs.filter((_r, i) => entries[i].status !== 'completed');
    // A job that failed for good (or completed, though its folder lost the result) keeps its id: BullMQ would ignore
    // the new job, so running the sweep again would never retry the run. Remove it first, as the local pool retries.
    for (const run of todo) {
      const job = await queue.getJob(jobId(sweepDir, run.id));
      if (!job) continue;
      const state = await job.getState();
      if (state === 'failed' || state === 'completed') await job.remove();
    }
    await queue.addBulk(todo.map((run) => runJob(sweepDir, spec, run)));
    return { queued: todo.length, done: runs.length - todo.length };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export interface WaitOptions extends QueueOptions {
  pollMs?: number;
  onProgress?: (p: { completed: number; failed: number; total: number; active: RunProgress[] }) => void;
  /** A run whose job vanished from Redis (flushed, or removed) before it completed: it is queued again. */
  onLost?: (runId: string) => void;
  signal?: AbortSignal;
}

/** Waits until every run of the sweep has completed or failed for good, then writes sweep.json and the report. */
export async function waitForSweep(spec: SweepSpec, dir: string, w: WaitOptions): Promise<SweepOutcome> {
  const sweepDir = path.resolve(dir);
  const { runs, createdAt } = openSweep(sweepDir, spec);
  const connection = await connectRedis(w.url);
  const queue = new Queue<RunJob>(w.name ?? DEFAULT_QUEUE_NAME, { connection });
  const known = new Map<string, Partial<RunEntry>>();
  try {
    for (;;) {
      let completed = 0, failed = 0;
      const active: RunProgress[] = [];
      for (const run of runs) {
        const job = await queue.getJob(jobId(sweepDir, run.id));
        if (!job) {
          // Not queued: it had completed before, or its job was lost (Redis flushed): then queue it again.
          if (readOutcome(runDirOf(sweepDir, run))?.status === 'completed') { completed++; continue; }
          const j = runJob(sweepDir, spec, run);
          await queue.add(j.name, j.data, j.opts);
          w.onLost?.(run.id);
          continue;
        }
        const state = await job.getState();
        if (state === 'completed') completed++;
        else if (state === 'failed') {
          failed++;
          known.set(run.id, { status: 'failed', attempts: job.attemptsMade, error: job.failedReason });
        } else if (state === 'active' && job.progress && typeof job.progress === 'object') active.push(job.progress as RunProgress);
        if (state !== 'failed') known.set(run.id, { attempts: job.attemptsMade });
      }
      w.onProgress?.({ completed, failed, total: runs.length, active });
      if (completed + failed === runs.length || w.signal?.aborted) break;
      await new Promise((r) => setTimeout(r, w.pollMs ?? 1000));
    }
  } finally {
    await queue.close();
    connection.disconnect();
  }
  return finishSweep(sweepDir, spec, runs, createdAt, known, !w.signal?.aborted);
}

export interface WorkerOptions extends QueueOptions {
  concurrency?: number;
  threads: number;
  /** How long a job's lock lasts without renewal: a killed worker's run is taken over after about this long. */
  lockMs?: number;
  name?: string;
  workerName?: string;
  log?: (line: string) => void;
}

/** Takes runs off the queue until `stop()` is called, which stops the runs under way and puts them back on the queue. */
export function runWorker(o: WorkerOptions & { connection?: Redis }): { stop: () => Promise<void>; done: Promise<void> } {
  const connection = o.connection ?? redisConnection(o.url);
  const me = o.workerName ?? `${hostname()}:${process.pid}`;
  const lockDuration = o.lockMs ?? 30_000;
  // Aborted by stop(): the runs under way are stopped as Ctrl-C stops them, and go back to the queue.
  const stopping = new AbortController();
  const worker = new Worker<RunJob>(o.name ?? DEFAULT_QUEUE_NAME, async (job: Job<RunJob>, token?: string) => {
    const { sweepDir, run } = job.data;
    o.log?.(`${me}: start ${run.id} (attempt ${job.attemptsMade + 1})`);
    let resumed = false;
    const r = await executeRun(run, {
      sweepDir, threads: o.threads, worker: me, signal: stopping.signal,
      onLine: (line) => {
        const e = epochOfLine(line);
        if (e) void job.updateProgress({ worker: me, runId: run.id, ...e, resumed } satisfies RunProgress).catch(() => undefined);
        if (/Restored|resum/i.test(line)) resumed = true;
      },
    }).catch(async (e: unknown) => {
      if (e instanceof RunInterruptedError) {
        // Not a failed attempt: waiting again, for the next worker, which resumes it from its checkpoint.
        await job.moveToWait(token);
        o.log?.(`${me}: stopped ${run.id}; it is back on the queue`);
        throw new WaitingError();
      }
      // Exit code 2 is a usage error: another attempt would fail the same way.
      if (e instanceof RunFailedError && e.exitCode === 2) throw new UnrecoverableError(e.message);
      throw e;
    });
    o.log?.(`${me}: ${r.how === 'skipped' ? 'already complete' : r.how === 'resumed' ? 'resumed and finished' : 'finished'} ${run.id}`);
    return { how: r.how, metrics: r.outcome.metrics };
  }, {
    connection,
    concurrency: o.concurrency ?? 1,
    lockDuration,
    stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
    maxStalledCount: 3,
  });
  worker.on('failed', (job, err) => o.log?.(`${me}: run ${job?.data.run.id ?? '?'} failed: ${err.message}`));
  const done = new Promise<void>((resolve) => worker.on('closed', () => resolve()));
  return {
    done,
    stop: async () => {
      stopping.abort();
      await worker.close();
      connection.disconnect();
    },
  };
}
