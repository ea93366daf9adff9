// Talking to the rnnlab server: JSON requests with readable errors, and the live event stream.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function request(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, `cannot reach the server (${e.message}); is rnnlab serve still running?`);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || `${res.status} ${res.statusText}`);
  return data;
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body ?? {}),
};

/** The wait before the n-th new stream (n from 0) after the server refused one: 1 s, doubling, at most 30 s. */
export function reconnectDelayMs(attempt) {
  return Math.min(1000 * 2 ** attempt, 30000);
}

/**
 * Subscribes to an event stream (/api/events unless `url` is given); handlers get parsed data, onState(live, retryInMs)
 * the connection's state. A dropped connection the browser retries by itself; an answer other than 200 (the server's
 * 503 when too many streams are open) ends an EventSource for good, so then a new one is made after a growing delay
 * (retryInMs says when), unless `gone()` says the stream will never be there again (a job the server no longer keeps).
 * Returns { close() }.
 */
export function connectEvents(handlers, onState, { url = '/api/events', gone } = {}) {
  let es = null;
  let attempt = 0;
  let timer = null;
  let closed = false;
  const retry = () => {
    if (closed) return;
    const delay = reconnectDelayMs(attempt++);
    onState(false, delay);
    timer = setTimeout(open, delay);
  };
  const open = () => {
    timer = null;
    es = new EventSource(url);
    const mine = es;
    es.onopen = () => {
      attempt = 0;
      onState(true);
    };
    es.onerror = () => {
      if (mine.readyState !== EventSource.CLOSED) return onState(false);
      mine.close();
      if (!gone) return retry();
      gone().then((over) => over || retry());
    };
    for (const [event, fn] of Object.entries(handlers)) {
      es.addEventListener(event, (e) => {
        try {
          fn(JSON.parse(e.data));
        } catch (err) {
          console.error(`event ${event}:`, err);
        }
      });
    }
  };
  open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      es.close();
    },
  };
}

/**
 * Runs an async action for a form: disables its button, shows errors in `errorEl`. `resultEl`, the box showing the
 * form's last answer, is marked busy while the request runs and hidden when it is refused, so an error never sits
 * next to an answer for other input.
 */
export async function guarded(button, errorEl, fn, resultEl) {
  if (errorEl) errorEl.textContent = '';
  if (button) button.disabled = true;
  resultEl?.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } catch (e) {
    if (resultEl) resultEl.hidden = true;
    if (errorEl) errorEl.textContent = e.message;
    else console.error(e);
    return undefined;
  } finally {
    if (button) button.disabled = false;
    resultEl?.removeAttribute('aria-busy');
  }
}

/**
 * A number field's value for a request. An empty field, or text the browser cannot read as a number ("1e"), is
 * refused with a message naming the field: Number('') would quietly send 0, and `|| default` would replace a typed 0.
 * A number outside the field's min/max (the server's bounds), or a fraction in a whole-number field, is refused in
 * the server's words: the form is `novalidate`, so its handler runs and says what is wrong with the value now there,
 * where the browser's own check would stop the submit silently and leave the last message standing.
 */
export function numberFrom(input, title) {
  const v = input.validity;
  const refuse = (message) => {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    throw new Error(message);
  };
  if (v.badInput || input.value.trim() === '') refuse(`${title} needs a number`);
  if (v.rangeUnderflow || v.rangeOverflow || v.stepMismatch) {
    refuse(`${title} must be ${v.stepMismatch ? 'an integer ' : ''}from ${input.min} to ${input.max}, got ${input.value}`);
  }
  input.removeAttribute('aria-invalid');
  return Number(input.value);
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

export const pct = (v, digits = 1) => (typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : '–');
export const num = (v, digits = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–');

export function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * Fills a details card with load(); when that fails, hides the card (it would still show the run or sweep opened
 * before) and puts the server's message in an error line just above it, made on first use.
 */
export async function loadDetails(card, load) {
  try {
    await load();
    const line = document.getElementById(`${card.id}-error`);
    if (line) {
      line.hidden = true;
      line.textContent = '';
    }
  } catch (e) {
    closeDetails(card, e.message);
  }
}

/** Hides a details card, saying why in the error line above it (a refresh found its run or sweep gone). */
export function closeDetails(card, message) {
  const id = `${card.id}-error`;
  let line = document.getElementById(id);
  if (!line) {
    line = el('p', { class: 'card error', id, role: 'alert', hidden: true });
    card.before(line);
  }
  card.hidden = true;
  line.textContent = message;
  line.hidden = false;
}
