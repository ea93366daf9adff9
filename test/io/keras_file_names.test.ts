/**
 * keras.io's examples save to 'model.keras' / 'weights.h5' and checkpoint to 'save_at_{epoch}.keras': Keras's own
 * archive formats, which rnnlab neither writes nor reads. Each is refused by name rather than becoming a folder that
 * merely looks like a Keras file.
 */
import { mkdtempSync, mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const tiny = () => {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
};

describe('Keras file names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-keras-names-'));

  it('save refuses .keras/.h5/.hdf5 names and writes nothing', async () => {
    for (const name of ['s2s_model.keras', 'w.h5', 'W.HDF5']) {
      const target = join(dir, name);
      await expect(tiny().save(`file://${target}`)).rejects.toThrow(new RegExp(`names a Keras \\.${name.split('.')[1]} file, a format rnnlab does not write`, 'i'));
      expect(existsSync(target)).toBe(false);
    }
  });

  it('load refuses a Keras file but reads a model folder that happens to end in .keras', async () => {
    const file = join(dir, 'real.keras');
    writeFileSync(file, 'PK\u0003\u0004');
    await expect(rl.loadLayersModel(`file://${file}`)).rejects.toThrow(/names a Keras \.keras file, a format rnnlab does not read; .*tensorflowjs_converter/);
    // A folder saved before this refusal existed still loads (it is a folder, not an archive).
    const folder = join(dir, 'old.keras');
    mkdirSync(folder);
    await tiny().save(`file://${join(folder, 'model.json')}`);
    const m = await rl.loadLayersModel(`file://${folder}`);
    expect(m.countParams()).toBe(8);
  });

  it('modelCheckpoint refuses a .keras filepath when constructed', () => {
    expect(() => rl.callbacks.modelCheckpoint({ filepath: 'save_at_{epoch}.keras' } as never))
      .toThrow(/modelCheckpoint: path "save_at_\{epoch\}\.keras" names a Keras \.keras file/);
  });
});
