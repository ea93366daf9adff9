// Layers a custom layer holds are tracked as Keras 3 tracks them, however they are held: made in build() (sizes
// from the input shape), in a plain object, in nested lists, as a Functional model, or a pretrained layer already
// applied in another model. Each counts in countParams and summary as soon as the model is made, trains in fit,
// saves under a stable name and loads back to identical predictions. And a custom layer's call() must return as
// many tensors as its computeOutputShape declares.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-held-r56-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const first = (x: rl.Tensor | rl.Tensor[]) => (Array.isArray(x) ? x[0] : x);
type Shape = (number | null)[];

/** Builds blk on a [3] input, checks it holds 12 params at once, trains, saves, loads; returns what a test checks. */
async function roundTrip(label: string, blk: rl.layerClasses.Layer) {
  const a = rl.input({ shape: [3], name: 'a' });
  const m = rl.model({ inputs: a, outputs: blk.apply(a) as rl.SymbolicTensor });
  const paramsAtCreation = m.countParams();
  const lines: string[] = [];
  m.summary(undefined, undefined, (line: string) => lines.push(line));
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const x = rl.tensor2d([[1, -2, 3], [0.5, 1, -1]]);
  const before = m.getWeights().map((t) => Array.from(t.dataSync()));
  await m.fit(x, rl.zeros([2, 3]), { epochs: 2, verbose: 0 });
  const after = m.getWeights().map((t) => Array.from(t.dataSync()));
  const dir = join(root, label);
  await m.save(`file://${dir}`);
  const manifest = (JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest as { weights: { name: string }[] }[])
    .flatMap((g) => g.weights.map((w) => w.name));
  const loaded = await rl.loadLayersModel(`file://${dir}/model.json`);
  return {
    m, paramsAtCreation, summary: lines.join('\n'), manifest,
    trained: before.some((w, i) => w.some((v, j) => v !== after[i][j])),
    predicted: Array.from((m.predict(x) as rl.Tensor).dataSync()),
    reloaded: Array.from((loaded.predict(x) as rl.Tensor).dataSync()),
    weightNames: m.weights.map((w) => w.name),
  };
}

describe('layers a custom layer holds are tracked (Keras 3)', () => {
  it('a sub-layer made in build() counts at once, trains, saves as <holder>/<attribute> and loads back', async () => {
    class ResidualProj_r56 extends rl.layers.Layer {
      static className = 'ResidualProj_r56';
      proj?: rl.layerClasses.Layer;
      build(s: Shape) { this.proj = rl.layers.dense({ units: s[s.length - 1] as number }); }
      call(x: rl.Tensor | rl.Tensor[]) { const v = first(x); return rl.add(v, this.proj!.apply(v) as rl.Tensor); }
      computeOutputShape(s: Shape) { return s; }
    }
    rl.serialization.registerClass(ResidualProj_r56);
    rl.setSeed(1);
    const r = await roundTrip('in_build', new ResidualProj_r56({ name: 'res' }));
    expect(r.paramsAtCreation).toBe(12);
    expect(r.summary).toMatch(/res \(ResidualProj_r56\)\s+\(None, 3\)\s+12/);
    expect(r.summary).toMatch(/Total params: 12/);
    expect(r.weightNames).toEqual(['res/proj/kernel', 'res/proj/bias']);
    expect(r.trained).toBe(true);
    expect(r.manifest).toEqual(['res/proj/kernel', 'res/proj/bias']);
    expect(r.reloaded).toEqual(r.predicted);
  });

  it('layers in a plain object and in nested lists are tracked, named by their path', async () => {
    class HoldDict_r56 extends rl.layers.Layer {
      static className = 'HoldDict_r56';
      parts: { d: rl.layerClasses.Layer; self?: unknown };
      constructor(c = {}) {
        super(c);
        this.parts = { d: rl.layers.dense({ units: 3 }) };
        this.parts.self = this.parts; // a cycle is not followed forever
      }
      call(x: rl.Tensor | rl.Tensor[]) { return this.parts.d.apply(first(x)) as rl.Tensor; }
      computeOutputShape(s: Shape) { return s; }
    }
    class HoldNested_r56 extends rl.layers.Layer {
      static className = 'HoldNested_r56';
      stages = [[rl.layers.dense({ units: 2 })], [rl.layers.dense({ units: 3 })]];
      call(x: rl.Tensor | rl.Tensor[]) { return this.stages[1][0].apply(this.stages[0][0].apply(first(x)) as rl.Tensor) as rl.Tensor; }
      computeOutputShape(s: Shape) { return s; }
    }
    rl.serialization.registerClass(HoldDict_r56);
    rl.serialization.registerClass(HoldNested_r56);
    rl.setSeed(2);
    const d = await roundTrip('dict', new HoldDict_r56({ name: 'blk' }));
    expect(d.paramsAtCreation).toBe(12);
    expect(d.manifest).toEqual(['blk/parts/d/kernel', 'blk/parts/d/bias']);
    expect(d.trained).toBe(true);
    expect(d.reloaded).toEqual(d.predicted);

    const n = await roundTrip('nested', new HoldNested_r56({ name: 'blk2' }));
    expect(n.paramsAtCreation).toBe(3 * 2 + 2 + 2 * 3 + 3);
    expect(n.manifest).toEqual(['blk2/stages_0_0/kernel', 'blk2/stages_0_0/bias', 'blk2/stages_1_0/kernel', 'blk2/stages_1_0/bias']);
    expect(n.trained).toBe(true);
    expect(n.reloaded).toEqual(n.predicted);
  });

  it('a Functional model held as an attribute is tracked: it trains, and loads back its trained weights (not zeros)', async () => {
    class HoldModel_r56 extends rl.layers.Layer {
      static className = 'HoldModel_r56';
      sub: rl.LayersModel;
      constructor(c = {}) {
        super(c);
        const i = rl.input({ shape: [3] });
        this.sub = rl.model({ inputs: i, outputs: rl.layers.dense({ units: 3 }).apply(i) as rl.SymbolicTensor });
      }
      call(x: rl.Tensor | rl.Tensor[]) { return this.sub.apply(first(x)) as rl.Tensor; }
      computeOutputShape(s: Shape) { return s; }
    }
    rl.serialization.registerClass(HoldModel_r56);
    rl.setSeed(3);
    const blk = new HoldModel_r56({ name: 'w' });
    const r = await roundTrip('model', blk);
    expect(r.paramsAtCreation).toBe(12);
    // The inner layer's automatic name (dense_<n>) would differ in a fresh copy: saved under its class, numbered.
    expect(r.manifest).toEqual(['w/sub/dense/kernel', 'w/sub/dense/bias']);
    expect(r.trained).toBe(true);
    expect(r.reloaded).toEqual(r.predicted);
    expect(r.reloaded.some((v) => v !== 0)).toBe(true);
  });

  it('a pretrained layer applied in another model shares its variables with the holder, trains and loads by its name', async () => {
    rl.setSeed(4);
    const pretrained = rl.layers.dense({ units: 3, name: 'pretrained_r56' });
    const i = rl.input({ shape: [3] });
    const other = rl.model({ inputs: i, outputs: pretrained.apply(i) as rl.SymbolicTensor });
    class HoldUsed_r56 extends rl.layers.Layer {
      static className = 'HoldUsed_r56';
      d = pretrained;
      call(x: rl.Tensor | rl.Tensor[]) { return this.d.apply(first(x)) as rl.Tensor; }
      computeOutputShape(s: Shape) { return s; }
    }
    rl.serialization.registerClass(HoldUsed_r56);
    const blk = new HoldUsed_r56({ name: 'blk3' });
    const kernelBefore = Array.from(other.getWeights()[0].dataSync());
    const r = await roundTrip('pretrained', blk);
    expect(r.paramsAtCreation).toBe(12);
    expect(blk.weights[0]).toBe(pretrained.weights[0]);
    expect(r.trained).toBe(true);
    // The same variables: training the holder's model moved the other model's kernel too.
    expect(Array.from(other.getWeights()[0].dataSync())).not.toEqual(kernelBefore);
    expect(r.manifest).toEqual(['pretrained_r56/kernel', 'pretrained_r56/bias']);
    expect(r.reloaded).toEqual(r.predicted);
  });

  it('a held layer the graph applies too (tied embeddings) is shared by its holder in memory; saving it is refused', async () => {
    class TiedOut_r56 extends rl.layers.Layer {
      static className = 'TiedOut_r56';
      emb = rl.layers.embedding({ inputDim: 6, outputDim: 3, name: 'tied_r56' });
      call(x: rl.Tensor | rl.Tensor[]) { return rl.matMul(first(x), this.emb.weights[0].read(), false, true); }
      computeOutputShape(s: Shape) { return [s[0], 6]; }
    }
    rl.serialization.registerClass(TiedOut_r56);
    rl.setSeed(5);
    const out = new TiedOut_r56({ name: 'tied_out' });
    const inp = rl.input({ shape: [4] });
    const pooled = rl.layers.globalAveragePooling1d({}).apply(out.emb.apply(inp) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: out.apply(pooled) as rl.SymbolicTensor });
    expect(m.weights.map((w) => w.name)).toEqual(['tied_r56/embeddings']);
    expect(out.weights).toEqual([out.emb.weights[0]]);
    // A loaded copy could not tie them again: saving refuses it (held_followups_r56b.test.ts).
    await expect(m.save(`file://${join(root, 'tied')}`)).rejects.toThrow(/holds layer 'tied_r56' \(at emb\), which the model also applies in its graph/);
  });
});

describe("a custom layer's call() returns as many tensors as computeOutputShape declares", () => {
  const a = rl.input({ shape: [2], name: 'a' });
  const x = rl.tensor2d([[1, 1]]);

  it('two tensors where one output is declared: an error naming the layer, its class and both counts', () => {
    class Pair_r56 extends rl.layers.Layer {
      static className = 'Pair_r56';
      call(v: rl.Tensor | rl.Tensor[]) { const t = first(v); return [rl.mul(t, 2), rl.mul(t, 3)]; }
      computeOutputShape(s: Shape) { return s; }
    }
    const m = rl.model({ inputs: a, outputs: new Pair_r56({ name: 'pair' }).apply(a) as rl.SymbolicTensor });
    expect(() => m.predict(x)).toThrow(/pair \(Pair_r56\): call\(\) returned 2 tensor\(s\), but computeOutputShape declares 1 output\(s\)/);
  });

  it('one tensor where two outputs are declared: the same error, not a TypeError or the next layer blamed', async () => {
    class Single_r56 extends rl.layers.Layer {
      static className = 'Single_r56';
      call(v: rl.Tensor | rl.Tensor[]) { return rl.mul(first(v), 2); }
      computeOutputShape(s: Shape) { return [s, s] as unknown as Shape; } // two outputs (tfjs: a list of shapes)
    }
    const [, second] = new Single_r56({ name: 'single' }).apply(a) as rl.SymbolicTensor[];
    const m = rl.model({ inputs: a, outputs: rl.layers.dense({ units: 1, name: 'head' }).apply(second) as rl.SymbolicTensor });
    const wanted = /single \(Single_r56\): call\(\) returned 1 tensor\(s\), but computeOutputShape declares 2 output\(s\)/;
    expect(() => m.predict(x)).toThrow(wanted);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(m.fit(x, rl.tensor2d([[1]]), { epochs: 1, verbose: 0 })).rejects.toThrow(wanted);
  });
});
