// The Sweeps view: sweep folders under the runs folder, their progress, the ranked table and per-axis effects.
import { $, api, closeDetails, el, guarded, loadDetails } from './api.js';
import { barChart } from './charts.js';

let chosen = null;

const fmt = (v) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : '–');
const progressText = (s) => `${s.completed + s.failed} of ${s.total} runs done (${s.completed} completed, ${s.failed} failed, ${s.pending} pending)`;
/** Runs that finished after the sweep last wrote sweep.json (it was stopped or killed): their folders say so. */
const unrecordedText = (s) => (s.unrecorded ? ` · ${s.unrecorded} finished after the sweep last wrote sweep.json (it was stopped?); the ranking leaves them out until the sweep resumes` : '');

function listRow(s) {
  const open = el('button', { type: 'button', class: 'link', text: s.id, 'aria-label': `open sweep ${s.id}` });
  open.addEventListener('click', () => openSweep(s.id));
  return el('tr', { dataset: { sweep: s.id }, class: s.id === chosen ? 'selected' : '' },
    el('td', {}, open),
    el('td', { text: s.command || '–' }),
    // Why a sweep is unreadable is shown in the row, as text: a tooltip is out of reach of touch and keyboard users.
    s.error ? el('td', { class: 'reason' }, el('span', { class: 'badge failed', text: 'unreadable' }), el('div', { class: 'small sweep-error', text: s.error }))
      : el('td', { text: `${s.completed + s.failed}/${s.total}${s.finished ? '' : ' (running or stopped)'}` }),
    el('td', { text: s.metric ? `${s.metric} (${s.goal})` : '–' }),
    el('td', { text: s.best?.label ?? '–' }),
    el('td', { class: 'num', text: s.best ? `${fmt(s.best.mean)} ± ${fmt(s.best.std)}` : '–' }),
    el('td', { text: s.updatedAt ? new Date(s.updatedAt).toLocaleString() : '–' }));
}

/** `classes`: the class of a column's cells, by the column's heading (a column not named has none). A cell is text, or an element. */
function table(target, head, rows, classes = {}) {
  const cell = (c, i) => (c instanceof Node ? el('td', { class: classes[head[i]] }, c) : el('td', { text: String(c), class: classes[head[i]] }));
  target.replaceChildren(el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { text: h })))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map(cell)))));
}

/**
 * A run's settings, marked where it trained in another precision than it asked for (the server's precisionFallback,
 * as the terminal's "trained in float32" line says it): the marker's title says why.
 */
function settingsCell(r) {
  const text = Object.entries(r.axes).map(([k, v]) => `${k}=${v}`).join(' ');
  const fb = r.precisionFallback;
  if (!fb) return text;
  const why = `This run asked for ${fb.asked} and trained in ${fb.ran}: mixed_bfloat16 falls back to float32 where the native kernels cannot run bf16 (a CPU without AVX512-BF16). Its numbers measure ${fb.ran}; its results.json names the precision that ran (environment.engine.precision).`;
  return el('span', {}, text, text ? ' ' : '', el('span', { class: 'precision-fallback', title: why, text: `(ran ${fb.ran})` }));
}

function showSweep(w) {
  $('#sweep-detail').hidden = false;
  $('#sweep-title').textContent = `${w.id}: rnnlab ${w.spec.command}`;
  $('#sweep-progress').value = w.total ? (w.completed + w.failed) / w.total : 0;
  $('#sweep-progress-text').textContent = progressText(w) + (w.finishedAt ? '' : ' · not finished') + unrecordedText(w);
  const s = w.summary;
  $('#sweep-finding').textContent = s?.finding ?? 'No run has finished yet.';
  table($('#sweep-ranked'), ['rank', 'setting', `${s?.metric ?? 'metric'} mean`, '± std', 'seeds'],
    (s?.rows ?? []).map((r, i) => [i + 1, r.label, fmt(r.mean), fmt(r.std), r.n]));
  $('#sweep-ranked').dataset.rows = String(s?.rows.length ?? 0);
  const box = $('#sweep-effects');
  box.replaceChildren();
  for (const e of s?.effects ?? []) {
    const canvas = el('canvas', { 'aria-label': `${s.metric} by ${e.axis}` });
    const values = el('p', { class: 'small', text: e.values.map((v) => `${e.axis}=${v.value}: ${fmt(v.mean)} ± ${fmt(v.std)} (${v.n} runs)`).join('; ') });
    box.append(el('div', { class: 'effect', dataset: { axis: e.axis } }, el('h3', { text: `Effect of ${e.axis}` }), el('div', { class: 'chart-box' }, canvas), values));
    barChart(canvas, e.values.map((v) => String(v.value)), e.values.map((v) => v.mean), { xLabel: e.axis, yLabel: s.metric });
  }
  // An axis none of whose runs completed (or only list entries, which make no effect) has no effect to draw: the
  // server says so in the terminal's words (unmeasuredLine in src/sweep/summary.ts).
  if (w.unmeasuredLine) box.append(el('p', { class: 'small unmeasured', text: w.unmeasuredLine }));
  const epochText = (r) => (r.epoch ? `epoch ${r.epoch}/${r.epochs ?? '?'}` : '');
  table($('#sweep-runs'), ['run', 'settings', 'seed', 'status', 'worker', s?.metric ?? 'metric', 'attempts', 'error'],
    w.runs.map((r) => [r.id, settingsCell(r), r.seed, [r.status, epochText(r), r.unrecorded ? 'not yet in sweep.json' : ''].filter(Boolean).join(' · '), r.worker ? `${r.worker}${r.takenOverFrom ? ` (took over from ${r.takenOverFrom})` : ''}` : '–', fmt(r.value), r.attempts, [r.error, r.stampError].filter(Boolean).join('\n')]),
    // A failed run's reason may hold several lines (an error and its indented [cause]): shown as lines, not run together.
    // Below it, why the run's worker.json was not read (the server leaves such a stamp out of status and workers).
    { error: 'reason' });
  // While runs are under way, the per-run table (with each run's worker) is open; so it is while a run's worker.json
  // cannot be read, which the table alone says.
  if (w.runs.some((r) => r.status === 'running' || r.stampError)) $('#sweep-runs').closest('details').open = true;
  const workers = w.workers ?? [];
  $('#sweep-workers-empty').hidden = workers.length > 0;
  $('#sweep-workers').hidden = workers.length === 0;
  $('#sweep-workers').replaceChildren(el('thead', {}, el('tr', {}, ...['worker', 'state', 'running now', 'completed', 'failed', 'last heard from'].map((h) => el('th', { text: h })))),
    el('tbody', {}, ...workers.map((k) => el('tr', { dataset: { worker: k.worker, alive: String(k.alive) } },
      el('td', { text: k.worker }),
      el('td', {}, el('span', { class: `badge ${k.alive ? 'running' : ''}`, title: k.alive ? 'its process answers, or it reported in the last few seconds' : 'no news from it: finished, stopped or killed', text: k.alive ? 'alive' : 'not running' })),
      el('td', { text: k.current ? `${k.current.runId}${k.current.epoch ? ` (epoch ${k.current.epoch}/${k.current.epochs ?? '?'})` : ''}` : '–' }),
      el('td', { class: 'num', text: String(k.completed) }),
      el('td', { class: 'num', text: String(k.failed) }),
      el('td', { text: new Date(k.lastSeen).toLocaleString() })))));
}

async function openSweep(id) {
  chosen = id;
  for (const tr of document.querySelectorAll('#sweeps-table tbody tr')) tr.classList.toggle('selected', tr.dataset.sweep === id);
  await loadDetails($('#sweep-detail'), async () => showSweep((await api.get(`/api/sweeps/${encodeURIComponent(id)}`)).sweep));
}

export async function refreshSweeps() {
  let sweeps;
  try {
    ({ sweeps } = await api.get('/api/sweeps'));
  } catch (e) {
    // "No sweeps yet" would be a guess: the folder may hold sweeps the server could not list.
    $('#sweeps-empty').hidden = true;
    throw e;
  }
  $('#sweeps-table tbody').replaceChildren(...sweeps.map(listRow));
  $('#sweeps-empty').hidden = sweeps.length > 0;
  $('#sweeps-table').hidden = sweeps.length === 0;
  if (!chosen) return;
  if (sweeps.some((s) => s.id === chosen)) await openSweep(chosen);
  else {
    // Deleted or moved: its details would stay on screen, out of date.
    closeDetails($('#sweep-detail'), `Sweep ${chosen} is no longer in the runs folder (deleted or moved), so its details were closed.`);
    chosen = null;
  }
}

/** Refreshes the list, showing a failure in #sweeps-error; never rejects. `button` is disabled meanwhile. */
export function reloadSweeps(button = null) {
  return guarded(button, $('#sweeps-error'), refreshSweeps);
}

export function initSweeps() {
  $('#sweeps-refresh').addEventListener('click', (e) => reloadSweeps(e.currentTarget));
}
