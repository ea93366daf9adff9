/** Keras's ReduceLROnPlateau: multiply the learning rate by factor after patience epochs without improvement. */
import type { Logs } from '../models/progress.js';
import { readKerasOptions } from '../near_name.js';
import { heldRate } from './held_rate.js';
import { BaseCallback, MissingMonitorWarning, checkMonitor, checkVerbose, checkWriter, isImprovement, monitoredNumber, pythonRepr, resolveMode, shownOption, type Mode, type MonitorBest, type WithKerasNames, type Writer } from './base.js';

/** reduceLROnPlateau's options under tfjs's names (ReduceLROnPlateauArgs adds Keras's min_lr, min_delta). */
export interface ReduceLROnPlateauOptions {
  monitor?: string; factor?: number; patience?: number; mode?: Mode; minDelta?: number; cooldown?: number; minLr?: number; verbose?: 0 | 1;
  out?: Writer;
}

export type ReduceLROnPlateauArgs = WithKerasNames<ReduceLROnPlateauOptions>;

const KEYS = ['monitor', 'factor', 'patience', 'mode', 'minDelta', 'cooldown', 'minLr', 'verbose', 'out'];

export class ReduceLROnPlateau extends BaseCallback {
  /** The keys it adds to an epoch's logs (modelCheckpoint's path check reads it). */
  static readonly addedEpochLogKeys: readonly string[] = ['learning_rate'];
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  /** The mode as given; the direction it resolves to is `direction`. */
  readonly mode: Mode;
  /** Whether a lower or a higher monitored value is better. */
  readonly direction: 'min' | 'max';
  readonly verbose: 0 | 1;
  private readonly out: Writer;
  private best: MonitorBest = null;
  private wait = 0;
  private cooldownLeft = 0;
  private readonly missing = new MissingMonitorWarning();

  /** Keras defaults: monitor val_loss, factor 0.1, patience 10, minDelta 1e-4, cooldown 0, minLr 0. */
  constructor(given: ReduceLROnPlateauArgs = {}) {
    super();
    const args: ReduceLROnPlateauOptions = readKerasOptions('ReduceLROnPlateau', given, KEYS, { undefinedIsAbsent: false });
    this.monitor = checkMonitor(args.monitor ?? 'val_loss', 'ReduceLROnPlateau');
    this.factor = args.factor ?? 0.1;
    if (typeof this.factor !== 'number' || !(this.factor > 0 && this.factor < 1)) throw new Error(`ReduceLROnPlateau: factor must be in (0, 1), got ${shownOption(args.factor)}`);
    const nonNeg = (name: string, v: unknown, d: number, int: boolean): number => {
      const x = v ?? d;
      if (typeof x !== 'number' || !(x >= 0) || !Number.isFinite(x) || (int && !Number.isInteger(x))) {
        throw new Error(`ReduceLROnPlateau: ${name} must be a non-negative ${int ? 'integer' : 'number'}, got ${shownOption(v)}`);
      }
      return x;
    };
    this.patience = nonNeg('patience', args.patience, 10, true);
    this.minDelta = nonNeg('minDelta', args.minDelta, 1e-4, false);
    this.cooldown = nonNeg('cooldown', args.cooldown, 0, true);
    this.minLr = nonNeg('minLr', args.minLr, 0, false);
    this.verbose = checkVerbose(args.verbose, 'ReduceLROnPlateau');
    this.out = checkWriter(args.out, 'out', 'ReduceLROnPlateau');
    this.mode = args.mode ?? 'auto';
    this.direction = resolveMode(this.mode, this.monitor, 'ReduceLROnPlateau');
  }

  /** Keras 3: no best yet, so the first epoch with a reading improves whatever it is (NaN too). */
  onTrainBegin(): void {
    this.best = null;
    this.wait = 0;
    this.cooldownLeft = 0;
    this.missing.reset();
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const opt = this.state.model.optimizer;
    if (!opt) throw new Error('ReduceLROnPlateau: the model has no optimizer (compile it before fit)');
    // Keras 3 logs the rate the epoch trained with (History and CSVLogger then have a learning_rate column).
    logs.learning_rate = heldRate(opt);
    const current = monitoredNumber(logs, this.monitor, 'ReduceLROnPlateau');
    if (current === undefined) {
      // Keras 3: a warning, and the rate is left alone.
      this.missing.warn(`ReduceLROnPlateau: learning rate reduction is conditioned on metric '${this.monitor}', which is not available`, logs, this.monitor);
      return;
    }
    if (this.cooldownLeft > 0) { this.cooldownLeft--; this.wait = 0; }
    if (isImprovement(this.direction, this.minDelta, current, this.best)) { this.best = current; this.wait = 0; return; }
    if (this.cooldownLeft > 0) return;
    if (++this.wait < this.patience) return;
    // Keras keeps the rate in a float32 variable and compares it with np.float32(min_lr): a rate that reached minLr
    // up to float32 rounding is not cut again. Its new rate is the float32 rate held (read as a Python float) times
    // factor, at least min_lr, stored back as float32. Cutting the held rate rather than a running double product
    // keeps every cut equal to Keras's: 0.1 cut by 0.1 three times is 9.999999310821295e-05, not 1e-4 rounded.
    const held = heldRate(opt);
    if (held > Math.fround(this.minLr)) {
      const newLr = Math.max(held * this.factor, this.minLr);
      opt.learningRate = Math.fround(newLr);
      // Printed as Keras prints new_lr, with Python's str(): 0.1 cut by 0.1 shows 0.010000000149011612.
      if (this.verbose) this.out.write(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${pythonRepr(newLr)}.\n`);
      this.cooldownLeft = this.cooldown;
      this.wait = 0;
    }
  }
}
