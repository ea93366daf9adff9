/** Keras's TerminateOnNaN: stop training at the first batch whose loss is NaN or infinite (that batch is not applied). */
import type { Logs } from '../models/progress.js';
import { BaseCallback, checkWriter, type Writer } from './base.js';

export class TerminateOnNaN extends BaseCallback {
  /** It adds no keys to the logs (modelCheckpoint's path check reads it). */
  static readonly addedEpochLogKeys: readonly string[] = [];
  readonly handlesNonFiniteLoss = true;
  /** The batch (epoch, batch) that stopped training, if any. */
  terminatedAt: { epoch: number; batch: number } | null = null;
  private readonly out: Writer;
  /** Kept from onEpochBegin: fitDataset has no fit position (state.progress) to read it from. */
  private epoch = 0;

  /**
   * Keras's TerminateOnNaN() takes no options; rnnlab's one argument is where its message goes (a writer, default
   * stdout). An options object ({verbose: 1}) is refused naming its keys: the message is always printed, as Keras's.
   */
  constructor(out?: Writer) {
    super();
    if (typeof out === 'object' && out !== null && typeof (out as Partial<Writer>).write !== 'function' && !Array.isArray(out)) {
      const keys = Object.keys(out);
      throw new Error(`terminateOnNaN: ${keys.length ? `option${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')} ${keys.length > 1 ? 'are' : 'is'}` : 'an options object is'} not supported ` +
        '(Keras\'s TerminateOnNaN takes no options and always prints its message); its only argument is a writer for that message, an object with a write(text) method');
    }
    this.out = checkWriter(out, 'its argument', 'terminateOnNaN');
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  onBatchEnd(batch: number, logs: Logs = {}): void {
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      this.out.write(`Batch ${batch}: Invalid loss, terminating training\n`);
      this.terminatedAt = { epoch: this.epoch, batch };
      this.state.model.stopTraining = true;
    }
  }
}
