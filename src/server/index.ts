/**
 * `rnnlab serve`: the dashboard. Prints its URL and serves until SIGINT / SIGTERM; a port in use is an
 * error (exit 1), and it binds a public interface only when --host names one.
 */
import { helpText, parseArgs, UsageError, type Parsed } from '../cli/args.js';
import { applyThreads, processIo, type Io } from '../cli/io.js';
import { displayPath, startDashboard, isLoopback, type Dashboard, type DashboardOptions } from './server.js';

import { checkToken } from './request_guard.js';
import { serveSpec } from './spec.js';

export { serveSpec } from './spec.js';
export { startDashboard, buildRouter, isLoopback } from './server.js';
export type { Dashboard, DashboardOptions } from './server.js';

/** Runs the dashboard until a signal (or `stop`) ends it; resolves to the exit code. */
export async function runServe(parsed: Parsed, io: Io, opts: { stop?: Promise<unknown>; onReady?: (d: Dashboard) => void } = {}): Promise<number> {
  const f = parsed.flags;
  if (parsed.positionals.length) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`, 'serve');
  applyThreads(f);
  const host = typeof f.host === 'string' ? f.host : undefined;
  if (host !== undefined && host.trim() === '') throw new UsageError('--host needs an address', 'serve');
  const token = typeof f.token === 'string' ? f.token : process.env.RNNLAB_TOKEN || undefined;
  if (token !== undefined) {
    try {
      checkToken(token, typeof f.token === 'string' ? '--token' : 'RNNLAB_TOKEN');
    } catch (e) {
      throw new UsageError((e as Error).message, 'serve');
    }
  }
  const options: DashboardOptions = { port: f.port as number, host, runsDir: f.runs as string, dataPath: f.data as string | undefined, token };
  let d: Dashboard;
  try {
    d = await startDashboard(options);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const where = `${host ?? '127.0.0.1'}:${options.port}`;
    if (err.code === 'EADDRINUSE') io.err.write(`rnnlab serve: port ${options.port} on ${host ?? '127.0.0.1'} is already in use (another rnnlab serve?); stop it or choose another --port\n`);
    else if (err.code === 'EACCES') io.err.write(`rnnlab serve: not allowed to listen on ${where} (ports below 1024 need privileges); choose another --port\n`);
    else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') io.err.write(`rnnlab serve: cannot bind ${where}: no such interface on this machine\n`);
    else io.err.write(`rnnlab serve: cannot listen on ${where}: ${err.message}\n`);
    return 1;
  }
  io.out.write(`rnnlab dashboard: ${d.url}\n`);
  io.out.write(`runs folder: ${displayPath(d.runs.dir)}\n`);
  if (!isLoopback(d.host)) io.err.write(`rnnlab serve: listening on ${d.host}: every request needs the access token in the URL above; share it only with people who may start jobs here\n`);
  io.out.write('Press Ctrl+C to stop.\n');
  opts.onReady?.(d);
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    opts.stop?.then(done, done);
  });
  io.out.write('Stopping: cancelling any running job...\n');
  await d.close();
  return 0;
}

/** `rnnlab serve ...` with the arguments after "serve"; resolves to the exit code. */
export async function serveCommand(argv: string[], io: Io = processIo()): Promise<number> {
  try {
    const parsed = parseArgs(serveSpec, argv);
    if (parsed.help) {
      io.out.write(`${helpText(serveSpec)}\n`);
      return 0;
    }
    return await runServe(parsed, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`rnnlab serve: error: ${e.message}\nRun 'rnnlab serve --help' for usage.\n`);
      return 2;
    }
    throw e;
  }
}
