/** Text renderings of the text tasks' results: prediction records as table/CSV/JSONL, the evaluation report. */
import type { ClassificationMetrics, ScoredExample } from './text_metrics.js';
import { formatTable } from '../report/table.js';
import { confusionTable, FULL_CONFUSION_MAX_CLASSES } from './text_result.js';
import type { PredictionRecord } from './text_predict.js';

export const PREDICT_FORMATS = ['table', 'csv', 'jsonl'] as const;
export type PredictFormat = (typeof PREDICT_FORMATS)[number];

/** RFC 4180: quote a field holding a comma, quote, CR or LF; double the quotes. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function short(text: string, n = 70): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 3)}...` : flat;
}

/** What a table may add for a kind of model: a line above the header, a note after each scored row. */
export interface TableExtras {
  title?: string;
  note?: (r: PredictionRecord) => string;
}

/**
 * The lines to print, one per record after a header for csv/table; `classes` gives the probability columns, and
 * `topK` (the records' `top`) adds `top<i>_label`/`top<i>_probability` columns to csv. A blank text's record
 * (label null) prints as an empty output: an empty line (table), the text with empty fields (csv), or its record
 * with nulls (jsonl). The table's probability is always the predicted label's, for every kind of model, so that a
 * column read down means one thing (a two-class model's other class is 1 minus it).
 */
export async function* formatPredictions(records: AsyncIterable<PredictionRecord>, format: PredictFormat, classes: readonly string[], topK?: number, extras: TableExtras = {}): AsyncGenerator<string> {
  if (!PREDICT_FORMATS.includes(format)) throw new Error(`format must be one of ${PREDICT_FORMATS.join(', ')}, got '${String(format)}'`);
  const ranks = Array.from({ length: topK ?? 0 }, (_, i) => i + 1);
  const width = Math.max(5, ...classes.map((c) => c.length));
  // The first record is read before the header is printed, so that an input that cannot be read (a bad row, a bad
  // option) fails with nothing on stdout.
  const it = records[Symbol.asyncIterator]();
  const first = await it.next();
  if (format === 'csv') yield ['text', 'label', 'probability', ...classes.map((c) => `p_${c}`), ...ranks.flatMap((i) => [`top${i}_label`, `top${i}_probability`])].map(csvField).join(',');
  if (format === 'table' && extras.title !== undefined) yield extras.title;
  if (format === 'table') yield `${'prob'.padEnd(6)}  ${'label'.padEnd(width)}  text`;
  async function* rest(): AsyncGenerator<PredictionRecord> {
    for (let r = first; !r.done; r = await it.next()) yield r.value;
  }
  for await (const r of rest()) {
    if (r.label === null || r.probability === null) {
      if (format === 'jsonl') yield JSON.stringify({ ...r, top: undefined });
      else if (format === 'csv') yield [csvField(r.text), '', '', ...classes.map(() => ''), ...ranks.flatMap(() => ['', ''])].join(',');
      else yield '';
      continue;
    }
    if (format === 'jsonl') yield JSON.stringify(r.top ? r : { ...r, top: undefined });
    else if (format === 'csv') {
      const top = ranks.flatMap((i) => (r.top?.[i - 1] ? [r.top[i - 1].label, String(r.top[i - 1].probability)] : ['', '']));
      yield [r.text, r.label, String(r.probability), ...classes.map((c) => String(r.probabilities[c])), ...top].map(csvField).join(',');
    }
    else {
      const top = r.top && r.top.length > 1 ? `  [${r.top.map((t) => `${t.label} ${t.probability.toFixed(3)}`).join(', ')}]` : '';
      const note = extras.note ? `  ${extras.note(r)}` : '';
      yield `${r.probability.toFixed(4)}  ${r.label.padEnd(width)}  ${JSON.stringify(short(r.text))}${top}${note}`;
    }
  }
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/**
 * The whole confusion matrix up to FULL_CONFUSION_MAX_CLASSES classes; beyond, the report's table of the most frequent
 * confusions (confusionTable's), as a C x C matrix printed at thousands of classes would be millions of numbers.
 */
function confusionLines(m: ClassificationMetrics): string[] {
  const names = m.perClass.map((c) => c.name);
  if (names.length > FULL_CONFUSION_MAX_CLASSES) {
    const t = confusionTable(m);
    return [...formatTable({ ...t, caption: `${t.caption}:` }), ...(t.rows.length ? [] : ['(none: every example was predicted as its true class)'])];
  }
  const w = Math.max(12, ...names.map((n) => n.length)), confusion = m.confusion.dense();
  const cw = Math.max(6, ...names.map((n) => n.length), ...confusion.flat().map((v) => String(v).length));
  return [
    'Confusion matrix (rows: true class, columns: predicted):',
    `${''.padEnd(w)} ${names.map((n) => n.padStart(cw)).join(' ')}`,
    ...confusion.map((r, i) => `${names[i].padEnd(w)} ${r.map((v) => String(v).padStart(cw)).join(' ')}`),
  ];
}

/** The evaluation report: first line `Accuracy: NN.NN%` (as rnnlab imdb prints it). */
export function evaluationLines(m: ClassificationMetrics, worst: readonly ScoredExample[]): string[] {
  const names = m.perClass.map((c) => c.name);
  const w = Math.max(12, ...names.map((n) => n.length));
  const row = (name: string, p: number, r: number, f: number, s: number | string) =>
    `${name.padEnd(w)} ${p.toFixed(4).padStart(9)} ${r.toFixed(4).padStart(9)} ${f.toFixed(4).padStart(9)} ${String(s).padStart(8)}`;
  const lines = [
    `Accuracy: ${pct(m.accuracy)}`,
    `Loss: ${m.loss.toFixed(4)}`,
    `Examples: ${m.n}`,
    '',
    `${''.padEnd(w)} ${'precision'.padStart(9)} ${'recall'.padStart(9)} ${'f1'.padStart(9)} ${'support'.padStart(8)}`,
    ...m.perClass.map((c) => row(c.name, c.precision, c.recall, c.f1, c.support)),
    row('macro avg', m.macro.precision, m.macro.recall, m.macro.f1, m.n),
    row('weighted avg', m.weighted.precision, m.weighted.recall, m.weighted.f1, m.n),
    '',
    ...confusionLines(m),
  ];
  if (m.auc !== null) lines.push('', `ROC AUC (${names[1]}): ${m.auc.toFixed(4)}`);
  if (worst.length) {
    lines.push('', 'Worst-scored examples (lowest probability of the true class):');
    for (const e of worst) lines.push(`  ${e.trueProbability.toFixed(4)}  true ${e.label}, predicted ${e.predicted}  ${e.where}  ${JSON.stringify(short(e.text, 60))}`);
  }
  return lines;
}
