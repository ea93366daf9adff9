// What the polite live region #status-announce says: the status line, at most every 5 s (it changes several times a
// second while training), and a job's outcome at once (a screen reader user should not wait, or miss it, for that).
import { $, el } from './api.js';

const EVERY_MS = 5000;
let last = 0, timer = 0;
/** When the region last took an outcome; outcomes said since the last status copy stay in it. */
let lastOutcome = -Infinity;

function copyStatus() {
  timer = 0;
  last = Date.now();
  lastOutcome = -Infinity;
  $('#status-announce').textContent = $('#status-text').textContent;
}

/** Copies the status line to the live region as it changes, throttled. */
export function announceStatus() {
  new MutationObserver(() => {
    if (timer) return;
    timer = setTimeout(copyStatus, Math.max(0, EVERY_MS - (Date.now() - last)));
  }).observe($('#status-text'), { childList: true, characterData: true, subtree: true });
}

/**
 * Says `text` now. An outcome said less than 5 s before may not have been read yet: the new one is added after it
 * (a screen reader reads what is added) rather than put in its place, so two jobs that end together are both said.
 * A status copy already due waits its full 5 s from here, so it cannot replace the text before it has been read.
 */
export function announceNow(text) {
  const region = $('#status-announce');
  const line = el('span', { text });
  if (Date.now() - lastOutcome < EVERY_MS) region.append('. ', line);
  else region.replaceChildren(line);
  last = lastOutcome = Date.now();
  if (timer) {
    clearTimeout(timer);
    timer = setTimeout(copyStatus, EVERY_MS);
  }
}
