// The dashboard's entry point: tabs, the live connection, and wiring the views together.
import { $, $$, api, connectEvents } from './api.js';
import { initInside, setInsideModels } from './inside.js';
import { initRuns, refreshRuns } from './runs.js';
import { initSweeps, refreshSweeps } from './sweeps.js';
import { initTrain, jobEvents, onJobChange, startDemo } from './train.js';
import { initTry, refreshModels } from './try.js';

const TABS = ['runs', 'train', 'try', 'inside', 'sweeps'];

function showTab(name) {
  if (!TABS.includes(name)) name = 'runs';
  for (const b of $$('nav [role="tab"]')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const t of TABS) $(`#view-${t}`).hidden = t !== name;
  if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
  document.body.dataset.tab = name;
  if (name === 'sweeps') refreshSweeps().catch(console.error);
}

async function main() {
  const config = await api.get('/api/config');
  const health = await api.get('/api/health');
  $('#version').textContent = health.version;
  $('#backend').textContent = `${health.backend.backend} backend${health.backend.isa ? ` (${health.backend.isa})` : ''}`;
  $('#footer-runs').textContent = config.runsDir;

  for (const b of $$('nav [role="tab"]')) b.addEventListener('click', () => showTab(b.dataset.tab));
  window.addEventListener('hashchange', () => showTab(location.hash.slice(1)));
  showTab(location.hash.slice(1) || 'runs');

  initRuns(config);
  initSweeps();
  initTrain(config);
  initTry(startDemo);
  initInside(() => $('#sentiment-text').value);

  const reloadModels = async () => {
    const list = await refreshModels();
    setInsideModels(list, config);
  };
  let runsTimer = 0;
  const reloadRunsSoon = () => {
    clearTimeout(runsTimer);
    runsTimer = setTimeout(() => refreshRuns().catch(console.error), 300);
  };
  onJobChange((job) => {
    reloadRunsSoon();
    if (job.status === 'completed') reloadModels().catch(console.error);
  });

  connectEvents(jobEvents, (live) => {
    $('#conn-dot').className = `dot ${live ? 'live' : 'down'}`;
    $('#conn-dot').title = live ? 'live updates connected' : 'live updates disconnected; retrying';
    if (!live) $('#status-text').textContent = 'reconnecting…';
  });
  await Promise.all([refreshRuns(), reloadModels(), refreshSweeps()]);
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  $('#status-text').textContent = `error: ${e.message}`;
  console.error(e);
});
