// The models that Try it and Inside the network offer: GET /api/models (newest first, then the untrained networks),
// listed a page at a time. A line atop each of the two views says how many are listed and lists more on request.
import { $, $$, api, guarded } from './api.js';
import { latestWins, STALE } from './latest.js';

/** Models listed at first, and added by each "List more models". */
const MODELS_PAGE = 100;
/** The most one answer of GET /api/models holds (its ?limit= cap). */
const MAX_LIMIT = 1000;

let listed = [];
let total = 0;
/** How many models the user has asked to see; a reload lists as many again. */
let wanted = MODELS_PAGE;
let showList = () => {};

/**
 * The first `count` models. The whole list shown is asked for again, in one answer up to MAX_LIMIT, rather than only
 * the next page: pages fetched at different times shift when a run is added or removed between them, repeating a
 * model or missing one.
 */
const fetchModels = latestWins(async (count) => {
  const list = [];
  let all = 0;
  do {
    const page = await api.get(`/api/models?limit=${Math.min(count - list.length, MAX_LIMIT)}&offset=${list.length}`);
    list.push(...page.models);
    all = page.total;
    if (page.models.length === 0) break;
  } while (list.length < Math.min(count, all));
  // Past MAX_LIMIT the answers can still shift: drop a repeated model (one missed is listed by the next reload).
  const seen = new Set();
  return { models: list.filter((m) => !seen.has(m.id) && seen.add(m.id)), total: all };
});

function drawPagers() {
  for (const pager of $$('.models-pager')) {
    pager.hidden = total <= MODELS_PAGE;
    $('.models-page-text', pager).textContent = listed.length < total
      ? `${listed.length} of ${total} models listed, newest first; the untrained networks come last.`
      : `All ${total} models listed.`;
    $('.models-more', pager).disabled = listed.length >= total;
  }
}

/** Lists the models again, as many as the user asked to see; rejects when the list cannot be read. */
export async function reloadModels() {
  const got = await fetchModels(wanted);
  // A list older than the one shown would take away models listed since.
  if (got === STALE) return;
  ({ models: listed, total } = got);
  drawPagers();
  showList(listed);
}

/** `show(list)` fills the views' model selects each time a list is shown. */
export function initModels(show) {
  showList = show;
  for (const pager of $$('.models-pager')) {
    // Not handed to guarded, which would disable it while the page loads and so take the keyboard focus off it.
    $('.models-more', pager).addEventListener('click', () => {
      wanted = Math.max(wanted, listed.length) + MODELS_PAGE;
      return guarded(null, $('.models-error', pager), reloadModels);
    });
  }
}
