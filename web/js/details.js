// One run's results beyond its curves: the notes it printed, the confusion matrix and the misclassified examples of a classifier
// (IMDb runs of the dashboard, `rnnlab train` / `rnnlab evaluate` records), and the adder's sample answers
// after every epoch (✓/✗), a seq2seq run's accuracies and attention matrix.
import { $, api, el, pct } from './api.js';
import { histogramsOf, histogramsPanel } from './histograms.js';
import { attentionOf, drawAttention, scoresTable, seq2seqScores } from './attention.js';

/** questions × epochs: each cell the model's answer after that epoch, ✓ or ✗ (symbol and colour). per: [{ epoch, samples }] */
export function samplesTable(per) {
  const first = per[0].samples;
  const head = el('tr', {}, el('th', { text: 'question' }), el('th', { text: 'true' }), ...per.map((p) => el('th', { class: 'num', text: `epoch ${p.epoch}` })));
  const rows = first.map((q, i) => el('tr', {},
    el('td', { class: 'mono', text: q.question }), el('td', { class: 'mono', text: q.truth }),
    ...per.map((p) => {
      const s = p.samples[i];
      if (!s) return el('td', { text: '–' });
      return el('td', { class: `mono sample ${s.correct ? 'right' : 'wrong'}`, dataset: { epoch: String(p.epoch), correct: String(s.correct) },
        title: `after epoch ${p.epoch}: ${q.question} = ${s.guess} (${s.correct ? 'right' : `wrong, true ${s.truth}`})` }, `${s.guess} ${s.correct ? '✓' : '✗'}`);
    })));
  const right = per.map((p) => p.samples.filter((s) => s.correct).length);
  const foot = el('tr', {}, el('th', { text: 'right' }), el('th', {}), ...right.map((n) => el('th', { class: 'num', text: `${n}/${first.length}` })));
  return el('table', { class: 'data samples-table' }, el('caption', { text: 'Sample answers after each epoch (✓ right, ✗ wrong)' }), el('thead', {}, head), el('tbody', {}, ...rows), el('tfoot', {}, foot));
}

function confusionTable(classes, m) {
  const rowTotal = m.map((r) => r.reduce((a, b) => a + b, 0));
  const head = el('tr', {}, el('th', { text: 'true \\ predicted' }), ...classes.map((c) => el('th', { class: 'num', text: c })), el('th', { class: 'num', text: 'total' }));
  const rows = m.map((r, t) => el('tr', {}, el('th', { text: classes[t] }),
    ...r.map((n, p) => el('td', { class: `num${t === p ? ' diagonal' : ''}`, dataset: { true: classes[t], predicted: classes[p], count: String(n) },
      title: `${n} ${classes[t]} example${n === 1 ? '' : 's'} predicted ${classes[p]} (${rowTotal[t] ? ((100 * n) / rowTotal[t]).toFixed(1) : '0'}% of the ${classes[t]} ones)`, text: String(n) })),
    el('td', { class: 'num', text: String(rowTotal[t]) })));
  return el('table', { class: 'data confusion' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

/**
 * Over 100 classes a record keeps the confusion matrix's bounded form (details.confusionTop): the report's table of the
 * most frequent confusions, same columns, with the share of the true class's examples.
 */
function topConfusionsTable(classes, c) {
  const head = el('tr', {}, ...['true', 'predicted', 'count', 'share of true class'].map((t, i) => el('th', { class: i < 2 ? '' : 'num', text: t })));
  const rows = c.top.map(([t, p, n]) => el('tr', {}, el('td', { text: classes[t] }), el('td', { text: classes[p] }),
    el('td', { class: 'num', dataset: { true: classes[t], predicted: classes[p], count: String(n) }, text: String(n) }),
    el('td', { class: 'num', text: pct(n / c.support[t], 2) })));
  const more = c.otherCells ? `; ${c.otherCells} other confusion(s) of ${c.otherCount} example(s) not shown` : '';
  const none = c.top.length ? [] : [el('tr', {}, el('td', { colspan: '4', text: 'none: every example was predicted as its true class' }))];
  return el('table', { class: 'data confusion-top' },
    el('caption', { text: `${classes.length} classes: the record keeps the largest confusions, not the whole matrix${more}` }),
    el('thead', {}, head), el('tbody', {}, ...rows, ...none));
}

function isConfusionTop(c) {
  return !!c && typeof c === 'object' && Array.isArray(c.top) && Array.isArray(c.support);
}

function misclassifiedList(items) {
  return el('ol', { class: 'misclassified' }, ...items.map((w) => el('li', { dataset: { label: w.label, predicted: w.predicted } },
    el('p', { class: 'small' }, el('span', { class: `badge ${w.label === 'positive' ? 'positive' : w.label === 'negative' ? 'negative' : ''}`, text: `true: ${w.label}` }), ' ',
      el('span', { text: `predicted ${w.predicted}; P(true label) = ${Number(w.trueProbability).toFixed(3)}` })),
    el('blockquote', { class: 'review', text: w.text || '(no text recorded)' }))));
}

/**
 * What a record says a classifier got wrong: its classes, [model, confusion[true][predicted]] tables, or (over 100
 * classes) the bounded form `top` in their place, and wrong examples.
 */
export function classificationOf(r) {
  const d = r?.details ?? {};
  const classes = d.classes ?? r?.data?.classes;
  // `rnnlab compare` records one matrix per model; every other classifier run one.
  const byModel = d.confusionByModel && typeof d.confusionByModel === 'object' ? Object.entries(d.confusionByModel) : [];
  const tables = Array.isArray(d.confusion) ? [['', d.confusion]] : byModel;
  const top = isConfusionTop(d.confusionTop) ? d.confusionTop : null;
  if ((tables.length === 0 && !top) || !Array.isArray(classes)) return null;
  const wrong = d.misclassified ?? (d.worst ?? []).filter((w) => w.label !== w.predicted);
  return { classes, tables, top, misclassified: wrong };
}

/** The notes a run printed beside its results (`rnnlab train`: labels differing only in case), as plain strings. */
export function notesOf(r) {
  const notes = r?.details?.notes;
  return Array.isArray(notes) ? notes.filter((n) => typeof n === 'string' && n !== '') : [];
}

/** Epochs of an addition record with their sample answers. */
export function samplesOf(r) {
  const per = r?.details?.samplesPerEpoch;
  return Array.isArray(per) ? per.map((samples, e) => ({ epoch: e + 1, samples })).filter((p) => p.samples?.length) : [];
}

export async function showRunDetail(id) {
  const card = $('#run-detail');
  const d = await api.get(`/api/runs/${encodeURIComponent(id)}`);
  card.hidden = false;
  card.dataset.run = id;
  $('#run-detail-title').textContent = `${d.summary.name} (${d.summary.command || 'run'}, ${d.summary.status})`;
  $('#run-detail-finding').textContent = d.results?.finding ?? d.summary.error ?? '';
  // The table's report column is hidden on a phone: this link keeps the report one tap away there.
  $('#run-detail-report').hidden = !d.summary.hasReport && !d.summary.reportError;
  $('#run-detail-report a').hidden = !d.summary.hasReport;
  $('#run-detail-report a').href = `/api/runs/${encodeURIComponent(id)}/report.html`;
  // Why a report the folder holds is not served (too large for the dashboard: opened from the run folder instead).
  $('#run-detail-report-why').textContent = d.summary.hasReport ? '' : d.summary.reportError ?? '';
  const notes = notesOf(d.results);
  $('#run-notes-box').hidden = notes.length === 0;
  // As text: a note quotes the data's own labels.
  $('#run-notes').replaceChildren(...notes.map((n) => el('li', { text: n })));
  const cls = classificationOf(d.results);
  $('#run-confusion-box').hidden = !cls;
  if (cls) {
    // Set here, as the record's form decides it.
    $('#run-confusion-title').textContent = cls.top ? 'Most frequent confusions' : 'Confusion matrix (rows: true label, columns: predicted)';
    $('#run-confusion').replaceChildren(...(cls.top ? [topConfusionsTable(cls.classes, cls.top)] : cls.tables.map(([model, m]) => el('div', { class: 'confusion-of', dataset: { model } },
      ...(model ? [el('h4', { text: model })] : []), confusionTable(cls.classes, m)))));
    $('#run-misclassified-note').textContent = cls.misclassified.length
      ? `The ${cls.misclassified.length} most confidently wrong (lowest probability of the true label first):` : 'No misclassified example was recorded.';
    $('#run-misclassified').replaceChildren(misclassifiedList(cls.misclassified));
  }
  const per = samplesOf(d.results);
  $('#run-samples-box').hidden = per.length === 0;
  if (per.length) $('#run-samples').replaceChildren(samplesTable(per));
  const hist = histogramsPanel(histogramsOf(d.results));
  $('#run-histograms').hidden = !hist;
  $('#run-histograms').replaceChildren(...(hist ? [hist] : []));
  const scores = seq2seqScores(d.results), att = attentionOf(d.results);
  $('#run-seq2seq-box').hidden = scores.length === 0 && !att;
  $('#run-seq2seq-scores').replaceChildren(...(scores.length ? [scoresTable(scores)] : []));
  $('#run-attention-box').hidden = !att;
  if (att) drawAttention($('#run-attention'), att);
  $('#run-detail-empty').hidden = notes.length > 0 || !!cls || per.length > 0 || !!hist || scores.length > 0 || !!att;
  card.scrollIntoView({ block: 'nearest' });
}
