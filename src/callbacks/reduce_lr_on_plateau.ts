/** Keras's ReduceLROnPlateau: multiply the learning rate by factor after patience epochs without improvement. */
import type { Callback, FitState } from '../models/callback.js';
import type { Logs } from '../models/progress.js';
import { checkOptionKeys } from '../near_name.js';
import { checkMonitor, resolveMode, type Mode, type Writer } from './base.js';

export interface ReduceLROnPlateauArgs {
  monitor?: string; factor?: number; patience?: number; mode?: Mode; minDelta?: number; cooldown?: number; minLr?: number; verbose?: 0 | 1;
  out?: Writer;
}

const KEYS = ['monitor', 'factor', 'patience', 'mode', 'minDelta', 'cooldown', 'minLr', 'verbose', 'out'];

export class ReduceLROnPlateau implements Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  private readonly better: (a: number, b: number) => boolean;
  private fit: FitState | null = null;
  private best = NaN;
  private wait = 0;
  private cooldownLeft = 0;

  /** Keras defaults: monitor val_loss, factor 0.1, patience 10, minDelta 1e-4, cooldown 0, minLr 0. */
  constructor(private readonly args: ReduceLROnPlateauArgs = {}) {
    checkOptionKeys('ReduceLROnPlateau', args, KEYS, { undefinedIsAbsent: false });
    this.monitor = checkMonitor(args.monitor ?? 'val_loss', 'ReduceLROnPlateau');
    this.factor = args.factor ?? 0.1;
    if (!(this.factor > 0 && this.factor < 1)) throw new Error(`ReduceLROnPlateau: factor must be in (0, 1), got ${String(args.factor)}`);
    const nonNeg = (name: string, v: unknown, d: number): number => {
      const x = v ?? d;
      if (typeof x !== 'number' || !(x >= 0)) throw new Error(`ReduceLROnPlateau: ${name} must be a non-negative number, got ${String(v)}`);
      return x;
    };
    this.patience = nonNeg('patience', args.patience, 10);
    this.minDelta = nonNeg('minDelta', args.minDelta, 1e-4);
    this.cooldown = nonNeg('cooldown', args.cooldown, 0);
    this.minLr = nonNeg('minLr', args.minLr, 0);
    const mode = resolveMode(args.mode ?? 'auto', this.monitor, 'ReduceLROnPlateau');
    this.better = mode === 'min' ? (a, b) => a < b - this.minDelta : (a, b) => a > b + this.minDelta;
  }

  setFitState(state: FitState): void { this.fit = state; }
  onTrainBegin(): void { this.best = NaN; this.wait = 0; this.cooldownLeft = 0; }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const opt = this.fit?.model.optimizer;
    if (!opt) throw new Error('ReduceLROnPlateau: used outside model.fit (pass it in fit\'s callbacks)');
    // Keras 3 logs the rate the epoch trained with (History and CSVLogger then have a learning_rate column).
    logs.learning_rate = opt.learningRate;
    const current = logs[this.monitor];
    if (typeof current !== 'number') throw new Error(`ReduceLROnPlateau: monitor '${this.monitor}' is not in the epoch logs (${Object.keys(logs).join(', ')})`);
    if (this.cooldownLeft > 0) { this.cooldownLeft--; this.wait = 0; }
    if (Number.isNaN(this.best) || this.better(current, this.best)) { this.best = current; this.wait = 0; return; }
    if (this.cooldownLeft > 0) return;
    if (++this.wait < this.patience) return;
    if (opt.learningRate > this.minLr) {
      opt.learningRate = Math.max(opt.learningRate * this.factor, this.minLr);
      if (this.args.verbose) (this.args.out ?? process.stdout).write(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${opt.learningRate}.\n`);
      this.cooldownLeft = this.cooldown;
      this.wait = 0;
    }
  }
}
