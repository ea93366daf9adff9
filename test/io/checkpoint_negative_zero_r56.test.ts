/**
 * -0 in a checkpoint. JSON.stringify writes -0 as 0, so a caller's state.extra (and a History value) holding -0 came
 * back as +0 after a resume. checkpoint.json now writes it as -0, which JSON.parse reads back as -0; +0 stays 0.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tempDirs } from '../helpers/tiny_linear.js';
import { resumeData, resumeModel, stampMonitor } from '../callbacks/helpers.js';

const tempDir = tempDirs('rl-ckpt-negzero-r56-');
const isNegativeZero = (v: unknown) => Object.is(v, -0);

describe('-0 through a checkpoint', () => {
  it("writeCheckpoint's state.extra: -0 comes back as -0 wherever it is, 0 as 0", () => {
    const dir = tempDir();
    rl.writeCheckpoint(dir, resumeModel(), {
      nextEpoch: 1, samples: 40, batchSize: 8, rng: [1, 2, 3, 4, NaN], progress: null,
      history: { epoch: [0], history: { loss: [-0] } },
      extra: { z: -0, list: [-0, 0, 1], nested: { deep: [{ z: -0 }] }, plus: 0 },
    });
    expect(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).toMatch(/"z": -0,/);
    const st = rl.io.readCheckpointInfo(dir).state;
    const extra = st.extra as { z: number; list: number[]; nested: { deep: { z: number }[] }; plus: number };
    expect(isNegativeZero(extra.z)).toBe(true);
    expect(isNegativeZero(extra.list[0])).toBe(true);
    expect(isNegativeZero(extra.list[1])).toBe(false);
    expect(isNegativeZero(extra.nested.deep[0].z)).toBe(true);
    expect(isNegativeZero(extra.plus)).toBe(false);
    expect(isNegativeZero(st.history.history.loss[0])).toBe(true);
  });

  it("a backupAndRestore resume: the caller's extraState and a History value a later callback logged keep -0", async () => {
    const { X, Y } = resumeData();
    const root = tempDir();
    const seq = [-0, 0.5, 0.25];
    const make = (restored: rl.TrainingState[] = []) => {
      const bk = rl.callbacks.backupAndRestore({ backupDir: join(root, 'bk'), verbose: 0, deleteCheckpoint: false, out: { write: () => true }, exit: () => {} });
      bk.extraState = () => ({ offset: -0 });
      bk.onRestored = (st) => { restored.push(st); };
      // Listed after the backup: its key reaches the backup's checkpoint when the epoch settles (a rewrite of checkpoint.json).
      return [bk, stampMonitor(seq)];
    };
    const stopAfter = (at: number): rl.Callback => ({ onEpochEnd(this: { model: rl.Sequential }, e: number) { if (e === at) this.model.stopTraining = true; } });
    await resumeModel().fit(X, Y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [...make(), stopAfter(0)] });
    const restored: rl.TrainingState[] = [];
    const h = await resumeModel().fit(X, Y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: make(restored) });
    expect(restored).toHaveLength(1);
    expect(isNegativeZero(restored[0].extra?.offset)).toBe(true);
    expect(isNegativeZero(h.history.m[0])).toBe(true);
    expect(h.history.m.slice(1)).toEqual([0.5, 0.25]);
  });
});
