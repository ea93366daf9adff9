/**
 * Keras's BackupAndRestore: a checkpoint after every epoch (or every N batches) in backupDir; when fit starts
 * and a checkpoint is there, the model, optimizer, RNG, history and position are restored and training
 * continues where it stopped, ending with the same weights an uninterrupted run would have, bit for bit.
 * It also owns Ctrl-C (see interrupt.ts). The backup is deleted when training ends (deleteCheckpoint).
 */
import { resolve } from 'node:path';
import { CheckpointError } from '../io/errors.js';
import { VerifiedFiles, checkpointMismatch, deleteCheckpoint, hasCheckpoint, readCheckpointInfo, replaceCheckpointExtra, restoreWithFiles, writeCheckpoint, type TrainingState } from '../io/checkpoint.js';
import type { Logs } from '../models/progress.js';
import { BaseCallback, EpochEndCheckpoint, captureState, checkBoolean, checkVerbose, checkWriter, type Writer } from './base.js';
import { readKerasOptions } from '../near_name.js';
import { describe } from '../describe.js';
import { InterruptGuard } from './interrupt.js';
import { checkpointFolderProblem } from './checkpoint_folder.js';
import { checkTrainBegin } from '../models/callback_list.js';
import { callbackOrder } from '../models/callback.js';
import { keptBests, resumeBests } from './model_checkpoint.js';

/** backupAndRestore's options under tfjs's names (KerasBackupAndRestoreArgs has Keras's backup_dir etc.). */
export interface BackupAndRestoreOptions {
  backupDir: string;
  /** 'epoch' (default) or a number of batches between checkpoints. */
  saveFreq?: 'epoch' | number;
  /** Remove the backup when training ends normally (Keras's default, true). */
  deleteCheckpoint?: boolean;
  /** 'auto' restores when a checkpoint exists (default); 'require' fails without one; 'never' starts fresh. */
  restore?: 'auto' | 'require' | 'never';
  /** Ctrl-C saves a checkpoint and exits 130 (default true). */
  handleInterrupt?: boolean;
  /** Printed after an interrupt: how to continue (default: a line about backupAndRestore). */
  resumeHint?: string;
  /** 0 silent, 1 (default) one line when restoring. */
  verbose?: 0 | 1;
  /** Messages go here (default stderr). */
  out?: Writer;
  /** How to leave after an interrupt (default process.exit). */
  exit?: (code: number) => void;
}

/**
 * backupAndRestore's options under tfjs's camelCase names only: one object type (not a union), so that a caller can
 * read o.backupDir, extend it in an interface and take its keyof. Keras's spelling is KerasBackupAndRestoreArgs; the
 * factory and constructor take either (and, as every callback, refuse one option under both names).
 */
export type BackupAndRestoreArgs = BackupAndRestoreOptions;
/** backupAndRestore's options as Keras spells them (backup_dir, save_freq, ...); backupDir is not one of them. */
export interface KerasBackupAndRestoreArgs {
  backup_dir: string;
  save_freq?: BackupAndRestoreOptions['saveFreq'];
  delete_checkpoint?: BackupAndRestoreOptions['deleteCheckpoint'];
  restore?: BackupAndRestoreOptions['restore'];
  handle_interrupt?: BackupAndRestoreOptions['handleInterrupt'];
  resume_hint?: BackupAndRestoreOptions['resumeHint'];
  verbose?: BackupAndRestoreOptions['verbose'];
  out?: BackupAndRestoreOptions['out'];
  exit?: BackupAndRestoreOptions['exit'];
  /** Never given with backup_dir: it tells the two spellings apart, so an object with both is a type error. */
  backupDir?: undefined;
}

export class BackupAndRestore extends BaseCallback {
  /** It adds no keys to the logs (modelCheckpoint's path check reads it). */
  static readonly addedEpochLogKeys: readonly string[] = [];
  readonly backupDir: string;
  readonly saveFreq: 'epoch' | number;
  readonly deleteCheckpoint: boolean;
  readonly restore: 'auto' | 'require' | 'never';
  readonly verbose: 0 | 1;
  private readonly out: Writer;
  private readonly exit: (code: number) => void;
  protected readonly guard: InterruptGuard | null;
  private readonly resumeHint: string | undefined;
  private readonly epochEnd = new EpochEndCheckpoint();
  /** The backup's binary files as the start check read and verified them, for the restore that follows; dropped by it. */
  private checked: VerifiedFiles | null = null;
  /** The epoch-end checkpoint written in onEpochEnd, with the modelCheckpoint bests it kept, until onEpochSettled. */
  private writtenEnd: { epoch: number; bests: string } | null = null;
  /** Set after a restore: where training continued from. */
  restoredFrom: { epoch: number; batch: number } | null = null;
  /**
   * For a caller that keeps its own bookkeeping across a resume (the CLI: the run's options, its epoch times):
   * extraState's JSON goes into every checkpoint written (state.extra), and onRestored gets the state a restore read.
   */
  extraState: (() => Record<string, unknown>) | null = null;
  onRestored: ((state: TrainingState) => void) | null = null;

  constructor(given: BackupAndRestoreArgs | KerasBackupAndRestoreArgs) {
    super();
    const args = readKerasOptions('backupAndRestore', given, ['backupDir', 'saveFreq', 'deleteCheckpoint', 'restore', 'handleInterrupt', 'resumeHint', 'verbose', 'out', 'exit']) as unknown as BackupAndRestoreOptions;
    if (!args || typeof args.backupDir !== 'string' || args.backupDir === '') throw new Error('backupAndRestore: backupDir must be a folder path');
    this.backupDir = resolve(args.backupDir);
    const f = args.saveFreq ?? 'epoch';
    if (f !== 'epoch' && !(typeof f === 'number' && Number.isInteger(f) && f > 0)) throw new Error(`backupAndRestore: saveFreq must be 'epoch' or a positive number of batches, got ${JSON.stringify(f)}`);
    this.saveFreq = f;
    this.deleteCheckpoint = checkBoolean(args.deleteCheckpoint, 'deleteCheckpoint', 'backupAndRestore', true);
    const r = args.restore ?? 'auto';
    if (r !== 'auto' && r !== 'require' && r !== 'never') throw new Error(`backupAndRestore: restore must be 'auto', 'require' or 'never', got ${JSON.stringify(r)}`);
    this.restore = r;
    this.verbose = args.verbose === undefined ? 1 : checkVerbose(args.verbose, 'backupAndRestore');
    this.out = args.out === undefined ? process.stderr : checkWriter(args.out, 'out', 'backupAndRestore');
    checkBoolean(args.handleInterrupt, 'handleInterrupt', 'backupAndRestore', true);
    // Both are used only after Ctrl-C: a wrong type found then would fail the interrupt that should save the run.
    if (args.exit !== undefined && typeof args.exit !== 'function') throw new Error(`backupAndRestore: exit must be a function (code) => void, got ${describe(args.exit)}`);
    if (args.resumeHint !== undefined && typeof args.resumeHint !== 'string') throw new Error(`backupAndRestore: resumeHint must be a string, got ${describe(args.resumeHint)}`);
    this.exit = args.exit ?? ((code) => process.exit(code));
    this.resumeHint = args.resumeHint;
    this.guard = args.handleInterrupt === false ? null : new InterruptGuard(this.out, this.exit);
  }

  /**
   * fit runs every callback's check before any callback's onTrainBegin, so a fit refused for another callback (a
   * modelCheckpoint folder that cannot be written) has not restored this backup into the model yet, whatever the
   * order. The backup is read here as the restore reads it (a truncated or damaged file is refused, as Keras's
   * load in on_train_begin raises), so one that cannot be restored is found before any other callback acts.
   * The restore checks checkpoint.json, the model and the run again before it writes into the model; the binary files
   * this check read and hashed it takes from here while checkpoint.json still names them with the same checksums.
   */
  [checkTrainBegin](): void {
    const fit = this.state;
    this.checked = null;
    const problem = checkpointFolderProblem(this.backupDir);
    if (problem) throw new Error(`backupAndRestore: cannot write the backup folder ${problem.dir}: ${problem.why}`);
    if (this.restore === 'never') return;
    if (!hasCheckpoint(this.backupDir)) {
      this.requireCheckpoint();
      return;
    }
    // One read of checkpoint.json serves the checks below; the restore in onTrainBegin reads it again, as it may change.
    const ck = readCheckpointInfo(this.backupDir);
    this.checkResumable(ck.state);
    const other = fit.model.built ? checkpointMismatch(this.backupDir, fit.model, ck) : null;
    if (other) throw new CheckpointError(other);
    const files = new VerifiedFiles();
    restoreWithFiles(this.backupDir, fit.model, { apply: false }, files, ck);
    this.checked = files;
  }

  /** restore: 'require' with no checkpoint is an error, checked up front and again where it restores (one may go meanwhile). */
  private requireCheckpoint(): void {
    if (this.restore === 'require') throw new CheckpointError(`no checkpoint to resume from in ${this.backupDir} (checkpoint.json is missing)`);
  }

  onTrainBegin(): void {
    const fit = this.state;
    const files = this.checked ?? new VerifiedFiles();
    // Held only until this restore: not the whole backup over the run.
    this.checked = null;
    if (this.restore !== 'never' && !hasCheckpoint(this.backupDir)) this.requireCheckpoint();
    if (this.restore !== 'never' && hasCheckpoint(this.backupDir)) {
      const st = restoreWithFiles(this.backupDir, fit.model, { check: (c) => this.checkResumable(c) }, files);
      fit.history.epoch = [...st.history.epoch];
      fit.history.history = Object.fromEntries(Object.entries(st.history.history).map(([k, v]) => [k, [...v]]));
      fit.initialEpoch = st.nextEpoch;
      fit.resume = st.progress;
      this.restoredFrom = { epoch: st.nextEpoch, batch: st.progress?.batch ?? 0 };
      resumeBests(callbackOrder(fit), st.extra?.modelCheckpoints);
      this.onRestored?.(st);
      if (this.verbose) {
        const at = st.progress ? `epoch ${st.nextEpoch + 1}, batch ${st.progress.batch + 1}` : `epoch ${st.nextEpoch + 1}`;
        this.out.write(`rnnlab: restored the checkpoint in ${this.backupDir}; continuing at ${at}\n`);
      }
    }
    this.guard?.install();
  }

  /**
   * state.extra: the caller's extraState, and the best of each saveBestOnly modelCheckpoint of the fit, so a resumed
   * run compares with the best the uninterrupted run would hold, whatever its path (a templated one has no single
   * folder to read it back from). Each best is one its modelCheckpoint has saved: at an epoch's end, one listed after
   * this has not yet compared (or saved) the epoch, and its new best is recorded once it has (onEpochSettled, or
   * onFitExit when a callback in between failed), so a resume never compares with a best no folder holds.
   */
  private extra(): Record<string, unknown> | undefined {
    const mine = this.extraState?.();
    const bests = keptBests(callbackOrder(this.state));
    return bests.length ? { ...mine, modelCheckpoints: bests } : mine;
  }

  /** The kept bests as written, to tell whether a modelCheckpoint saved a new one since. */
  private static bestsOf(extra: Record<string, unknown> | undefined): string {
    return JSON.stringify(extra?.modelCheckpoints ?? []);
  }

  /** A checkpoint stopped inside an epoch continues that epoch only over the same samples in the same batches. */
  private checkResumable(c: TrainingState): void {
    const fit = this.state;
    if (c.progress && (c.samples !== fit.samples || c.batchSize !== fit.batchSize)) {
      throw new CheckpointError(`checkpoint in ${this.backupDir} stopped inside epoch ${c.progress.epoch + 1} of a run with ${c.samples} samples ` +
        `and batch size ${c.batchSize}; this run has ${fit.samples} samples and batch size ${fit.batchSize}, so it cannot continue that epoch`);
    }
  }

  onEpochBegin(epoch: number): void {
    if (this.guard?.requested) this.interrupt('epochBegin', epoch);
  }

  onBatchBegin(): void {
    if (this.guard?.requested) this.interrupt('inEpoch', this.state.progress?.epoch ?? 0);
  }

  onBatchEnd(): void {
    const p = this.state.progress;
    if (typeof this.saveFreq === 'number' && p && p.batch % this.saveFreq === 0) {
      writeCheckpoint(this.backupDir, this.state.model, captureState(this.state, 'inEpoch', p.epoch, this.extra()));
    }
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const extra = this.extra();
    this.epochEnd.write(this.backupDir, this.state, epoch, logs, extra);
    this.writtenEnd = { epoch, bests: BackupAndRestore.bestsOf(extra) };
  }

  /**
   * The checkpoint's History settled (keys callbacks listed after this one add), and the bests modelCheckpoints
   * listed after this saved in the epoch recorded; then a pending Ctrl-C exits.
   */
  onEpochSettled(epoch: number): void {
    this.epochEnd.settle(this.state);
    const w = this.writtenEnd;
    this.writtenEnd = null;
    if (w && w.epoch === epoch) this.recordSavedBests(w.bests);
    if (this.guard?.requested) this.interrupt('saved', epoch);
  }

  /** The epoch-end checkpoint's bests brought up to the ones saved since it was written (none when none was). */
  private recordSavedBests(written: string): void {
    const extra = this.extra();
    if (BackupAndRestore.bestsOf(extra) !== written) replaceCheckpointExtra(this.backupDir, extra);
  }

  onTrainEnd(): void {
    this.guard?.uninstall();
    if (this.deleteCheckpoint) deleteCheckpoint(this.backupDir);
  }

  onFitExit(): void {
    this.checked = null;
    const w = this.writtenEnd;
    this.writtenEnd = null;
    this.guard?.uninstall();
    this.epochEnd.settleAfterFailure(this.fit);
    // A callback failed in onEpochEnd after a modelCheckpoint listed after this saved the epoch: the resume counts
    // that save. Best effort: failing here must not hide the error that ended fit.
    if (w && this.fit) {
      try { this.recordSavedBests(w.bests); } catch { /* the checkpoint keeps the bests saved before the epoch */ }
    }
  }

  private interrupt(at: 'epochBegin' | 'inEpoch' | 'saved', epoch: number): void {
    const fit = this.state;
    let where: string;
    if (at === 'saved') where = `after epoch ${epoch + 1}`;
    else {
      const st = at === 'epochBegin' ? { ...captureState(fit, 'epochEnd', epoch - 1, this.extra()) } : captureState(fit, 'inEpoch', epoch, this.extra());
      writeCheckpoint(this.backupDir, fit.model, st);
      where = st.progress ? `in epoch ${st.progress.epoch + 1} after batch ${st.progress.batch}` : `after epoch ${st.nextEpoch}`;
    }
    const hint = this.resumeHint ?? `fit again with rl.callbacks.backupAndRestore({ backupDir: ${JSON.stringify(this.backupDir)} })`;
    this.out.write(`rnnlab: interrupted; checkpoint saved to ${this.backupDir} (${where})\nrnnlab: to resume: ${hint}\n`);
    this.guard?.uninstall();
    this.exit(130);
    // A test's exit may return: stop training rather than carry on past the checkpoint.
    fit.model.stopTraining = true;
    throw new TrainingInterrupted(this.backupDir);
  }
}

/** Thrown when an interrupt's exit function returns instead of ending the process. */
export class TrainingInterrupted extends Error {
  constructor(readonly checkpointDir: string) {
    super(`training interrupted; a checkpoint was saved to ${checkpointDir}`);
    this.name = 'TrainingInterrupted';
  }
}
