/** Keras's EarlyStopping: stop when `monitor` has not improved by minDelta for `patience` epochs. */
import type { Tensor } from '../tensor.js';
import type { Logs } from '../models/progress.js';
import { BaseCallback, MissingMonitorWarning, checkBoolean, checkMonitor, checkVerbose, checkWriter, isImprovement, monitoredNumber, resolveMode, shownOption, type Mode, type MonitorBest, type WithKerasNames, type Writer } from './base.js';
import { readKerasOptions } from '../near_name.js';
import { assignWeights, weightTensors } from '../layers/weight_values.js';
import { layerOrderWeights } from '../models/model_common.js';

/** earlyStopping's options under tfjs's names (EarlyStoppingArgs adds Keras's min_delta etc.). */
export interface EarlyStoppingOptions {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: Mode;
  /**
   * Training stops after patience epochs unless the monitored value beats this. It is not the starting best (that
   * is none, as Keras's), so restoreBestWeights puts back the best epoch even when none beat the baseline.
   */
  baseline?: number | null;
  /** When training ends (stopped early or not), put back the weights of the best epoch (Keras 3). */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching (warm-up). */
  startFromEpoch?: number;
  verbose?: 0 | 1;
  out?: Writer;
}

export type EarlyStoppingArgs = WithKerasNames<EarlyStoppingOptions>;

export class EarlyStopping extends BaseCallback {
  /** It adds no keys to the logs (modelCheckpoint's path check reads it). */
  static readonly addedEpochLogKeys: readonly string[] = [];
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  /** The mode as given (tfjs and Keras keep 'auto'); the direction it resolves to is `direction`. */
  readonly mode: Mode;
  /** Whether a lower or a higher monitored value is better. */
  readonly direction: 'min' | 'max';
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  readonly verbose: 0 | 1;
  private readonly out: Writer;
  wait = 0;
  stoppedEpoch = 0;
  /** null until the first watched epoch (Keras 3's None), which always improves on it. */
  best: MonitorBest = null;
  bestEpoch = 0;
  bestWeights: Tensor[] | null = null;
  private readonly missing = new MissingMonitorWarning();

  constructor(given: EarlyStoppingArgs = {}) {
    super();
    const args: EarlyStoppingOptions = readKerasOptions('earlyStopping', given, ['monitor', 'minDelta', 'patience', 'mode', 'baseline', 'restoreBestWeights', 'startFromEpoch', 'verbose', 'out']);
    this.monitor = checkMonitor(args.monitor ?? 'val_loss', 'earlyStopping');
    const nonNeg = (v: unknown, what: string, int: boolean) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (int && !Number.isInteger(v))) {
        throw new Error(`earlyStopping: ${what} must be a non-negative ${int ? 'integer' : 'number'}, got ${shownOption(v)}`);
      }
      return v;
    };
    // Keras and tfjs take the magnitude: -0.01 means 0.01 (the mode gives the direction).
    const minDelta = args.minDelta ?? 0;
    if (typeof minDelta !== 'number' || !Number.isFinite(minDelta)) throw new Error(`earlyStopping: minDelta must be a finite number, got ${shownOption(minDelta)}`);
    this.minDelta = Math.abs(minDelta);
    this.patience = nonNeg(args.patience ?? 0, 'patience', true);
    this.startFromEpoch = nonNeg(args.startFromEpoch ?? 0, 'startFromEpoch', true);
    this.mode = args.mode ?? 'auto';
    this.direction = resolveMode(this.mode, this.monitor, 'earlyStopping');
    const b = args.baseline ?? null;
    if (b !== null && (typeof b !== 'number' || !Number.isFinite(b))) throw new Error(`earlyStopping: baseline must be a number, got ${shownOption(b)}`);
    this.baseline = b;
    this.restoreBestWeights = checkBoolean(args.restoreBestWeights, 'restoreBestWeights', 'earlyStopping', false);
    this.verbose = checkVerbose(args.verbose, 'earlyStopping');
    this.out = checkWriter(args.out, 'out', 'earlyStopping');
  }

  private isImprovement(v: number, ref: MonitorBest): boolean {
    return isImprovement(this.direction, this.minDelta, v, ref);
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = null;
    this.bestWeights = null;
    this.bestEpoch = 0;
    this.missing.reset();
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const current = monitoredNumber(logs, this.monitor, 'earlyStopping');
    if (current === undefined) {
      // Keras 3: a warning, and the epoch is not watched (null too: Keras's None). NaN is watched: the first watched
      // epoch improves whatever it holds, and a NaN best is never beaten.
      this.missing.warn(`earlyStopping: early stopping is conditioned on metric '${this.monitor}', which is not available`, logs, this.monitor);
      return;
    }
    if (epoch < this.startFromEpoch) return;
    const model = this.state.model;
    this.wait += 1;
    // The first watched epoch always improves (no best yet), so its weights are the restore's from then on.
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = weightTensors(layerOrderWeights(model.layers));
      if (this.baseline === null || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  /** Keras 3 restores the best weights when training ends, whether or not it stopped early. */
  onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose) this.out.write(`Epoch ${this.stoppedEpoch + 1}: early stopping\n`);
    if (this.restoreBestWeights && this.bestWeights) {
      if (this.verbose) this.out.write(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.\n`);
      // Layer by layer, an order that freezing a layer in between does not change (it reorders model.weights).
      assignWeights(this.state.model.name, layerOrderWeights(this.state.model.layers), this.bestWeights);
    }
  }
}
