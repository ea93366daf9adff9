/** rl.callbacks: Keras's training callbacks, with rnnlab's checkpoints behind the saving ones. */
import { BackupAndRestore, TrainingInterrupted, type BackupAndRestoreArgs } from './backup_and_restore.js';
import { EarlyStopping, type EarlyStoppingArgs } from './early_stopping.js';
import { ModelCheckpoint, type ModelCheckpointArgs } from './model_checkpoint.js';
import { TerminateOnNaN } from './terminate_on_nan.js';
import type { Writer } from './base.js';

export { BackupAndRestore, EarlyStopping, ModelCheckpoint, TerminateOnNaN, TrainingInterrupted };
export type { BackupAndRestoreArgs, EarlyStoppingArgs, ModelCheckpointArgs };

export const callbacks = {
  modelCheckpoint: (args: ModelCheckpointArgs) => new ModelCheckpoint(args),
  backupAndRestore: (args: BackupAndRestoreArgs) => new BackupAndRestore(args),
  earlyStopping: (args?: EarlyStoppingArgs) => new EarlyStopping(args),
  terminateOnNaN: (out?: Writer) => new TerminateOnNaN(out),
};
