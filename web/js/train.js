// Live training: the job form, the queue, and the curves of the chosen job as its batches arrive.
import { $, $$, api, connectEvents, el, guarded } from './api.js';
import { lineChart, series, VALIDATION_STYLE } from './charts.js';
import { samplesTable } from './details.js';
import { histogramsPanel } from './histograms.js';
import { describeDemo } from './demo_text.js';
import { renderJobList, statusText } from './job_list.js';
import { announceNow } from './announce.js';

// id -> { view (the job's summary) }, kept up by the page's event stream, which carries summaries only.
const jobs = new Map();
let shownJob = null;
// id -> { epochs, points, ended }: a shown job's epochs (histograms, samples) and batch curve, from that job's own event
// stream while this view is shown (ended: the stream sent the job's last state, so its detail is whole and stays).
const details = new Map();
// That stream: { id, close() }, or null.
let jobStream = null;
let viewShown = false;
let lossChart, accChart;
let redraw = 0;
let config;
const listeners = [];

/** Called with a job whenever one changes (the other views refresh their model lists on completion). */
export function onJobChange(fn) {
  listeners.push(fn);
}

/** The named fields the chosen task sends: its own fieldset and the optimizer settings. */
function taskFields() {
  const form = $('#train-form');
  const task = $('#f-task').value;
  const scope = [...$$('fieldset.task-fields', form).filter((f) => f.dataset.task === task), $('details', form)];
  return scope.flatMap((fs) => $$('input, select', fs)).filter((i) => i.name);
}

function formValues() {
  const body = { task: $('#f-task').value };
  const name = $('#f-name').value.trim();
  if (name) body.name = name;
  for (const input of taskFields()) {
    if (input.type === 'checkbox') body[input.name] = input.checked;
    else if (input.value.trim() !== '') body[input.name] = input.type === 'number' ? Number(input.value) : input.value;
  }
  return body;
}

/** A field as the page labels it, with the name the server's messages use: "Epochs (epochs)". */
function fieldTitle(input) {
  const label = input.closest('label');
  const text = label ? [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim() : '';
  return text ? `${text} (${input.name})` : input.name;
}

/**
 * Text a number field cannot read ("abc", "1e") leaves its value empty, which would quietly start the run with
 * the default: such a field stops the submission with a message naming it.
 */
function unreadableNumber() {
  const bad = taskFields().find((i) => i.type === 'number' && i.validity.badInput);
  if (!bad) return null;
  validateField(bad);
  return { input: bad, message: `${fieldTitle(bad)} is not a number: type digits, or empty the field for the default` };
}

/**
 * The server names the field it refused first ("epochs must be from 1 to 200, got -5", "trainingSize 300 is more than
 * the 55 distinct questions…", "name may hold only…"): that field is marked, its message shown beside it as the
 * browser's own checks are, and focused. False when the message names no field of the form.
 */
function markRefusedField(message) {
  const key = /^(\w+) /.exec(message)?.[1];
  const input = key && [$('#f-name'), ...taskFields()].find((i) => i.name === key);
  if (!input) return false;
  input.setAttribute('aria-invalid', 'true');
  fieldMessage(input, message).dataset.refused = 'true';
  focusField(input);
  return true;
}

/** Focus on a field inside the closed "Optimizer and seed" section would land on nothing seen: the section opens first. */
function focusField(input) {
  const section = input.closest('details');
  if (section) section.open = true;
  input.focus();
}

/** A new submission: the fields the server refused last time are checked again by the browser's rules alone. */
function clearRefusedFields() {
  for (const msg of $$('#train-form .field-error[data-refused]')) {
    const input = msg.parentElement.querySelector('input, select');
    msg.remove();
    input?.removeAttribute('aria-describedby');
    input?.removeAttribute('aria-invalid');
    if (input) validateField(input);
  }
}

/** The form's ranges are the server's (LIMITS, in /api/config), so a field is flagged as it is typed by the bounds the server checks. */
function applyLimits(limits) {
  for (const i of $$('#train-form input[type="number"]')) {
    const range = limits?.[i.name];
    if (!range) continue;
    i.min = String(range[0]);
    i.max = String(range[1]);
  }
}

/** The optimizer menu lists what the server accepts (/api/config's optimizers), the first (adam) chosen. */
function applyOptimizers(names) {
  const select = $('#train-form select[name="optimizer"]');
  if (!select || !Array.isArray(names) || names.length === 0) return;
  select.replaceChildren(...names.map((n) => el('option', { value: n, text: n })));
}

/**
 * dropout's range is open at the top ([0, 1), /api/config's dropoutRange): max would admit 1 itself, so the field
 * carries its own message for a rate at or above the top, shown as it is typed like the other fields' ranges.
 */
function applyDropoutRange(range) {
  const input = $('#train-form input[name="dropout"]');
  if (!input || !range) return;
  input.min = String(range[0]);
  const check = () => input.setCustomValidity(input.value !== '' && Number(input.value) >= range[1]
    ? `dropout must be from ${range[0]} up to but not including ${range[1]}` : '');
  input.addEventListener('input', check);
  check();
}

const FORM_KEY = 'rnnlab.trainForm';
/** A field's key in the remembered form: fields of a task's fieldset are per task. */
const fieldKey = (input) => `${input.closest('fieldset[data-task]')?.dataset.task ?? 'all'}.${input.name}`;
const formFields = () => $$('#train-form input[name], #train-form select[name]').filter((i) => i.id !== 'f-name');

/** The form as it was last filled in, so a reload or a new visit starts from it. */
function rememberForm() {
  const saved = {};
  for (const i of formFields()) saved[fieldKey(i)] = i.type === 'checkbox' ? i.checked : i.value;
  try { localStorage.setItem(FORM_KEY, JSON.stringify(saved)); } catch { /* storage full or disabled: nothing to remember */ }
}

function restoreForm() {
  let saved;
  try { saved = JSON.parse(localStorage.getItem(FORM_KEY) ?? 'null'); } catch { saved = null; }
  if (!saved || typeof saved !== 'object') return;
  for (const i of formFields()) {
    const v = saved[fieldKey(i)];
    if (v === undefined) continue;
    if (i.type === 'checkbox') i.checked = v === true;
    else if (i.tagName === 'SELECT' && ![...i.options].some((o) => o.value === v && !o.disabled)) continue;
    else i.value = String(v);
  }
}

/** Checks a field as it is filled in, with the browser's own message for its min/max/pattern. */
function validateField(input) {
  if (!input.willValidate) return;
  const ok = input.checkValidity();
  input.setAttribute('aria-invalid', String(!ok));
  if (ok) {
    input.parentElement.querySelector('.field-error')?.remove();
    input.removeAttribute('aria-describedby');
  }
  else delete fieldMessage(input, input.validationMessage).dataset.refused;
}

/** The message shown beside a field (made on first use), linked to it so a screen reader reads it with the field. */
function fieldMessage(input, text) {
  let msg = input.parentElement.querySelector('.field-error');
  if (!msg) {
    msg = el('span', { class: 'field-error error', role: 'status', id: `${fieldKey(input).replace('.', '-')}-error` });
    input.after(msg);
    input.setAttribute('aria-describedby', msg.id);
  }
  msg.textContent = text;
  return msg;
}

function commandPreview() {
  const b = formValues();
  const parts = ['rnnlab', b.task];
  const flag = (k, v) => parts.push(`--${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`, String(v));
  for (const [k, v] of Object.entries(b)) {
    if (k === 'task' || k === 'name') continue;
    if (typeof v === 'boolean') {
      if (k === 'validate') parts.push(v ? '--validate' : '--no-validate');
      else if (v) parts.push(`--${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`);
      continue;
    }
    if (k === 'optimizer' && v === 'adam') continue;
    flag(k, v);
  }
  $('#cmdline').textContent = parts.join(' ');
}

function showTask() {
  const task = $('#f-task').value;
  for (const fs of $$('fieldset.task-fields')) fs.hidden = fs.dataset.task !== task;
  commandPreview();
}

function renderJobs() {
  const views = [...jobs.values()].reverse().map((j) => j.view);
  renderJobList($('#jobs'), views, shownJob, showJob);
  $('#jobs-empty').hidden = views.length > 0;
  const sel = $('#live-job');
  const current = sel.value;
  const options = views.map((v) => [v.id, `${v.name} (${v.status})`]);
  // Rebuilt only when a job or its status changed, so a list the user has open is not closed by progress.
  if (JSON.stringify(options) !== JSON.stringify([...sel.options].map((o) => [o.value, o.textContent]))) {
    sel.replaceChildren(...options.map(([value, text]) => el('option', { value, text })));
  }
  if (shownJob) sel.value = shownJob;
  else if (current) sel.value = current;
  const running = [...jobs.values()].find((j) => j.view.status === 'running');
  const queued = [...jobs.values()].filter((j) => j.view.status === 'queued').length;
  $('#status-text').textContent = running
    ? `training ${running.view.name}${running.view.progress ? ` ${(running.view.progress.fraction * 100).toFixed(0)}%` : ''}${queued ? `, ${queued} waiting` : ''}`
    : queued ? `${queued} waiting` : 'idle';
}

function ensureCharts() {
  lossChart ??= lineChart($('#live-loss'), { xLabel: 'epoch', yLabel: 'loss (cross-entropy)', title: 'Loss', time: true });
  accChart ??= lineChart($('#live-acc'), { xLabel: 'epoch', yLabel: 'accuracy', percent: true, yMin: 0, yMax: 1, title: 'Accuracy', time: true });
}

function drawLive() {
  redraw = 0;
  ensureCharts();
  const j = shownJob ? jobs.get(shownJob) : null;
  followShownJob();
  const d = details.get(shownJob);
  const pts = d?.points ?? [];
  const epochs = d?.epochs ?? [];
  // t: wall-clock seconds since training began (a job rebuilt after a restart has only its epochs' training seconds).
  let clock = 0;
  const ends = epochs.map((e) => e.elapsedSeconds ?? (clock += e.seconds));
  const ep = (k) => epochs.map((e, i) => ({ e, t: ends[i] })).filter(({ e }) => typeof e.logs[k] === 'number').map(({ e, t }) => ({ x: e.epoch, y: e.logs[k], t }));
  const batch = { pointRadius: 0, borderWidth: 1.5 };
  const end = { pointRadius: 4, showLine: false, pointStyle: 'rect', smooth: false };
  const val = { pointRadius: 4, ...VALIDATION_STYLE, smooth: false };
  lossChart.data.datasets = [
    series('train, per batch (running mean over the epoch)', pts.map((p) => ({ x: p.epoch, y: p.loss, t: p.seconds })), 0, batch),
    series('train, end of epoch', ep('loss'), 2, end),
    series('validation, end of epoch', ep('val_loss'), 1, val),
  ].filter((d) => d.data.length);
  accChart.data.datasets = [
    series('train, per batch (running mean over the epoch)', pts.filter((p) => p.acc !== null).map((p) => ({ x: p.epoch, y: p.acc, t: p.seconds })), 0, batch),
    series('train, end of epoch', ep('accuracy'), 2, end),
    series('validation, end of epoch', ep('val_accuracy'), 1, val),
    series('validation, exact answers', ep('val_exact'), 3, { ...val, borderDash: [2, 3], pointStyle: 'rectRot' }),
  ].filter((d) => d.data.length);
  drawSamples(epochs);
  drawHistograms(j?.view.id, epochs);
  lossChart.update('none');
  accChart.update('none');
  $('#live-points').textContent = String(pts.length);
  $('#live-points').dataset.count = String(pts.length);
  const v = j?.view;
  // Whole epochs, as the job's phase and record count them: the epoch a cancel cut short is on the curves only.
  const whole = epochs.length - (v?.partialLastEpoch && epochs.length > 0 ? 1 : 0);
  $('#live-epochs').textContent = String(whole);
  $('#live-epochs').dataset.count = String(whole);
  $('#live-epochs-word').textContent = whole === 1 ? 'epoch' : 'epochs';
  $('#live-title').textContent = v ? `· ${v.name} (${v.status})` : '';
  $('#live-progress').value = v?.status === 'completed' ? 1 : v?.progress?.fraction ?? 0;
  $('#live-progress-text').textContent = v ? statusText(v) : 'no job yet';
}

/** Addition jobs: the sample questions as answered after each epoch, newest first. */
function drawSamples(epochs) {
  const box = $('#live-samples');
  const per = epochs.filter((e) => e.samples?.length).map((e) => ({ epoch: e.epoch, samples: e.samples }));
  box.hidden = per.length === 0;
  if (per.length) $('#live-samples-table').replaceChildren(samplesTable(per));
}

/** Rebuilt when an epoch arrives; an epoch picked on the slider stays picked, else the latest is shown. */
let histogramsShown = '';
function drawHistograms(id, epochs) {
  const box = $('#live-histograms');
  const per = epochs.filter((e) => e.histograms?.length).map((e) => ({ epoch: e.epoch, weights: e.histograms }));
  const key = `${id ?? ''}:${per.length}`;
  if (key === histogramsShown) return;
  const old = box.querySelector('.histograms');
  const slider = old?.querySelector('.hist-slider');
  const sameJob = histogramsShown.split(':')[0] === (id ?? '');
  const picked = sameJob && slider && slider.value !== slider.max ? Number(old.dataset.epoch) : undefined;
  histogramsShown = key;
  const panel = histogramsPanel(per, picked);
  box.hidden = !panel;
  box.replaceChildren(...(panel ? [panel] : []));
}

function scheduleDraw() {
  if (!redraw) redraw = requestAnimationFrame(drawLive);
}

function showJob(id) {
  shownJob = id;
  renderJobs();
  scheduleDraw();
}

/** Items of `live` (by `key`, increasing) that come after the last of `kept`. */
const after = (kept, live, key) => {
  const last = kept.length ? kept[kept.length - 1][key] : -Infinity;
  return live.filter((x) => x[key] > last);
};

/**
 * Keeps one job stream open, the shown job's, while this view is shown: another job shown closes it and opens that
 * job's, and a hidden view holds none (a browser gives a site six connections). A job whose stream ended has its
 * whole detail here already, and needs none.
 */
function followShownJob() {
  const want = viewShown && shownJob && jobs.has(shownJob) ? shownJob : null;
  if (jobStream?.id === want) return;
  jobStream?.close();
  jobStream = null;
  if (!want || details.get(want)?.ended) return;
  const url = `/api/jobs/${encodeURIComponent(want)}/events`;
  const stream = { id: want };
  const mine = () => jobStream === stream;
  // A refused stream of a job the server no longer keeps: nothing more to show (a 503 is tried again).
  const gone = async () => {
    const r = await fetch(url, { method: 'HEAD' }).catch(() => null);
    if (r?.status !== 404) return false;
    if (mine()) {
      details.set(want, { epochs: [], points: [], ended: true });
      jobStream = null;
    }
    return true;
  };
  // Live events add to the detail the stream's snapshot began (one kept from before is drawn until that comes).
  const detail = () => details.get(want);
  const handlers = {
    snapshot({ job }) {
      if (!mine()) return;
      details.set(want, { epochs: job.epochs, points: job.points, ended: false });
      scheduleDraw();
    },
    batches({ points, progress }) {
      if (!mine() || !detail()) return;
      detail().points.push(...after(detail().points, points, 'step'));
      if (jobs.has(want)) jobs.get(want).view.progress = progress;
      scheduleDraw();
    },
    epoch({ epoch, progress }) {
      if (!mine() || !detail()) return;
      detail().epochs.push(...after(detail().epochs, [epoch], 'epoch'));
      if (jobs.has(want)) jobs.get(want).view.progress = progress;
      scheduleDraw();
    },
    // The job is over: its detail is whole, and the server closes the stream (closed here first, so it is not reopened).
    end() {
      if (!mine()) return;
      if (detail()) detail().ended = true;
      stream.close();
      jobStream = null;
    },
  };
  Object.assign(stream, connectEvents(handlers, () => {}, { url, gone }));
  jobStream = stream;
}

/** The Live training view shown or hidden: its job stream follows. */
export function setTrainShown(shown) {
  viewShown = shown;
  followShownJob();
  if (shown) scheduleDraw();
}

function upsert(view) {
  const j = jobs.get(view.id) ?? { view };
  j.view = view;
  jobs.set(view.id, j);
  // Follow the job that is training, unless the user picked another one that is still going.
  const shown = shownJob && jobs.get(shownJob);
  if (view.status === 'running' && (!shown || shown.view.status !== 'running')) shownJob = view.id;
  if (!shownJob) shownJob = view.id;
  return j;
}

const ENDED = new Set(['completed', 'failed', 'cancelled']);

/** A job seen going on that has now ended: its outcome is said at once, not left to the throttled status line. */
function announceEnd(before, view) {
  if (before && !ENDED.has(before) && ENDED.has(view.status)) announceNow(`${view.name}: ${statusText(view)}`);
}

export const jobEvents = {
  snapshot(data) {
    const picked = shownJob;
    // A reconnect's snapshot: jobs that ended while the stream was down are said too; a first load says nothing.
    const before = new Map([...jobs].map(([id, j]) => [id, j.view.status]));
    jobs.clear();
    for (const j of data.jobs) upsert(j);
    // Jobs the server no longer keeps take their curves with them.
    for (const id of details.keys()) if (!jobs.has(id)) details.delete(id);
    for (const j of data.jobs) announceEnd(before.get(j.id), j);
    // After a reload or a reconnect: the job training now, else the one the user was watching if the server still
    // has it, else the newest (upsert alone would leave the oldest shown when nothing runs).
    const running = data.jobs.find((j) => j.status === 'running');
    shownJob = running?.id ?? (picked && jobs.has(picked) ? picked : data.jobs.at(-1)?.id ?? null);
    renderJobs();
    scheduleDraw();
  },
  job(view) {
    const before = jobs.get(view.id)?.view.status;
    upsert(view);
    announceEnd(before, view);
    renderJobs();
    if (view.id === shownJob) scheduleDraw();
    for (const fn of listeners) fn(view);
  },
  // A running job's place in its training, as its batches come (its curve comes on the job's own stream).
  progress({ id, progress }) {
    const j = jobs.get(id);
    if (!j) return;
    j.view.progress = progress;
    if (id === shownJob) scheduleDraw();
    renderJobsThrottled();
  },
};

let jobsTimer = 0;
function renderJobsThrottled() {
  if (jobsTimer) return;
  jobsTimer = setTimeout(() => { jobsTimer = 0; renderJobs(); }, 250);
}

/** Without the IMDb data the server refuses IMDb jobs (409): the demo is then the adder's alone. */
const demoTasks = () => (config?.imdbData?.available === false ? ['addition'] : ['imdb', 'addition']);

export async function startDemo(button, errorEl) {
  return guarded(button, errorEl, async () => {
    const tasks = demoTasks();
    const r = await api.post('/api/demo', { task: tasks.length === 2 ? 'both' : tasks[0] });
    if (r.jobs?.length) showJob(r.jobs[0].id);
    return r;
  });
}

export function initTrain(cfg) {
  config = cfg;
  const modelSel = $('#f-model');
  modelSel.replaceChildren(...cfg.imdbModels.map((m) => el('option', { value: m, text: m })));
  modelSel.value = cfg.imdbForm.model;
  const note = $('#imdb-data-note');
  note.textContent = cfg.imdbData.available ? '' : 'The IMDb data is not on this machine (set RNNLAB_DATA or start the server with --data), so IMDb runs are disabled.';
  if (!cfg.imdbData.available) {
    const imdbOption = $('#f-task option[value="imdb"]');
    imdbOption.disabled = true;
    imdbOption.textContent += ' (needs the IMDb data)';
    $('#f-task').value = 'addition';
  }
  $('#train-demo').title = describeDemo(cfg.demo, demoTasks());
  const form = $('#train-form');
  applyLimits(cfg.limits);
  applyOptimizers(cfg.optimizers);
  restoreForm();
  applyDropoutRange(cfg.dropoutRange);
  form.addEventListener('input', (e) => { validateField(e.target); rememberForm(); commandPreview(); });
  form.addEventListener('change', () => { rememberForm(); commandPreview(); });
  $('#f-task').addEventListener('change', showTask);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearRefusedFields();
    const unreadable = unreadableNumber();
    if (unreadable) {
      $('#train-error').textContent = unreadable.message;
      focusField(unreadable.input);
      return;
    }
    let refused = null;
    guarded($('#train-start'), $('#train-error'), async () => {
      try {
        const r = await api.post('/api/jobs', formValues());
        upsert(r.job);
        showJob(r.job.id);
      } catch (err) {
        refused = err;
        throw err;
      }
    // A refusal naming no field (409 busy, 429 too many): focus goes back to the button that disabling took it from.
    }).then(() => (refused && markRefusedField(refused.message)) || $('#train-start').focus());
  });
  $('#train-demo').addEventListener('click', (e) => startDemo(e.currentTarget, $('#train-error')));
  $('#live-job').addEventListener('change', (e) => showJob(e.target.value));
  showTask();
  drawLive();
  return config;
}
