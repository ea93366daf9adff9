/**
 * `rnnlab serve`: the dashboard. Prints its URL and serves until SIGINT / SIGTERM / SIGHUP; a port in use is an
 * error (exit 1), and it binds a public interface only when --host names one.
 */
import { REPORT_PHASE, type JobSummary } from './jobs.js';
import { SAVING_PHASE } from './train.js';
import { displayPath, startDashboard, isLoopback, RunsFolderError, type Dashboard, type DashboardOptions } from './server.js';

export { startDashboard, buildRouter, isLoopback, RunsFolderError } from './server.js';
export type { Dashboard, DashboardOptions } from './server.js';

/** What `rnnlab serve` hands over: the flags, checked by the CLI. */
export interface ServeOptions { port: number; host?: string; runsDir: string; dataPath?: string }

/** Past this many waiting jobs the stop message gives their count alone: a line naming twenty would not be read. */
export const STOP_MESSAGE_MAX_NAMED = 10;

const named = (j: Pick<JobSummary, 'id' | 'name'>) => `${j.name} (${j.id})`;

/**
 * What a stop loses, said when it happens: waiting jobs live only in memory (docs/CLI.md), so an operator stopping a
 * server left running would otherwise never learn that submitted jobs were dropped.
 */
export function stopMessage(jobs: readonly Pick<JobSummary, 'id' | 'name' | 'status' | 'phase'>[], runningPastTraining = false): string {
  const running = jobs.find((j) => j.status === 'running');
  const waiting = jobs.filter((j) => j.status === 'queued');
  if (!running && waiting.length === 0) return 'Stopping: no job is running or waiting.';
  // Past training the job's outcome is decided: it is not cancelled, its report is finished first.
  const cancel = !running ? 'no job is running'
    : running.phase === REPORT_PHASE ? `letting the running job ${named(running)} finish writing its report`
    : running.phase === SAVING_PHASE ? `letting the running job ${named(running)} finish saving its model and writing its report`
    : runningPastTraining ? `letting the running job ${named(running)}, whose training has ended, finish (it evaluates, saves its model and writes its report; a second Ctrl-C stops at once)`
    : `cancelling the running job ${named(running)}`;
  if (waiting.length === 0) return `Stopping: ${cancel}; no jobs are waiting.`;
  const count = `${waiting.length} waiting job${waiting.length === 1 ? '' : 's'}`;
  const which = waiting.length <= STOP_MESSAGE_MAX_NAMED ? `: ${waiting.map(named).join(', ')}` : '';
  return `Stopping: ${cancel}${running ? ' and' : ';'} discarding ${count}${which} (waiting jobs are not kept across restarts).`;
}

/**
 * The signals that stop the server as Ctrl-C does: SIGHUP too, as a closed terminal sends it, so the running job is
 * still recorded cancelled (without a listener Node would end the server at once, with exit code 129).
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs the dashboard until a signal (or `stop`) ends it; resolves to the exit code. */
export async function runServe(options: DashboardOptions & ServeOptions, io: { out: { write(s: string): unknown }; err: { write(s: string): unknown } },
  opts: { stop?: Promise<unknown>; onReady?: (d: Dashboard) => void } = {}): Promise<number> {
  const host = options.host;
  let d: Dashboard;
  try {
    d = await startDashboard(options);
  } catch (e) {
    // Its code (EACCES, ENOSPC) is the folder's, not the port's.
    if (e instanceof RunsFolderError) {
      io.err.write(`rnnlab serve: ${e.message}; choose another --runs\n`);
      return 1;
    }
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
  if (!isLoopback(d.host)) io.err.write(`rnnlab serve: warning: listening on ${d.host}; anyone who can reach this machine can use the dashboard and start jobs\n`);
  io.out.write('Press Ctrl+C to stop.\n');
  opts.onReady?.(d);
  await new Promise<void>((resolve) => {
    const done = () => {
      for (const signal of STOP_SIGNALS) process.off(signal, done);
      resolve();
    };
    for (const signal of STOP_SIGNALS) process.once(signal, done);
    opts.stop?.then(done, done);
  });
  io.out.write(`${stopMessage(d.jobs.list(), d.jobs.runningPastTraining())}\n`);
  await d.close();
  return 0;
}
