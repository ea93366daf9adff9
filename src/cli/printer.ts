/** What the commands share when they print and when they finish a run: lines to ctx.out, the run's files to --out. */
import path from 'node:path';
import type { Command } from 'commander';
import { setThreads } from '../backend/index.js';
import { environment, defaultOutDir, writeRun, type RunFiles } from '../report/run.js';
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

/** The fields every results.json starts with. */
export function baseResults(command: string, argv: readonly string[], startedAt: Date): Record<string, unknown> {
  return { command, argv: [...argv], startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), environment: environment() };
}

/** Writes the run's files to --out (or runs/<timestamp>-<name>/) and says where they went. */
export function finishRun(p: Printer, flags: Record<string, unknown>, name: string, startedAt: Date, results: Record<string, unknown>, doc: ReportDoc): RunFiles {
  const dir = typeof flags.out === 'string' ? flags.out : defaultOutDir(name, startedAt);
  const files = writeRun(dir, results, doc);
  p.line();
  p.line(`Wrote ${path.join(dir, 'results.json')}, report.html${files.png ? ' and report.png' : ''}`);
  if (!files.png && files.pngError) p.warn(`rnnlab: report.png not written: ${files.pngError}`);
  return files;
}
