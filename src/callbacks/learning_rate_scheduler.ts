/** Keras's LearningRateScheduler: sets the optimizer's learning rate from schedule(epoch, lr) at each epoch start. */
import type { Logs } from '../models/progress.js';
import { checkOptionKeys } from '../near_name.js';
import { Tensor, isForeignTensor } from '../tensor.js';
import { BaseCallback, checkVerbose, checkWriter, pythonRepr, type Writer } from './base.js';
import { heldRate } from './held_rate.js';
import { BEYOND_FLOAT32, float32Holds, heldInFloat32 } from '../optimizers/float32.js';

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
    if (typeof lr !== 'number') {
      const { got, fix } = notANumber(lr);
      throw new Error(`LearningRateScheduler: schedule returned ${got} for epoch ${epoch}; ${fix}`);
    }
    if (!Number.isFinite(lr) || lr < 0) throw new Error(`LearningRateScheduler: schedule returned ${lr} for epoch ${epoch}; it must return a finite number >= 0`);
    // Stored as Keras's float32 variable holds it; the message shows the schedule's own value, as Keras prints it.
    // Caught here: float32 would make it Infinity and the optimizer's refusal would name neither the schedule nor its value.
    if (!float32Holds(lr)) throw new Error(`LearningRateScheduler: schedule returned ${lr} for epoch ${epoch}, ${BEYOND_FLOAT32}, in which the optimizer holds its rate`);
    opt.learningRate = heldInFloat32(lr);
    if (this.verbose) this.out.write(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${pythonRepr(lr)}.\n`);
  }

  /** Keras 3's: the epoch's rate in its logs, read back from the optimizer (History and CSVLogger then have a learning_rate column). */
  onEpochEnd(_epoch: number, logs: Logs = {}): void {
    const opt = this.state.model.optimizer;
    if (opt) logs.learning_rate = heldRate(opt);
  }
}

/** Keras's "The output of the schedule function should be a float": what it got in words, and what to return. */
function notANumber(v: unknown): { got: string; fix: string } {
  const fix = 'it must return a finite number >= 0';
  if (typeof v === 'bigint') return { got: `${v}n (a bigint)`, fix: `${fix} (Number(${v}n))` };
  if (typeof (v as { then?: unknown } | null | undefined)?.then === 'function') {
    // Its rejection, if any, would otherwise surface later as an unhandled rejection on top of this error.
    try { (v as PromiseLike<unknown>).then(undefined, () => undefined); } catch { /* a thenable whose then throws: nothing to silence */ }
    return { got: 'a Promise', fix: 'the schedule must return a number, not a Promise (it is called synchronously, as Keras calls it)' };
  }
  if (v instanceof Tensor || isForeignTensor(v)) return { got: 'a Tensor', fix: 'return a number, e.g. t.dataSync()[0]' };
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return { got: v === undefined ? 'undefined' : `a ${typeof v}`, fix };
  let text: string | undefined;
  try { text = JSON.stringify(v); } catch { text = undefined; }
  const shown = text === undefined ? 'a value JSON cannot write' : text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return { got: `${v === null ? '' : Array.isArray(v) ? 'an array ' : `${typeof v} `}${shown}`, fix };
}
