// Follow-ups to held-layer tracking: a custom layer holding a layer the model's graph applies too (tied embeddings)
// cannot load back, so saving refuses it naming what to do; TimeDistributed finds a held model in a plain object (its
// BatchNormalization makes a training call run step by step); a held Sequential built at its first call saves its
// weights under the holder's names and loads back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-held-r56b-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const first = (x: rl.Tensor | rl.Tensor[]) => (Array.isArray(x) ? x[0] : x);
type Shape = (number | null)[];

describe('a held layer the graph applies too (tied embeddings)', () => {
  class TiedProj_r56b extends rl.layers.Layer {
    static className = 'TiedProj_r56b';
    emb = rl.layers.embedding({ inputDim: 6, outputDim: 3 });
    call(x: rl.Tensor | rl.Tensor[]) { return rl.matMul(first(x), this.emb.weights[0].read(), false, true); }
    computeOutputShape(s: Shape) { return [s[0], 6]; }
  }
  rl.serialization.registerClass(TiedProj_r56b);

  it('predicts and trains tied in memory, but saving is refused naming the holder, the held layer and what to do', async () => {
    rl.setSeed(3);
    const out = new TiedProj_r56b({ name: 'tied_proj' });
    const inp = rl.input({ shape: [4] });
    const pooled = rl.layers.globalAveragePooling1d({}).apply(out.emb.apply(inp) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: out.apply(pooled) as rl.SymbolicTensor });
    expect((m.predict(rl.tensor2d([[1, 2, 3, 4]])) as rl.Tensor).shape).toEqual([1, 6]);
    const dir = join(root, 'tied');
    const wanted = new RegExp(`tied_proj \\(TiedProj_r56b\\) holds layer '${out.emb.name}' \\(at emb\\), which the model also applies in its graph.*ReversibleEmbedding`);
    await expect(m.save(`file://${dir}`)).rejects.toThrow(wanted);
    // Nothing half-written: no model.json a later load would fail on.
    expect(() => readFileSync(join(dir, 'model.json'))).toThrow();
  });
});

describe('a held Sequential with no input shape, built at its first call', () => {
  it('counts at once, saves under the holder\'s names and loads back to identical predictions', async () => {
    class HoldsUnbuilt_r56b extends rl.layers.Layer {
      static className = 'HoldsUnbuilt_r56b';
      net = rl.sequential({ layers: [rl.layers.dense({ units: 4, activation: 'tanh' }), rl.layers.dense({ units: 2 })] });
      call(x: rl.Tensor | rl.Tensor[]) { return this.net.apply(first(x)) as rl.Tensor; }
      computeOutputShape(s: Shape) { return [s[0], 2]; }
    }
    rl.serialization.registerClass(HoldsUnbuilt_r56b);
    rl.setSeed(7);
    const inp = rl.input({ shape: [3] });
    const m = rl.model({ inputs: inp, outputs: new HoldsUnbuilt_r56b({ name: 'holder' }).apply(inp) as rl.SymbolicTensor });
    // 3*4+4 + 4*2+2 = 26, known when the model is made, as for a held layer made unbuilt.
    expect(m.countParams()).toBe(26);
    const x = rl.tensor2d([[1, -2, 3], [0.5, 1, -1]]);
    const predicted = Array.from((m.predict(x) as rl.Tensor).dataSync());
    expect(m.weights.map((w) => w.name)).toEqual(['holder/net/dense/kernel', 'holder/net/dense/bias', 'holder/net/dense_1/kernel', 'holder/net/dense_1/bias']);
    const dir = join(root, 'unbuilt_sequential');
    await m.save(`file://${dir}`);
    // A second holder made before loading moves the automatic counters: the names saved must not depend on them.
    void new HoldsUnbuilt_r56b({ name: 'other' });
    const loaded = await rl.loadLayersModel(`file://${dir}/model.json`);
    expect(Array.from((loaded.predict(x) as rl.Tensor).dataSync())).toEqual(predicted);
  });
});

describe('TimeDistributed over a custom layer holding a model in a plain object', () => {
  it("the model's BatchNormalization is found: a training call normalizes each step with its own batch statistics", () => {
    class HoldsNormInObject_r56b extends rl.layers.Layer {
      static className = 'HoldsNormInObject_r56b';
      parts = { net: rl.sequential({ layers: [rl.layers.batchNormalization({ inputShape: [2], center: false, scale: false, epsilon: 0 })] }) };
      call(x: rl.Tensor | rl.Tensor[], kwargs?: Record<string, unknown>) { return this.parts.net.apply(first(x), kwargs) as rl.Tensor; }
      computeOutputShape(s: Shape) { return s; }
    }
    const td = rl.layers.timeDistributed({ layer: new HoldsNormInObject_r56b({}) });
    // Step 0 holds values around 10, step 1 around -10: one statistic over both steps would leave each step's mean far from 0.
    const x = rl.tensor3d([[[9, 1], [-11, 3]], [[11, 3], [-9, 5]]]);
    const y = (td.apply(x, { training: true }) as rl.Tensor).arraySync() as number[][][];
    for (const step of [0, 1]) {
      for (const f of [0, 1]) {
        const vals = [y[0][step][f], y[1][step][f]];
        expect(vals[0] + vals[1]).toBeCloseTo(0, 4);
        expect(Math.abs(vals[0])).toBeCloseTo(1, 3);
      }
    }
  });
});
