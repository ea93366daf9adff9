/**
 * A Bidirectional whose directions are frozen apart cannot be written (the config has one flag for both, as tfjs's
 * and Keras's files): the save is refused naming the layer, not written to come back with both directions alike.
 */
import { mkdtempSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

interface Directions { trainable: boolean; forwardLayer: { trainable: boolean }; backwardLayer: { trainable: boolean } }

function model(): { m: rl.Sequential; bi: Directions } {
  const bi = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2 }), name: 'bi' });
  const m = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 5, outputDim: 3, inputLength: 4 }), bi, rl.layers.dense({ units: 1 })] });
  return { m, bi: bi as unknown as Directions };
}

describe('Bidirectional directions frozen apart', () => {
  it('is refused on save, naming the layer and the frozen direction; nothing is written', async () => {
    const { m, bi } = model();
    bi.backwardLayer.trainable = false;
    // Weights of the frozen direction are not trained: the model knows it...
    expect(m.trainableWeights.length).toBe(1 + 3 + 2);
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'rnnlab-r57-bi-')), 'm');
    await expect(m.save(`file://${dir}`)).rejects.toThrow("bi (Bidirectional): its backward layer is frozen and its forward layer is not");
    expect(existsSync(path.join(dir, 'model.json'))).toBe(false);
    bi.forwardLayer.trainable = false;
    bi.backwardLayer.trainable = true;
    expect(() => m.getConfig()).toThrow('its forward layer is frozen and its backward layer is not');
  });

  it('saves once the directions agree, or when the wrapper itself is frozen, and loads back as frozen as it was', async () => {
    const { m, bi } = model();
    bi.backwardLayer.trainable = false;
    bi.trainable = false;
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'rnnlab-r57-bi-')), 'm');
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`);
    expect(back.trainableWeights.length).toBe(1 + 2);
    bi.trainable = true;
    await m.save(`file://${dir}`);
    expect((await rl.loadLayersModel(`file://${dir}`)).trainableWeights.length).toBe(m.trainableWeights.length);
  });
});
