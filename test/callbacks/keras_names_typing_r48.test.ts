// The callbacks' public option types take the snake_case spellings the runtime reads (Keras's), so strict
// TypeScript accepts them without a cast (camelCase code keeps one object type per callback); and an options
// argument whose options would not be read (a Map, a prototype getter) is refused.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { strictDiagnostics } from '../helpers/strict_ts.js';

const USER = `import * as rl from 'rnnlab';
const out = { write(_s: string) {} };
rl.callbacks.terminateOnNaN({ raise_error: true });
rl.callbacks.earlyStopping({ min_delta: 0.01, restore_best_weights: true, start_from_epoch: 2 });
rl.callbacks.reduceLROnPlateau({ min_lr: 1e-4, min_delta: 0.001, out });
rl.callbacks.modelCheckpoint({ filepath: 'ck', save_best_only: true, save_freq: 'epoch', initial_value_threshold: 1, save_weights_only: false });
rl.callbacks.backupAndRestore({ backup_dir: 'b', save_freq: 2, delete_checkpoint: false, handle_interrupt: false, resume_hint: 'again' });
rl.callbacks.backupAndRestore({ backupDir: 'b', saveFreq: 2 });
new rl.EarlyStopping({ restore_best_weights: true });
const typed: rl.ReduceLROnPlateauArgs = { min_lr: 0.001 };
void typed;
// camelCase users: BackupAndRestoreArgs stays one object type (a field read back, interface extends, keyof).
function mk(dir: string): rl.BackupAndRestoreArgs { return { backupDir: dir, saveFreq: 'epoch' }; }
const o = mk('x');
console.log(o.backupDir);
interface MyBackup extends rl.BackupAndRestoreArgs { extra?: number }
interface MyES extends rl.EarlyStoppingArgs { extra?: number }
const mine: MyBackup = { backupDir: 'm', extra: 1 };
const myEs: MyES = { patience: 1, extra: 2 };
rl.callbacks.backupAndRestore(mine);
rl.callbacks.earlyStopping(myEs);
const base: Partial<rl.BackupAndRestoreArgs> = { saveFreq: 2 };
rl.callbacks.backupAndRestore({ ...base, backupDir: 'b' });
const es: rl.EarlyStoppingArgs = { monitor: 'loss', minDelta: 0.1, restoreBestWeights: true };
rl.callbacks.earlyStopping(es);
const mc: rl.ModelCheckpointArgs = { filepath: 'x', saveBestOnly: true };
rl.callbacks.modelCheckpoint(mc);
new rl.ModelCheckpoint(mc);
const r: rl.ReduceLROnPlateauArgs = { minLr: 0.001, factor: 0.5 };
console.log(r.minLr, es.minDelta, mc.saveBestOnly);
const k: keyof rl.BackupAndRestoreArgs = 'backupDir';
void k;
function setDir(a: rl.BackupAndRestoreArgs, d: string) { a.backupDir = d; }
void setDir;
const useBackup = true;
rl.callbacks.backupAndRestore({ backupDir: 'b', ...(useBackup ? { saveFreq: 3 } : {}) });
rl.callbacks.terminateOnNaN({ raiseError: true });
// Keras's spelling has its own type; the option types themselves are exported.
const kb: rl.KerasBackupAndRestoreArgs = { backup_dir: 'k', save_freq: 2 };
new rl.BackupAndRestore(kb);
const opts: [rl.BackupAndRestoreOptions, rl.EarlyStoppingOptions, rl.ModelCheckpointOptions, rl.ReduceLROnPlateauOptions, rl.TerminateOnNaNOptions, rl.TerminateOnNaNArgs] = [{ backupDir: 'o' }, {}, { filepath: 'f' }, {}, {}, { raise_error: true }];
void opts;
`;

// Typechecked after USER in one program (one slow tsc run): each of these lines is one error.
const WRONG = `rl.callbacks.terminateOnNaN({ raise_error: 'yes' });
rl.callbacks.earlyStopping({ min_deltaa: 0.01 });
rl.callbacks.backupAndRestore({ save_freq: 2 });
`;

describe('callback option types', () => {
  it('strict TypeScript takes every snake_case spelling the runtime reads, and still refuses a wrong type, an unknown key, a missing backup folder', () => {
    const first = USER.split('\n').length;
    const lines = strictDiagnostics(USER + WRONG, 'test/callbacks/keras_names_user_r48.mts').map((d) => Number(d.split(':')[0]));
    expect(lines).toEqual([first, first + 1, first + 2]);
  });
});

describe('options objects whose options would be dropped', () => {
  // A class instance is read when its options are own fields (options_objects_r48.test.ts); a getter is not an own key.
  class Opts { get raiseError() { return true; } }
  it.each([
    ['a Map', () => rl.callbacks.terminateOnNaN(new Map() as never), /terminateOnNaN: the options argument must be an object of options \(\{\.\.\.\}\), got a Map, whose contents are not options/],
    ['a Set', () => rl.callbacks.earlyStopping(new Set() as never), /earlyStopping: .* got a Set/],
    ['a class instance', () => rl.callbacks.terminateOnNaN(new Opts() as never), /terminateOnNaN: .* got an instance of Opts that inherits 'raiseError'/],
    ['a function', () => rl.callbacks.reduceLROnPlateau((() => 1) as never), /ReduceLROnPlateau: .* got a function/],
    ['an array', () => rl.callbacks.modelCheckpoint([] as never), /modelCheckpoint: the options argument must be an object, got a list/],
    ['a Map for a constraint', () => rl.constraints.maxNorm(new Map([['maxValue', 3]]) as never), /constraint MaxNorm: .* got a Map/],
  ])('%s is refused naming the callee', (_, make, message) => {
    expect(make).toThrow(message);
  });

  it('plain objects still work, a null-prototype one too, and a constraint still reads its options', () => {
    expect(rl.callbacks.terminateOnNaN({ raise_error: true }).raiseError).toBe(true);
    expect(rl.callbacks.earlyStopping(Object.assign(Object.create(null), { patience: 4 })).patience).toBe(4);
    expect(rl.constraints.maxNorm({ maxValue: 3 }).getConfig()).toMatchObject({ maxValue: 3 });
  });
});
