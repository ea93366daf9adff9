/** rl.callbacks: Keras's training callbacks, with rnnlab's checkpoints behind the saving ones. */
import { BackupAndRestore, TrainingInterrupted, type BackupAndRestoreArgs, type BackupAndRestoreOptions, type KerasBackupAndRestoreArgs } from './backup_and_restore.js';
import { EarlyStopping, type EarlyStoppingArgs, type EarlyStoppingOptions } from './early_stopping.js';
import { ModelCheckpoint, type ModelCheckpointArgs, type ModelCheckpointOptions } from './model_checkpoint.js';
import { TerminateOnNaN, type TerminateOnNaNArgs, type TerminateOnNaNOptions } from './terminate_on_nan.js';
import { CSVLogger } from './csv_logger.js';
import { LearningRateScheduler, type LearningRateSchedulerOptions } from './learning_rate_scheduler.js';
import { ReduceLROnPlateau, type ReduceLROnPlateauArgs, type ReduceLROnPlateauOptions } from './reduce_lr_on_plateau.js';
import type { Writer } from './base.js';
import { refusingExtraArguments } from '../factory.js';
import { Callback, CustomCallback } from '../models/callback_class.js';

export { BackupAndRestore, EarlyStopping, ModelCheckpoint, TerminateOnNaN, TrainingInterrupted, CSVLogger, LearningRateScheduler, ReduceLROnPlateau };
export type { BackupAndRestoreArgs, KerasBackupAndRestoreArgs, EarlyStoppingArgs, ModelCheckpointArgs, ReduceLROnPlateauArgs, LearningRateSchedulerOptions, TerminateOnNaNArgs };
export type { BackupAndRestoreOptions, EarlyStoppingOptions, ModelCheckpointOptions, ReduceLROnPlateauOptions, TerminateOnNaNOptions };

export { Callback, CustomCallback };

export const callbacks = refusingExtraArguments('rl.callbacks', {
  /** tfjs's tf.Callback and tf.CustomCallback (also rl.Callback, rl.CustomCallback). */
  Callback,
  CustomCallback,
  modelCheckpoint: (args: ModelCheckpointArgs) => new ModelCheckpoint(args),
  backupAndRestore: (args: BackupAndRestoreArgs | KerasBackupAndRestoreArgs) => new BackupAndRestore(args),
  earlyStopping: (args?: EarlyStoppingArgs) => new EarlyStopping(args),
  /** Keras's options {raiseError} (raise_error) with out, or just a writer for its message. */
  terminateOnNaN: (arg?: Writer | TerminateOnNaNArgs) => new TerminateOnNaN(arg),
  reduceLROnPlateau: (args?: ReduceLROnPlateauArgs) => new ReduceLROnPlateau(args),
  /** Keras's (schedule, verbose): verbose 0 or 1, or {verbose, out}; out (a writer) may also come third. */
  learningRateScheduler: (schedule: (epoch: number, lr: number) => number, verbose?: 0 | 1 | LearningRateSchedulerOptions, out?: Writer) => new LearningRateScheduler(schedule, verbose, out),
  csvLogger: (filename: string, opts?: { separator?: string; append?: boolean }) => new CSVLogger(filename, opts),
}, { learningRateScheduler: ['schedule', 'verbose', 'out'], csvLogger: ['filename', 'options'] });
