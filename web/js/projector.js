// The embedding projector: a model's word vectors on their first two principal components, every word labelled;
// typing marks the words that start with the text, and a search asks the server for the word's nearest neighbours.
import { $, el, guarded, numberFrom } from './api.js';
import { attachTools } from './chart_tools.js';
import { axis, chartOf, clearChart, fresh, PALETTE } from './charts.js';
import { askModels, fillModelSelect, goneModels, resultsClearedText } from './try.js';

let shown = null; // the last projection

/** Each point's word beside it; marked points in bold. */
const labelPlugin = {
  id: 'rnnlabWordLabels',
  afterDatasetsDraw(chart) {
    if (!chart.$rnnlab?.words) return;
    const { ctx } = chart;
    ctx.save();
    ctx.textBaseline = 'middle';
    // A marked word is labelled once, in bold, by its marking series.
    const marked = new Set(chart.data.datasets.slice(1).filter((_, k) => chart.isDatasetVisible(k + 1)).flatMap((ds) => ds.data.map((p) => p.word)));
    chart.data.datasets.forEach((ds, k) => {
      if (!chart.isDatasetVisible(k)) return;
      const meta = chart.getDatasetMeta(k);
      ctx.font = k === 0 ? '10px "DejaVu Sans", sans-serif' : 'bold 13px "DejaVu Sans", sans-serif';
      ctx.fillStyle = k === 0 ? '#3a4150' : ds.borderColor;
      meta.data.forEach((pt, i) => { if (k > 0 || !marked.has(ds.data[i].word)) ctx.fillText(ds.data[i].word, pt.x + 4, pt.y); });
    });
    ctx.restore();
  },
};

function matching(words, text) {
  const t = text.trim().toLowerCase();
  return t ? words.filter((w) => w.startsWith(t)) : [];
}

function draw() {
  if (!shown) return;
  const r = shown;
  const pts = r.words.map((word, i) => ({ x: r.points[i][0], y: r.points[i][1], word }));
  const byWord = new Map(pts.map((p) => [p.word, p]));
  const marked = matching(r.words, $('#proj-search').value);
  const near = r.neighbours.map((n) => byWord.get(n.word)).filter(Boolean);
  const canvas = $('#proj-chart');
  const chart = fresh(canvas, {
    type: 'scatter',
    data: { datasets: [
      { label: `${r.words.length} most frequent words`, data: pts, pointRadius: 2.5, pointStyle: 'circle', borderColor: PALETTE[0], backgroundColor: PALETTE[0] },
      { label: marked.length ? `matching "${$('#proj-search').value.trim()}"` : 'matching the search (none)', data: marked.map((w) => byWord.get(w)), pointRadius: 7, pointStyle: 'triangle', borderColor: '#b3261e', backgroundColor: '#b3261e' },
      { label: r.query ? `nearest neighbours of "${r.query}"` : 'nearest neighbours (search a word)', data: near, pointRadius: 6, pointStyle: 'rect', borderColor: '#8a4b00', backgroundColor: '#8a4b00' },
    ] },
    // Chart.js parses these points itself: with parsing off it takes every dataset for sorted by x, so the x axis spans
    // only the first and last words (they come in frequency order) and the rest fall outside the plot.
    options: {
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `${ctx.raw.word} (${ctx.raw.x.toFixed(3)}, ${ctx.raw.y.toFixed(3)})` } } },
      // Room around the points for their labels.
      scales: { x: axis(`principal component 1 (${(r.explained[0] * 100).toFixed(1)}% of the variance)`, { grace: '8%' }), y: axis(`principal component 2 (${(r.explained[1] * 100).toFixed(1)}%)`, { grace: '5%' }) },
    },
    plugins: [labelPlugin],
  });
  attachTools(canvas, chart, chartOf, { xLabel: 'pc1', yLabel: 'pc2', name: 'embedding projection', legend: true });
  chart.$rnnlab.words = true;
  chart.$rnnlab.csv = () => [['word', 'pc1', 'pc2'], ...pts.map((p) => [p.word, p.x, p.y])];
  chart.update();
  canvas.dataset.points = String(pts.length);
  canvas.dataset.marked = marked.join(' ');
  $('#proj-summary').textContent = `${r.words.length} words from ${r.layer} (${r.dim} dimensions); the two axes keep ${((r.explained[0] + r.explained[1]) * 100).toFixed(1)}% of their variance.`;
  const list = $('#proj-neighbours');
  list.replaceChildren(...(r.query ? [`Nearest to "${r.query}": `, ...r.neighbours.flatMap((n, i) => [i ? ', ' : '', el('span', { class: 'neighbour', dataset: { word: n.word }, text: `${n.word} (${n.cosine.toFixed(3)})` })])] : []));
}

export function setProjectorModels(list) {
  const gone = shown ? goneModels([shown.model], list) : [];
  if (gone.length) {
    // The projection of a model whose run was deleted goes with it, said where the form's errors are.
    shown = null;
    clearChart($('#proj-chart'));
    $('#proj-summary').textContent = '';
    $('#proj-neighbours').replaceChildren();
    $('#proj-error').textContent = resultsClearedText(gone);
  }
  const imdb = list.filter((m) => m.meta.task === 'imdb' && m.meta.kind !== 'ff_raw');
  fillModelSelect($('#proj-model'), imdb.filter((m) => m.source !== 'fresh').concat(imdb.filter((m) => m.source === 'fresh')), 'no IMDb model');
}

export function initProjector() {
  $('#proj-form').addEventListener('submit', (e) => {
    e.preventDefault();
    guarded($('#proj-go'), $('#proj-error'), async () => {
      const model = $('#proj-model').value;
      if (!model) throw new Error('no IMDb model yet: train one first (the demo models take about a minute)');
      const query = $('#proj-search').value.trim();
      const body = { model, words: numberFrom($('#proj-words'), 'Words (words)') };
      // Neighbours only for a whole word that is on the map; a prefix just marks words.
      if (query && (!shown || shown.words.includes(query.toLowerCase()) || shown.model !== model)) body.query = query;
      try {
        shown = { ...(await askModels('/api/inspect/embedding', body)), model };
      } catch (err) {
        if (!body.query || err.gone) throw err;
        // The word is not among those shown: project anyway, and say why there are no neighbours.
        shown = { ...(await askModels('/api/inspect/embedding', { model, words: body.words })), model };
        draw();
        throw err;
      }
      draw();
    });
  });
  $('#proj-search').addEventListener('input', draw);
}
