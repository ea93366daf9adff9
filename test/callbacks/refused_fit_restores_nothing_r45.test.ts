/**
 * Every callback's preconditions are checked before any callback's onTrainBegin acts: a fit refused for a
 * modelCheckpoint folder has not restored backupAndRestore's backup into the model, in either order.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { model, values, x, y } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-refused-fit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const file = join(root, 'afile');
writeFileSync(file, 'x');

/** A backup of a run stopped after 2 of 3 epochs, whose weights differ from a fresh model's. */
async function backup(name: string): Promise<string> {
  const dir = join(root, name);
  await model().fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, deleteCheckpoint: false, verbose: 0 })] });
  return dir;
}

describe('a fit refused by one callback changes nothing another would', () => {
  it.each(['backupAndRestore first', 'modelCheckpoint first'])('%s: the backup is not restored into the model', async (order) => {
    const dir = await backup(order.split(' ')[0]);
    const m = model();
    const before = values(m);
    const br = rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 });
    const ck = rl.callbacks.modelCheckpoint({ filepath: join(file, 'ckpt') });
    const callbacks = order === 'backupAndRestore first' ? [br, ck] : [ck, br];
    await expect(m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks }))
      .rejects.toThrow(`modelCheckpoint: cannot write the checkpoint folder ${join(file, 'ckpt')}: a part of its path is a file`);
    expect(values(m)).toEqual(before);
    expect(m.optimizer!.iterations).toBe(0);
    expect(br.restoredFrom).toBeNull();
    // The backup stays for the next run.
    expect(existsSync(join(dir, 'checkpoint.json'))).toBe(true);
  });

  it('a backupDir that cannot be written is refused before a batch trains, not at the first epoch\'s end', async () => {
    const m = model();
    const before = values(m);
    let batches = 0;
    const run = m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0,
      callbacks: [{ onBatchEnd: () => { batches++; } }, rl.callbacks.backupAndRestore({ backupDir: join(file, 'backup'), verbose: 0 })] });
    await expect(run).rejects.toThrow(`backupAndRestore: cannot write the backup folder ${join(file, 'backup')}: a part of its path is a file`);
    expect(batches).toBe(0);
    expect(values(m)).toEqual(before);
  });

  it('restore \'require\' without a backup is refused before a user\'s onTrainBegin listed first runs', async () => {
    let began = false;
    const run = model().fit(x, y, { epochs: 1, batchSize: 8, verbose: 0,
      callbacks: [{ onTrainBegin: () => { began = true; } }, rl.callbacks.backupAndRestore({ backupDir: join(root, 'none'), restore: 'require', verbose: 0 })] });
    await expect(run).rejects.toThrow(`no checkpoint to resume from in ${join(root, 'none')} (checkpoint.json is missing)`);
    expect(began).toBe(false);
  });

  it("restore 'require' still refuses when the backup goes between the check and the restore", async () => {
    const dir = await backup('goes');
    const m = model();
    const before = values(m);
    const run = m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0,
      callbacks: [{ onTrainBegin: () => { rmSync(join(dir, 'checkpoint.json')); } }, rl.callbacks.backupAndRestore({ backupDir: dir, restore: 'require', verbose: 0 })] });
    await expect(run).rejects.toThrow(`no checkpoint to resume from in ${dir} (checkpoint.json is missing)`);
    expect(values(m)).toEqual(before);
  });

  it('a backup of another model is refused before a user\'s onTrainBegin listed first runs', async () => {
    const dir = await backup('other');
    rl.setSeed(1);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [4] }), rl.layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    let began = false;
    const run = m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [{ onTrainBegin: () => { began = true; } }, rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 })] });
    await expect(run).rejects.toThrow(/the checkpoint in .* was written for a different model/);
    expect(began).toBe(false);
  });
});
