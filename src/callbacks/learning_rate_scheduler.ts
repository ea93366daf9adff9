/** Keras's LearningRateScheduler: sets the optimizer's learning rate from schedule(epoch, lr) at each epoch start. */
import type { Logs } from '../models/progress.js';
import { checkOptionKeys } from '../near_name.js';
import { BaseCallback, checkVerbose, checkWriter, pythonRepr, type Writer } from './base.js';
import { heldRate } from './held_rate.js';

/** The options object form of learningRateScheduler's second argument (Keras's is a positional verbose). */
export interface LearningRateSchedulerOptions { verbose?: 0 | 1; out?: Writer }

export class LearningRateScheduler extends BaseCallback {
  /** The keys it adds to an epoch's logs (modelCheckpoint's path check reads it). */
  static readonly addedEpochLogKeys: readonly string[] = ['learning_rate'];
  readonly verbose: 0 | 1;
  private readonly out: Writer;

  /**
   * Keras's LearningRateScheduler(schedule, verbose): verbose 0 or 1, or an options object {verbose, out}; `out`
   * (third argument, or in the object) receives Keras's "setting learning rate" message (default stdout).
   */
  constructor(private readonly schedule: (epoch: number, lr: number) => number, verbose: 0 | 1 | LearningRateSchedulerOptions = 0, out?: Writer) {
    super();
    if (typeof schedule !== 'function') throw new Error('LearningRateScheduler: schedule must be a function (epoch, lr) => lr');
    if (typeof verbose === 'object' && verbose !== null && !Array.isArray(verbose)) {
      checkOptionKeys('LearningRateScheduler', verbose, ['verbose', 'out']);
      if (out !== undefined) throw new Error('LearningRateScheduler: give out in the options object or as the third argument, not both');
      this.verbose = checkVerbose(verbose.verbose, 'LearningRateScheduler');
      this.out = checkWriter(verbose.out, 'out', 'LearningRateScheduler');
    } else {
      this.verbose = checkVerbose(verbose, 'LearningRateScheduler');
      this.out = checkWriter(out, 'out (the third argument)', 'LearningRateScheduler');
    }
  }

  onEpochBegin(epoch: number): void {
    const opt = this.state.model.optimizer;
    if (!opt) throw new Error('LearningRateScheduler: the model has no optimizer (compile it before fit)');
    const lr = this.schedule(epoch, heldRate(opt));
    // 0 is a rate (a warm-up from 0, as Keras takes it); a negative one would climb the loss.
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) throw new Error(`LearningRateScheduler: schedule returned ${typeof lr === 'number' ? lr : `${typeof lr} ${JSON.stringify(lr) ?? String(lr)}`} for epoch ${epoch}; it must return a finite number >= 0`);
    // Stored as Keras's float32 variable holds it; the message shows the schedule's own value, as Keras prints it.
    opt.learningRate = Math.fround(lr);
    if (this.verbose) this.out.write(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${pythonRepr(lr)}.\n`);
  }

  /** Keras 3's: the epoch's rate in its logs, read back from the optimizer (History and CSVLogger then have a learning_rate column). */
  onEpochEnd(_epoch: number, logs: Logs = {}): void {
    const opt = this.state.model.optimizer;
    if (opt) logs.learning_rate = heldRate(opt);
  }
}
