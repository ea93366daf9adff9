/**
 * The stop signals (SIGINT, SIGTERM, SIGHUP) from rnnlab's first line until its command's own handlers take them.
 * bin/rnnlab.js installs this one listener before loading the modules (a second or two) and never removes it: removing
 * a signal's last listener stops Node's watcher, so a signal that came during the synchronous loading, queued and not
 * yet dispatched, would be dropped, and until the command installed its handlers Node's default would end the process
 * without a word. Imports nothing, so that bin/rnnlab.js can load it at once.
 *
 * While no handler of the command's has ever listened, a signal exits 130 with one line (docs/CLI.md): nothing is
 * written before a command installs its stop handling. Once one has, the command's handlers answer; should none be
 * left (released after its run), the signal meets Node's default, as it would without this listener.
 */
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

let installed = false;
let handedOver = false;
let ended = false;

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  if (handedOver || ended) {
    for (const sig of SIGNALS) process.off(sig, onSignal);
    process.kill(process.pid, signal);
    return;
  }
  process.stderr.write('rnnlab: stopped before anything was written\n');
  process.exit(130);
}

export function installEarlyStop(): void {
  if (installed) return;
  installed = true;
  process.on('newListener', (event: string | symbol, listener: unknown) => {
    if (listener !== onSignal && (SIGNALS as readonly (string | symbol)[]).includes(event)) handedOver = true;
  });
  for (const sig of SIGNALS) process.on(sig, onSignal);
}

/** The listeners of `signal` that are the command's (this module's is not one). */
export function commandListeners(signal: NodeJS.Signals): number {
  return process.listenerCount(signal) - (installed && process.listeners(signal).includes(onSignal) ? 1 : 0);
}

/**
 * Lets a signal queued during a synchronous stretch (the loading; a command that never waits) be dispatched: the
 * first turn of the event loop after a long synchronous stretch may not poll it yet, hence two.
 */
export async function dispatchPendingSignals(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
}

/** The command has returned: a signal from here on is no longer one that came before anything was written. */
export function commandEnded(): void {
  ended = true;
}
