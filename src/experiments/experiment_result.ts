/** What an experiment's result becomes: its record body for results.json and its report. */
import type { ReportDoc } from '../report/html.js';
import type { ModelRecord, RecordBody } from '../report/record.js';
import type { ExperimentResult } from './types.js';

function formatNumber(v: number): string {
  // NaN in an experiment's numbers means "not measured" (e.g. no length beyond the trained one was tested).
  if (Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (Math.abs(v) > 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(3);
  return v.toFixed(4);
}

/** The summaries of the models trained, one section per architecture (reverse's two models share one). */
function summarySections(models: readonly ModelRecord[]): { title: string; pre: string }[] {
  const byText = new Map<string, string[]>();
  for (const m of models) {
    if (m.summary?.length) byText.set(m.summary.join('\n'), [...(byText.get(m.summary.join('\n')) ?? []), m.name]);
  }
  return [...byText].map(([pre, names]) => ({ title: models.length === 1 ? 'Model summary' : `Model summary: ${names.join(', ')}`, pre }));
}

export function experimentDoc(r: ExperimentResult): ReportDoc {
  return {
    title: `Experiment ${r.name}: ${r.title}`,
    finding: r.finding,
    metrics: Object.fromEntries(Object.entries(r.numbers).map(([k, v]) => [k, formatNumber(v)])),
    sections: [
      ...(r.charts.length ? [{ title: 'Plots', charts: r.charts }] : []),
      ...(r.tables.length ? [{ title: 'Numbers', tables: r.tables }] : []),
      ...(r.lines?.length ? [{ title: 'Output', pre: r.lines.join('\n') }] : []),
      ...summarySections(r.models ?? []),
    ],
    config: r.config,
  };
}

export function experimentBody(r: ExperimentResult): RecordBody {
  return { config: r.config, data: r.data ?? null, models: r.models ?? [], metrics: r.numbers, finding: r.finding, tables: r.tables, details: { title: r.title, ...r.details } };
}
