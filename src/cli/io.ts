/** Where the CLI writes: stdout and stderr by default, anything with write() in tests and the dashboard. */
import path from 'node:path';
import { setThreads } from '../backend/index.js';
import { environment, defaultOutDir, writeRun, type RunFiles } from '../report/run.js';
import type { ReportDoc } from '../report/html.js';
import { formatTable, type Table } from '../report/table.js';

export interface Writer { write(s: string): unknown; isTTY?: boolean }

export interface Io { out: Writer; err: Writer }

export const processIo = (): Io => ({ out: process.stdout, err: process.stderr });

export class Printer {
  constructor(readonly io: Io) {}
  line(s = ''): void { this.io.out.write(`${s}\n`); }
  lines(ls: readonly string[]): void { for (const l of ls) this.line(l); }
  table(t: Table): void { this.lines(formatTable(t)); }
  warn(s: string): void { this.io.err.write(`${s}\n`); }
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

export const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : 'n/a');
