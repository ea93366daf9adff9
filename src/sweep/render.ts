/** The sweep's results as the terminal shows them: the ranked table, each axis's effect, the finding. */
import { formatTable } from '../report/table.js';
import { effectTables, rankedTable } from './report.js';
import { unmeasuredLine, type RunEntry, type SweepSummary } from './summary.js';

/** The failed runs a summary names with their reasons, at most this many (the rest are counted; all are in sweep.json). */
const FAILED_SHOWN = 10;

export function summaryLines(s: SweepSummary, entries: RunEntry[] = []): string[] {
  const lines: string[] = [];
  // Said first: the table below covers what ran, not what the spec asked.
  if (s.notes?.length) lines.push('', ...s.notes);
  for (const t of [rankedTable(s), ...effectTables(s)]) {
    lines.push('', ...formatTable(t));
  }
  const unmeasured = unmeasuredLine(s);
  if (unmeasured) lines.push('', unmeasured);
  lines.push('', s.finding);
  if (s.failed) {
    lines.push(`${s.failed} run(s) failed; their errors are in sweep.json.`);
    // A queue sweep's failures happened on the workers: this is where the operator first sees why.
    const failed = entries.filter((e) => e.status === 'failed');
    for (const e of failed.slice(0, FAILED_SHOWN)) lines.push(`  ${e.id} (${e.attempts} attempt(s)): ${e.error ?? 'no reason recorded'}`);
    if (failed.length > FAILED_SHOWN) lines.push(`  ... and ${failed.length - FAILED_SHOWN} more`);
  }
  return lines;
}
