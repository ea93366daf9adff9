// The callbacks' public option types take the snake_case spellings the runtime reads (Keras's), so strict
// TypeScript accepts them without a cast; and an options argument that is not a plain object is refused.
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

describe('options that are not a plain object', () => {
  class Opts { raiseError = true; }
  it.each([
    ['a Map', () => rl.callbacks.terminateOnNaN(new Map() as never), /terminateOnNaN: the options argument must be a plain object \(\{\.\.\.\}\), got an instance of Map/],
    ['a Set', () => rl.callbacks.earlyStopping(new Set() as never), /earlyStopping: .* got an instance of Set/],
    ['a class instance', () => rl.callbacks.terminateOnNaN(new Opts() as never), /terminateOnNaN: .* got an instance of Opts/],
    ['a function', () => rl.callbacks.reduceLROnPlateau((() => 1) as never), /ReduceLROnPlateau: .* got a function/],
    ['an array', () => rl.callbacks.modelCheckpoint([] as never), /modelCheckpoint: the options argument must be an object, got a list/],
    ['a Map for a constraint', () => rl.constraints.maxNorm(new Map([['maxValue', 3]]) as never), /constraint MaxNorm: .* got an instance of Map/],
  ])('%s is refused naming the callee', (_, make, message) => {
    expect(make).toThrow(message);
  });

  it('plain objects still work, a null-prototype one too, and a constraint still reads its options', () => {
    expect(rl.callbacks.terminateOnNaN({ raise_error: true }).raiseError).toBe(true);
    expect(rl.callbacks.earlyStopping(Object.assign(Object.create(null), { patience: 4 })).patience).toBe(4);
    expect(rl.constraints.maxNorm({ maxValue: 3 }).getConfig()).toMatchObject({ maxValue: 3 });
  });
});
