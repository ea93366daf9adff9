// The jobs list of the Live training view: one entry per job, updated in place so keyboard focus survives progress.
import { $, $$, api, duration, el, guarded, pct } from './api.js';

export function statusText(v) {
  const p = v.progress;
  if (v.status === 'running' && p) {
    return `epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.steps} · ${(p.fraction * 100).toFixed(0)}% · ${duration(p.elapsedSeconds)} elapsed · ETA ${p.etaSeconds === null ? '–' : duration(p.etaSeconds)}`;
  }
  if (v.status === 'completed') {
    const m = v.metrics ?? {};
    const acc = m.testAccuracy ?? m.exactMatchAccuracy;
    // A phase other than "done" says what went wrong after training (the model could not be saved).
    return `done · ${acc === undefined ? '' : `${m.testAccuracy !== undefined ? 'test accuracy' : 'exact answers'} ${pct(acc, 2)} · `}run folder ${v.runId}${v.phase === 'done' ? '' : ` · ${v.phase.replace(/^done, but /, '')}`}`;
  }
  if (v.status === 'failed') return `failed: ${v.error}`;
  return v.phase;
}

const isActive = (v) => v.status === 'running' || v.status === 'queued';

/**
 * The phases the server gives a running job whose training has ended (FINISHING_PHASE, SAVING_PHASE, REPORT_PHASE in
 * src/server): it refuses a cancel then (409), as the job ends completed, or its report is being written.
 */
export const PAST_TRAINING_PHASES = new Set(['finishing the last epoch', 'saving', 'writing the report']);

/** The last batch of the last epoch is done: later phases (the IMDb task's own) are past training too. */
const lastBatchDone = (p) => !!p && p.epochs > 0 && p.epoch === p.epochs && p.batch === p.steps;

/** Whether the server would accept a cancel of the job: queued, or running and still training. */
export const canCancel = (v) => v.status === 'queued' || (v.status === 'running' && !PAST_TRAINING_PHASES.has(v.phase) && !lastBatchDone(v.progress));

/**
 * A job's entry, made once: renderJobList updates its parts in place, so keyboard focus on it or its Cancel stays.
 * The job's name is a button (what a screen reader announces as actionable); the whole entry is a mouse target, and
 * the entry itself takes focus only from a script (tabindex -1). When its Cancel button goes, focus goes to the name's
 * button, which has a role and a name for a screen reader to announce (the entry has neither).
 * The name is role=button rather than a <button>, so that the entry's one <button> element stays its Cancel (what
 * `li[data-job] button` has always meant to scripts and tests).
 */
function jobItem(id, showJob) {
  const activate = (e) => { if ((e.key === 'Enter' || e.key === ' ') && e.target === e.currentTarget) { e.preventDefault(); showJob(id); } };
  return el('li', { dataset: { job: id }, tabindex: '-1', onclick: () => showJob(id), onkeydown: activate },
    el('span', { class: 'job-show', role: 'button', tabindex: '0', onkeydown: activate }, el('span', { class: 'job-name' })),
    el('span', { class: 'job-action' }), el('span', { class: 'job-phase' }));
}

function cancelButton(v) {
  return el('button', { class: 'danger', 'data-action': 'cancel', 'aria-label': `cancel ${v.name}`, onclick: (e) => {
    e.stopPropagation();
    // A disabled button drops focus to the page, and this one goes once the job ends: focus goes to the job's name button.
    if (document.activeElement === e.currentTarget) e.currentTarget.closest('li').querySelector('.job-show').focus();
    guarded(e.currentTarget, $('#train-error'), () => api.post(`/api/jobs/${v.id}/cancel`));
  } }, 'Cancel');
}

function updateJobItem(li, v, shownJob) {
  li.dataset.status = v.status;
  li.className = v.id === shownJob ? 'selected' : '';
  if (v.command) li.title = v.command;
  else li.removeAttribute('title');
  const show = li.querySelector('.job-show');
  const label = `show the curves of ${v.name} (${v.status})`;
  if (show.getAttribute('aria-label') !== label) show.setAttribute('aria-label', label);
  if (v.id === shownJob) show.setAttribute('aria-current', 'true');
  else show.removeAttribute('aria-current');
  const name = li.querySelector('.job-name');
  if (name.textContent !== `${v.name} ${isActive(v) ? v.status : ''}`) {
    name.replaceChildren(`${v.name} `, ...(isActive(v) ? [el('span', { class: `badge ${v.status}`, text: v.status })] : []));
  }
  // The Cancel button is kept while the job can be cancelled (not once its training has ended: the server would
  // refuse); when it goes, focus moves to the job's name button.
  const action = li.querySelector('.job-action');
  const button = action.querySelector('button');
  const hadFocus = button && button === document.activeElement;
  if (canCancel(v)) {
    if (!button) action.replaceChildren(cancelButton(v));
  } else if (isActive(v)) {
    if (button) action.replaceChildren();
  } else {
    const shown = action.firstElementChild;
    if (!shown || shown.tagName === 'BUTTON' || shown.textContent !== v.status) action.replaceChildren(el('span', { class: `badge ${v.status}`, text: v.status }));
  }
  if (hadFocus && !button.isConnected) show.focus();
  let bar = li.querySelector('progress');
  if (v.status === 'running') {
    if (!bar) li.querySelector('.job-phase').before(bar = el('progress', { max: '1', 'aria-label': `progress of ${v.name}` }));
    bar.value = v.progress?.fraction ?? 0;
  } else bar?.remove();
  const phase = v.status === 'running' && !v.progress ? v.phase : statusText(v);
  const phaseEl = li.querySelector('.job-phase');
  if (phaseEl.textContent !== phase) phaseEl.textContent = phase;
}

/**
 * The list, newest first, reusing each job's entry: a node is moved only when the order changed (moving a node drops
 * its focus, so a focused one that moved is focused again).
 */
export function renderJobList(list, views, shownJob, showJob) {
  const focused = document.activeElement;
  const items = new Map($$('li[data-job]', list).map((li) => [li.dataset.job, li]));
  const ids = new Set(views.map((v) => v.id));
  for (const [id, li] of items) if (!ids.has(id)) li.remove();
  let next = list.firstElementChild;
  for (const v of views) {
    const li = items.get(v.id) ?? jobItem(v.id, showJob);
    updateJobItem(li, v, shownJob);
    if (li === next) next = li.nextElementSibling;
    else list.insertBefore(li, next);
  }
  if (focused && focused !== document.activeElement && focused.isConnected && list.contains(focused)) focused.focus();
}
