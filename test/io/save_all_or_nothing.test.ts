// Saving over a folder that holds a model is all or nothing: a failure while writing or renaming any file leaves
// the previous model.json and weights loading as before, with no temp files left behind.
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { setBeforeRenameHook } from '../../src/io/atomic.js';
import { expectOldModelWhole, folderBytes, maxAbsDiff, removeDir, tempDir } from './helpers.js';

const root = tempDir('rnnlab-atomic-');
afterAll(() => removeDir(root));
afterEach(() => setBeforeRenameHook(null));

function model(units: number, seed: number): rl.Sequential {
  rl.setSeed(seed);
  return rl.sequential({ layers: [rl.layers.lstm({ units, inputShape: [4, 2] }), rl.layers.dense({ units: 1 })] });
}
const x = rl.tensor(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), [3, 4, 2]);

describe('save over an existing model folder', () => {
  for (const [label, failAt] of [['shard', '-shard2of'], ['model-json', 'model.json']]) {
    it(`a failure at ${failAt} keeps the old model whole and loadable`, async () => {
      const dir = join(root, `fail-${label}`);
      const old = model(3, 1);
      await old.save(`file://${dir}`, { shardSizeBytes: 64 });
      const before = folderBytes(dir);
      // The new model has other sizes: mixing its weights with the old model.json would be refused or wrong.
      const next = model(5, 2);
      setBeforeRenameHook((_tmp, target) => { if (target.includes(failAt)) throw new Error(`disk gone while replacing ${failAt}`); });
      await expect(next.save(`file://${dir}`, { shardSizeBytes: 64 })).rejects.toThrow(`disk gone while replacing ${failAt}`);
      setBeforeRenameHook(null);
      await expectOldModelWhole(dir, before, old, x);
      // And once the disk is back the new model replaces it.
      await next.save(`file://${dir}`, { shardSizeBytes: 64 });
      const now = await rl.loadModel(`file://${dir}`);
      expect(maxAbsDiff(now.predict(x).dataSync(), next.predict(x).dataSync())).toBe(0);
    });
  }
});
