/**
 * Keras's ModelCheckpoint: after each epoch, a full checkpoint (model.json + weights, optimizer state, epoch,
 * RNG state, history) in `path`, which may name a per-epoch folder ('ckpt/epoch-{epoch:02d}'). With
 * saveBestOnly, only when `monitor` improves. A checkpoint folder loads with rl.loadModel and resumes with
 * rl.callbacks.backupAndRestore({ backupDir: path }).
 */
import { resolve } from 'node:path';
import { hasCheckpoint, readCheckpointInfo, writeCheckpoint, type HistoryData } from '../io/checkpoint.js';
import type { Logs } from '../models/progress.js';
import { BaseCallback, EpochEndCheckpoint, MissingMonitorWarning, captureState, checkMonitor, checkPathKeys, checkVerbose, checkWriter, fixed5, formatPath, isImprovement, keysAddedBefore, monitoredNumber, readStoredBest, resolveMode, shownBest, storedBest, shownOption, type Mode, type MonitorBest, type WithKerasNames, type Writer } from './base.js';
import { readKerasOptions } from '../near_name.js';
import { checkpointFolderProblem, firstMissingFolder, removeEmptyFolders } from './checkpoint_folder.js';
import { checkTrainBegin } from '../models/callback_list.js';

/** modelCheckpoint's options under tfjs's names (ModelCheckpointArgs adds Keras's save_best_only etc.). */
export interface ModelCheckpointOptions {
  /**
   * Folder to write; may hold {epoch}, {epoch:02d}, {val_loss:.4f}, {batch} templates, or any key of the logs (one a
   * callback listed before adds too, such as {learning_rate}); a key the logs do not have is an error.
   */
  path?: string;
  /** Keras's name for path. */
  filepath?: string;
  /** With saveBestOnly (an error without it): the log value whose improvement saves an epoch (default 'val_loss'). */
  monitor?: string;
  saveBestOnly?: boolean;
  /** With saveBestOnly (an error without it). */
  mode?: Mode;
  /** 'epoch' (default) or a number of batches between checkpoints. */
  saveFreq?: 'epoch' | number;
  /** Keras's starting best value for saveBestOnly: an epoch is saved only when it beats this (without it, the first epoch is saved). */
  initialValueThreshold?: number;
  /** Keras's option; only false (the default): a checkpoint holds the whole model, which rl.loadModel reads. */
  saveWeightsOnly?: false;
  verbose?: 0 | 1;
  /** Messages go here (default stdout). */
  out?: Writer;
}

export type ModelCheckpointArgs = WithKerasNames<ModelCheckpointOptions>;

export class ModelCheckpoint extends BaseCallback {
  /** It adds no keys to the logs (the path check of a modelCheckpoint listed after it reads it). */
  static readonly addedEpochLogKeys: readonly string[] = [];
  readonly path: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  /** The mode as given (tfjs and Keras keep 'auto'); the direction it resolves to is `direction`. */
  readonly mode: Mode;
  /** Whether a lower or a higher monitored value is better. */
  readonly direction: 'min' | 'max';
  readonly saveFreq: 'epoch' | number;
  readonly verbose: 0 | 1;
  private readonly out: Writer;
  /** The best monitored value saved so far: initialValueThreshold, else null (Keras 3's None) until an epoch is saved. */
  best: MonitorBest = null;
  private readonly missing = new MissingMonitorWarning();
  private resumedBestChecked = false;
  /** The best came from a backupAndRestore checkpoint (resumeBest): a plain path's folder may hold this run's better one. */
  private bestFromBackup = false;
  private batchesSinceSave = 0;
  private readonly epochEnd = new EpochEndCheckpoint();
  /** Folders written, in order. */
  readonly saved: string[] = [];

  constructor(given: ModelCheckpointArgs) {
    super();
    const args = readKerasOptions('modelCheckpoint', given, ['path', 'filepath', 'monitor', 'saveBestOnly', 'mode', 'saveFreq', 'initialValueThreshold', 'saveWeightsOnly', 'verbose', 'out']) as ModelCheckpointOptions;
    if (args.saveWeightsOnly !== undefined && args.saveWeightsOnly !== false) {
      throw new Error(`modelCheckpoint: saveWeightsOnly ${JSON.stringify(args.saveWeightsOnly)} is not supported by rnnlab (a checkpoint holds the whole model and training state; rl.loadModel reads it)`);
    }
    if (args?.path !== undefined && args?.filepath !== undefined) {
      throw new Error(`modelCheckpoint: give path or its Keras name filepath, not both (got path ${JSON.stringify(args.path)} and filepath ${JSON.stringify(args.filepath)})`);
    }
    const p = args?.path ?? args?.filepath;
    if (typeof p !== 'string' || p === '') throw new Error('modelCheckpoint: path must be a folder path');
    // Keras's 'save_at_{epoch}.keras': refused now, not at the first epoch's end.
    const keras = /\.(keras|h5|hdf5)$/i.exec(p);
    if (keras) throw new Error(`modelCheckpoint: path ${JSON.stringify(p)} names a Keras .${keras[1]} file; rnnlab checkpoints are TensorFlow.js model folders (model.json + weights): give a folder path`);
    this.path = p;
    this.saveBestOnly = args.saveBestOnly ?? false;
    if (typeof this.saveBestOnly !== 'boolean') throw new Error('modelCheckpoint: saveBestOnly must be true or false');
    // Keras reads monitor, mode and initial_value_threshold only to save the best epoch and ignores them otherwise;
    // rnnlab refuses an option that would do nothing, naming it.
    const bestOnly = (['monitor', 'mode', 'initialValueThreshold'] as const).filter((k) => args[k] !== undefined);
    if (!this.saveBestOnly && bestOnly.length) {
      const [verb, them] = bestOnly.length > 1 ? ['apply', 'them'] : ['applies', 'it'];
      throw new Error(`modelCheckpoint: ${bestOnly.join(', ')} ${verb} only with saveBestOnly: true (without it every epoch is saved, so ` +
        `nothing reads ${them}; Keras ignores ${them}): add saveBestOnly: true or leave ${them} out`);
    }
    this.monitor = checkMonitor(args.monitor ?? 'val_loss', 'modelCheckpoint');
    this.mode = args.mode ?? 'auto';
    this.direction = resolveMode(this.mode, this.monitor, 'modelCheckpoint');
    const f = args.saveFreq ?? 'epoch';
    if (f !== 'epoch' && !(typeof f === 'number' && Number.isInteger(f) && f > 0)) throw new Error(`modelCheckpoint: saveFreq must be 'epoch' or a positive number of batches, got ${shownOption(f)}`);
    if (f !== 'epoch' && this.saveBestOnly) throw new Error('modelCheckpoint: saveBestOnly needs epoch-end values; use saveFreq \'epoch\'');
    this.saveFreq = f;
    this.verbose = checkVerbose(args.verbose, 'modelCheckpoint');
    this.out = checkWriter(args.out, 'out', 'modelCheckpoint');
    const t = args.initialValueThreshold;
    if (t !== undefined) {
      if (typeof t !== 'number' || !Number.isFinite(t)) throw new Error(`modelCheckpoint: initialValueThreshold must be a finite number, got ${shownOption(t)}`);
      this.best = t;
    }
  }

  /**
   * The bar on a resume is the best this run's backup kept (resumeBest), as Keras never reads a folder's earlier
   * checkpoint: one left by another run must not stop this run saving its best epochs. The one exception is this
   * run's own save, which the backup records once the epoch settles: a process ended in between leaves the folder a
   * better best than the backup kept, and a worse epoch would replace it. That checkpoint is told from another run's
   * by its History, which matches this run's epoch for epoch (a resume continues bit for bit); a templated path has
   * no one folder to read.
   */
  private loadResumedBest(): void {
    this.resumedBestChecked = true;
    if (!this.saveBestOnly || !this.bestFromBackup || /\{/.test(this.path)) return;
    const dir = resolve(this.path);
    if (!hasCheckpoint(dir)) return;
    try {
      const { extra, history } = readCheckpointInfo(dir).state;
      // A saved NaN or infinite best is kept (nothing beats a NaN); null, "no best yet", leaves the bar as it is.
      const best = extra && extra.monitor === this.monitor ? readStoredBest(extra.best) : undefined;
      if (best === undefined || best === null || !sameLosses(history, this.state.history)) return;
      if (this.best === null || isImprovement(this.direction, 0, best, this.best)) this.best = best;
    } catch { /* a damaged checkpoint is simply replaced */ }
  }

  /** The best saved so far, the one a backupAndRestore checkpoint keeps (after a resume, loadResumedBest's first). */
  savedBest(): MonitorBest {
    if (!this.resumedBestChecked) this.loadResumedBest();
    return this.best;
  }

  /** The best a backupAndRestore checkpoint held (storedBest's form), which a resume continues from. */
  resumeBest(stored: unknown): void {
    const best = readStoredBest(stored);
    if (best === undefined) return;
    this.best = best;
    this.bestFromBackup = true;
  }

  /**
   * fit runs every callback's check before any callback's onTrainBegin: a path refused here leaves the model as it
   * was, even when a backupAndRestore listed before this would restore a backup into it.
   */
  [checkTrainBegin](): void {
    const keys = this.state.history.params.metrics;
    const added = keysAddedBefore(this.state, this);
    const batchSaves = this.saveFreq !== 'epoch';
    // A hand-made state may not list the keys, and a callback of the user's listed first may add any: then each
    // save checks the keys its logs have (the formats are checked now regardless). Built-ins add none to batch logs.
    const known = Array.isArray(keys) && keys.length > 0 && added !== null ? [...(keys as string[]), ...(batchSaves ? [] : added)] : null;
    checkPathKeys(this.path, known, batchSaves);
    // Found now, before an epoch trains, not when the first checkpoint is written (Keras's is that late).
    const problem = checkpointFolderProblem(this.path);
    if (problem) throw new Error(`modelCheckpoint: cannot write the checkpoint folder ${problem.dir}: ${problem.why}`);
  }

  onTrainBegin(): void {
    this.batchesSinceSave = 0;
    this.missing.reset();
  }

  /** Keras counts saveFreq batches across epoch boundaries (5 batches an epoch, saveFreq 2: after batches 2, 4, 6, ...). */
  onBatchEnd(_batch: number, logs: Logs = {}): void {
    const p = this.state.progress;
    if (typeof this.saveFreq !== 'number' || !p) return;
    if (++this.batchesSinceSave < this.saveFreq) return;
    this.batchesSinceSave = 0;
    const dir = resolve(formatPath(this.path, p.epoch, logs, p.batch));
    this.say(p.epoch, `saving model to ${dir}`);
    newFolderSafe(dir, () => writeCheckpoint(dir, this.state.model, captureState(this.state, 'inEpoch', p.epoch)));
    this.saved.push(dir);
    this.say(p.epoch, `finished saving model to ${dir}`);
  }

  /** Keras's verbose lines, batch saves' included: "\nEpoch n: ...". */
  private say(epoch: number, text: string): void {
    if (this.verbose) this.out.write(`\nEpoch ${epoch + 1}: ${text}\n`);
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    if (this.saveFreq !== 'epoch') return;
    if (!this.resumedBestChecked) this.loadResumedBest();
    const dir = resolve(formatPath(this.path, epoch, logs));
    let best = this.best;
    if (this.saveBestOnly) {
      const v = monitoredNumber(logs, this.monitor, 'modelCheckpoint');
      if (v === undefined) {
        // Keras 3: a warning (no "saving model" line), and the epoch is saved as without saveBestOnly (null too:
        // Keras's None).
        this.missing.warn(`modelCheckpoint: can save the best model only with '${this.monitor}' available, so this epoch is saved regardless`, logs, this.monitor);
      } else if (!isImprovement(this.direction, 0, v, this.best)) {
        // A NaN never improves on a best, and nothing improves on a NaN best (the first epoch may set one), as in Keras.
        this.say(epoch, `${this.monitor} did not improve from ${shownBest(this.best)}`);
        return;
      } else {
        this.say(epoch, `${this.monitor} improved from ${shownBest(this.best)} to ${fixed5(v)}, saving model to ${dir}`);
        best = v;
      }
    } else {
      this.say(epoch, `saving model to ${dir}`);
    }
    newFolderSafe(dir, () => this.epochEnd.write(dir, this.state, epoch, logs, this.saveBestOnly ? { monitor: this.monitor, best: storedBest(best) } : undefined));
    // Only once saved: a save that failed leaves the best a folder holds, which a backup keeps for the resume.
    this.best = best;
    this.saved.push(dir);
    this.say(epoch, `finished saving model to ${dir}`);
  }

  /** The epoch's checkpoint gets the settled History: keys callbacks listed after this one add to the epoch's logs. */
  onEpochSettled(): void {
    this.epochEnd.settle(this.state);
  }

  /** A callback after this one threw in onEpochEnd: the checkpoint keeps what the callbacks before it added. */
  onFitExit(): void {
    this.epochEnd.settleAfterFailure(this.fit);
  }
}

/**
 * Whether a checkpoint's History is this run's so far: each epoch it holds is one this run trained, with the very same
 * loss (fit logs the loss every epoch; NaN matches NaN).
 */
function sameLosses(saved: HistoryData, run: HistoryData): boolean {
  const losses = saved.history.loss ?? [];
  const runLosses = run.history.loss ?? [];
  if (!saved.epoch.length || losses.length !== saved.epoch.length) return false;
  return saved.epoch.every((e, i) => {
    const at = run.epoch.indexOf(e);
    return at >= 0 && Object.is(runLosses[at], losses[i]);
  });
}

/** A checkpoint write into dir; one that fails (a full disk) removes the folders it made while they are empty. */
function newFolderSafe(dir: string, write: () => void): void {
  const made = firstMissingFolder(dir);
  try {
    write();
  } catch (e) {
    if (made !== null) removeEmptyFolders(dir, made);
    throw e;
  }
}

/** The saveBestOnly modelCheckpoints of a fit, in the callbacks' order: the ones whose best a backup keeps. */
function bestOnly(list: readonly unknown[] | undefined): ModelCheckpoint[] {
  return (list ?? []).filter((c): c is ModelCheckpoint => c instanceof ModelCheckpoint && c.saveBestOnly && c.saveFreq === 'epoch');
}

/** One saveBestOnly modelCheckpoint's best as a backupAndRestore checkpoint keeps it (state.extra.modelCheckpoints). */
export interface KeptBest { path: string; monitor: string; best: ReturnType<typeof storedBest> }

/**
 * The bests a backupAndRestore checkpoint keeps: the ones saved (a modelCheckpoint listed after the backup has not
 * yet compared the epoch whose end the backup writes, and may never save it: a callback in between can fail).
 */
export function keptBests(list: readonly unknown[] | undefined): KeptBest[] {
  return bestOnly(list).map((c) => ({ path: c.path, monitor: c.monitor, best: storedBest(c.savedBest()) }));
}

/**
 * A resume gives each saveBestOnly modelCheckpoint the best the checkpoint kept for it: the one at the same place in
 * the list, when it has the same path and monitor (another one starts afresh, as before).
 */
export function resumeBests(list: readonly unknown[] | undefined, kept: unknown): void {
  if (!Array.isArray(kept)) return;
  bestOnly(list).forEach((c, i) => {
    const k = kept[i] as Partial<KeptBest> | undefined;
    if (k && k.path === c.path && k.monitor === c.monitor) c.resumeBest(k.best);
  });
}
