/** Keras's TerminateOnNaN: stop training at the first batch whose loss is NaN or infinite (that batch is not applied). */
import type { Logs } from '../models/progress.js';
import { BaseCallback, type Writer } from './base.js';

export class TerminateOnNaN extends BaseCallback {
  readonly handlesNonFiniteLoss = true;
  /** The batch (epoch, batch) that stopped training, if any. */
  terminatedAt: { epoch: number; batch: number } | null = null;
  constructor(private readonly out: Writer = process.stdout) { super(); }

  onBatchEnd(batch: number, logs: Logs = {}): void {
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      this.out.write(`Batch ${batch}: Invalid loss, terminating training\n`);
      this.terminatedAt = { epoch: this.state.progress?.epoch ?? 0, batch };
      this.state.model.stopTraining = true;
    }
  }
}
