// Inside the network: hidden states and gates over time, ||dL/dh_t|| against t, and a+b against b+a.
import { $, api, el, guarded, numberFrom } from './api.js';
import { barChart, clearChart, divergingColor, heatmap, lineChart, sequentialColor, series } from './charts.js';
import { askModels, clearGoneResults, fillModelSelect } from './try.js';

let models = [];
let states = null;
let gradChart = null;
const GATE_ORDER = ['input', 'forget', 'output', 'candidate', 'update', 'reset'];
const GATE_TEXT = {
  input: 'input gate i_t: how much of the new candidate is written',
  forget: 'forget gate f_t: how much of the cell state is kept',
  output: 'output gate o_t: how much of the cell state is shown as h_t',
  candidate: 'candidate values (tanh)',
  update: 'update gate z_t',
  reset: 'reset gate r_t',
};

/** The tasks /api/inspect/states can trace; a text classifier has no per-step readout, so the server refuses it. */
const STATES_TASKS = ['imdb', 'addition'];

/**
 * Each result of this view: the models it was made by, its form's error line, and how it leaves the page. A model
 * whose run is deleted (in another tab, from the command line) takes its results with it once the model list says so.
 */
const results = {
  states: { by: [], error: () => $('#states-error'), clear() {
    states = null;
    $('#states-result').hidden = true;
    $('#states-maps').replaceChildren();
    $('#states-layer').replaceChildren();
    $('#states-summary').textContent = '';
  } },
  grad: { by: [], error: () => $('#grad-error'), clear() {
    gradChart = null;
    for (const c of ['#grad-chart', '#grad-more-chart']) clearChart($(c));
    $('#grad-note').textContent = '';
  } },
  comm: { by: [], error: () => $('#comm-error'), clear() {
    $('#comm-result').hidden = true;
    clearChart($('#comm-bars'));
    $('#comm-matrix').replaceChildren();
    $('#comm-verdict').textContent = '';
  } },
};

export function setInsideModels(list, config) {
  models = list;
  clearGoneResults(results, list);
  const trained = list.filter((m) => m.source !== 'fresh');
  const statesSel = $('#states-model');
  const before = statesSel.value;
  fillModelSelect(statesSel, trained.filter((m) => STATES_TASKS.includes(m.meta.task)), 'no IMDb or addition model yet');
  if (before !== statesSel.value) syncInputHint();
  const imdb = list.filter((m) => m.meta.task === 'imdb');
  const keepA = $('#grad-a').value, keepB = $('#grad-b').value;
  fillModelSelect($('#grad-a'), imdb, 'no IMDb model');
  fillModelSelect($('#grad-b'), imdb, 'no IMDb model');
  // Default: SimpleRNN against LSTM (trained ones when there are, else untrained reference networks).
  const pick = (kind) => imdb.filter((m) => m.meta.kind === kind && m.source !== 'fresh').sort((a, b) => (b.accuracy ?? 0) - (a.accuracy ?? 0))[0]
    ?? imdb.find((m) => m.id === `fresh:${kind}`);
  // Remembered as the choice, so a model list refresh keeps the pair.
  if (!keepA) $('#grad-a').value = $('#grad-a').dataset.chosen = pick('simple_rnn')?.id ?? '';
  if (!keepB) $('#grad-b').value = $('#grad-b').dataset.chosen = pick('lstm')?.id ?? '';
  noteUnservedDefaults(['simple_rnn', 'lstm'].filter((k) => !pick(k) && !config.freshModels.includes(`fresh:${k}`)));
  fillModelSelect($('#comm-model'), trained.filter((m) => m.meta.task === 'addition'), 'no addition model yet');
  if (!config.imdbData.available) {
    $('#grad-source').value = 'text';
    $('#grad-source').querySelector('option[value="test"]').disabled = true;
  }
}

const KIND_NAMES = { simple_rnn: 'SimpleRNN', lstm: 'LSTM' };

/**
 * Under a small rnnlab serve --max-model-params the default pair's untrained networks are not served (nor listed),
 * and without a trained one of the kind its select is left empty: the page says why, rather than leave a blank.
 */
function noteUnservedDefaults(kinds) {
  let note = $('#grad-default-note');
  if (!note) {
    note = el('p', { id: 'grad-default-note', class: 'muted small' });
    $('#grad-form').after(note);
  }
  note.hidden = kinds.length === 0;
  const names = kinds.map((k) => `${KIND_NAMES[k]} (fresh:${k})`);
  note.textContent = kinds.length === 0 ? '' : `The untrained ${names.join(' and ')} ${kinds.length > 1 ? 'are' : 'is'} over this dashboard's limit on model size (rnnlab serve --max-model-params) and no trained ${kinds.map((k) => KIND_NAMES[k]).join(' or ')} is listed, so ${kinds.length > 1 ? 'the first and second models are' : kinds[0] === 'lstm' ? 'the second model is' : 'the first model is'} left empty: choose another IMDb model, or train one within the limit.`;
}

function syncInputHint() {
  const m = models.find((x) => x.id === $('#states-model').value);
  const input = $('#states-input');
  if (!m) return;
  const isSum = m.meta.task === 'addition';
  const looksLikeSum = /^\s*\d+\s*\+\s*\d+\s*$/.test(input.value);
  if (isSum && !looksLikeSum) input.value = '231+432';
  if (!isSum && looksLikeSum) input.value = 'a wonderful film with great acting';
  $('#states-padding').disabled = isSum;
}

function drawLayer() {
  const box = $('#states-maps');
  box.replaceChildren();
  if (!states) return;
  const layer = states.layers[Number($('#states-layer').value) || 0];
  if (!layer) return;
  const steps = layer.steps;
  const xLabel = states.task === 'imdb' ? 'time step (word read)' : 'time step (character / output position)';
  const fmt = (v) => v.toFixed(3);
  // h_t lies in (-1, 1); scale the colours to the largest |h| so a young network's small states still show.
  let maxAbs = 0;
  for (const r of layer.hidden) for (const v of r) maxAbs = Math.max(maxAbs, Math.abs(v));
  const range = maxAbs > 0 ? Math.min(1, maxAbs) : 1;
  heatmap(box, layer.hidden, {
    title: `hidden state h_t of ${layer.layer} (${layer.className}, ${layer.units} units)`, level: 3,
    xLabel, yLabel: 'unit', xTicks: steps, color: (v) => divergingColor(v, range), format: fmt, kind: 'hidden',
    legend: 'states', legendText: [`−${range.toFixed(2)}`, `+${range.toFixed(2)}`],
  });
  const gates = Object.keys(layer.gates).sort((a, b) => GATE_ORDER.indexOf(a) - GATE_ORDER.indexOf(b));
  for (const g of gates) {
    if (g === 'candidate' && layer.className === 'LSTM') continue;
    const candidate = g === 'candidate';
    heatmap(box, layer.gates[g], {
      title: `${GATE_TEXT[g] ?? g} (${layer.className})`, level: 3, xLabel, yLabel: 'unit', xTicks: steps, format: fmt, kind: `gate-${g}`,
      color: candidate ? (v) => divergingColor(v) : sequentialColor, legend: candidate ? 'states' : 'gates', legendText: candidate ? ['−1', '+1'] : ['0 (closed)', '1 (open)'],
    });
  }
  $('#states-summary').textContent = `${steps.length} steps × ${layer.units} units${gates.length ? `; gates: ${gates.join(', ')}` : ''}` +
    (states.task === 'imdb' ? ` · P(positive) = ${states.probability.toFixed(3)}` : ` · answer ${states.answer}`);
}

function showStates(r) {
  states = r;
  $('#states-result').hidden = false;
  const sel = $('#states-layer');
  sel.replaceChildren(...r.layers.map((l, i) => el('option', { value: String(i), text: `${l.layer} (${l.className})` })));
  drawLayer();
}

// A log axis cannot show zeros; they are left out (and named in the notes).
const logPoints = (norms) => norms.map((y, t) => ({ x: t + 1, y: typeof y === 'number' && y > 0 ? y : null }));
const firstToLast = (v) => v[0] / v[v.length - 1];
// Untrained curves dashed, so the two states differ without colour.
const DASHED = { borderDash: [6, 4] };

function showMoreGradients(r) {
  const chart = lineChart($('#grad-more-chart'), { xLabel: 'time step t (1 = first step read)', yLabel: '‖∂loss/∂c_t‖, ‖∂loss/∂x_t‖ (log scale)', logY: true, xDigits: 0 });
  let i = 0;
  chart.data.datasets = r.series.flatMap((s) => [
    ...(s.cellNorms ? [series(`${s.label}: cell state c_t`, logPoints(s.cellNorms), i++)] : []),
    series(`${s.label}: input x_t`, logPoints(s.inputNorms), i++, DASHED),
  ]);
  chart.update();
  $('#grad-more-chart').dataset.series = String(chart.data.datasets.length);
}

function showLongRange(r) {
  const input = lineChart($('#lr-input-chart'), { title: '‖∂loss/∂x_t‖: how much step t\'s input can still change the answer', xLabel: 'time step t', yLabel: 'gradient norm (log scale)', logY: true, xDigits: 0 });
  input.data.datasets = r.runs.flatMap((run, k) => [
    series(`${run.className} untrained`, logPoints(run.initial.x), 2 * k, DASHED),
    series(`${run.className} trained`, logPoints(run.trained.x), 2 * k + 1),
  ]);
  input.update();
  const lstm = r.runs.find((run) => run.cell === 'lstm');
  const cell = lineChart($('#lr-cell-chart'), { title: 'LSTM: cell state c_t against hidden state h_t', xLabel: 'time step t', yLabel: 'gradient norm (log scale)', logY: true, xDigits: 0 });
  cell.data.datasets = [
    series('‖∂loss/∂c_t‖ untrained', logPoints(lstm.initial.c), 0, DASHED), series('‖∂loss/∂c_t‖ trained', logPoints(lstm.trained.c), 0),
    series('‖∂loss/∂h_t‖ untrained', logPoints(lstm.initial.h), 1, DASHED), series('‖∂loss/∂h_t‖ trained', logPoints(lstm.trained.h), 1),
  ];
  cell.update();
  const pct = (v) => `${(100 * v).toFixed(1)} %`;
  const e = (v) => v.toExponential(1);
  $('#lr-note').textContent = r.runs.map((run) => `${run.className}: held-out accuracy ${pct(run.accuracy)}; gradient reaching step 1's input relative to the last step ` +
    `${e(firstToLast(run.initial.x))} untrained, ${e(firstToLast(run.trained.x))} trained` +
    (run.forgetGate ? `; mean forget gate ${run.forgetGate.initial.toFixed(2)} → ${run.forgetGate.trained.toFixed(2)}` : '') + '.').join(' ');
  $('#lr-cell-chart').dataset.series = String(cell.data.datasets.length);
}

function showGradients(r) {
  gradChart = lineChart($('#grad-chart'), { xLabel: 'time step t (1 = first step read)', yLabel: '‖∂loss/∂h_t‖ (log scale)', logY: true, xDigits: 0 });
  // A log axis cannot show zeros; they are left out (and named below).
  gradChart.data.datasets = r.series.map((s, i) => series(`${s.label} [${s.className}]`, logPoints(s.norms), i === 0 ? 1 : 0));
  gradChart.update();
  const ratio = (s) => s.norms[0] / s.norms[s.norms.length - 1];
  const dead = r.series.filter((s) => !s.norms.some((v) => typeof v === 'number' && v > 0));
  const live = r.series.filter((s) => !dead.includes(s));
  const sorted = [...live].sort((a, b) => ratio(a) - ratio(b));
  $('#grad-note').textContent = `Averaged over ${r.samples} review${r.samples === 1 ? '' : 's'}. The gradient reaching the first step, relative to the last: ` +
    live.map((s) => `${s.className} ${ratio(s).toExponential(1)}`).join(', ') + '. ' +
    (sorted.length > 1 ? `It vanishes fastest in the ${sorted[0].className} (${Math.log10(ratio(sorted.at(-1)) / ratio(sorted[0])).toFixed(1)} orders of magnitude below the ${sorted.at(-1).className}): the earliest words barely influence its learning. ` : '') +
    (dead.length ? `No non-zero gradient came back for ${dead.map((s) => s.label).join(', ')}. ` : '') +
    (r.series.some((s) => s.cellNorms) ? 'In an LSTM the gradient also flows along the cell state c_t (second chart), scaled by the forget gate at each step; ' +
      'at initialisation that gate is about σ(1) ≈ 0.73, so both curves fall with distance from the end. ' : '') +
    'Untrained and trained networks differ: compare both, and see the long-range task below.';
  $('#grad-chart').dataset.series = String(r.series.length);
  showMoreGradients(r);
}

function showCommutativity(r) {
  $('#comm-result').hidden = false;
  const same = r.answers[0] === r.answers[1];
  $('#comm-verdict').textContent = `${r.a}+${r.b} → ${r.answers[0]}, ${r.b}+${r.a} → ${r.answers[1]} (true ${r.expected}). ` +
    `Cosine similarity of the encoder's final hidden states: ${r.encoderFinal.toFixed(3)}${same ? '; same answer both ways' : '; different answers'}.`;
  const cats = ['a+b vs b+a', `same sum (mean of ${r.baselines.sameSumPairs})`, `random pairs (mean of ${r.baselines.randomPairs})`];
  const vals = [r.encoderFinal, r.baselines.sameSum, r.baselines.random].map((v) => v ?? 0);
  barChart($('#comm-bars'), cats, vals, { xLabel: 'encoder final state of a+b compared with', yLabel: 'cosine similarity', yMin: -1, yMax: 1 });
  const box = $('#comm-matrix');
  box.replaceChildren();
  for (const l of r.layers) {
    const chars = (q) => (l.steps === q.length ? [...q].map((c) => (c === ' ' ? '␣' : c)) : Array.from({ length: l.steps }, (_, i) => `out ${i + 1}`));
    const qa = chars(r.queries[0]), qb = chars(r.queries[1]);
    const encoder = l.steps === r.queries[0].length;
    heatmap(box, l.matrix, {
      title: `${l.layer} (${l.className}): cos(h_s for a+b, h_t for b+a)`, level: 4,
      xLabel: encoder ? `step s reading "${r.queries[0].trim()}"${r.queries[0].trim() !== `${r.a}+${r.b}` ? ` (${r.a}+${r.b} as the model reads it)` : ''}` : `decoder step s for ${r.a}+${r.b}`,
      yLabel: encoder ? `step t reading "${r.queries[1].trim()}"` : `decoder step t for ${r.b}+${r.a}`,
      xTicks: qa, yTicks: qb, color: (v) => divergingColor(v), format: (v) => v.toFixed(3), kind: 'similarity', legend: 'states', legendText: ['−1', '+1'],
    });
  }
}

export function initInside(getReviewText) {
  $('#states-model').addEventListener('change', syncInputHint);
  $('#states-layer').addEventListener('change', drawLayer);
  $('#states-form').addEventListener('submit', (e) => {
    e.preventDefault();
    guarded($('#states-go'), $('#states-error'), async () => {
      const id = $('#states-model').value;
      const m = models.find((x) => x.id === id);
      if (!m) throw new Error('no IMDb or addition model yet: train one first (the demo models take a minute or more)');
      const input = $('#states-input').value;
      const body = m.meta.task === 'imdb' ? { model: id, text: input, includePadding: $('#states-padding').checked } : { model: id, query: input };
      showStates(await askModels('/api/inspect/states', body));
      results.states.by = [id];
    }, $('#states-result'));
  });
  $('#lr-form').addEventListener('submit', (e) => {
    e.preventDefault();
    guarded($('#lr-go'), $('#lr-error'), async () => showLongRange(await api.post('/api/inspect/long-range', {})));
  });
  $('#grad-form').addEventListener('submit', (e) => {
    e.preventDefault();
    guarded($('#grad-go'), $('#grad-error'), async () => {
      const ids = [$('#grad-a').value, $('#grad-b').value].filter(Boolean);
      const source = $('#grad-source').value;
      const body = { models: [...new Set(ids)], source };
      if (source === 'text') body.text = getReviewText();
      else body.samples = numberFrom($('#grad-samples'), 'Reviews (samples)');
      showGradients(await askModels('/api/inspect/gradients', body));
      results.grad.by = body.models;
    });
  });
  $('#comm-form').addEventListener('submit', (e) => {
    e.preventDefault();
    guarded($('#comm-go'), $('#comm-error'), async () => {
      const model = $('#comm-model').value;
      if (!model) throw new Error('no addition model yet: train one first (the demo models take a minute or more)');
      showCommutativity(await askModels('/api/inspect/commutativity', { model, a: numberFrom($('#comm-a'), 'a'), b: numberFrom($('#comm-b'), 'b') }));
      results.comm.by = [model];
    }, $('#comm-result'));
  });
}
