/** `rnnlab serve`: the dashboard. The server code is loaded only when the command runs. */
import type { Command } from 'commander';
import { STOP_SIGNALS, UsageError, type CliContext } from './context.js';
import { addFlags, helpExtras, IMDB_DATA_FLAGS, MAX_THREADS } from './flags.js';
import { applyThreads } from './printer.js';
import { checkFolderFlag } from './paths.js';
import { envText } from '../env.js';
import { checkToken } from '../server/request_guard.js';

const SUMMARY = 'Start the dashboard: watch training live, compare runs, try the models, look inside the networks.';

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('serve').summary(SUMMARY).description(SUMMARY).usage('[--port 8787] [--runs runs/] [--host 127.0.0.1] [--token TOKEN]');
  addFlags(cmd, {
    port: { kind: 'int', min: 0, max: 65535, default: 8787, help: 'TCP port (0 picks a free one)' },
    runs: { kind: 'path', metavar: 'DIR', default: 'runs', help: 'the runs folder to list and to write new runs into' },
    host: { kind: 'string', metavar: 'ADDR', help: 'interface to bind (default 127.0.0.1)' },
    // As the IMDb commands check it: the dashboard's jobs and Lab tab read the same tarball.
    data: IMDB_DATA_FLAGS.data,
    threads: { kind: 'int', min: 1, max: MAX_THREADS, help: 'kernel threads for training jobs (default: all cores, or RNNLAB_THREADS)' },
    'max-model-params': { kind: 'int', min: 1, max: 2 ** 40, metavar: 'N', help: 'the largest model (parameters) the dashboard loads from a run folder or trains for a job (default 50000000)' },
    token: { kind: 'string', metavar: 'TOKEN', help: 'access token every request must carry (else RNNLAB_TOKEN; off loopback a random one is made)' },
  }, 'serve');
  helpExtras(cmd, {
    description: [
      'Serves a single-page app (no network access needed) and prints its URL. Binds 127.0.0.1 only,',
      'unless --host names another interface (e.g. --host 0.0.0.0); then every request needs the access token printed in the URL.',
    ],
    examples: ['rnnlab serve', 'rnnlab serve --port 9000 --runs experiments/runs'],
  });
  cmd.action(async (f: Record<string, unknown>) => {
    const host = typeof f.host === 'string' ? f.host : undefined;
    if (host !== undefined && host.trim() === '') throw new UsageError('--host needs an address', 'serve');
    const token = typeof f.token === 'string' ? f.token : envText('RNNLAB_TOKEN');
    if (token !== undefined) {
      try {
        checkToken(token, typeof f.token === 'string' ? '--token' : 'RNNLAB_TOKEN');
      } catch (e) {
        throw new UsageError((e as Error).message, 'serve');
      }
    }
    checkFolderFlag('--runs', f.runs as string, 'serve');
    applyThreads(f);
    const { runServe } = await import('../server/index.js');
    const second = secondStopExits(ctx);
    try {
      ctx.exitCode = await runServe({ port: f.port as number, host, runsDir: f.runs as string, dataPath: f.data as string | undefined, token, maxModelParams: f.maxModelParams as number | undefined }, ctx,
        { onReady: second.arm });
    } finally {
      second.release();
    }
  });
}

/**
 * runServe lets go of the stop signals at the first, which stops the server cleanly (its jobs stopped, the server
 * closed); a second while that lasts stops at once with exit code 130 (docs/CLI.md), where Node's default would end
 * the process silently. Armed once the server listens (before runServe's own handlers, so it counts the first too):
 * a signal before then is answered as at any command's start.
 */
function secondStopExits(ctx: CliContext): { arm: () => void; release: () => void } {
  let seen = 0;
  const onSignal = () => {
    if (++seen === 1) return;
    ctx.err.write('rnnlab serve: stopped at once\n');
    process.exit(130);
  };
  return {
    arm: () => { for (const sig of STOP_SIGNALS) process.on(sig, onSignal); },
    release: () => { for (const sig of STOP_SIGNALS) process.off(sig, onSignal); },
  };
}
