/**
 * The run report: one self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched), so it
 * opens offline and can be mailed around.
 */
import { chartSvg, escapeXml, type ChartSpec } from './svg.js';
import { formatCell, type Table } from './table.js';

export interface Section {
  title: string;
  /** Paragraphs of plain text. */
  text?: string[];
  /** Preformatted text (model summaries, printed shapes). */
  pre?: string;
  tables?: Table[];
  charts?: ChartSpec[];
}

export interface ReportDoc {
  title: string;
  subtitle?: string;
  /** The one-sentence result, shown on top. */
  finding?: string;
  /** Headline numbers. */
  metrics?: Record<string, string | number>;
  config?: Record<string, unknown>;
  environment?: Record<string, unknown>;
  sections: Section[];
}

const CSS = `
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:2em auto;max-width:1340px;padding:0 1em;color:#222;background:#fafafa}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.subtitle{color:#666;margin-top:0}.finding{background:#eef6ee;border-left:4px solid #2ca02c;padding:.6em 1em;font-size:1.05em}
table{border-collapse:collapse;margin:.6em 0;background:#fff}td,th{border:1px solid #ddd;padding:.3em .7em}th{background:#f0f0f0;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:bold;padding:.3em 0}
pre{background:#fff;border:1px solid #ddd;padding:.8em;overflow-x:auto;font-size:.85em;line-height:1.3}
.charts{display:flex;flex-wrap:wrap;gap:12px}.charts svg{border:1px solid #ddd;background:#fff;max-width:100%;height:auto}
dl.kv{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dl.kv dt{color:#666}dl.kv dd{margin:0;font-family:"DejaVu Sans Mono",monospace}
footer{margin-top:3em;color:#888;font-size:.85em}
`;

const esc = escapeXml;

function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || (typeof v === 'string' && /^[-+]?[\d,.]+%?$/.test(v));
}

export function tableHtml(t: Table): string {
  const head = `<tr>${t.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td${isNumeric(c) ? ' class="num"' : ''}>${esc(formatCell(c))}</td>`).join('')}</tr>`).join('');
  return `<table>${t.caption ? `<caption>${esc(t.caption)}</caption>` : ''}<thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function kv(obj: Record<string, unknown>): string {
  return `<dl class="kv">${Object.entries(obj).filter(([, v]) => v !== undefined).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(valueText(v))}</dd>`).join('')}</dl>`;
}

export function sectionHtml(s: Section): string {
  const parts = [`<h2>${esc(s.title)}</h2>`];
  for (const p of s.text ?? []) parts.push(`<p>${esc(p)}</p>`);
  for (const t of s.tables ?? []) parts.push(tableHtml(t));
  if (s.charts?.length) parts.push(`<div class="charts">${s.charts.map((c) => chartSvg(c)).join('')}</div>`);
  if (s.pre) parts.push(`<pre>${esc(s.pre)}</pre>`);
  return `<section>${parts.join('\n')}</section>`;
}

export function renderHtml(doc: ReportDoc): string {
  const parts: string[] = [];
  parts.push(`<h1>${esc(doc.title)}</h1>`);
  if (doc.subtitle) parts.push(`<p class="subtitle">${esc(doc.subtitle)}</p>`);
  if (doc.finding) parts.push(`<p class="finding">${esc(doc.finding)}</p>`);
  if (doc.metrics && Object.keys(doc.metrics).length) parts.push(`<h2>Results</h2>${kv(doc.metrics)}`);
  for (const s of doc.sections) parts.push(sectionHtml(s));
  if (doc.config) parts.push(`<h2>Configuration</h2>${kv(doc.config)}`);
  if (doc.environment) parts.push(`<h2>Environment</h2>${kv(doc.environment)}`);
  parts.push(`<footer>Written by rnnlab. Self-contained: no scripts, no external resources.</footer>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.title)}</title>
<style>${CSS}</style>
</head>
<body>
${parts.join('\n')}
</body>
</html>
`;
}

/** Every chart of the report, in order (what report.png shows). */
export function allCharts(doc: ReportDoc): ChartSpec[] {
  return doc.sections.flatMap((s) => s.charts ?? []);
}
