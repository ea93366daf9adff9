/**
 * backupAndRestore reads and hashes its backup's binary files once per resume: the start check reads and verifies
 * them, and the restore that follows takes them from that check while checkpoint.json still names them with the same
 * checksums. A backup rewritten between the two is read again, never applied stale.
 */
import { join } from 'node:path';
import { copyFileSync, readdirSync, unlinkSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { readCheckpointInfo } from '../../src/io/checkpoint.js';
import { removeDir, tempDir, toyText } from '../io/helpers.js';

/** Reads of checkpoint binary files (weights-N.bin, optimizer-N.bin), by file name. */
const reads = vi.hoisted(() => ({ names: [] as string[] }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const readFileSync = ((...a: Parameters<typeof real.readFileSync>) => {
    if (typeof a[0] === 'string' && /^(?:weights|optimizer)-\d+\.bin$/.test(a[0].split(/[\\/]/).pop()!)) reads.names.push(a[0].split(/[\\/]/).pop()!);
    return real.readFileSync(...a);
  }) as typeof real.readFileSync;
  const mocked = { ...real, readFileSync };
  return { ...mocked, default: mocked };
});

const root = tempDir('rnnlab-single-read-');
afterAll(() => removeDir(root));
afterEach(() => { reads.names = []; });

const data = toyText(48, 6, 10, 3);
const FIT = { batchSize: 16, verbose: 0 as const };

/** An LSTM with dropout: the shuffle and the masks draw from the global RNG the backup carries. */
function build(): rl.Sequential {
  rl.setSeed(7);
  const m = rl.sequential({ layers: [
    rl.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 6 }),
    rl.layers.lstm({ units: 5, dropout: 0.2 }),
    rl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: rl.train.adam(0.02), loss: 'binaryCrossentropy' });
  return m;
}

const weights = (m: rl.Sequential) => m.getWeights().map((w) => Array.from(w.dataSync()));
const backup = (dir: string) => rl.callbacks.backupAndRestore({ backupDir: dir, deleteCheckpoint: false, verbose: 0, handleInterrupt: false });

async function uninterrupted(epochs: number): Promise<{ w: number[][]; loss: number[] }> {
  const m = build();
  const h = await m.fit(data.x, data.y, { ...FIT, epochs });
  return { w: weights(m), loss: h.history.loss as number[] };
}

/** A backup of the same run stopped after `epochs` epochs. */
async function stoppedAfter(dir: string, epochs: number): Promise<void> {
  await build().fit(data.x, data.y, { ...FIT, epochs, callbacks: [backup(dir)] });
}

describe('backupAndRestore reads its backup once per resume', () => {
  it('each binary file is read once, and the resumed run ends where an uninterrupted one does', async () => {
    const ref = await uninterrupted(3);
    const dir = join(root, 'once');
    await stoppedAfter(dir, 2);
    const files = readCheckpointInfo(dir).files;
    reads.names = [];
    const m = build();
    const cb = backup(dir);
    const h = await m.fit(data.x, data.y, { ...FIT, epochs: 3, callbacks: [cb] });
    expect(cb.restoredFrom).toEqual({ epoch: 2, batch: 0 });
    // The check and the restore together: one read of each (the epoch's own checkpoint writes read none).
    expect(reads.names.sort()).toEqual([files.optimizer!.path, files.weights.path].sort());
    expect(weights(m)).toEqual(ref.w);
    expect(h.history.loss).toEqual(ref.loss);
  });

  it('a backup replaced by another generation between the start check and the restore is read again and applied as it is now', async () => {
    const ref = await uninterrupted(3);
    const dir = join(root, 'replaced');
    const earlier = join(root, 'earlier');
    await stoppedAfter(dir, 2);
    await stoppedAfter(earlier, 1);
    const checked = readCheckpointInfo(dir).files;
    const now = readCheckpointInfo(earlier).files;
    // A user's callback listed first acts after every start check, before backupAndRestore's restore: it puts the
    // backup of epoch 1 (another generation: other file names and checksums) in place of the one checked.
    const swap = { onTrainBegin: () => replace(dir, earlier) } as rl.Callback;
    reads.names = [];
    const m = build();
    const cb = backup(dir);
    await m.fit(data.x, data.y, { ...FIT, epochs: 3, callbacks: [swap, cb] });
    expect(cb.restoredFrom).toEqual({ epoch: 1, batch: 0 });
    expect(reads.names.sort()).toEqual([checked.optimizer!.path, checked.weights.path, now.optimizer!.path, now.weights.path].sort());
    expect(weights(m)).toEqual(ref.w);
  });

  it('a backup replaced by one of the same generation but other checksums is read again, not applied stale', async () => {
    const dir = join(root, 'same-generation');
    const other = join(root, 'other-data');
    await stoppedAfter(dir, 2);
    // Another run of 2 epochs on other data: the same file names (generation 2), other contents and checksums.
    const otherModel = build();
    await otherModel.fit(otherData.x, otherData.y, { ...FIT, epochs: 2, callbacks: [backup(other)] });
    const names = readCheckpointInfo(dir).files;
    expect(readCheckpointInfo(other).files.weights.path).toBe(names.weights.path);
    expect(readCheckpointInfo(other).files.weights.sha256).not.toBe(names.weights.sha256);
    reads.names = [];
    const m = build();
    const cb = backup(dir);
    let restored: number[][] = [];
    const swap = { onTrainBegin: () => replace(dir, other) } as rl.Callback;
    const look = { onTrainBegin: () => { restored = weights(m); } } as rl.Callback;
    await m.fit(data.x, data.y, { ...FIT, epochs: 2, callbacks: [swap, cb, look] });
    expect(cb.restoredFrom).toEqual({ epoch: 2, batch: 0 });
    expect(restored).toEqual(weights(otherModel));
    expect(reads.names.filter((n) => n === names.weights.path)).toHaveLength(2);
  });

  it("the verified files are backupAndRestore's own: the public restoreCheckpoint refuses a files option as unknown", async () => {
    const dir = join(root, 'files-option');
    await stoppedAfter(dir, 1);
    const m = build();
    const before = weights(m);
    expect(() => rl.restoreCheckpoint(dir, m, { files: {} } as never))
      .toThrow("restoreCheckpoint: unknown option 'files'; options: check, apply");
    expect(() => rl.restoreCheckpoint(dir, m, { apply: 'no' } as never)).toThrow('restoreCheckpoint: apply must be true or false, got the string "no"');
    expect(() => rl.restoreCheckpoint(dir, m, { check: true } as never)).toThrow(/restoreCheckpoint: check must be a function/);
    expect(weights(m)).toEqual(before);
    // The two options it has still work.
    let seen = -1;
    const st = rl.restoreCheckpoint(dir, m, { apply: false, check: (s) => { seen = s.nextEpoch; } });
    expect([seen, st.nextEpoch]).toEqual([1, 1]);
    expect(weights(m)).toEqual(before);
  });
});

const otherData = toyText(48, 6, 10, 11);

/** Puts the backup in `from` in place of the one in dir. */
function replace(dir: string, from: string): void {
  for (const n of readdirSync(dir)) unlinkSync(join(dir, n));
  for (const n of readdirSync(from)) copyFileSync(join(from, n), join(dir, n));
}
