// The Runs view: the runs folder as a table, and the selected runs' curves overlaid.
import { $, api, closeDetails, el, guarded, loadDetails, num, pct } from './api.js';
import { showRunDetail } from './details.js';
import { lineChart, series, TRAIN_STYLE, VALIDATION_STYLE } from './charts.js';
import { isGone, offPage } from './run_selection.js';

const selected = new Set();
const details = new Map();
let lossChart, accChart;
let runs = [];
let sortKey = 'startedAt';
/** The page shown: PAGE_SIZE runs from offset (0 = the newest); the server says how many there are. */
const PAGE_SIZE = 50;
let offset = 0;
/** The offset of the rows the table shows, which `offset` leaves while a page loads. */
let shownOffset = 0;
let total = 0;
/**
 * Numbers each load of the table and each drawing of the curves. One shows its result only if it is newer than the
 * last one shown: an older answer would undo a newer one, but waiting for the newest started would show nothing
 * while reloads come faster than answers (a training job's events reload the table every few hundred ms).
 */
let loads = 0;
let shownLoad = 0;
let draws = 0;
let shownDraw = 0;
/** Numbers each fetch of a run's curves, and the latest for each run: only the latest may take a run off the overlay. */
let fetches = 0;
const latestFetch = new Map();
let sortDir = -1;

function fmtDate(s) {
  if (!s) return '–';
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function row(r) {
  const box = el('input', { type: 'checkbox', 'aria-label': `overlay ${r.id}`, checked: selected.has(r.id) });
  box.addEventListener('change', () => {
    if (box.checked) selected.add(r.id);
    else selected.delete(r.id);
    tr.classList.toggle('selected', box.checked);
    $('#runs-overlay-error').textContent = '';
    drawCurves().catch((e) => { $('#runs-overlay-error').textContent = e.message; });
  });
  const tr = el('tr', { dataset: { run: r.id }, class: selected.has(r.id) ? 'selected' : '' },
    el('td', {}, box),
    el('td', { title: r.error ?? r.id }, el('button', { type: 'button', class: 'link', 'aria-label': `details of ${r.id}`, onclick: () => loadDetails($('#run-detail'), () => showRunDetail(r.id)) }, r.name)),
    el('td', { text: r.command || '–' }),
    el('td', { text: r.model || '–' }),
    el('td', {}, el('span', { class: `badge ${r.status}`, title: r.error ?? '', text: r.status })),
    el('td', { class: 'num', text: r.epochs ?? '–' }),
    el('td', { class: 'num', dataset: { col: 'test' }, text: pct(r.testAccuracy, 2) }),
    el('td', { class: 'num', dataset: { col: 'val' }, text: pct(r.bestValAccuracy, 2) }),
    el('td', { class: 'num', dataset: { col: 'exact' }, text: pct(r.exactMatch, 2) }),
    el('td', { class: 'num', text: num(r.secondsPerEpoch, 2) }),
    el('td', { class: 'settings small', text: r.settings || '–' }),
    el('td', { text: fmtDate(r.startedAt) }),
    // A report the server will not serve (over its size cap, a link out of the runs folder) says so, rather than a dash.
    el('td', {}, r.hasReport ? el('a', { href: `/api/runs/${encodeURIComponent(r.id)}/report.html`, target: '_blank', rel: 'noopener', text: 'report' })
      : r.reportError ? el('span', { class: 'small muted', title: r.reportError, text: 'not served' }) : '–'),
  );
  return tr;
}

const versionOf = (r) => `${r.status}|${r.epochs}|${r.finishedAt}`;

/** The start time a folder's name gives (20250108-100000-name, local time), as an ISO time; null when none. */
function folderTime(id) {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-|$)/.exec(id);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = new Date(y, mo - 1, d, h, mi, s);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

// A run whose record cannot be read sorts by the time its folder's name gives, as the server's pages do (runs.ts).
const sortValue = (r) => (sortKey === 'startedAt' ? r.startedAt || folderTime(r.id) : r[sortKey]);

function compare(a, b) {
  const x = sortValue(a), y = sortValue(b);
  if (x === y) return 0;
  // Missing values sort last either way.
  if (x === null || x === undefined || x === '') return 1;
  if (y === null || y === undefined || y === '') return -1;
  return (x < y ? -1 : 1) * sortDir;
}

function drawRows() {
  const body = $('#runs-table tbody');
  body.replaceChildren(...[...runs].sort(compare).map(row));
  for (const th of document.querySelectorAll('#runs-table th[data-sort]')) {
    th.setAttribute('aria-sort', th.dataset.sort === sortKey ? (sortDir > 0 ? 'ascending' : 'descending') : 'none');
  }
}

/** Loads the page at `offset`; an answer older than the one shown is dropped, as it describes an older state. */
export async function refreshRuns() {
  const load = ++loads;
  let at = offset;
  let data = await api.get(`/api/runs?limit=${PAGE_SIZE}&offset=${at}`);
  if (load < shownLoad) return;
  // Runs deleted since the last page was shown can leave it past the end: show the last page there is.
  if (data.runs.length === 0 && data.total > 0 && at > 0) {
    at = Math.floor((data.total - 1) / PAGE_SIZE) * PAGE_SIZE;
    data = await api.get(`/api/runs?limit=${PAGE_SIZE}&offset=${at}`);
    if (load < shownLoad) return;
  }
  shownLoad = load;
  // The pager moves with the rows; a later load still under way sets it again when its answer comes.
  offset = shownOffset = at;
  runs = data.runs;
  total = data.total;
  drawPager();
  // Ticked runs on other pages stay ticked; their curves are fetched again, which also finds those deleted since (404).
  for (const id of offPage(selected, runs.map((r) => r.id))) details.delete(id);
  // A run that trained on, finished or failed since its curves were fetched: fetch them again.
  for (const r of runs) if (details.has(r.id) && details.get(r.id).version !== versionOf(r)) details.delete(r.id);
  drawRows();
  await closeGoneDetail();
  $('#runs-empty').hidden = runs.length > 0;
  $('#runs-table').hidden = runs.length === 0;
  if (selected.size === 0 && runs.length) {
    // Start with the newest run that has curves selected, so the charts are not empty.
    const first = runs.find((r) => r.epochs);
    const body = $('#runs-table tbody');
    if (first) {
      selected.add(first.id);
      body.querySelector(`tr[data-run="${CSS.escape(first.id)}"]`)?.classList.add('selected');
      const cb = body.querySelector(`tr[data-run="${CSS.escape(first.id)}"] input`);
      if (cb) cb.checked = true;
    }
  }
  await drawCurves();
}

/**
 * The run whose details are open, once deleted or moved, would stay on screen with a report link to a 404: the card
 * goes with a line saying why. A run not on the page shown may be on another, so only the server's 404 decides.
 */
async function closeGoneDetail() {
  const card = $('#run-detail');
  const id = card.dataset.run;
  if (card.hidden || !id || runs.some((r) => r.id === id)) return;
  try {
    await api.get(`/api/runs/${encodeURIComponent(id)}`);
  } catch (e) {
    if (isGone(e) && card.dataset.run === id) closeDetails(card, `Run ${id} is no longer in the runs folder (deleted or moved), so its details were closed.`);
  }
}

function drawPager() {
  $('#runs-pager').hidden = total <= PAGE_SIZE && shownOffset === 0;
  $('#runs-page-text').textContent = runs.length ? `runs ${shownOffset + 1}–${shownOffset + runs.length} of ${total}` : `no runs here (${total} in all)`;
  $('#runs-newer').disabled = shownOffset === 0;
  $('#runs-older').disabled = shownOffset + runs.length >= total;
}

/** Takes a run off the overlay (its box unticked, if on the page shown). */
function untick(id) {
  selected.delete(id);
  const tr = $(`#runs-table tbody tr[data-run="${CSS.escape(id)}"]`);
  tr?.classList.remove('selected');
  const box = tr?.querySelector('input[type="checkbox"]');
  if (box) box.checked = false;
}

async function drawCurves() {
  const draw = ++draws;
  let ids = [...selected];
  // The curves this call had or fetched: a refresh meanwhile may drop a run's from `details`, to be fetched again by a
  // later call, and this drawing must not lose that run while it waits.
  const mine = new Map(ids.filter((id) => details.has(id)).map((id) => [id, details.get(id)]));
  // A run whose record cannot be read, or whose fetch failed, is unticked with the reason, never kept ticked and blank.
  // A later fetch of the same run, by a later call, decides instead: it may find the run readable and draw it.
  const undrawable = [];
  await Promise.all(ids.filter((id) => !details.has(id)).map(async (id) => {
    const asked = ++fetches;
    latestFetch.set(id, asked);
    const latest = () => latestFetch.get(id) === asked;
    try {
      const d = await api.get(`/api/runs/${encodeURIComponent(id)}`);
      if (d.summary?.status !== 'invalid') {
        const got = { ...d, version: versionOf(d.summary) };
        mine.set(id, got);
        if (latest()) details.set(id, got);
        return;
      }
      if (latest()) undrawable.push(`${id} cannot be drawn: ${d.summary.error ?? 'its record cannot be read'}`);
    } catch (e) {
      if (latest() && !isGone(e)) undrawable.push(`${id} cannot be drawn: ${e.message}`);
    }
    if (latest()) untick(id);
  }));
  // Cleared when a box is ticked or unticked, not by the refreshes in between (a job's progress), so it stays readable.
  if (undrawable.length) $('#runs-overlay-error').textContent = undrawable.join('\n');
  if (draw < shownDraw) return;
  shownDraw = draw;
  ids = ids.filter((id) => selected.has(id));
  const loss = [], acc = [];
  let i = 0;
  // The newest curves known, else those this call had.
  const curvesOf = (id) => details.get(id) ?? mine.get(id);
  const names = ids.map((id) => curvesOf(id)?.summary?.name ?? id);
  const clash = new Set(names.filter((n, k) => names.indexOf(n) !== k));
  for (const id of ids) {
    const d = curvesOf(id);
    const curves = d?.curves ?? [];
    for (const c of curves) {
      const runName = clash.has(d.summary?.name) ? id : (d.summary?.name ?? id);
      const name = curves.length > 1 ? `${runName} · ${c.label}` : runName;
      // The wall-clock time at the end of each epoch: its training seconds added up (validation excluded).
      let clock = 0;
      const ends = (c.seconds ?? []).map((s) => (clock += typeof s === 'number' ? s : NaN));
      const pts = (k) => (c.history[k] ?? []).map((y, e) => ({ x: e + 1, y, t: ends[e] }));
      if (c.history.loss) loss.push(series(`${name} train`, pts('loss'), i, TRAIN_STYLE));
      if (c.history.val_loss) loss.push(series(`${name} validation`, pts('val_loss'), i, VALIDATION_STYLE));
      if (c.history.accuracy) acc.push(series(`${name} train`, pts('accuracy'), i, TRAIN_STYLE));
      if (c.history.val_accuracy) acc.push(series(`${name} validation`, pts('val_accuracy'), i, VALIDATION_STYLE));
      i++;
    }
  }
  lossChart ??= lineChart($('#runs-loss'), { xLabel: 'epoch', yLabel: 'loss (cross-entropy)', xDigits: 0, time: true, name: 'loss per epoch' });
  accChart ??= lineChart($('#runs-acc'), { xLabel: 'epoch', yLabel: 'accuracy', percent: true, xDigits: 0, time: true, name: 'accuracy per epoch' });
  lossChart.data.datasets = loss;
  accChart.data.datasets = acc;
  lossChart.options.scales.x.ticks = { stepSize: 1 };
  accChart.options.scales.x.ticks = { stepSize: 1 };
  lossChart.update();
  accChart.update();
  $('#runs-loss').dataset.series = String(loss.length);
  $('#runs-acc').dataset.series = String(acc.length);
}

/**
 * Refreshes the table, showing a failure in #runs-error (the table then still shows the last page that loaded).
 * Never rejects. `button` is disabled meanwhile; `page`, when given, is the offset to show, kept only if it loads.
 */
export function reloadRuns(button = null, page = offset) {
  offset = page;
  return guarded(button, $('#runs-error'), async () => {
    const loading = refreshRuns();
    const load = loads;
    try {
      await loading;
    } catch (e) {
      // A later load decides the page itself; the latest one's failure leaves the pager on the rows shown.
      if (load === loads) {
        offset = shownOffset;
        drawPager();
      }
      throw e;
    }
  });
}

export function initRuns(config) {
  $('#runs-dir').textContent = config.runsDir;
  $('#runs-refresh').addEventListener('click', (e) => reloadRuns(e.currentTarget));
  // Not handed the pager's buttons: guarded would enable them afterwards, over drawPager's choice.
  $('#runs-newer').addEventListener('click', () => reloadRuns(null, Math.max(0, offset - PAGE_SIZE)));
  $('#runs-older').addEventListener('click', () => reloadRuns(null, offset + PAGE_SIZE));
  for (const th of document.querySelectorAll('#runs-table th[data-sort]')) {
    th.querySelector('button').addEventListener('click', () => {
      const key = th.dataset.sort;
      sortDir = key === sortKey ? -sortDir : (['name', 'command', 'status'].includes(key) ? 1 : -1);
      sortKey = key;
      drawRows();
    });
  }
}
