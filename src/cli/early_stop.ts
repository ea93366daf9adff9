/**
 * The stop signals (SIGINT, SIGTERM, SIGHUP) that no handler of the command's takes: from rnnlab's first line until
 * its command's own handlers take them, and in the gaps a command leaves (one that has none, such as `predict`;
 * after its handlers are released; after it returned while its output still drains). bin/rnnlab.js installs this
 * one listener before loading the modules (a second or two) and never removes it: removing a signal's last listener
 * stops Node's watcher, so a signal that came during the synchronous loading, queued and not yet dispatched, would be
 * dropped, and Node's default would end the process without a word. Imports nothing, so that bin/rnnlab.js can load
 * it at once.
 *
 * What it answers is said on stderr, true to what was done (docs/CLI.md, exit code 130): before the command printed
 * anything or installed stop handling of its own, nothing was written; once it printed, its output is cut short
 * (or, once it returned and its output is out, whole).
 */
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

let installed = false;
let handedOver = false;
let ended = false;
let printed = false;

const pendingOutput = () => process.stdout.writableLength + process.stderr.writableLength > 0;

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  let line: string;
  if (printed) {
    line = !ended || pendingOutput() ? 'rnnlab: stopped; the output above is cut short' : 'rnnlab: stopped after the command had finished; the output above is whole';
  } else if (ended) {
    line = 'rnnlab: stopped after the command had finished';
  } else if (!handedOver) {
    line = 'rnnlab: stopped before anything was written';
  } else {
    // Between a command's own handlers, which said what a stop keeps, and any output: what it did is its own to say.
    for (const sig of SIGNALS) process.off(sig, onSignal);
    process.kill(process.pid, signal);
    return;
  }
  process.stderr.write(`${line}\n`);
  process.exit(130);
}

/** Notes the command's first output, after which a stop cuts it short rather than coming before anything was written. */
function noteOutput(stream: NodeJS.WriteStream): void {
  const write = stream.write;
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    if (!printed && (typeof chunk === 'string' || chunk instanceof Uint8Array) && chunk.length > 0) printed = true;
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof stream.write;
}

export function installEarlyStop(): void {
  if (installed) return;
  installed = true;
  process.on('newListener', (event: string | symbol, listener: unknown) => {
    if (listener !== onSignal && (SIGNALS as readonly (string | symbol)[]).includes(event)) handedOver = true;
  });
  for (const sig of SIGNALS) process.on(sig, onSignal);
  noteOutput(process.stdout);
  noteOutput(process.stderr);
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

/** The command has returned: a signal from here on stops what of its output still drains, exiting 130. */
export function commandEnded(): void {
  ended = true;
}
