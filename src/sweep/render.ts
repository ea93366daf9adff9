/** The sweep's results as the terminal shows them: the ranked table, each axis's effect, the finding. */
import { formatTable } from '../report/table.js';
import { effectTables, rankedTable } from './report.js';
import type { SweepSummary } from './summary.js';

export function summaryLines(s: SweepSummary): string[] {
  const lines: string[] = [];
  for (const t of [rankedTable(s), ...effectTables(s)]) {
    lines.push('', ...formatTable(t));
  }
  lines.push('', s.finding);
  if (s.failed) lines.push(`${s.failed} run(s) failed; their errors are in sweep.json.`);
  return lines;
}
