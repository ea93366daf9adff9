// The Lab view: examples/lab8's sections with their code, and a Run button that runs one in quick mode on the
// server and streams its output here (events lab-output and lab-status).
import { $, api, el, guarded } from './api.js';

const KEYWORDS = new Set(['import', 'from', 'export', 'const', 'let', 'var', 'function', 'return', 'if', 'else', 'for', 'of', 'in',
  'while', 'new', 'await', 'async', 'as', 'type', 'interface', 'class', 'extends', 'true', 'false', 'null', 'undefined', 'throw', 'try', 'catch']);
// One alternative per kind of token; whatever matches none is plain text.
const TOKEN = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|('(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`)|\b(\d+(?:\.\d+)?(?:e-?\d+)?)\b|\b([A-Za-z_$][\w$]*)\b/g;

/** The source as DOM nodes: text nodes and spans, never HTML, so nothing in a file can become markup. */
export function highlight(source) {
  const out = [];
  let at = 0;
  for (const m of source.matchAll(TOKEN)) {
    const [text, comment, string, number, word] = m;
    const kind = comment ? 'comment' : string ? 'string' : number ? 'number' : word && KEYWORDS.has(word) ? 'keyword' : null;
    if (!kind) continue;
    if (m.index > at) out.push(document.createTextNode(source.slice(at, m.index)));
    out.push(el('span', { class: `tok-${kind}`, text }));
    at = m.index + text.length;
  }
  out.push(document.createTextNode(source.slice(at)));
  return out;
}

let shownRun = 0;

function setRunning(run) {
  const running = run?.status === 'running';
  for (const b of document.querySelectorAll('#lab-sections button.lab-run')) b.disabled = running;
  $('#lab-cancel').hidden = !running;
  $('#lab-run-status').textContent = run
    ? `section ${run.section}: ${run.status}${run.exitCode !== null && run.exitCode !== undefined && run.status !== 'completed' ? ` (exit code ${run.exitCode})` : ''}`
    : 'nothing has run yet';
  $('#lab-run-status').dataset.status = run?.status ?? 'none';
}

function showSection(s) {
  const run = el('button', { type: 'button', class: 'lab-run', dataset: { section: String(s.id) }, text: 'Run (quick)' });
  run.addEventListener('click', () => guarded(null, $('#lab-error'), async () => {
    const { run: started } = await api.post('/api/lab/run', { section: s.id });
    shownRun = started.run;
    $('#lab-output').textContent = '';
    setRunning(started);
  }));
  return el('details', { class: 'lab-section', open: s.id === 1, dataset: { section: String(s.id) } },
    el('summary', {}, el('span', { text: `${s.id}. ${s.title} ` }), el('code', { text: `examples/lab8/${s.file}` })),
    el('div', { class: 'actions' }, run),
    el('pre', { class: 'lab-code' }, el('code', {}, highlight(s.source))));
}

function showLab({ sections, run }) {
  $('#lab-sections').replaceChildren(...sections.map(showSection));
  if (run) {
    shownRun = run.run;
    $('#lab-output').textContent = run.output;
  }
  setRunning(run);
}

/** Numbers each load of the view; one shows its answer only if newer than the last shown, which it would undo. */
let labLoads = 0;
let shownLabLoad = 0;

/**
 * Loads the view, showing a failure in #lab-error; never rejects. Without the sections (the examples are not compiled:
 * a 409) there is nothing to run, so the sections are dropped and the output box and the sections card are hidden
 * rather than left empty. Another failure (a passing 500) says nothing about the sections shown, so they stay, unless
 * none is shown.
 */
export async function reloadLab() {
  const load = ++labLoads;
  $('#lab-error').textContent = '';
  let answer, error;
  try {
    answer = await api.get('/api/lab');
  } catch (e) {
    error = e;
  }
  if (load < shownLabLoad) return;
  shownLabLoad = load;
  if (error) {
    $('#lab-error').textContent = error.message;
    if (error.status === 409) $('#lab-sections').replaceChildren();
  } else {
    $('#lab-error').textContent = '';
    showLab(answer);
  }
  const hide = Boolean(error) && $('#lab-sections').childElementCount === 0;
  $('#lab-output').hidden = hide;
  $('#lab-sections-card').hidden = hide;
}

export const labEvents = {
  'lab-output'(data) {
    if (data.run !== shownRun) return;
    const out = $('#lab-output');
    const atEnd = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
    out.append(data.stream === 'stderr' ? el('span', { class: 'stderr', text: data.text }) : data.text);
    if (atEnd) out.scrollTop = out.scrollHeight;
  },
  'lab-status'(run) {
    if (run.run < shownRun) return;
    if (run.run > shownRun) { shownRun = run.run; $('#lab-output').textContent = ''; }
    setRunning(run);
  },
};

export function initLab() {
  $('#lab-cancel').addEventListener('click', (e) => guarded(e.currentTarget, $('#lab-error'), () => api.post('/api/lab/cancel')));
}
