/**
 * Ctrl-C during fit: the first SIGINT asks training to stop at the next batch boundary (the batch running now
 * finishes), a checkpoint is written there, the way to resume is printed, and the process exits with 130.
 * A second SIGINT exits at once.
 */
import type { Writer } from './base.js';

export class InterruptGuard {
  requested = false;
  private installed = false;
  private readonly handler = () => this.onSignal();

  constructor(private readonly out: Writer, private readonly exit: (code: number) => void) {}

  install(): void {
    if (this.installed) return;
    this.installed = true;
    this.requested = false;
    process.on('SIGINT', this.handler);
  }

  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    process.removeListener('SIGINT', this.handler);
  }

  private onSignal(): void {
    if (this.requested) {
      this.out.write('\nrnnlab: second Ctrl-C, exiting without waiting\n');
      this.exit(130);
      return;
    }
    this.requested = true;
    this.out.write('\nrnnlab: Ctrl-C: finishing the current batch, then saving a checkpoint (press Ctrl-C again to quit at once)\n');
  }
}
