/**
 * Sweeps across machines on BullMQ over Redis. `enqueueSweep` puts every unfinished run on the queue under a
 * job id derived from the sweep folder and the run id, so queueing the same sweep twice adds nothing; workers
 * (`runWorker`) run jobs in child processes exactly as the local pool does, writing into the sweep folder, which
 * every worker must reach (a shared file system: docs/SCALING.md). A worker killed mid-run stops renewing its
 * lock; when the lock expires another worker's stalled-job check puts the job back, and the run resumes from its
 * last checkpoint in the same folder, so a retried run never makes a second result folder.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { epochOfLine, executeRun, RunBusyError, RunFailedError, RunInterruptedError, runDirOf, unreadStampWarning } from './execute.js';
import { completedRun, readOutcome, type RunOutcome } from './outcome.js';
import { stampAttempts } from './worker_file.js';
import { MAX_RUN_ID_BYTES, type SweepRun } from './expand.js';
import { finishSweep, type SweepOutcome } from './pool.js';
import { openSweep, type RunWarning } from './record.js';
import type { SweepSpec } from './spec.js';
import { envInt } from '../env.js';
import { rnnlabVersion } from '../report/environment.js';
import { answeredUnlessDown, doneUnlessAborted, sleepUnlessAborted, whenDown, whenReady } from './redis_down.js';

export const DEFAULT_QUEUE_NAME = 'rnnlab-sweeps';

/** Why a --queue-name cannot name a BullMQ queue (empty, or holding ':', which its Redis keys use), or null. */
export function queueNameProblem(name: string): string | null {
  if (name.trim() === '') return '--queue-name must not be empty';
  if (name.includes(':')) return `--queue-name must not contain ':' (BullMQ builds its Redis keys with it), got '${name}'`;
  return null;
}

/**
 * attemptsBefore: the run's attempts before this job (an earlier job of it failed for good, or was lost with Redis),
 * so that a run's attempts count every time it was started, as the local pool counts them (attemptsOf).
 */
interface RunJob {
  sweepDir: string;
  run: SweepRun;
  attemptsBefore?: number;
  /** The version of the rnnlab that queued it (versionProblem); absent in jobs queued before versions were recorded. */
  rnnlab?: string;
  /** The run's path flags that it reads (made absolute when queued): a worker checks them before it starts the run. */
  inputs?: string[];
  /** Set by the worker that refused the job (another version, a missing input): it failed without being started. */
  refused?: boolean;
}

/**
 * The flags of a sweep's command that take a path. A worker's child runs in the worker's own folder, so a relative
 * path would be read against each worker's working folder (or silently find another file there): the sweep makes them
 * absolute against `base` (default: its own working folder, which a local sweep's runs read them against) before
 * queueing. A worker still reads the path on its own disk. `inputs`: those the run reads (they must exist).
 */
export interface PathFlags { names: readonly string[]; inputs: readonly string[]; base?: string }

/**
 * The run with its path flags made absolute against paths.base. A YAML number (`data: 2024`) names the file '2024',
 * as the run's command line (String(value)) passes it to a local sweep's run: it is resolved the same way.
 */
export function withAbsolutePaths(run: SweepRun, paths: PathFlags | undefined): SweepRun {
  if (!paths) return run;
  const base = paths.base ?? process.cwd();
  const flags = Object.fromEntries(Object.entries(run.flags).map(([k, v]) =>
    [k, paths.names.includes(k) && typeof v !== 'boolean' && String(v) !== '' ? path.resolve(base, String(v)) : v]));
  return { ...run, flags };
}

/**
 * Why a worker of version `own` must not run a job queued by version `queued`, or null. Runs of one sweep are ranked
 * together, and a flag one version knows may be a usage error to another: versions that differ in major or minor are
 * refused; a patch apart is allowed (see versionNote).
 */
export function versionProblem(queued: string | undefined, own: string): string | null {
  if (queued === undefined || queued === UNKNOWN_VERSION || own === UNKNOWN_VERSION || queued === own) return null;
  const minor = (v: string) => v.split('.').slice(0, 2).join('.');
  if (minor(queued) === minor(own)) return null;
  return `it was queued by rnnlab ${queued} and this worker is rnnlab ${own}: run the sweep and its workers with the same rnnlab version (major.minor)`;
}

/**
 * What rnnlabVersion() gives when it cannot read its package.json: an unknown version, which refuses nothing (a
 * worker that cannot tell its own would otherwise refuse every job, and a sweep's jobs would be refused everywhere).
 */
const UNKNOWN_VERSION = '0.0.0';

/** What a worker says, without refusing it, about a job of a version only a patch apart, or of a version not known on either side. */
export function versionNote(queued: string | undefined, own: string): string | null {
  if (own === UNKNOWN_VERSION) return `this worker cannot tell its rnnlab version (its package.json is unreadable), so it cannot compare it with the sweep's${queued !== undefined && queued !== UNKNOWN_VERSION ? ` (rnnlab ${queued})` : ''}; running it`;
  if (queued === own || versionProblem(queued, own)) return null;
  if (queued === UNKNOWN_VERSION) return `it was queued by an rnnlab that could not tell its version (its package.json was unreadable); running it with rnnlab ${own}`;
  if (queued === undefined) return `it was queued by an rnnlab that records no version (older than ${own}); running it with rnnlab ${own}`;
  return `it was queued by rnnlab ${queued}; running it with rnnlab ${own} (a patch apart)`;
}

/**
 * The times a job's run was started and ran to an end. BullMQ 6's attemptsMade counts each finish (completed, or
 * failed, retried or not) but not a job put back by moveToWait/moveToDelayed (a stopped worker, a busy run), which
 * spend no attempt, as in the local pool; a run found complete already ('skipped') or refused by its worker (another
 * version, a missing input: it fails for good at that finish) was not run, so that finish is not counted.
 */
export function attemptsOf(job: Pick<Job<RunJob>, 'data' | 'attemptsMade' | 'returnvalue'>): number {
  const notRun = (job.returnvalue as { how?: string } | null | undefined)?.how === 'skipped' || job.data.refused === true ? 1 : 0;
  return (job.data.attemptsBefore ?? 0) + Math.max(0, job.attemptsMade - notRun);
}

/** What keeps a job's data from being a RunJob (a foreign or damaged job on the queue), or null. */
export function runJobProblem(data: unknown): string | null {
  const d = data as Partial<RunJob> | null | undefined;
  if (typeof d !== 'object' || d === null) return 'its data is not an object';
  if (typeof d.sweepDir !== 'string' || d.sweepDir === '') return 'its data has no sweepDir';
  const run = d.run as Partial<SweepRun> | undefined;
  if (typeof run !== 'object' || run === null || typeof run.id !== 'string' || typeof run.command !== 'string' ||
    typeof run.flags !== 'object' || run.flags === null || typeof run.seed !== 'number') return 'its data has no run (id, command, flags, seed)';
  // The id names a folder under <sweep>/runs/: one that climbs out of it (or is no folder name) is no run of a sweep.
  if (run.id === '' || run.id === '.' || run.id === '..' || /[/\\\0]/.test(run.id) || Buffer.byteLength(run.id) > MAX_RUN_ID_BYTES) {
    return `its run id ${JSON.stringify(run.id.slice(0, 80))} is not a folder name`;
  }
  if (d.rnnlab !== undefined && typeof d.rnnlab !== 'string') return 'its rnnlab version is not a string';
  if (d.inputs !== undefined && (!Array.isArray(d.inputs) || d.inputs.some((n) => typeof n !== 'string'))) return 'its inputs are not a list of flag names';
  if (d.refused !== undefined && typeof d.refused !== 'boolean') return 'its refused mark is not true or false';
  return null;
}

/** Progress a worker publishes on its job (the dashboard and `rnnlab sweep` read it). */
export interface RunProgress { worker: string; runId: string; epoch: number; epochs: number; resumed: boolean }

/**
 * Query parameters a --queue URL may carry (ioredis turns each into a connection option, so any other name, a typo
 * such as ?pasword=, would be accepted and ignored).
 */
const URL_PARAMS = ['password', 'username', 'family', 'db'];

/** What is wrong with a --queue URL (not redis://[user:password@]host:port[/db]), or null when nothing is. */
export function redisUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `--queue: '${shownUrl(url)}' is not a URL; expected redis://HOST:PORT`;
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return `--queue: expected a redis:// URL (or rediss://), got '${shownUrl(url)}'`;
  if (!u.port || !u.hostname) return `--queue: '${shownUrl(url)}' needs a host and a port, e.g. redis://127.0.0.1:6379`;
  if (u.pathname && u.pathname !== '/' && !/^\/\d+$/.test(u.pathname)) {
    return `--queue: '${shownUrl(url)}' ends in '${u.pathname}'; after the port only a database number may follow (redis://HOST:PORT/0)`;
  }
  const keys = [...u.searchParams.keys()];
  const unknown = keys.filter((k) => !URL_PARAMS.includes(k));
  if (unknown.length) return `--queue: '${shownUrl(url)}' has the parameter '${unknown[0]}', which rnnlab does not know (known: ${URL_PARAMS.join(', ')})`;
  return paramValueProblem(u, keys, shownUrl(url));
}

/**
 * What is wrong with the values of a --queue URL's known parameters, or null. ioredis takes the last of a repeated
 * parameter, lets the path's database win over ?db= and the credentials before '@' over ?username= and ?password=,
 * sends SELECT with whatever db holds and ignores a family it cannot use: each would be accepted and quietly not used.
 */
function paramValueProblem(u: URL, keys: string[], shown: string): string | null {
  const twice = keys.find((k, i) => keys.indexOf(k) !== i);
  if (twice) return `--queue: '${shown}' gives the parameter '${twice}' more than once; give it once`;
  const db = u.searchParams.get('db');
  if (db !== null && !/^\d+$/.test(db)) return `--queue: '${shown}' has db=${db}; a database is a whole number 0 or more (redis://HOST:PORT/0 or ?db=0)`;
  const pathDb = u.pathname.length > 1 ? u.pathname.slice(1) : null;
  if (db !== null && pathDb !== null && BigInt(db) !== BigInt(pathDb)) return `--queue: '${shown}' names two databases, /${pathDb} and db=${db}; give one`;
  const family = u.searchParams.get('family');
  if (family !== null && family !== '4' && family !== '6') return `--queue: '${shown}' has family=${family}; family takes 4 (IPv4) or 6 (IPv6)`;
  const inQuery = ['username', 'password'].filter((k) => u.searchParams.has(k));
  if ((u.username || u.password) && inQuery.length) {
    return `--queue: '${shown}' gives credentials both before the '@' and as ?${inQuery[0]}=, which Redis would never see; give them one way`;
  }
  return null;
}

/** Query parameters whose values are shown; any other (a password, or a misspelt one) is masked like the password part. */
const PLAIN_PARAMS = ['family', 'db'];

/** A --queue URL as messages print it: a password in it (user:PASSWORD@ or ?password=) is masked (terminals and logs are shared more than secrets). */
export function shownUrl(url: string): string {
  // Without '//' ('default:s3cret@host:6379') a URL parser reads the credentials as a path: hide what precedes the '@'.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && url.includes('@')) return url.replace(/^([a-z][a-z0-9+.-]*:)?.*@/is, (_m, s: string | undefined) => `${s ?? ''}***@`);
  try {
    const u = new URL(url);
    const secretParams = [...u.searchParams.keys()].filter((k) => !PLAIN_PARAMS.includes(k));
    if (!u.password && !secretParams.length) return url;
    if (u.password) u.password = '***';
    for (const k of secretParams) u.searchParams.set(k, '***');
    // URLSearchParams writes '*' as is; keep the mask readable rather than percent-encoded.
    return u.toString().replace(/%2A/g, '*');
  } catch {
    // Unparsable ('redis://u:secret@[bad'): still hide whatever sits between '//' and the last '@', and parameter values.
    return url.replace(/\/\/.*@/s, '//***@').replace(/([?&](?!(?:family|db)=)[^=&]*=)[^&]*/g, '$1***');
  }
}

/** How long a disconnected socket may take to close before it is destroyed (see redisConnection). */
const DISCONNECT_MS = 100;

/** A Redis connection from redis://[user:password@]host:port[/db]; BullMQ workers need blocking commands without retries per request. */
export function redisConnection(url: string): Redis {
  const problem = redisUrlProblem(url);
  if (problem) throw new Error(problem);
  // disconnectTimeout: after a refused connect, disconnect() ends a socket that has already closed, and ioredis then
  // waits this long (2 s by default) for a 'close' that never comes, keeping a stopped worker or sweep alive. rnnlab's
  // disconnects are final and ioredis's own precede a reconnect: neither needs to wait long on a socket that stays open.
  // The URL as checked, its scheme lower-cased: ioredis takes REDISS:// for a Redis URL, but uses TLS only for rediss://.
  return new Redis(new URL(url).href, { maxRetriesPerRequest: null, lazyConnect: false, enableOfflineQueue: true, disconnectTimeout: DISCONNECT_MS });
}

/** How long a sweep or worker waits for Redis before it gives up (RNNLAB_QUEUE_CONNECT_MS overrides it, for tests). */
export function connectTimeoutMs(): number {
  return envInt('RNNLAB_QUEUE_CONNECT_MS') ?? 10_000;
}

/** connectRedis's wait ended by its signal (Ctrl-C) before Redis was ready: nothing was queued or taken. */
export class ConnectStoppedError extends Error {
  constructor() {
    super('stopped before Redis was reached');
    this.name = 'ConnectStoppedError';
  }
}

/** Redis's answers to a wrong or missing password (or user). */
const AUTH_REFUSED = /^(WRONGPASS|NOAUTH|NOPERM)\b|invalid password/;

/**
 * A connection that has reached Redis, or an error naming --queue after a bounded wait (never an endless stream of
 * raw ECONNREFUSED dumps). `signal` aborts the wait (Ctrl-C on a worker or sweep that is not connected yet).
 */
export async function connectRedis(url: string, o: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Redis> {
  // Stopped before the wait began (Ctrl-C while the caller was still getting ready): an 'abort' listener added now would
  // never fire, and the stop would wait out the whole timeout. Nothing in between awaits, so this one check suffices.
  if (o.signal?.aborted) throw new ConnectStoppedError();
  const connection = redisConnection(url);
  let last = '';
  connection.on('error', (e: NodeJS.ErrnoException) => { last = e.code ?? e.message; });
  if (connection.status === 'ready') return connection;
  const ms = o.timeoutMs ?? connectTimeoutMs();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`--queue: cannot reach Redis at ${shownUrl(url)}${last ? ` (${last})` : ''} after ${Math.round(ms / 100) / 10} s; is redis-server running there?`)), ms);
      const onAbort = () => { clearTimeout(timer); reject(new ConnectStoppedError()); };
      // Refused credentials or database are not an outage: waiting out the timeout and asking whether Redis runs would
      // mislead. A failed SELECT is fatal too: ioredis goes on to 'ready' on database 0, another sweep's queue.
      const onError = (e: Error) => {
        const answer = e.message.split('\n')[0];
        const select = (e as { command?: { name?: string; args?: unknown[] } }).command;
        let why: string;
        if (AUTH_REFUSED.test(e.message)) why = `refused the credentials (${answer}); check the user and password in --queue`;
        else if (select?.name === 'select') why = `cannot select database ${String(select.args?.[0])} (${answer}); Redis has as many as its 'databases' setting (16 by default), numbered from 0`;
        else return;
        clearTimeout(timer);
        reject(new Error(`--queue: Redis at ${shownUrl(url)} ${why}`));
      };
      connection.on('error', onError);
      o.signal?.addEventListener('abort', onAbort, { once: true });
      connection.once('ready', () => { clearTimeout(timer); o.signal?.removeEventListener('abort', onAbort); connection.off('error', onError); resolve(); });
    });
    const ignored = await ignoredPassword(url, ms);
    if (ignored) throw new Error(`--queue: Redis at ${shownUrl(url)} needs no password, yet the URL gives one (${ignored}), which Redis accepts and ignores; remove it, or set one on the server (requirepass)`);
  } catch (e) {
    connection.disconnect();
    throw e;
  }
  return connection;
}

/**
 * Where the URL gives a password that Redis ignores, or null. A server whose default user needs no password takes
 * any password for it (HELLO ... AUTH default PASSWORD succeeds; an older Redis answers AUTH with an error ioredis
 * only warns of), so a password meant to protect the queue would protect nothing. A named user's password is not
 * checked: it says who connects, whatever the default user needs.
 */
async function ignoredPassword(url: string, ms: number): Promise<string | null> {
  const u = new URL(url);
  const user = u.username || u.searchParams.get('username');
  const where = u.password ? "the password before the '@'" : u.searchParams.has('password') ? '?password=' : null;
  if (!where || (user && decodeURIComponent(user) !== 'default')) return null;
  for (const k of ['username', 'password', 'db']) u.searchParams.delete(k);
  u.username = u.password = u.pathname = '';
  // No credentials, no database (SELECT would need them) and RESP2 (HELLO needs them too): a bare PING is answered
  // PONG exactly when the default user needs no password, NOAUTH when it does.
  const probe = new Redis(u.toString(), {
    protocol: 2, lazyConnect: true, enableReadyCheck: false, enableOfflineQueue: false, maxRetriesPerRequest: 0,
    retryStrategy: () => null, connectTimeout: ms, disconnectTimeout: DISCONNECT_MS,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return where;
  } catch (e) {
    if (/^NOAUTH\b/.test((e as Error).message)) return null;
    throw new Error(`--queue: cannot ask Redis at ${shownUrl(url)} whether it needs the URL's password: ${(e as Error).message}`);
  } finally {
    probe.disconnect();
  }
}

/**
 * Follows a connection that has reached Redis: one sentence when it is lost and one when it is back, instead of
 * BullMQ's stack dump per reconnection attempt (ioredis keeps reconnecting; the queue's commands wait for it). The
 * returned `error` is for the BullMQ objects' 'error' events, whose connection errors the sentences already cover.
 */
export function watchRedis(connection: Redis, url: string, report: (line: string) => void): { error: (e: Error) => void; dispose: () => void } {
  let down = false;
  let disposed = false;
  let reason = '';
  const onError = (e: NodeJS.ErrnoException) => { reason = e.code ?? e.message; };
  const onClose = () => {
    if (disposed || down) return;
    down = true;
    report(`lost the connection to Redis at ${shownUrl(url)}; reconnecting until it is back (Ctrl-C stops)`);
  };
  const onReady = () => {
    if (disposed || !down) return;
    down = false;
    report(`reconnected to Redis at ${shownUrl(url)}${reason ? ` (it had failed with ${reason})` : ''}`);
    reason = '';
  };
  connection.on('error', onError);
  connection.on('close', onClose);
  connection.on('ready', onReady);
  return {
    error: (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      // Connection errors while down are the outage already reported; anything else is news.
      if (down || (code && /^E[A-Z]+$/.test(code)) || /Connection is closed/.test(e.message)) { reason = code ?? e.message; return; }
      report(`Redis at ${shownUrl(url)}: ${e.message}`);
    },
    dispose: () => {
      disposed = true;
      connection.off('error', onError);
      connection.off('close', onClose);
      connection.off('ready', onReady);
    },
  };
}

/** One sweep's job ids never collide with another's: they carry a hash of the sweep folder's absolute path. */
export function jobId(sweepDir: string, runId: string): string {
  const key = createHash('sha256').update(path.resolve(sweepDir)).digest('hex').slice(0, 12);
  return `${key}-${runId}`;
}

/**
 * Runs fn over the items, a batch at a time: ioredis pipelines the commands of a batch, so a 10,000-run sweep is
 * looked up in seconds rather than one round trip after another (minutes per progress line).
 */
async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>, size = 500): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export interface QueueOptions {
  url: string;
  name?: string;
  /**
   * The connection to Redis was lost, or is back (one sentence each; the commands wait for it meanwhile). A worker
   * without it says them through its `log`, after its name.
   */
  onConnection?: (line: string) => void;
  /**
   * Ctrl-C: enqueueSweep stops waiting for Redis (ConnectStoppedError); waitForSweep stops waiting for the runs;
   * runWorker stops as by its stop().
   */
  signal?: AbortSignal;
  /** The command's path flags, made absolute in the jobs (PathFlags); a worker reads them from each job instead. */
  pathFlags?: PathFlags;
  /**
   * Something about a run's folder worth saying that changes no run's fate (a worker.json that cannot be read, so
   * its attempts are not counted). Without it, a process warning (on stderr).
   */
  onWarning?: (line: string) => void;
}

/** Where the queue's sweep says what it finds in the run folders (QueueOptions.onWarning), as collectEntries takes it. */
function runWarning(q: QueueOptions): RunWarning {
  return (_run, message) => (q.onWarning ? q.onWarning(message) : process.emitWarning(message));
}

/** Says, once per file, each run's worker.json that cannot be read: read as none, it would go unexplained. */
function warnUnreadStamps(sweepDir: string, runs: readonly SweepRun[], q: QueueOptions): void {
  for (const run of runs) {
    const unread = unreadStampWarning(runDirOf(sweepDir, run));
    if (unread) runWarning(q)(run, `run ${run.id}: ${unread}`);
  }
}

export function runJob(sweepDir: string, spec: SweepSpec, run: SweepRun, attemptsBefore: number, paths?: PathFlags) {
  const inputs = paths ? Object.keys(run.flags).filter((k) => paths.inputs.includes(k)) : [];
  return {
    name: run.id,
    data: { sweepDir, run: withAbsolutePaths(run, paths), attemptsBefore, rnnlab: rnnlabVersion(), ...(inputs.length ? { inputs } : {}) } satisfies RunJob,
    opts: { jobId: jobId(sweepDir, run.id), attempts: spec.attempts, backoff: { type: 'fixed' as const, delay: 1000 }, removeOnComplete: false, removeOnFail: false },
  };
}

/**
 * Queues the sweep's unfinished runs. queued: the jobs added; done: the runs complete already. The rest (every run less
 * both) had their job on the queue already (waiting, delayed or under way: the sweep was queued before), which stays.
 */
export async function enqueueSweep(spec: SweepSpec, dir: string, q: QueueOptions): Promise<{ queued: number; done: number }> {
  const sweepDir = path.resolve(dir);
  const { runs, createdAt, known } = openSweep(sweepDir, spec);
  // The attempts each job starts from were read from these stamps, which say so of one they cannot read.
  const { entries } = finishSweep(sweepDir, spec, runs, createdAt, known, false, runWarning(q));
  const connection = await connectRedis(q.url, { signal: q.signal });
  const watch = watchRedis(connection, q.url, (l) => q.onConnection?.(l));
  const queue = openQueue(q.name ?? DEFAULT_QUEUE_NAME, connection, watch);
  return closingAfter(async () => {
    const todo = runs.filter((_r, i) => entries[i].status !== 'completed');
    const onQueue = new Set<string>();
    // A job that failed for good (or completed, though its folder lost the result) keeps its id: BullMQ would ignore
    // the new job, so running the sweep again would never retry the run. Remove it first, as the local pool retries.
    await inBatches(todo, async (run) => {
      const job = await queue.getJob(jobId(sweepDir, run.id));
      if (!job) return;
      const state = await job.getState();
      if (state === 'failed' || state === 'completed') await job.remove();
      else onQueue.add(run.id);
    });
    const add = todo.filter((run) => !onQueue.has(run.id));
    await queue.addBulk(add.map((run) => runJob(sweepDir, spec, run, known.get(run.id)?.attempts ?? 0, q.pathFlags)));
    return { queued: add.length, done: runs.length - todo.length };
  }, async () => {
    watch.dispose();
    try {
      await queue.close();
    } finally {
      connection.disconnect();
    }
  });
}

/**
 * The error that broke a queue's work, with the one its closing then met on a following line: the first says why the
 * sweep stopped, and the second must not hide it. Its cause is the first. The same words twice are said once.
 */
function withCloseFailure(first: unknown, second: unknown): unknown {
  const words = (e: unknown) => (e instanceof Error ? e.message : String(e));
  if (words(second) === words(first)) return first;
  return new Error(`${words(first)}\nThen the queue on Redis could not be closed either: ${words(second)}`, { cause: first });
}

/** work(), then close() whether it succeeded or not; a close that fails after a failed work adds to its error (withCloseFailure). */
async function closingAfter<T>(work: () => Promise<T>, close: () => Promise<void>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (first) {
    try {
      await close();
    } catch (second) {
      throw withCloseFailure(first, second);
    }
    throw first;
  }
  await close();
  return result;
}

/** The queue on connection; when BullMQ refuses it (its name), the connection is closed first: left open, it kept the process alive. */
function openQueue(name: string, connection: Redis, watch: ReturnType<typeof watchRedis>): Queue<RunJob> {
  try {
    const queue = new Queue<RunJob>(name, { connection });
    queue.on('error', watch.error);
    return queue;
  } catch (e) {
    watch.dispose();
    connection.disconnect();
    throw e;
  }
}

export interface WaitOptions extends QueueOptions {
  pollMs?: number;
  onProgress?: (p: { completed: number; failed: number; total: number; active: RunProgress[] }) => void;
  /** A run whose job vanished from Redis (flushed, or removed) before it completed: it is queued again. */
  onLost?: (runId: string) => void;
}

/** Waits until every run of the sweep has completed or failed for good, then writes sweep.json and the report. */
export async function waitForSweep(spec: SweepSpec, dir: string, w: WaitOptions): Promise<SweepOutcome> {
  const sweepDir = path.resolve(dir);
  // The folder's attempts so far: a run whose job is lost (Redis flushed) keeps them when it is queued again.
  const { runs, createdAt, known } = openSweep(sweepDir, spec);
  let connection: Redis;
  try {
    connection = await connectRedis(w.url, { signal: w.signal });
  } catch (e) {
    // Ctrl-C while Redis is out of reach after the runs were queued: a stopped wait, sweep.json from the run folders.
    if (e instanceof ConnectStoppedError) return finishSweep(sweepDir, spec, runs, createdAt, known, false, runWarning(w));
    throw e;
  }
  const watch = watchRedis(connection, w.url, (l) => w.onConnection?.(l));
  const queue = openQueue(w.name ?? DEFAULT_QUEUE_NAME, connection, watch);
  // A run that completed without the spec's metric is failed (completedRun), as finishSweep will record it: the progress
  // counts it so at once. Judged once per finished job, rather than its results.json read again at every poll.
  const hasMetric = (outcome: RunOutcome, run: SweepRun) => completedRun(outcome.recorded, spec.metric, run.id).status === 'completed';
  const verdicts = new Map<string, { finishedOn: number | undefined; ok: boolean }>();
  const judged = (run: SweepRun, job: Job<RunJob>): boolean => {
    const seen = verdicts.get(run.id);
    if (seen && seen.finishedOn === job.finishedOn) return seen.ok;
    const outcome = readOutcome(runDirOf(sweepDir, run));
    // Only a run whose folder shows it completed is judged by its metric; whatever else the folder shows (the run moved
    // away since) is left to the record finishSweep reads from the folder.
    const ok = outcome?.status !== 'completed' || hasMetric(outcome, run);
    if (outcome) verdicts.set(run.id, { finishedOn: job.finishedOn, ok });
    return ok;
  };
  await closingAfter(async () => {
    for (;;) {
      let completed = 0, failed = 0;
      const active: RunProgress[] = [];
      // Raced against Ctrl-C: while Redis is down ioredis holds these commands until it is back. A stop mid-batch keeps
      // what earlier polls learnt (known), and sweep.json takes the rest from the run folders.
      const polled = await doneUnlessAborted(inBatches(runs, async (run) => {
        const id = jobId(sweepDir, run.id);
        // The state first, then the job: a job read first and found 'completed' a moment later would carry the
        // attempts from before its finish (recorded as attempts: 0). The finish moves it and counts the attempt at once.
        const state = await queue.getJobState(id);
        const job = state === 'unknown' ? undefined : await queue.getJob(id);
        if (!job) {
          // Not queued: it had completed before, or its job was lost (Redis flushed): then queue it again. BullMQ's
          // count went with the job; the run folder counts every start that ended, seen by this sweep or not.
          warnUnreadStamps(sweepDir, [run], w);
          const attempts = Math.max(known.get(run.id)?.attempts ?? 0, stampAttempts(runDirOf(sweepDir, run)));
          known.set(run.id, { attempts });
          const outcome = readOutcome(runDirOf(sweepDir, run));
          if (outcome?.status === 'completed') { if (hasMetric(outcome, run)) completed++; else failed++; return; }
          const j = runJob(sweepDir, spec, run, attempts, w.pathFlags);
          await queue.add(j.name, j.data, j.opts);
          w.onLost?.(run.id);
          return;
        }
        if (state === 'completed') {
          if (judged(run, job)) completed++;
          else failed++;
        } else if (state === 'failed') {
          failed++;
          known.set(run.id, { status: 'failed', attempts: attemptsOf(job), error: job.failedReason });
        } else if (state === 'active' && job.progress && typeof job.progress === 'object') active.push(job.progress as RunProgress);
        if (state !== 'failed') known.set(run.id, { attempts: attemptsOf(job) });
      }), w.signal);
      if (!polled) break;
      // Batches finish in any order; the progress line lists the runs under way in the sweep's order.
      const order = new Map(runs.map((r, i) => [r.id, i]));
      active.sort((a, b) => (order.get(a.runId) ?? 0) - (order.get(b.runId) ?? 0));
      w.onProgress?.({ completed, failed, total: runs.length, active });
      if (completed + failed === runs.length || w.signal?.aborted) break;
      await sleepUnlessAborted(w.pollMs ?? 1000, w.signal);
      if (w.signal?.aborted) break;
    }
  }, async () => {
    watch.dispose();
    try {
      // A stopped wait does not wait on Redis either (its close would, while Redis is down): the connection is cut.
      const closing = queue.close();
      if (!w.signal?.aborted) await closing;
      else closing.catch(() => undefined);
    } finally {
      connection.disconnect();
    }
  });
  return finishSweep(sweepDir, spec, runs, createdAt, known, !w.signal?.aborted, runWarning(w));
}

interface EndingJob { runId: string; timestamp: number; ok: boolean }

/** BullMQ's words when a finished job's record or lock is no longer in Redis (Redis restarted empty, or the lock lapsed). */
const LOST_JOB = /^Missing (?:lock|key) for job (\S+)\. moveTo\w+$/;

/** BullMQ's words at each lock renewal (every half --lock-seconds) that finds the job's lock gone or another's. */
const UNRENEWED = /^could not renew lock for job (\S+)$/;

/**
 * One sentence, said once per run, for a run whose job's lock could no longer be renewed: BullMQ says it at every
 * renewal until the run ends, thousands of times over an hours-long run. The run goes on; its end says what became of the job.
 */
export function unrenewedSentence(runId: string): string {
  return `${runId}: could not renew its job's lock (the job was lost with Redis, or the lock lapsed); the run goes on here, and its end says what became of the job`;
}

/**
 * One sentence instead of BullMQ's "Missing lock for job ... moveToFinished", for a run that ended here but whose
 * job's finish could not be recorded: 'gone' (Redis lost it, nothing queued it again yet), 'requeued' (the waiting
 * sweep queued it again after Redis lost it), 'lapsed' (the same job, whose lock this worker failed to renew in time).
 */
export function lostJobSentence(job: EndingJob, how: 'gone' | 'requeued' | 'lapsed'): string {
  const next = job.ok ? 'its result is in the run folder, so it is not run again' : 'it is run again';
  if (how === 'lapsed') return `${job.runId} ended, but its job's lock had lapsed (not renewed within --lock-seconds), so BullMQ could not record the end; the job goes back on the queue as stalled and ${next}`;
  if (how === 'requeued') return `${job.runId} ended, but its job was lost with Redis (restarted empty?) and the sweep has queued it again; ${next}`;
  return `${job.runId} ended, but its job was lost with Redis (restarted empty?); the waiting rnnlab sweep (or the same sweep run again) ${job.ok ? 'finds its result in the run folder' : 'queues it again'}`;
}

// A worker says its warnings through `warn`.
export interface WorkerOptions extends Omit<QueueOptions, 'pathFlags' | 'onWarning'> {
  concurrency?: number;
  /** Why an input path that exists cannot serve a run's flag (the command's own flag check: the CLI's), or undefined. */
  inputProblem?: (command: SweepRun['command'], flag: string, path: string) => string | undefined;
  threads: number;
  /** How long a job's lock lasts without renewal: a killed worker's run is taken over after about this long. */
  lockMs?: number;
  name?: string;
  workerName?: string;
  log?: (line: string) => void;
  /**
   * A run stopped here that could not go back on the queue (Redis down), or something about a run's folder worth
   * saying (ExecuteOptions.onWarning: a worker.json that cannot be read, say); `log` when not given.
   */
  warn?: (line: string) => void;
  /** The rnnlab version the worker compares each job's with (default: its own; tests set another). */
  version?: string;
  /** How long a stop waits for BullMQ's close once the runs under way have stopped, before it closes by force (STOP_GRACE_MS). */
  stopGraceMs?: number;
}

/**
 * A stop's wait for BullMQ's close, counted from when the runs under way have stopped (each back on the queue by
 * then): the close then only has its own bookkeeping left, milliseconds with Redis answering. Past it, the worker is
 * closed by force and the stop says so: a blocking connection that Redis's restart left reconnecting may never come back.
 */
export const STOP_GRACE_MS = 10_000;

/**
 * The first of the run's input paths (absolute, as the sweep queued them) this machine does not have, or cannot use by
 * the flag's own check (--data: a folder without the tarball), with why; null when it has them all. Checked here, not
 * left to the run, whose usage error (exit 2) would fail the run for good, spend an attempt and name no worker.
 */
function missingInput(run: SweepRun, inputs: readonly string[], problem: WorkerOptions['inputProblem']): { flag: string; path: string; why: string } | null {
  for (const flag of inputs) {
    const v = run.flags[flag];
    if (v === undefined || typeof v === 'boolean') continue;
    const p = String(v);
    if (!path.isAbsolute(p)) continue;
    const why = existsSync(p) ? problem?.(run.command, flag, p) : 'no such file or folder';
    if (why !== undefined) return { flag, path: p, why };
  }
  return null;
}

/**
 * Fails the commands a client disconnected for good still holds. A connection lost while a command was under way keeps
 * it to send again once it is ready; one disconnected between two reconnection attempts ("reconnecting": no socket,
 * its retry timer cleared) never closes (whenReady), so ioredis never fails it. That is BullMQ's wait for the next job
 * (BZPOPMIN): BullMQ races it against a watchdog timer (drainDelay + 1 s: 6 s) that kept a worker's process alive that
 * long after its stop by force. Neither disconnect() nor BullMQ's close(true) fails it there (ioredis's public calls
 * reach no queue of held commands); the end of a connection attempt does, as every end of a connection fails what it
 * held ("Connection is closed."). So one is begun and at once cut off, and the client ends ('end', which a close
 * waiting on it sees); no wait on an unreachable host follows. Its socket may still open and be cut mid-handshake
 * (EPIPE): the client is closing for good, so such an error is heard here, not printed by ioredis as unhandled
 * (BullMQ no longer listens once it closes). Only a client parked so: connect() would reopen one that has ended,
 * and the other states close by themselves.
 */
export function failPending(client: { status: string; connect(): Promise<unknown>; disconnect(): void; on(event: 'error', listener: (e: unknown) => void): unknown } | undefined): void {
  if (client?.status !== 'reconnecting') return;
  client.on('error', () => undefined);
  client.disconnect();
  client.connect().catch(() => undefined);
  client.disconnect();
}

/** A job this worker will not start (another version, an input it lacks): it fails for good, spending no attempt (attemptsOf). */
class JobRefusedError extends Error {}

interface RunningWorker { stop: () => Promise<void>; done: Promise<void> }

/**
 * Takes runs off the queue until `stop()` is called or `signal` aborts, which stops the runs under way and puts them
 * back on the queue. `connection`: one connectRedis made (the CLI's, which reports its wait); without it the worker
 * makes one the same way, so a URL that Redis refuses or would misread (an ignored password, a database it lacks)
 * rejects `done` instead of a worker that listens on the wrong queue. A stop before Redis is reached ends the wait,
 * and `done` resolves. `pathFlags` is refused: each job carries its run's paths, made absolute by the sweep.
 */
export function runWorker(o: WorkerOptions & { connection?: Redis }): RunningWorker {
  // Spread from a sweep's options, or given by JavaScript: the type does not offer it, and it would change nothing.
  if ('pathFlags' in o && o.pathFlags !== undefined) {
    throw new Error("runWorker does not take pathFlags: a worker runs each job with the path flags the sweep made absolute when it queued it (enqueueSweep's pathFlags)");
  }
  const { signal } = o;
  // Stopped before it began: no job is taken, and the connection it was given is closed, as a stop closes it.
  if (signal?.aborted) {
    o.connection?.disconnect();
    return { stop: async () => {}, done: Promise.resolve() };
  }
  const w = o.connection ? startWorker(o, o.connection) : connectingWorker(o);
  if (!signal) return w;
  // `done` waits for the stop the signal made, and rejects with what that stop throws (never left unhandled).
  let stopped: Promise<void> | undefined;
  let stopFailed: (e: unknown) => void = () => {};
  const failure = new Promise<never>((_resolve, reject) => { stopFailed = reject; });
  const onAbort = () => { stopped = w.stop(); stopped.catch(stopFailed); };
  signal.addEventListener('abort', onAbort, { once: true });
  const done = Promise.race([w.done.then(() => stopped), failure]).finally(() => signal.removeEventListener('abort', onAbort));
  return { stop: w.stop, done };
}

function connectingWorker(o: WorkerOptions): RunningWorker {
  const connecting = new AbortController();
  const started = connectRedis(o.url, { signal: connecting.signal }).then((c) => startWorker(o, c));
  return {
    done: started.then((w) => w.done, (e: unknown) => { if (!(e instanceof ConnectStoppedError)) throw e; }),
    stop: async () => {
      connecting.abort();
      await (await started.catch(() => null))?.stop();
    },
  };
}

function startWorker(o: WorkerOptions, connection: Redis): RunningWorker {
  const me = o.workerName ?? `${hostname()}:${process.pid}`;
  const lockDuration = o.lockMs ?? 30_000;
  const ownVersion = o.version ?? rnnlabVersion();
  // Aborted by stop(): the runs under way are stopped as Ctrl-C stops them, and go back to the queue.
  const stopping = new AbortController();
  // The jobs whose run has started here and whose finish BullMQ has not recorded yet (lostJobSentence).
  const ending = new Map<string, EndingJob>();
  const explained = new Set<string>();
  // The jobs whose failed lock renewal has been said (unrenewedSentence), until the job starts here again.
  const unrenewed = new Set<string>();
  // The processors under way: a stop while Redis is down waits for them itself (their runs stop, saving a checkpoint), since BullMQ's close would wait for Redis.
  const inFlight = new Set<Promise<unknown>>();
  const tracked = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    const forget = () => { inFlight.delete(p); };
    p.then(forget, forget);
    return p;
  };
  const worker = new Worker<RunJob>(o.name ?? DEFAULT_QUEUE_NAME, (job: Job<RunJob>, token?: string) => tracked((async () => {
    // Taken as the worker stops (a fetch under way when it paused): back on the queue untouched, for another worker.
    if (stopping.signal.aborted) {
      await answeredUnlessDown(connection, job.moveToWait(token));
      throw new WaitingError();
    }
    const problem = runJobProblem(job.data);
    // Another program's job on this queue name, or a damaged one: it is not retried, and the message names it.
    if (problem) throw new UnrecoverableError(`job ${job.id} ('${job.name}') is not an rnnlab sweep run: ${problem}`);
    const { sweepDir, run } = job.data;
    // Checked once executeRun has found the run neither complete (skipped) nor trained elsewhere (busy, put back): those
    // answers do not depend on this worker's version or disk. A refusal is not retried: every worker of this version
    // (or without the file) would refuse it the same way.
    const beforeStart = () => {
      const otherVersion = versionProblem(job.data.rnnlab, ownVersion);
      if (otherVersion) throw new JobRefusedError(`run ${run.id} not run by ${me}: ${otherVersion}`);
      const note = versionNote(job.data.rnnlab, ownVersion);
      if (note) o.log?.(`${me}: note: ${run.id}: ${note}`);
      const missing = missingInput(run, job.data.inputs ?? [], o.inputProblem);
      if (missing) throw new JobRefusedError(`run ${run.id}: --${missing.flag}: ${missing.why} on worker ${me} (host ${hostname()}): ${missing.path}; every worker reads the run's paths on its own disk, at the same absolute path`);
    };
    ending.set(job.id!, { runId: run.id, timestamp: job.timestamp, ok: false });
    explained.delete(job.id!);
    unrenewed.delete(job.id!);
    o.log?.(`${me}: start ${run.id} (attempt ${attemptsOf(job) + 1})`);
    let resumed = false;
    const r = await executeRun(run, {
      sweepDir, threads: o.threads, worker: me, signal: stopping.signal, beforeStart,
      onWarning: (message) => (o.warn ?? o.log)?.(`${me}: warning: ${message}`),
      onLine: (line) => {
        const e = epochOfLine(line);
        if (e) void job.updateProgress({ worker: me, runId: run.id, ...e, resumed } satisfies RunProgress).catch(() => undefined);
        if (/Restored|resum/i.test(line)) resumed = true;
      },
    }).catch(async (e: unknown) => {
      if (e instanceof JobRefusedError) {
        // Marked so that the failure it is recorded as counts no attempt; unmarked (Redis down) it counts one.
        await answeredUnlessDown(connection, job.updateData({ ...job.data, refused: true }));
        throw new UnrecoverableError(e.message);
      }
      if (e instanceof RunInterruptedError) {
        // Not a failed attempt: waiting again, for the next worker, which resumes it from its checkpoint. With Redis
        // down that cannot be done before it is back, and the stop would wait for it: the lock lapses instead.
        const putBack = await answeredUnlessDown(connection, job.moveToWait(token));
        ending.delete(job.id!);
        if (putBack) o.log?.(`${me}: stopped ${run.id}; it is back on the queue`);
        else (o.warn ?? o.log)?.(`${me}: stopped ${run.id}, but Redis is down, so it could not be put back on the queue; its lock lapses (--lock-seconds) and another worker takes it over, as after a killed worker`);
        throw new WaitingError();
      }
      if (e instanceof RunBusyError) {
        // Its job was queued again while a worker still trains it (Redis lost the job): not an attempt; back in a while.
        await answeredUnlessDown(connection, job.moveToDelayed(Date.now() + lockDuration, token));
        ending.delete(job.id!);
        o.log?.(`${me}: ${e.message}; trying ${run.id} again in ${Math.round(lockDuration / 1000)} s`);
        throw new DelayedError();
      }
      // Exit code 2 is a usage error: another attempt would fail the same way.
      if (e instanceof RunFailedError && e.exitCode === 2) throw new UnrecoverableError(e.message);
      throw e;
    });
    o.log?.(`${me}: ${r.how === 'skipped' ? 'already complete' : r.how === 'resumed' ? 'resumed and finished' : 'finished'} ${run.id}`);
    ending.set(job.id!, { runId: run.id, timestamp: job.timestamp, ok: true });
    return { how: r.how, metrics: r.outcome.metrics };
  })()), {
    connection,
    concurrency: o.concurrency ?? 1,
    lockDuration,
    stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
    maxStalledCount: 3,
  });
  worker.on('failed', (job, err) => {
    if (job?.id) ending.delete(job.id);
    const runId = runJobProblem(job?.data) ? null : job!.data.run.id;
    o.log?.(`${me}: ${runId !== null ? `run ${runId}` : `job ${job?.id ?? '?'}`} failed: ${err?.message ?? String(err)}`);
  });
  worker.on('completed', (job) => { if (job.id) ending.delete(job.id); });
  const watch = watchRedis(connection, o.url, o.onConnection ?? ((l) => o.log?.(`${me}: ${l}`)));
  worker.on('error', (e) => {
    const renew = UNRENEWED.exec(e.message);
    if (renew) {
      if (unrenewed.has(renew[1])) return;
      unrenewed.add(renew[1]);
      o.log?.(`${me}: ${unrenewedSentence(ending.get(renew[1])?.runId ?? `job ${renew[1]}`)}`);
      return;
    }
    const lost = LOST_JOB.exec(e.message);
    // BullMQ tries to record the end as completed, then as failed (retried): one sentence covers both of its errors.
    if (lost && explained.has(lost[1])) return;
    const job = lost ? ending.get(lost[1]) : undefined;
    if (!lost || !job) { watch.error(e); return; }
    ending.delete(lost[1]);
    explained.add(lost[1]);
    // Whether the job is there again (the sweep queued it anew) or still the one this worker ran (its lock lapsed).
    void connection.hget(worker.toKey(lost[1]), 'timestamp').then((t) => t, () => null)
      .then((t) => o.log?.(`${me}: ${lostJobSentence(job, t === null ? 'gone' : Number(t) === job.timestamp ? 'lapsed' : 'requeued')}`));
  });
  let forced = false;
  let ended = () => {};
  const done = new Promise<void>((resolve) => { ended = resolve; worker.on('closed', () => { if (!forced) resolve(); }); });
  let stopped: Promise<void> | null = null;
  const grace = o.stopGraceMs ?? STOP_GRACE_MS;
  /** Resolves once no processor is under way (a job taken while the first ones stopped is waited for too). */
  const runsStopped = async () => { while (inFlight.size) await Promise.allSettled([...inFlight]); };
  return {
    done,
    stop: () => (stopped ??= (async () => {
      stopping.abort();
      watch.dispose();
      const { down, dispose } = whenDown(connection);
      // Ends the waits below once the stop is over: a grace timer left running would keep a stopped worker's process alive.
      const over = new AbortController();
      try {
        if (connection.status === 'ready') {
          // No job is taken from now on, while the close below may wait (a run put back would be taken again at once);
          // paused without waiting on the runs under way.
          void worker.pause(true).catch(() => undefined);
          // BullMQ's close disconnects the blocking connection and waits for its end, which never comes if that
          // connection is between two reconnection attempts (Redis restarted, this one not back yet): the close is
          // begun only once it is ready again. Redis answering, the close waits for the runs under way, each put back
          // on the queue as it stops.
          let blocking: { status: string } | undefined;
          const closed = (async () => {
            const client = await worker.backend.blockingClient;
            blocking = client;
            if (client && !await whenReady(client, over.signal)) return 'over' as const;
            await worker.close();
            return 'closed' as const;
          })();
          const late = runsStopped().then(() => sleepUnlessAborted(grace, over.signal)).then(() => 'late' as const);
          const how = await Promise.race([closed, down.then(() => 'down' as const), late]);
          if (how === 'closed') return;
          if (how === 'late') {
            (o.warn ?? o.log)?.(`${me}: stopping: BullMQ's close did not end within ${grace / 1000} s once no run was under way (its blocking connection to Redis is ${blocking?.status ?? 'not connected yet'}); closed it by force, so the stop no longer waits on Redis`);
          }
        }
        // Redis down, lost while closing, or the close past its grace: BullMQ's close would wait for Redis. The runs
        // under way still stop (each says whether it could go back on the queue); nothing more is asked of Redis.
        forced = true;
        worker.close(true).catch(() => undefined);
        // Redis answering: a run that stops meanwhile still goes back on the queue before the connection is cut.
        if (connection.status === 'ready') await runsStopped();
        // A close already under way (Redis lost during it) ignores the force and waits on its own connection's quit.
        worker.disconnect().catch(() => undefined);
        void worker.backend.blockingClient?.then(failPending, () => undefined);
        await Promise.allSettled(inFlight);
        ended();
      } finally {
        over.abort();
        dispose();
        connection.disconnect();
      }
    })()),
  };
}
