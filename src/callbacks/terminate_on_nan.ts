/** Keras's TerminateOnNaN: stop training at the first batch whose loss is NaN or infinite (that batch is not applied). */
import type { Logs } from '../models/progress.js';
import { NonFiniteLossError } from '../models/training.js';
import { readKerasOptions } from '../near_name.js';
import { BaseCallback, checkBoolean, checkWriter, type WithKerasNames, type Writer } from './base.js';

/** terminateOnNaN's options under tfjs's names (TerminateOnNaNArgs adds Keras's raise_error). */
export interface TerminateOnNaNOptions {
  /**
   * Keras 3.13+'s raise_error: true ends fit by throwing NonFiniteLossError at that batch instead of stopping
   * training (no message; the other callbacks' onTrainEnd does not run). Default false.
   */
  raiseError?: boolean;
  /** Where the "Invalid loss" message goes (default stdout); only without raiseError, which prints nothing. */
  out?: Writer;
}

export type TerminateOnNaNArgs = WithKerasNames<TerminateOnNaNOptions>;

export class TerminateOnNaN extends BaseCallback {
  /** It adds no keys to the logs (modelCheckpoint's path check reads it). */
  static readonly addedEpochLogKeys: readonly string[] = [];
  readonly handlesNonFiniteLoss = true;
  readonly raiseError: boolean;
  /** The batch (epoch, batch) that stopped training, if any. */
  terminatedAt: { epoch: number; batch: number } | null = null;
  private readonly out: Writer;
  /** Kept from onEpochBegin: fitDataset has no fit position (state.progress) to read it from. */
  private epoch = 0;

  /** Keras's options ({raiseError} or {raise_error}, with out), or just a writer for the message. */
  constructor(arg?: Writer | TerminateOnNaNArgs) {
    super();
    if (typeof arg === 'boolean') {
      // Keras's TerminateOnNaN(True): raise_error given positionally.
      throw new Error(`terminateOnNaN: the argument must be an options object or a writer, got ${arg}; write terminateOnNaN({raiseError: ${arg}})`);
    }
    // A writer has write(); any other object is the options (a bare string or number is a wrong writer).
    const options = typeof arg === 'object' && arg !== null && typeof (arg as Partial<Writer>).write !== 'function';
    const args = (options ? readKerasOptions('terminateOnNaN', arg, ['raiseError', 'out']) : {}) as TerminateOnNaNOptions;
    this.raiseError = checkBoolean(args.raiseError, 'raiseError', 'terminateOnNaN', false);
    if (this.raiseError && args.out !== undefined) {
      throw new Error('terminateOnNaN: out applies only without raiseError: true (raising prints no message); leave one of them out');
    }
    this.out = options ? checkWriter(args.out, 'out', 'terminateOnNaN') : checkWriter(arg, 'its argument', 'terminateOnNaN');
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  onBatchEnd(batch: number, logs: Logs = {}): void {
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      this.terminatedAt = { epoch: this.epoch, batch };
      if (this.raiseError) throw new NonFiniteLossError(this.epoch, batch, this.state.history);
      this.out.write(`Batch ${batch}: Invalid loss, terminating training\n`);
      this.state.model.stopTraining = true;
    }
  }
}
