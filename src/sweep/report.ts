/** The sweep's report: the ranked table, the effect of each axis, and the mean curves of every setting. */
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { allCharts, renderHtml, type ReportDoc } from '../report/html.js';
import { svgToPng } from '../report/png.js';
import { chartGridSvg, type ChartSpec } from '../report/svg.js';
import type { Table } from '../report/table.js';
import type { SweepSpec } from './spec.js';
import { unmeasuredLine, type AxisEffect, type SweepSummary } from './summary.js';

const num = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : 'n/a');
/** One run has no spread to show: '-' rather than a std of 0. */
const spread = (std: number, n: number) => (n > 1 ? num(std) : '-');

export function rankedTable(s: SweepSummary): Table {
  return {
    caption: `Settings ranked by ${s.metric} (${s.goal === 'max' ? 'highest' : 'lowest'} first), mean ± std over seeds`,
    columns: ['rank', 'setting', s.metric, '± std', 'seeds'],
    rows: s.rows.map((r, i) => [i + 1, r.label, num(r.mean), spread(r.std, r.n), r.n]),
  };
}

/** An axis value, with what its runs trained in where they fell back from the precision they asked for. */
const shownValue = (v: AxisEffect['values'][number]) => (v.ranIn ? `${v.value} (ran in ${v.ranIn})` : String(v.value));

export function effectTables(s: SweepSummary): Table[] {
  return s.effects.map((e) => ({
    caption: `Effect of ${e.axis} (${s.metric} averaged over the grid's other settings and seeds)`,
    columns: [e.axis, s.metric, '± std', 'runs'],
    rows: e.values.map((v) => [shownValue(v), num(v.mean), spread(v.std, v.n), v.n]),
  }));
}

function charts(s: SweepSummary): ChartSpec[] {
  const out: ChartSpec[] = s.effects.filter((e) => e.values.length > 1).map((e) => ({
    kind: 'bar' as const, title: `${s.metric} by ${e.axis}`, yLabel: s.metric, categories: e.values.map(shownValue),
    series: [{ name: s.metric, y: e.values.map((v) => v.mean) }],
  }));
  const keys = [...new Set(s.rows.flatMap((r) => Object.keys(r.curves)))].filter((k) => /^(val_)?(accuracy|loss)$/.test(k));
  for (const key of keys) {
    const series = s.rows.filter((r) => r.curves[key]?.length).map((r) => ({ name: r.label, y: r.curves[key] }));
    if (series.length) out.push({ title: `${key} per epoch (mean over seeds)`, xLabel: 'epoch', yLabel: key, series });
  }
  return out;
}

export function sweepReportDoc(spec: SweepSpec, s: SweepSummary): ReportDoc {
  return {
    title: `Sweep: rnnlab ${spec.command}`,
    subtitle: `${s.completed} runs completed, ${s.failed} failed, ${s.pending} pending; ranked by ${s.metric}${s.notes?.length ? ` ${s.notes.join(' ')}` : ''}`,
    finding: s.finding,
    config: { command: spec.command, flags: spec.flags, grid: spec.grid, list: spec.list, samples: spec.samples, seeds: spec.seeds, metric: spec.metric },
    sections: [
      { title: 'Ranking', tables: [rankedTable(s)] },
      { title: 'Effect of each axis', tables: effectTables(s), charts: charts(s).filter((c) => c.kind === 'bar'), ...(unmeasuredLine(s) ? { text: [unmeasuredLine(s)!] } : {}) },
      { title: 'Curves', charts: charts(s).filter((c) => c.kind !== 'bar') },
    ],
  };
}

/** The file written whole or not at all (a full disk leaves the old one), or an error naming it. */
function writeReportFile(file: string, data: string | Uint8Array): void {
  try {
    writeFileAtomic(file, data);
  } catch (e) {
    throw new Error(`cannot write the sweep's report ${file}: ${(e as Error)?.message ?? String(e)}`);
  }
}

export function writeSweepReport(dir: string, spec: SweepSpec, s: SweepSummary): { html: string; png: string | null } {
  const doc = sweepReportDoc(spec, s);
  const html = path.join(dir, 'report.html');
  writeReportFile(html, renderHtml(doc));
  const png = path.join(dir, 'report.png');
  const all = allCharts(doc);
  if (!all.length) return { html, png: null };
  let bytes: Uint8Array;
  try {
    bytes = svgToPng(chartGridSvg(all));
  } catch {
    // The charts could not be rasterised: report.html still has them, as SVG.
    return { html, png: null };
  }
  writeReportFile(png, bytes);
  return { html, png };
}
