/**
 * Ctrl-C during fit: the first SIGINT asks training to stop at the next batch boundary (the batch running now
 * finishes), a checkpoint is written there, the way to resume is printed, and the process exits with 130.
 * A second SIGINT exits at once. The handler is also the one to listen on other stop signals (the CLI adds SIGTERM
 * and SIGHUP, src/cli/run_checkpoint.ts); its words name the signal that came.
 */
import type { Writer } from './base.js';

/** The stop signals the guard can listen on (named here, not as Node's type, so that the declarations need no Node types). */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export class InterruptGuard {
  requested = false;
  /** The signals it listens on while installed: Ctrl-C's, and the CLI's other stop signals too. */
  signals: readonly StopSignal[] = ['SIGINT'];
  private installed = false;
  private listening: readonly NodeJS.Signals[] = [];
  /** Node hands a signal listener the signal's name. */
  private readonly handler = (signal?: NodeJS.Signals) => this.onSignal(signal ?? 'SIGINT');

  constructor(private readonly out: Writer, private readonly exit: (code: number) => void) {}

  install(): void {
    if (this.installed) return;
    this.installed = true;
    this.requested = false;
    this.listening = this.signals;
    for (const s of this.listening) process.on(s, this.handler);
  }

  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    for (const s of this.listening) process.removeListener(s, this.handler);
  }

  private onSignal(signal: NodeJS.Signals): void {
    const name = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    if (this.requested) {
      this.out.write(`\nrnnlab: second ${signal === 'SIGINT' ? 'Ctrl-C' : `stop signal (${signal})`}, exiting without waiting\n`);
      this.exit(130);
      return;
    }
    this.requested = true;
    this.out.write(`\nrnnlab: ${name}: finishing the current batch, then saving a checkpoint (press Ctrl-C again to quit at once)\n`);
  }
}
