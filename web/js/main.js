// The dashboard's entry point: tabs, the live connection, and wiring the views together.
import { $, $$, api, connectEvents } from './api.js';
import { announceStatus } from './announce.js';
import { initInside, setInsideModels } from './inside.js';
import { initLab, labEvents, reloadLab } from './lab.js';
import { initProjector, setProjectorModels } from './projector.js';
import { initRuns, reloadRuns } from './runs.js';
import { initSweeps, reloadSweeps } from './sweeps.js';
import { initTrain, jobEvents, onJobChange, setTrainShown, startDemo } from './train.js';
import { initTry, refreshModels } from './try.js';

const TABS = ['runs', 'train', 'try', 'inside', 'sweeps', 'lab'];

/** `push`: a click or key on a tab adds a history entry, so Back returns to the view before it. */
function showTab(name, push = false) {
  if (!TABS.includes(name)) name = 'runs';
  for (const b of $$('nav [role="tab"]')) {
    b.setAttribute('aria-selected', String(b.dataset.tab === name));
    b.tabIndex = b.dataset.tab === name ? 0 : -1;
  }
  for (const t of TABS) $(`#view-${t}`).hidden = t !== name;
  if (location.hash !== `#${name}`) history[push ? 'pushState' : 'replaceState'](null, '', `#${name}`);
  document.body.dataset.tab = name;
  // The shown job's curves stream only while they are on screen.
  setTrainShown(name === 'train');
  // The reloads show their own errors, beside the list they failed to load.
  if (name === 'sweeps') reloadSweeps();
  if (name === 'lab') reloadLab();
}

/** While the server is unreachable: a banner, and every action button disabled (restored as it was on reconnect). */
function setOffline(offline) {
  $('#offline-banner').hidden = !offline;
  document.body.dataset.offline = String(offline);
  for (const b of $$('main button, main input[type="submit"]')) {
    if (offline && !b.disabled) { b.disabled = true; b.dataset.offlineDisabled = 'true'; }
    if (!offline && b.dataset.offlineDisabled) { b.disabled = false; delete b.dataset.offlineDisabled; }
  }
}

/** Arrow keys, Home and End move between tabs (the WAI-ARIA tabs pattern). */
function tabKeys(e) {
  const tabs = $$('nav [role="tab"]');
  const i = tabs.indexOf(document.activeElement);
  if (i < 0) return;
  const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
  if (next === undefined) return;
  e.preventDefault();
  const t = tabs[(next + tabs.length) % tabs.length];
  t.focus();
  showTab(t.dataset.tab, true);
}

/**
 * The server has answered ?token= with a cookie, so the token need not stay in the address bar, the history or
 * a shared screenshot (as Jupyter does). The page keeps working from the cookie.
 */
function dropTokenFromUrl() {
  const url = new URL(location.href);
  if (!url.searchParams.has('token')) return;
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

async function main() {
  const config = await api.get('/api/config');
  dropTokenFromUrl();
  const health = await api.get('/api/health');
  $('#version').textContent = health.version;
  $('#backend').textContent = `${health.backend.backend} backend${health.backend.isa ? ` (${health.backend.isa})` : ''}`;
  $('#footer-runs').textContent = config.runsDir;

  for (const b of $$('nav [role="tab"]')) b.addEventListener('click', () => showTab(b.dataset.tab, true));
  $('nav').addEventListener('keydown', tabKeys);
  window.addEventListener('hashchange', () => showTab(location.hash.slice(1)));
  showTab(location.hash.slice(1) || 'runs');

  const reloadModels = async () => {
    const list = await refreshModels();
    setInsideModels(list, config);
    setProjectorModels(list);
    return list;
  };
  initRuns(config);
  // A run deleted or added in the folder changes the models too: Refresh makes the other tabs' lists again.
  $('#runs-refresh').addEventListener('click', () => reloadModels().catch(console.error));
  initSweeps();
  initLab();
  initTrain(config);
  initTry(startDemo, reloadModels);
  initInside(() => $('#sentiment-text').value);
  initProjector();

  let runsTimer = 0;
  const reloadRunsSoon = () => {
    clearTimeout(runsTimer);
    runsTimer = setTimeout(() => reloadRuns(), 300);
  };
  onJobChange((job) => {
    reloadRunsSoon();
    if (job.status === 'completed') reloadModels().catch(console.error);
  });

  let wasOffline = false;
  connectEvents({ ...jobEvents, ...labEvents }, (live, retryInMs) => {
    $('#conn-dot').className = `dot ${live ? 'live' : 'down'}`;
    $('#conn-dot').title = live ? 'live updates connected' : 'live updates disconnected; retrying';
    // A refused stream (retryInMs given): say so and when the next try is, since the wait grows to half a minute.
    if (!live) $('#status-text').textContent = retryInMs ? `live updates refused by the server; retrying in ${Math.round(retryInMs / 1000)} s…` : 'reconnecting…';
    setOffline(!live);
    // Back after a restart: the server rebuilt its lists, so fetch them again.
    if (live && wasOffline) {
      reloadRuns();
      reloadSweeps();
      reloadModels().catch(console.error);
    }
    wasOffline = !live;
  });
  announceStatus();
  // A list that fails to load says so in its view; the rest of the page still works.
  await Promise.all([reloadRuns(), reloadModels(), reloadSweeps()]);
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  $('#status-text').textContent = `error: ${e.message}`;
  console.error(e);
});
