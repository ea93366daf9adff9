/**
 * A checkpoint write that fails (a full disk): the error names the folder and says in words why and what was kept,
 * and the folder is left holding exactly the previous generation (no orphan weights file eating more of the disk at
 * each retry), from which training resumes and ends bit for bit where an uninterrupted run ends.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { readCheckpointInfo, restoreCheckpoint } from '../../src/io/checkpoint.js';
import { folderBytes, removeDir, sameBits, tempDir, toyText } from './helpers.js';

const root = tempDir('rnnlab-ckpt-full-');
afterAll(() => removeDir(root));
afterEach(() => setBeforeRenameHook(null));
let n = 0;
const fresh = () => join(root, `c${n++}`);

const data = toyText(64, 6, 10, 3);
const FIT = { epochs: 3, batchSize: 16, verbose: 0 as const };

function build(seed: number): rl.Sequential {
  rl.setSeed(seed);
  const m = rl.sequential({ layers: [
    rl.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 6 }),
    rl.layers.lstm({ units: 5 }),
    rl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: rl.train.adam(0.02), loss: 'binaryCrossentropy' });
  return m;
}

const state = (nextEpoch: number): rl.TrainingState => ({ nextEpoch, progress: null, history: { epoch: [], history: {} }, rng: [1, 2, 3, 4, NaN], samples: 64, batchSize: 16 });

/** What a full disk throws from a write (Node's own wording: the errno and the call, no file named). */
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

/** Fails the k-th rename from now on as a full disk does; later ones (the clean-up's) go through. */
function diskFullAtRename(k: number): void {
  let renames = 0;
  setBeforeRenameHook(() => { if (++renames === k) throw enospc(); });
}

const weightsOf = (m: rl.Sequential) => m.getWeights().map((w) => w.dataSync() as Float32Array);

describe('a checkpoint write on a full disk', () => {
  it('removes what it put in place at every step it can fail, keeps the last good generation, and says so in words', async () => {
    const dir = fresh();
    const m = build(1);
    rl.writeCheckpoint(dir, m, state(1));
    const before = folderBytes(dir);
    expect(Object.keys(before).sort()).toEqual(['checkpoint.json', 'model.json', 'optimizer-000001.bin', 'weights-000001.bin']);
    const first = weightsOf(m);
    // The renames of weights, optimizer, model.json and checkpoint.json, in that order.
    for (let k = 1; k <= 4; k++) {
      m.setWeights(first.map((w) => w.map((v) => v + k)));
      diskFullAtRename(k);
      let message = '';
      try { rl.writeCheckpoint(dir, m, state(2)); } catch (e) { message = (e as Error).message; }
      setBeforeRenameHook(null);
      expect(message).toBe(`cannot write the checkpoint folder ${dir}: no space left on the device; the last good checkpoint (generation 1) was kept`);
      // Byte for byte the folder the last good checkpoint left: no weights-000002.bin, model.json naming generation 1.
      expect(folderBytes(dir)).toEqual(before);
      expect(readCheckpointInfo(dir).generation).toBe(1);
      const c = build(9);
      restoreCheckpoint(dir, c);
      expect(sameBits(weightsOf(c), first)).toBe(true);
      await rl.loadModel(dir);
    }
    // Nothing left behind pushed the generation count on: the next good write is generation 2, alone in the folder.
    rl.writeCheckpoint(dir, m, state(2));
    expect(readCheckpointInfo(dir).generation).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'model.json', 'optimizer-000002.bin', 'weights-000002.bin']);
  });

  it('when putting the earlier model.json back fails too, the weights the written one names stay, so the folder still loads', async () => {
    const dir = fresh();
    const m = build(1);
    rl.writeCheckpoint(dir, m, state(1));
    let renames = 0;
    // The 4th rename is checkpoint.json's (the commit), the 5th the earlier model.json's return.
    setBeforeRenameHook(() => { if (++renames >= 4) throw enospc(); });
    expect(() => rl.writeCheckpoint(dir, m, state(2))).toThrow('the last good checkpoint (generation 1) was kept');
    setBeforeRenameHook(null);
    expect(readCheckpointInfo(dir).generation).toBe(1);
    const named = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].paths as string[];
    expect(named).toEqual(['weights-000002.bin']);
    expect(readdirSync(dir)).toContain('weights-000002.bin');
    expect(readdirSync(dir)).not.toContain('optimizer-000002.bin');
    await rl.loadModel(dir);
  });

  it('the first checkpoint failing leaves no files and says no earlier one was there', () => {
    const dir = fresh();
    diskFullAtRename(2);
    expect(() => rl.writeCheckpoint(dir, build(1), state(1))).toThrow(`cannot write the checkpoint folder ${dir}: no space left on the device; it held no earlier checkpoint to keep`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an error that is not the system\'s (a bug, a kill stood in for by a throw) passes through unchanged', () => {
    const dir = fresh();
    const m = build(1);
    rl.writeCheckpoint(dir, m, state(1));
    class Crash extends Error {}
    setBeforeRenameHook(() => { throw new Crash('killed'); });
    expect(() => rl.writeCheckpoint(dir, m, state(2))).toThrow(Crash);
  });

  it('fit stopped by a full disk at an epoch\'s checkpoint resumes from the one before and ends where an uninterrupted run ends', async () => {
    const ref = build(42);
    rl.setSeed(7);
    await ref.fit(data.x, data.y, FIT);

    const dir = fresh();
    const a = build(42);
    rl.setSeed(7);
    let epochs = 0;
    // The disk fills during the second epoch: its checkpoint's weights go in, its optimizer state does not.
    const fill: rl.Callback = { onEpochEnd: () => { if (++epochs === 2) diskFullAtRename(2); } } as rl.Callback;
    const backup = rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0, handleInterrupt: false });
    await expect(a.fit(data.x, data.y, { ...FIT, callbacks: [fill, backup] }))
      .rejects.toThrow(`cannot write the checkpoint folder ${dir}: no space left on the device; the last good checkpoint (generation 1) was kept`);
    setBeforeRenameHook(null);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'model.json', 'optimizer-000001.bin', 'weights-000001.bin']);
    expect(readCheckpointInfo(dir).state.nextEpoch).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].paths).toEqual(['weights-000001.bin']);

    const b = build(999);
    rl.setSeed(12345);
    const h = await b.fit(data.x, data.y, { ...FIT, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 })] });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(sameBits(weightsOf(b), weightsOf(ref))).toBe(true);
  });
});
