// Try it: a review's sentiment with the prediction after every word, sums with per-character probabilities, and the
// class of a text for the classifiers `rnnlab train` made (their card is built here, shown once one exists).
import { $, api, el, guarded } from './api.js';
import { clearChart, css, inkOn, lineChart, sentimentColor, sequentialColor, series } from './charts.js';

let models = [];

/** A sentiment model within 5 points of a coin flip has learned nothing useful yet. */
export const atChance = (m) => m.meta.task === 'imdb' && typeof m.accuracy === 'number' && m.accuracy < 0.55;

const accuracyText = (m) => (typeof m.accuracy === 'number' ? ` · ${(m.accuracy * 100).toFixed(1)}%` : '') + (atChance(m) ? ' (at chance)' : '');

/**
 * Fills a <select> with models of one task, most accurate first, keeping the user's choice when it is still there;
 * otherwise the most accurate model is chosen.
 */
export function fillModelSelect(sel, list, emptyText) {
  const keep = sel.dataset.chosen;
  const sorted = [...list].sort((a, b) => (b.accuracy ?? -1) - (a.accuracy ?? -1));
  const opts = sorted.map((m) => el('option', { value: m.id, text: m.label + accuracyText(m), dataset: { chance: String(atChance(m)) } }));
  sel.replaceChildren(...(opts.length ? opts : [el('option', { value: '', text: emptyText })]));
  sel.disabled = opts.length === 0;
  if (keep && sorted.some((m) => m.id === keep)) sel.value = keep;
  if (!sel.dataset.listening) {
    sel.dataset.listening = 'true';
    sel.addEventListener('change', () => { sel.dataset.chosen = sel.value; });
  }
}

/** The most models GET /api/models gives in one answer (its ?limit= cap): the list comes a page at a time. */
const MODELS_PAGE = 1000;

/** Every model, newest first, then the untrained ones: the selects here and in the other tabs offer them all. */
async function allModels() {
  const list = [];
  for (;;) {
    const page = await api.get(`/api/models?limit=${MODELS_PAGE}&offset=${list.length}`);
    list.push(...page.models);
    // A run added or removed meanwhile shifts the pages: one may repeat a model (dropped below) or miss one, which the next refresh lists.
    if (page.models.length === 0 || list.length >= page.total) break;
  }
  const seen = new Set();
  return list.filter((m) => !seen.has(m.id) && seen.add(m.id));
}

/**
 * Each result of this view: the model it was made by, its form's error line, and how it leaves the page. As in the
 * other views, a model whose run is deleted takes its results with it once the model list says so (Refresh too).
 */
const results = {
  sentiment: { by: [], error: () => $('#sentiment-error'), clear() {
    $('#sentiment-result').hidden = true;
    delete $('#sentiment-result').dataset.text;
    for (const s of ['#sentiment-label', '#sentiment-prob', '#sentiment-method', '#heat-strip-value']) $(s).textContent = '';
    $('#heat-strip').replaceChildren();
    clearChart($('#sentiment-chart'));
  } },
  sum: { by: [], error: () => $('#sum-error'), clear() {
    $('#sum-result').hidden = true;
    for (const s of ['#sum-question', '#sum-answer', '#sum-check', '#sum-input-note']) $(s).textContent = '';
    $('#sum-probs').replaceChildren();
  } },
  text: { by: [], error: () => $('#text-error', textCard()), clear() {
    const card = textCard();
    $('#text-result', card).hidden = true;
    for (const s of ['#text-label', '#text-prob', '#text-said']) $(s, card).textContent = '';
    $('#text-probs', card).replaceChildren();
  } },
};

/** Clears each of a view's results (`{by, error(), clear()}`) made by a model the list no longer holds, saying so on its form. */
export function clearGoneResults(results, list) {
  for (const r of Object.values(results)) {
    const gone = goneModels(r.by, list);
    if (!gone.length) continue;
    r.by = [];
    r.clear();
    r.error().textContent = resultsClearedText(gone);
  }
}

export async function refreshModels() {
  models = await allModels();
  clearGoneResults(results, models);
  const trained = models.filter((m) => m.source !== 'fresh');
  fillModelSelect($('#sentiment-model'), trained.filter((m) => m.meta.task === 'imdb'), 'no IMDb model yet');
  fillModelSelect($('#sum-model'), trained.filter((m) => m.meta.task === 'addition'), 'no addition model yet');
  const text = trained.filter((m) => m.meta.task === 'text');
  const card = textCard();
  fillModelSelect($('#text-model', card), text, 'no text classifier yet: train one with rnnlab train');
  card.hidden = text.length === 0;
  $('#try-notice').hidden = trained.length > 0;
  return models;
}

/**
 * The card for `rnnlab train` classifiers, made on first use beside the lab's two: every field has its label, a
 * refusal goes to a role=alert line, and each answer is also said in a polite live region (the table alone is silent).
 */
function textCard() {
  const have = $('#text-card');
  if (have) return have;
  const card = el('div', { class: 'card', id: 'text-card', hidden: true },
    el('h2', { text: 'Class of a text (rnnlab train models)' }),
    el('form', { id: 'text-form' },
      el('label', {}, 'Model ', el('select', { id: 'text-model', name: 'model' })),
      el('label', {}, 'Text ', el('textarea', { id: 'text-text', name: 'text', rows: '4', maxlength: '20000', placeholder: 'a text like those the model was trained on' })),
      el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'text-go', text: 'Classify' }), el('span', { class: 'error', id: 'text-error', role: 'alert' }))),
    el('p', { class: 'muted small', id: 'text-said', 'aria-live': 'polite' }),
    el('div', { id: 'text-result', class: 'result', hidden: true },
      el('p', { class: 'verdict' }, el('span', { id: 'text-label', class: 'badge' }), ' ', el('span', { id: 'text-prob' })),
      el('div', { class: 'table-wrap' }, el('table', { id: 'text-probs', class: 'data' }))));
  $('#view-try .grid2').append(card);
  return card;
}

const percent = (p) => `${(p * 100).toFixed(1)}%`;

function showText(prediction) {
  const card = textCard();
  $('#text-result', card).hidden = false;
  $('#text-label', card).textContent = prediction.label;
  $('#text-prob', card).textContent = `P(${prediction.label}) = ${prediction.probability.toFixed(3)}`;
  const ranked = Object.entries(prediction.probabilities).sort((a, b) => b[1] - a[1]);
  const rows = ranked.map(([cls, p]) => el('tr', { class: cls === prediction.label ? 'selected' : '', dataset: { class: cls } },
    el('td', { text: cls }), el('td', { class: 'num', text: percent(p) })));
  $('#text-probs', card).replaceChildren(el('caption', { class: 'muted small', text: 'every class\'s probability, most probable first' }),
    el('thead', {}, el('tr', {}, el('th', { text: 'class' }), el('th', { class: 'num', text: 'probability' }))), el('tbody', {}, rows));
  $('#text-said', card).textContent = `Predicted ${prediction.label} (${percent(prediction.probability)}); ${ranked.map(([cls, p]) => `${cls} ${percent(p)}`).join(', ')}.`;
}

function showSentiment(r, text) {
  $('#sentiment-result').hidden = false;
  $('#sentiment-result').dataset.text = text;
  const label = $('#sentiment-label');
  label.textContent = r.label;
  label.className = `badge ${r.label}`;
  $('#sentiment-prob').textContent = `P(positive) = ${r.probability.toFixed(3)}`;
  $('#sentiment-meter').style.left = `calc(${(r.probability * 100).toFixed(1)}% - 1px)`;
  $('#sentiment-method').textContent = `Each word is coloured by the model's output after reading it: ${r.method}. ` +
    `${r.known} word${r.known === 1 ? '' : 's'} read${r.skipped ? `, ${r.skipped} not in the vocabulary (struck through, skipped as in Keras's data)` : ''}; the model reads at most ${r.maxlen} ids.` +
    (r.truncated ? ` This review is longer: as Keras's pad_sequences does (truncating 'pre'), the first ${r.truncated} id${r.truncated === 1 ? '' : 's'} were cut off and only the last ${r.maxlen} read (the words cut off are greyed).` : '');
  $('#sentiment-result').dataset.truncated = String(r.truncated ?? 0);
  const strip = $('#heat-strip');
  strip.replaceChildren(...r.tokens.map((t, i) => {
    if (t.kind === 'truncated') return el('span', { class: 'tok truncated', title: `${t.word}: not read (cut off: the review is longer than maxlen)`, text: t.word });
    if (t.p === null) return el('span', { class: 'tok skipped', title: `${t.word}: not in the vocabulary, skipped`, text: t.word });
    const c = sentimentColor(t.p);
    const s = el('span', { class: `tok${t.kind === 'start' ? ' special' : ''}`, dataset: { p: String(t.p), index: String(i) },
      title: `after "${t.word}"${t.kind === 'rare' ? ' (rare word, read as OOV)' : ''}: P(positive) = ${t.p.toFixed(3)}`, text: t.word });
    s.style.background = css(c);
    s.style.color = inkOn(c);
    return s;
  }));
  // Every word's value is reachable without a mouse: Tab through the words, the value shows below the strip.
  for (const tok of strip.children) {
    tok.tabIndex = 0;
    tok.setAttribute('aria-label', tok.title);
    const say = () => { $('#heat-strip-value').textContent = tok.title; };
    tok.addEventListener('focus', say);
    tok.addEventListener('mouseenter', say);
  }
  $('#heat-strip-value').textContent = 'hover over a word, or Tab to it, for the probability after reading it';
  const read = r.tokens.filter((t) => t.p !== null);
  const chart = lineChart($('#sentiment-chart'), { xLabel: 'words read', yLabel: 'P(positive)', yMin: 0, yMax: 1, xDigits: 0, smoothing: false, name: 'probability after each word' });
  chart.options.scales.x.ticks = { stepSize: 1, callback: (v) => (Number.isInteger(v) && read[v] ? read[v].word : '') };
  chart.options.plugins.tooltip.callbacks.title = (items) => (items[0] ? `after "${read[items[0].parsed.x]?.word}"` : '');
  chart.data.datasets = [
    series('P(positive) after each word', read.map((t, i) => ({ x: i, y: t.p })), 2),
    series('0.5 (undecided)', [{ x: 0, y: 0.5 }, { x: Math.max(1, read.length - 1), y: 0.5 }], 7, { borderDash: [4, 4], pointRadius: 0, borderWidth: 1, pointStyle: false }),
  ];
  chart.update();
}

function showSum(r) {
  $('#sum-result').hidden = false;
  $('#sum-question').textContent = r.question;
  $('#sum-answer').textContent = r.answer || '(nothing)';
  const check = $('#sum-check');
  check.textContent = r.correct ? 'right' : `wrong: ${r.expected}`;
  check.className = `badge ${r.correct ? 'right' : 'wrong'}`;
  $('#sum-input-note').textContent = `The model reads "${r.modelInput.replace(/ /g, '␣')}"${r.reversed ? ' (reversed, as it was trained)' : ''} and writes one character per output position.`;
  const chars = r.chars;
  const head = el('tr', {}, el('th', { text: 'position' }), el('th', { text: 'answer' }), ...chars.map((c) => el('th', { class: 'num', text: c === ' ' ? '␣' : c })));
  const rows = r.positions.map((p) => {
    const probs = Object.fromEntries(p.probs.map((q) => [q.char, q.p]));
    return el('tr', { dataset: { position: String(p.position) } },
      el('td', { text: String(p.position) }),
      el('td', { text: `${p.char === ' ' ? '␣' : p.char} (${(p.probability * 100).toFixed(1)}%)` }),
      ...chars.map((c) => {
        const v = probs[c] ?? 0;
        const col = sequentialColor(v);
        const td = el('td', { class: c === p.char ? 'best' : '', title: `P("${c === ' ' ? 'space' : c}" at position ${p.position}) = ${(v * 100).toFixed(2)}%`, text: v >= 0.005 ? (v * 100).toFixed(0) : '' });
        td.style.background = css(col);
        td.style.color = inkOn(col);
        // Blank cells still say their value to a screen reader moving through the table.
        td.setAttribute('aria-label', td.title);
        return td;
      }));
  });
  $('#sum-probs').replaceChildren(el('thead', {}, head), el('tbody', {}, rows), el('caption', { class: 'muted small', text: 'probability in % (blank: under 0.5%); the outlined cell is the chosen character' }));
}

/** Makes every model list again (the other tabs' too) and returns the models; main.js hands it over. */
let reloadModels = refreshModels;

/** `ids` as the subject of a sentence: "the model a is", "the models a and b are". */
const theModels = (ids) => (ids.length === 1 ? `the model ${ids[0]} is` : `the models ${ids.join(' and ')} are`);

/** Of the models a result was made by (`ids`), those missing from the model list `list`: their runs are gone. */
export const goneModels = (ids, list) => ids.filter((id) => !list.some((m) => m.id === id));

/** Why a result was taken off the page: the run of a model it was made by was deleted or moved. */
export function resultsClearedText(ids) {
  const text = theModels(ids);
  return `${text[0].toUpperCase()}${text.slice(1)} no longer in the runs folder (${ids.length === 1 ? 'its run was' : 'their runs were'} deleted or moved), so the results made by ${ids.length === 1 ? 'it' : 'them'} were cleared.`;
}

/**
 * A request that names trained models (`model`, or `models`): a prediction or an inspection. The server's 404 names
 * its API ("pick one from GET /api/models"); here it means a chosen model's run was deleted or moved since the list
 * was made, so the lists are made again (each view then clears what those models had shown) and the page says so in
 * its own words.
 */
export async function askModels(path, body) {
  try {
    return await api.post(path, body);
  } catch (e) {
    if (e.status !== 404) throw e;
    const ids = body.models ?? [body.model];
    const list = await reloadModels().catch((err) => { console.error(err); return null; });
    // Without a fresh list every trained model named may be the one gone (an untrained fresh: one never is).
    const gone = list ? goneModels(ids, list) : ids.filter((id) => !id.startsWith('fresh:'));
    // Still listed: the 404 is about something else, and the server's words are all there is.
    if (!gone.length) throw e;
    const text = `${theModels(gone)} no longer in the runs folder (${gone.length === 1 ? 'its run was' : 'their runs were'} deleted or moved); ${list ? 'the model list is updated: ' : ''}pick another`;
    throw Object.assign(new Error(text), { gone });
  }
}

export function initTry(startDemo, reload) {
  reloadModels = reload;
  $('#sentiment-form').addEventListener('submit', (e) => {
    e.preventDefault();
    // Each answer replaces the one shown, and a refusal hides it (guarded): a Refresh must not say it cleared it then.
    results.sentiment.by = [];
    guarded($('#sentiment-go'), $('#sentiment-error'), async () => {
      const model = $('#sentiment-model').value;
      if (!model) throw new Error('no IMDb model yet: train one first (the demo models take a minute or more)');
      const text = $('#sentiment-text').value;
      showSentiment(await askModels('/api/predict/sentiment', { model, text }), text);
      results.sentiment.by = [model];
    }, $('#sentiment-result'));
  });
  $('#sum-form').addEventListener('submit', (e) => {
    e.preventDefault();
    results.sum.by = [];
    guarded($('#sum-go'), $('#sum-error'), async () => {
      const model = $('#sum-model').value;
      if (!model) throw new Error('no addition model yet: train one first (the demo models take a minute or more)');
      showSum(await askModels('/api/predict/sum', { model, query: $('#sum-query').value }));
      results.sum.by = [model];
    }, $('#sum-result'));
  });
  const card = textCard();
  $('#text-form', card).addEventListener('submit', (e) => {
    e.preventDefault();
    $('#text-said', card).textContent = '';
    results.text.by = [];
    guarded($('#text-go', card), $('#text-error', card), async () => {
      const model = $('#text-model', card).value;
      if (!model) throw new Error('no text classifier yet: train one with rnnlab train --data FILE');
      const r = await askModels('/api/predict/text', { model, text: $('#text-text', card).value });
      showText(r.predictions[0]);
      results.text.by = [model];
    }, $('#text-result', card));
  });
  $('#try-demo').addEventListener('click', (e) => startDemo(e.currentTarget, $('#try-demo-error')));
}
