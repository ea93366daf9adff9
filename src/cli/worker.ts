/** `rnnlab worker --queue redis://HOST:PORT`: takes sweep runs off the queue until stopped (Ctrl-C). */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { claimHostThreads, oversubscription, type HostClaim } from '../sweep/host_threads.js';
import { connectRedis, DEFAULT_QUEUE_NAME, queueNameProblem, redisUrlProblem, runWorker, shownUrl } from '../sweep/queue.js';
import { STOP_SIGNALS, UsageError, type CliContext } from './context.js';
import { addFlags, helpExtras, type Flags, MAX_THREADS } from './flags.js';
import { COMMAND_FLAG_SPECS } from './sweep.js';

const FLAGS: Flags = {
  queue: { kind: 'string', metavar: 'URL', required: true, help: 'the Redis server, redis://HOST:PORT (rediss:// for TLS)' },
  'queue-name': { kind: 'string', metavar: 'NAME', default: DEFAULT_QUEUE_NAME, help: 'the BullMQ queue' },
  concurrency: { kind: 'int', min: 1, max: 256, default: 1, help: 'runs at once' },
  threads: { kind: 'int', min: 1, max: MAX_THREADS, help: 'kernel threads per run (default: cores / concurrency)' },
  name: { kind: 'string', metavar: 'NAME', help: 'how progress and logs name this worker (default HOST:PID)' },
  'lock-seconds': { kind: 'int', min: 1, max: 86400, default: 30, help: 'a run whose worker stops renewing its lock this long is taken over by another worker' },
};

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('worker').summary('Run sweep runs queued on Redis by `rnnlab sweep --queue`.');
  addFlags(cmd, FLAGS, 'worker');
  helpExtras(cmd, {
    description: [
      'Each run goes into its sweep folder, which this machine must reach at the same path (a shared file system).',
      'Ctrl-C stops it: each run under way saves a checkpoint (imdb) and goes back on the queue without spending an attempt.',
    ],
    examples: ['rnnlab worker --queue redis://queue-host:6379 --concurrency 2 --threads 1'],
  });
  cmd.action(async (f: { name?: string; queue: string; queueName: string; concurrency: number; threads?: number; lockSeconds: number }) => {
    const badUrl = redisUrlProblem(f.queue) ?? queueNameProblem(f.queueName);
    if (badUrl) throw new UsageError(badUrl, 'worker');
    // An empty name would label nothing: log lines starting with ':', runs in sweep.json without their worker.
    if (f.name !== undefined && f.name.trim() === '') throw new UsageError('--name must not be empty (leave it out for HOST:PID)', 'worker');
    // Other workers (and local sweeps) of this machine keep their threads: this one is sized to the cores they left.
    const cores = availableParallelism();
    const threadsFor = (free: number) => f.threads ?? Math.max(1, Math.floor(free / f.concurrency));
    let claim: HostClaim | null = null;
    // Ctrl-C works from the start: while connecting it ends the wait, afterwards it stops the worker.
    const connecting = new AbortController();
    let w: ReturnType<typeof runWorker> | null = null;
    let stopping = false;
    const stop = () => {
      if (!w) { connecting.abort(); return; }
      if (!stopping) {
        stopping = true;
        ctx.out.write('Stopping: each run under way saves a checkpoint and goes back on the queue, for the next worker to resume. Ctrl-C again stops at once.\n');
        void w.stop();
        return;
      }
      // As a worker killed outright: its runs' children end with its pipes, and their locks lapse for another worker.
      ctx.err.write('rnnlab worker: stopped at once; the run(s) under way go back to the queue once their lock lapses.\n');
      process.exit(130);
    };
    // A closed terminal (SIGHUP) stops it as Ctrl-C does: its runs no longer share its process group.
    for (const sig of STOP_SIGNALS) process.on(sig, stop);
    ctx.out.write(`Connecting to ${shownUrl(f.queue)}... (Ctrl-C stops)\n`);
    try {
      claim = await claimHostThreads((free) => f.concurrency * threadsFor(free), `worker ${f.name ?? ''}`.trim(), { cores });
      const threads = threadsFor(claim.free);
      const crowded = oversubscription(f.concurrency, threads, claim.others, cores, '--concurrency');
      let connection;
      try {
        connection = await connectRedis(f.queue, { signal: connecting.signal });
      } catch (e) {
        if (connecting.signal.aborted) { ctx.out.write('Stopped before Redis was reached.\n'); ctx.exitCode = 0; return; }
        throw e;
      }
      if (crowded) ctx.out.write(`${crowded}.\n`);
      w = runWorker({ connection, workerName: f.name, url: f.queue, name: f.queueName, concurrency: f.concurrency, threads, lockMs: f.lockSeconds * 1000, inputProblem: (command, flag, p) => COMMAND_FLAG_SPECS[command]?.[flag]?.whyNot?.(p), log: (l) => ctx.out.write(`${l}\n`), warn: (l) => ctx.err.write(`${l}\n`) });
      ctx.out.write(`Worker on ${shownUrl(f.queue)} (queue ${f.queueName}): ${f.concurrency} run(s) at a time, ${threads} thread(s) each. Ctrl-C stops it.\n`);
      await w.done;
    } finally {
      claim?.release();
      for (const sig of STOP_SIGNALS) process.off(sig, stop);
    }
    ctx.exitCode = 0;
  });
}
