/**
 * Ctrl-C (SIGINT), SIGTERM or a closed terminal (SIGHUP) during a long command that stops cleanly: the first aborts
 * the returned signal (the command finishes what it can and writes what it has), the second exits at once.
 */
import { STOP_SIGNALS } from './context.js';

export function onStopSignals(line: (s: string) => void, stopping: () => string | null): { signal: AbortSignal; release: () => void } {
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) {
      line('Stopped at once.');
      process.exit(130);
    }
    const words = stopping();
    if (words !== null) line(words);
    stop.abort();
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  return { signal: stop.signal, release: () => { for (const sig of STOP_SIGNALS) process.off(sig, onSignal); } };
}
