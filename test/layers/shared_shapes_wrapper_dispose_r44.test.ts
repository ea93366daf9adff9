import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('a Sequential whose last layer is shared at another rank', () => {
  it('keeps its own output shape, compiles, fits, saves, loads and adds (the layer\'s outputShape alone is refused)', async () => {
    const d = rl.layers.dense({ units: 4, name: 'shared_d' });
    const s = rl.sequential({ layers: [rl.layers.conv1d({ filters: 3, kernelSize: 1, inputShape: [5, 2] }), d] });
    const x = rl.input({ shape: [3] });
    rl.model({ inputs: x, outputs: d.apply(x) as rl.SymbolicTensor });
    expect(() => d.outputShape).toThrow(/ill-defined/);
    expect(s.outputShape).toEqual([null, 5, 4]);
    s.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
    const h = await s.fit(rl.ones([2, 5, 2]), rl.zeros([2, 5, 4]), { epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0] as number)).toBe(true);
    const url = `file://${mkdtempSync(join(tmpdir(), 'rl-shared-'))}`;
    await s.save(url);
    const back = await rl.loadLayersModel(url);
    expect(back.outputShape).toEqual([null, 5, 4]);
    s.add(rl.layers.dense({ units: 1 }));
    expect(s.outputShape).toEqual([null, 5, 1]);
  });
});
