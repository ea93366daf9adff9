import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const seqEncoder = () => rl.sequential({ layers: [rl.layers.dense({ units: 4, inputShape: [3] }), rl.layers.dense({ units: 2 })] });
const funcEncoder = () => { const i = rl.input({ shape: [3] }); return rl.model({ inputs: i, outputs: rl.layers.dense({ units: 2 }).apply(i) as rl.SymbolicTensor }); };
const outer = (e: unknown) => rl.sequential({ layers: [rl.layers.timeDistributed({ layer: e as never, inputShape: [5, 3] }), rl.layers.flatten(), rl.layers.dense({ units: 1 })] });
const X = () => rl.ones([2, 5, 3]);

describe('timeDistributed over a model: holders', () => {
  it('a model wrapped by two live models survives the first one\'s dispose (Sequential and Functional)', () => {
    for (const e of [seqEncoder(), funcEncoder()]) {
      const m1 = outer(e), m2 = outer(e);
      m1.dispose();
      expect(m2.predict(X()).shape).toEqual([2, 1]);
      expect(e.disposed).toBe(false);
      m2.dispose();
      expect(e.disposed).toBe(true);
    }
  });

  it('a Functional model nested in one model and wrapped in another goes with the last holder', () => {
    const e = funcEncoder();
    const m1 = outer(e);
    const i = rl.input({ shape: [3] });
    const f = rl.model({ inputs: i, outputs: rl.layers.dense({ units: 1 }).apply(e.apply(i) as rl.SymbolicTensor) as rl.SymbolicTensor });
    f.dispose();
    expect(e.disposed).toBe(false);
    expect(m1.predict(X()).shape).toEqual([2, 1]);
    // Its own dispose waits for the wrapper, as for an outer model nesting it.
    expect(e.dispose().refCountAfterDispose).toBe(1);
    m1.dispose();
    expect(e.disposed).toBe(true);
  });
});

describe('timeDistributed over a model: trainable', () => {
  it('shares the flag with the model both ways, and the trainable weights follow', () => {
    const e = seqEncoder();
    const td = rl.layers.timeDistributed({ layer: e as never, inputShape: [5, 3] });
    outer(e);
    td.trainable = false;
    expect(e.trainable).toBe(false);
    expect(e.trainableWeights).toHaveLength(0);
    e.trainable = true;
    expect(td.trainable).toBe(true);
    expect(td.trainableWeights).toHaveLength(4);
    const frozen = rl.layers.timeDistributed({ layer: seqEncoder() as never, trainable: false });
    expect(frozen.trainable).toBe(false);
    expect(frozen.trainableWeights).toHaveLength(0);
  });
});

describe('timeDistributed over a model: saving', () => {
  const dir = () => `file://${mkdtempSync(join(tmpdir(), 'rl-tdm-'))}`;

  it('refuses a wrapped layer\'s weight name that an outer layer also saves, naming both layers (Sequential)', async () => {
    const enc = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [3], name: 'clash' })] });
    const m = rl.sequential({ layers: [rl.layers.timeDistributed({ layer: enc as never, inputShape: [5, 3], name: 'td' }), rl.layers.dense({ units: 3, name: 'clash' })] });
    await expect(m.save(dir())).rejects.toThrow(/two different layers would save their weights as 'clash\/kernel' \(one in td, one in clash\)/);
  });

  it('names the wrapper in the Functional clash message', async () => {
    const i0 = rl.input({ shape: [3] });
    const enc = rl.model({ name: 'enc', inputs: i0, outputs: rl.layers.dense({ units: 3, name: 'clash' }).apply(i0) as rl.SymbolicTensor });
    const i = rl.input({ shape: [5, 3] });
    const td = rl.layers.timeDistributed({ layer: enc as never, name: 'td' }).apply(i) as rl.SymbolicTensor;
    const m = rl.model({ name: 'outer', inputs: i, outputs: rl.layers.dense({ units: 3, name: 'clash' }).apply(td) as rl.SymbolicTensor });
    await expect(m.save(dir())).rejects.toThrow(/'clash\/kernel' \(one in outer > td, one in outer\)/);
  });

  it('refuses the same model wrapped twice, naming the model and both wrappers', async () => {
    const enc = rl.sequential({ name: 'enc', layers: [rl.layers.dense({ units: 3, inputShape: [3] })] });
    const m = rl.sequential({ layers: [rl.layers.timeDistributed({ layer: enc as never, inputShape: [5, 3], name: 'tda' }), rl.layers.timeDistributed({ layer: enc as never, name: 'tdb' })] });
    await expect(m.save(dir())).rejects.toThrow(/the same model 'enc' is wrapped twice \(by 'tda' and 'tdb'\)/);
    const i = rl.input({ shape: [5, 3] });
    const a = rl.layers.timeDistributed({ layer: enc as never, name: 'fa' }).apply(i) as rl.SymbolicTensor;
    const b = rl.layers.timeDistributed({ layer: enc as never, name: 'fb' }).apply(i) as rl.SymbolicTensor;
    const f = rl.model({ inputs: i, outputs: rl.layers.add().apply([a, b]) as rl.SymbolicTensor });
    await expect(f.save(dir())).rejects.toThrow(/the same model 'enc' is wrapped twice \(by 'fa' and 'fb'\)/);
  });
});
