/** What the commands share when they print and when they finish a run: lines to ctx.out, the run's files to --out. */
import path from 'node:path';
import type { Command } from 'commander';
import { setThreads } from '../backend/index.js';
import type { RecordBody, RunRecord } from '../report/record.js';
import { createRunDir, defaultOutDir, finishRecord, startRecord, writeRun, type RunFiles } from '../report/run.js';
import type { ReportDoc } from '../report/html.js';
import { formatTable, type Table } from '../report/table.js';
import type { CliContext } from './context.js';

export class Printer {
  constructor(readonly ctx: CliContext) {}
  line(s = ''): void { this.ctx.out.write(`${s}\n`); }
  lines(ls: readonly string[]): void { for (const l of ls) this.line(l); }
  table(t: Table): void { this.lines(formatTable(t)); }
  warn(s: string): void { this.ctx.err.write(`${s}\n`); }
}

/** The whole command line after `rnnlab`, as given (commander keeps it on the root command). */
export function argvOf(command: Command): string[] {
  let root = command;
  while (root.parent) root = root.parent;
  return [...((root as unknown as { rawArgs?: string[] }).rawArgs ?? [])];
}

export function applyThreads(flags: Record<string, unknown>): void {
  if (typeof flags.threads === 'number') setThreads(flags.threads);
}

/** A CLI run: its command ("imdb", "experiment reverse"), its name for the default folder, and --out. */
export interface CliRun { command: string; runName: string; argv: readonly string[]; startedAt: Date; out?: string }

/** How a failed run's record names its error (as a dashboard job's: the error's name and message). */
export function errorOf(e: unknown): { name: string; message: string } {
  return e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
}

/**
 * Writes the run's record and reports to --out (or a new runs/<timestamp>-<name>/ folder, suffixed -2, -3, ... when
 * another run took that name) and says where they went. A run stopped early (Ctrl-C) is recorded as cancelled; one
 * given `failure` (the error its training threw) as failed, naming the error, with what it trained before it; its
 * `keeps` words what the files hold, for a run whose record keeps less than that (a failed experiment's).
 */
export function finishRun(p: Printer, run: CliRun, body: RecordBody, doc: ReportDoc, cancellation: RunRecord['cancellation'] = null, failure?: { error: unknown; keeps?: string }): RunFiles {
  const dir = run.out ?? createRunDir(defaultOutDir(run.runName, run.startedAt));
  const status = failure ? 'failed' : cancellation ? 'cancelled' : 'completed';
  const record = finishRecord(startRecord({ ...run, source: 'cli' }), body, status, { cancellation: failure ? null : cancellation, error: failure ? errorOf(failure.error) : null });
  const files = writeRun(dir, record, doc);
  p.line();
  p.line(`Wrote ${path.join(dir, 'results.json')}, report.html${files.png ? ' and report.png' : ''}${failure ? ` (the run failed; ${failure.keeps ?? 'they keep what it trained'})` : ''}`);
  if (!files.png && files.pngError) p.warn(`rnnlab: report.png not written: ${files.pngError}`);
  return files;
}

/**
 * The warning of a failed run that records nothing: its folder held an earlier run's record when it started, and a
 * failure replaces nothing already written (a failed record goes only into a new or default folder).
 */
export function notRecordedWords(dir: string, more = ''): string {
  return `rnnlab: the failed run was not recorded: ${dir} held an earlier run's results.json when it started; the earlier run was kept${more}`;
}

/**
 * A run whose training threw: its record and reports, as failed, keep what it trained, and the error goes on (printed
 * by main, exit code 1). Should the writes fail too, the training's error is still the one thrown, the writes' said.
 */
export function failRun(p: Printer, run: CliRun, error: unknown, write: (failure: { error: unknown }) => void): never {
  try {
    write({ error });
  } catch (e) {
    p.warn(`rnnlab: the failed run's record was not written${run.out ? ` to ${run.out}` : ''}: ${(e as Error)?.message ?? String(e)}`);
  }
  throw error;
}
