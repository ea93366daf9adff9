/**
 * readCheckpointInfo refuses a history that disagrees with state.nextEpoch or has more values for a key than
 * epochs: a CheckpointError naming checkpoint.json and the field. Shorter lists (val_ keys with validationFreq) pass.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-ckhistory-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
let n = 0;
type State = { nextEpoch: number; history: { epoch: number[]; history: Record<string, number[]> } };
/** A checkpoint of 4 epochs (val_loss every 2nd), its checkpoint.json's state edited by f. */
function checkpoint(f: (state: State) => void): string {
  const dir = join(root, `ck${n++}`);
  rl.writeCheckpoint(dir, m, { nextEpoch: 4, progress: null, rng: [1, 2, 3, 4, NaN], samples: 8, batchSize: 4,
    history: { epoch: [0, 1, 2, 3], history: { loss: [0.4, 0.3, 0.2, 0.1], accuracy: [0.5, 0.6, 0.7, 0.8], val_loss: [0.35, 0.15] } } });
  const path = join(dir, 'checkpoint.json');
  const j = JSON.parse(readFileSync(path, 'utf8'));
  f(j.state);
  writeFileSync(path, JSON.stringify(j));
  return dir;
}

describe('a checkpoint\'s history checked against its epochs', () => {
  it.each([
    ['nextEpoch moved back to 2', (s: State) => { s.nextEpoch = 2; }, /state\.history\.epoch \[0,1,2,3\] must be the epochs trained before state\.nextEpoch 2: consecutive, ending at epoch 1/],
    ['nextEpoch moved on to 5', (s: State) => { s.nextEpoch = 5; }, /state\.history\.epoch \[0,1,2,3\] must be the epochs trained before state\.nextEpoch 5/],
    ['an epoch left out', (s: State) => { s.history.epoch = [0, 1, 3]; }, /state\.history\.epoch \[0,1,3\] must be/],
    ['accuracy longer than the epochs', (s: State) => { s.history.history.accuracy.push(0.9, 0.9, 0.9); }, /state\.history\.history\.accuracy holds 7 values for the 4 epochs of state\.history\.epoch/],
    ['loss shorter than the epochs', (s: State) => { s.history.history.loss.pop(); }, /state\.history\.history\.loss holds 3 values for the 4 epochs/],
  ])('%s is a CheckpointError naming the file and field', (_what, edit, message) => {
    const dir = checkpoint(edit);
    const err = (() => { try { rl.io.readCheckpointInfo(dir); } catch (e) { return e as Error; } return null; })();
    expect(err).toBeInstanceOf(rl.CheckpointError);
    expect(err!.message).toContain(join(dir, 'checkpoint.json'));
    expect(err!.message).toMatch(message);
  });

  it('a val_ key validated on fewer epochs, and a run started at initialEpoch, read as they are', () => {
    expect(rl.io.readCheckpointInfo(checkpoint(() => {})).state.history.history.val_loss).toEqual([0.35, 0.15]);
    const later = checkpoint((s) => { s.history = { epoch: [2, 3], history: { loss: [0.2, 0.1] } }; });
    expect(rl.io.readCheckpointInfo(later).state.history.epoch).toEqual([2, 3]);
  });

  it('a run with initialEpoch 2 checkpoints and resumes', async () => {
    const dir = join(root, 'initial');
    const x = [[0, 1], [1, 0], [1, 1], [0, 0]], y = [[1], [1], [0], [0]];
    const backup = () => rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0, deleteCheckpoint: false });
    await m.fit(x, y, { epochs: 3, initialEpoch: 2, verbose: 0, callbacks: [backup()] });
    expect(rl.io.readCheckpointInfo(dir).state.history.epoch).toEqual([2]);
    const h = await m.fit(x, y, { epochs: 4, verbose: 0, callbacks: [backup()] });
    expect(h.epoch).toEqual([2, 3]);
  });
});
