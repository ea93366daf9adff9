/** Keras's LearningRateScheduler: sets the optimizer's learning rate from schedule(epoch, lr) at each epoch start. */
import type { Callback, FitState } from '../models/callback.js';
import type { Logs } from '../models/progress.js';
import type { Writer } from './base.js';

export class LearningRateScheduler implements Callback {
  private fit: FitState | null = null;
  constructor(private readonly schedule: (epoch: number, lr: number) => number, private readonly verbose = 0, private readonly out: Writer = process.stdout) {
    if (typeof schedule !== 'function') throw new Error('LearningRateScheduler: schedule must be a function (epoch, lr) => lr');
  }
  setFitState(state: FitState): void { this.fit = state; }
  onEpochBegin(epoch: number): void {
    const opt = this.fit?.model.optimizer;
    if (!opt) throw new Error('LearningRateScheduler: used outside model.fit (pass it in fit\'s callbacks)');
    const lr = this.schedule(epoch, opt.learningRate);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) throw new Error(`LearningRateScheduler: schedule returned ${typeof lr === 'number' ? lr : `${typeof lr} ${JSON.stringify(lr) ?? String(lr)}`} for epoch ${epoch}; it must return a positive number`);
    opt.learningRate = lr;
    if (this.verbose) this.out.write(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.\n`);
  }
  /** Keras 3's: the epoch's rate in its logs (History and CSVLogger then have a learning_rate column). */
  onEpochEnd(_epoch: number, logs: Logs = {}): void {
    const opt = this.fit?.model.optimizer;
    if (opt) logs.learning_rate = opt.learningRate;
  }
}
