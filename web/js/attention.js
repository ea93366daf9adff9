// A seq2seq run's held-out accuracies and the attention matrix of its first sample (source tokens across, output
// tokens down), drawn with the heatmap the Inside views use, so every weight is on hover and on the arrow keys.
import { el, pct } from './api.js';
import { heatmap, sequentialColor } from './charts.js';

const shown = (t) => (t === ' ' ? '␣' : t);

/** The record's attention { source, output, weights[output][source] }, or null. */
export function attentionOf(r) {
  const a = r?.details?.attention;
  return a && Array.isArray(a.source) && Array.isArray(a.output) && Array.isArray(a.weights) && a.source.length && a.output.length ? a : null;
}

/** Greedy (and beam) per-token and exact-match accuracy of a seq2seq record, as table rows; [] for other runs. */
export function seq2seqScores(r) {
  const m = r?.metrics ?? {};
  const rows = [];
  if (typeof m.validationExact === 'number') rows.push(['greedy', m.validationPerToken, m.validationExact]);
  // rnnlab evaluate's score of a seq2seq model on a pairs file.
  if (typeof m.testExact === 'number') rows.push(['greedy', m.testPerToken, m.testExact]);
  if (typeof m.beamExact === 'number') rows.push([`beam ${r.config?.beam ?? ''}`.trim(), m.beamPerToken, m.beamExact]);
  return rows;
}

export function scoresTable(rows) {
  return el('table', { class: 'data seq2seq-scores' },
    el('caption', { text: 'Held-out pairs' }),
    el('thead', {}, el('tr', {}, el('th', { text: 'decoding' }), el('th', { class: 'num', text: 'per-token accuracy' }), el('th', { class: 'num', text: 'exact match' }))),
    el('tbody', {}, ...rows.map(([name, tok, exact]) => el('tr', { dataset: { decoding: name } },
      el('th', { text: name }), el('td', { class: 'num', dataset: { col: 'per-token' }, text: pct(tok, 2) }), el('td', { class: 'num', dataset: { col: 'exact' }, text: pct(exact, 2) })))));
}

/** The heatmap's matrix is [column][row] with row 0 at the bottom: the first output token goes on the top row. */
export function drawAttention(box, a) {
  const rows = a.output.length;
  const matrix = a.source.map((_, j) => Array.from({ length: rows }, (_, r) => a.weights[rows - 1 - r][j]));
  box.replaceChildren();
  return heatmap(box, matrix, {
    title: 'attention of the first held-out sample', level: 4, xLabel: 'source token', yLabel: 'output token',
    xTicks: a.source.map(shown), yTicks: [...a.output].reverse().map(shown), color: sequentialColor, format: (v) => v.toFixed(3),
    kind: 'attention', legend: 'gates', legendText: ['0', '1 (all weight on this source token)'],
  });
}
