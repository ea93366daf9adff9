// What the polite live region #status-announce says: the status line, at most every 5 s (it changes several times a
// second while training), and a job's outcome at once (a screen reader user should not wait, or miss it, for that).
import { $ } from './api.js';

const EVERY_MS = 5000;
let last = 0, timer = 0;

function copyStatus() {
  timer = 0;
  last = Date.now();
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
 * Says `text` now. A status copy already due waits its full 5 s from here, so it cannot replace the text before a
 * screen reader has read it.
 */
export function announceNow(text) {
  last = Date.now();
  $('#status-announce').textContent = text;
  if (timer) {
    clearTimeout(timer);
    timer = setTimeout(copyStatus, EVERY_MS);
  }
}
