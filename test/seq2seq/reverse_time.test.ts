/**
 * ReverseTime is a registered layer: a model with a hand-built bidirectional layer (as the seq2seq encoder) saves
 * and loads through the public API alone. This file imports nothing from src/seq2seq, so the registration it
 * relies on is the layer catalogue's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { layerClass } from '../../src/layers/registry.js';

describe('ReverseTime', () => {
  it('is in the layer registry without importing src/seq2seq', () => {
    // rl.layerClasses wraps each class to check its options (src/layers/public_classes.ts): the same class behind it.
    const registered = layerClass('ReverseTime') as unknown as typeof rl.layerClasses.ReverseTime;
    expect(registered.name).toBe('ReverseTime');
    expect(new rl.layerClasses.ReverseTime({})).toBeInstanceOf(registered);
  });

  it('reverses the steps, and a model using it loads back and predicts the same', async () => {
    const x = rl.input({ shape: [4, 2] });
    const back = rl.layers.lstm({ units: 3, returnSequences: true, goBackwards: true, name: 'backward' }).apply(x) as rl.SymbolicTensor;
    const aligned = new rl.layerClasses.ReverseTime({ name: 'align' }).apply(back) as rl.SymbolicTensor;
    const m = new rl.Functional({ inputs: x, outputs: [back, aligned] });
    const data = rl.tensor(Array.from({ length: 16 }, (_, i) => Math.sin(i)), [2, 4, 2]);
    const [b, a] = (m.predict(data) as rl.Tensor[]).map((t) => t.dataSync());
    for (let n = 0; n < 2; n++) for (let t = 0; t < 4; t++) for (let u = 0; u < 3; u++) expect(a[(n * 4 + t) * 3 + u]).toBe(b[(n * 4 + 3 - t) * 3 + u]);
    const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-reverse-time-'));
    try {
      await m.save(`file://${dir}`);
      const loaded = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
      expect(loaded.getLayer('align').className).toBe('ReverseTime');
      const again = (loaded.predict(data) as rl.Tensor[])[1].dataSync();
      expect(Array.from(again)).toEqual(Array.from(a));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
