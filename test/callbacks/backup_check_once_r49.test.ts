/**
 * backupAndRestore's start check reads checkpoint.json once and hands what it read to each of its checks (the run's
 * position, the model, the binary files); a damaged checkpoint.json is still refused naming the file, before any
 * callback acts. And its option types: BackupAndRestoreArgs has tfjs's camelCase names only, KerasBackupAndRestoreArgs
 * Keras's snake_case ones, so neither types an object giving the folder under both names.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { model, values, x, y } from './helpers.js';
import { removeDir, tempDir } from '../io/helpers.js';
import { strictDiagnostics } from '../helpers/strict_ts.js';

/** Reads of any checkpoint.json. */
const reads = vi.hoisted(() => ({ checkpointJson: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const readFileSync = ((...a: Parameters<typeof real.readFileSync>) => {
    if (typeof a[0] === 'string' && a[0].split(/[\\/]/).pop() === 'checkpoint.json') reads.checkpointJson++;
    return real.readFileSync(...a);
  }) as typeof real.readFileSync;
  const mocked = { ...real, readFileSync };
  return { ...mocked, default: mocked };
});

const root = tempDir('rnnlab-check-once-');
afterAll(() => removeDir(root));
const FIT = { batchSize: 8, verbose: 0 as const };
const backup = (dir: string) => rl.callbacks.backupAndRestore({ backupDir: dir, deleteCheckpoint: false, verbose: 0, handleInterrupt: false });

/** A backup of a run stopped after 2 of 3 epochs. */
async function stopped(name: string): Promise<string> {
  const dir = join(root, name);
  await model().fit(x, y, { ...FIT, epochs: 2, callbacks: [backup(dir)] });
  return dir;
}

describe("backupAndRestore's start check", () => {
  it('reads checkpoint.json once, and the resume still happens', async () => {
    const dir = await stopped('once');
    // Every callback's start check comes before any onTrainBegin: one listed first sees what the checks read.
    let byTheCheck = -1;
    const first: rl.Callback = { onTrainBegin: () => { byTheCheck = reads.checkpointJson; } };
    reads.checkpointJson = 0;
    const cb = backup(dir);
    await model().fit(x, y, { ...FIT, epochs: 3, callbacks: [first, cb] });
    expect(byTheCheck).toBe(1);
    expect(cb.restoredFrom).toEqual({ epoch: 2, batch: 0 });
  });

  it.each([
    ['not JSON', '{"version": ', /checkpoint\.json/],
    ['a field of the wrong type', null, /checkpoint\.json.*state/],
  ])('a checkpoint.json that is %s is refused naming the file, before any callback acts', async (_, text, message) => {
    const dir = await stopped(`damaged-${text === null ? 'field' : 'json'}`);
    const file = join(dir, 'checkpoint.json');
    if (text === null) {
      const { readFileSync } = await vi.importActual<typeof import('node:fs')>('node:fs');
      const j = JSON.parse(readFileSync(file, 'utf8'));
      j.state = 'two epochs';
      writeFileSync(file, JSON.stringify(j));
    } else writeFileSync(file, text);
    const m = model();
    const before = values(m);
    let began = false;
    const run = m.fit(x, y, { ...FIT, epochs: 3, callbacks: [{ onTrainBegin: () => { began = true; } }, backup(dir)] });
    await expect(run).rejects.toThrow(file);
    await expect(run).rejects.toThrow(message);
    expect(began).toBe(false);
    expect(values(m)).toEqual(before);
  });
});

const USER = `import * as rl from 'rnnlab';
const camel: rl.BackupAndRestoreArgs = { backupDir: 'a', saveFreq: 2, deleteCheckpoint: false, handleInterrupt: false, resumeHint: 'again' };
const keras: rl.KerasBackupAndRestoreArgs = { backup_dir: 'k', save_freq: 2, delete_checkpoint: false, handle_interrupt: false, resume_hint: 'again', restore: 'auto', verbose: 0 };
rl.callbacks.backupAndRestore(camel);
new rl.BackupAndRestore(keras);
`;
// Each line one error.
const WRONG = `const both: rl.BackupAndRestoreArgs = { backupDir: 'a', backup_dir: 'b' };
const snakeInCamel: rl.BackupAndRestoreArgs = { backupDir: 'a', save_freq: 2 };
const camelInKeras: rl.KerasBackupAndRestoreArgs = { backup_dir: 'k', saveFreq: 2 };
rl.callbacks.backupAndRestore({ backupDir: 'a', backup_dir: 'b' });
new rl.BackupAndRestore({ backup_dir: 'a', backupDir: 'b' });
`;

describe("backupAndRestore's option types", () => {
  it('BackupAndRestoreArgs is camelCase only, KerasBackupAndRestoreArgs snake_case only; the folder under both names is a type error', () => {
    const first = USER.split('\n').length;
    const lines = strictDiagnostics(USER + WRONG, 'test/callbacks/backup_types_user_r49.mts').map((d) => Number(d.split(':')[0]));
    expect(lines).toEqual([first, first + 1, first + 2, first + 3, first + 4]);
  });

  it('at run time either spelling works, and both at once is an error naming both', () => {
    expect(rl.callbacks.backupAndRestore({ backup_dir: join(root, 'k'), save_freq: 2 }).saveFreq).toBe(2);
    expect(rl.callbacks.backupAndRestore({ backupDir: join(root, 'c'), saveFreq: 3 }).saveFreq).toBe(3);
    expect(() => rl.callbacks.backupAndRestore({ backupDir: 'a', backup_dir: 'b' } as never)).toThrow(/backupDir.*backup_dir|backup_dir.*backupDir/);
  });
});
