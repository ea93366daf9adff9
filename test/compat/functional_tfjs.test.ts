// Functional models written once for tfjs and once for rnnlab, compared number for number with @tensorflow/tfjs
// (cpu backend): model.layers / getWeights order, per-output classWeight and sampleWeight, validation with
// several inputs, shuffling with several inputs, summary rows, and save/load both ways.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { folderArtifacts, folderSaveHandler, maxDiff, removeDir, tempDir } from './functional_helpers.js';

const root = tempDir('rnnlab-functional-');
afterAll(() => removeDir(root));
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type Lib = any;

/** Two inputs, a dense shared by both branches, a merge, and two heads: one of them reads a branch, not the merge. */
function twoHeads(lib: Lib, name = 'two_heads') {
  const a = lib.input({ shape: [4], name: 'a' });
  const b = lib.input({ shape: [3], name: 'b' });
  const shared = lib.layers.dense({ units: 5, activation: 'tanh', name: 'shared' });
  const ha = shared.apply(lib.layers.dense({ units: 4, name: 'proj_a' }).apply(a));
  const hb = shared.apply(lib.layers.dense({ units: 4, name: 'proj_b' }).apply(lib.layers.dense({ units: 3, name: 'pre_b' }).apply(b)));
  const cat = lib.layers.concatenate({ name: 'cat' }).apply([ha, hb]);
  const cls = lib.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(cat);
  const reg = lib.layers.dense({ units: 1, name: 'reg' }).apply(hb);
  return lib.model({ inputs: [a, b], outputs: [cls, reg], name });
}

/** The same model in rnnlab and tfjs, with rnnlab's initial weights copied layer by layer into tfjs. */
function pair(seed = 1): { m: rl.Functional; t: tf.LayersModel } {
  rl.setSeed(seed);
  const m = twoHeads(rl) as rl.Functional;
  const t = twoHeads(tf) as tf.LayersModel;
  for (const l of m.layers) {
    if (l.weights.length) t.getLayer(l.name).setWeights(l.getWeights().map((w) => tf.tensor(Array.from(w.dataSync()), w.shape)));
  }
  return { m, t };
}

interface Data { xa: number[]; xb: number[]; onehot: number[]; ids: number[]; reg: number[]; n: number }
function data(n: number, seed: number): Data {
  const r = new rl.Random(seed);
  const xa = Array.from({ length: n * 4 }, () => r.uniform(-1, 1)), xb = Array.from({ length: n * 3 }, () => r.uniform(-1, 1));
  const ids = Array.from({ length: n }, () => r.int(3));
  return { xa, xb, ids, onehot: ids.flatMap((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))), reg: Array.from({ length: n }, () => r.uniform(-1, 1)), n };
}
const xs = (lib: Lib, d: Data) => [lib.tensor(d.xa, [d.n, 4]), lib.tensor(d.xb, [d.n, 3])];
const ys = (lib: Lib, d: Data) => [lib.tensor(d.onehot, [d.n, 3]), lib.tensor(d.reg, [d.n, 1])];

function compileBoth(m: rl.Functional, t: tf.LayersModel, metrics?: string[]): void {
  m.compile({ optimizer: rl.train.sgd(0.1), loss: ['categoricalCrossentropy', 'meanSquaredError'], ...(metrics ? { metrics } : {}) });
  t.compile({ optimizer: tf.train.sgd(0.1), loss: ['categoricalCrossentropy', 'meanSquaredError'], ...(metrics ? { metrics } : {}) });
}

function expectHistoryClose(ours: Record<string, number[]>, theirs: Record<string, number[]>, keys: string[]): void {
  for (const k of keys) {
    expect(ours[k], k).toHaveLength(theirs[k].length);
    expect(maxDiff(ours[k], theirs[k]), k).toBeLessThan(1e-5);
  }
}

const namesOf = (layers: { name: string }[]) => layers.map((l) => l.name);

describe('functional models against tfjs', () => {
  it('model.layers, getLayer(index) and getWeights() follow tfjs\'s depth order, shared layers counted once', () => {
    const { m, t } = pair();
    // tfjs sorts by depth from the outputs, deepest first: input 'b' (behind pre_b) comes before 'a'.
    expect(namesOf(m.layers)).toEqual(namesOf(t.layers));
    expect(namesOf(m.layers)).toEqual(['b', 'a', 'pre_b', 'proj_a', 'proj_b', 'shared', 'cat', 'cls', 'reg']);
    for (let i = 0; i < t.layers.length; i++) expect(m.getLayer(undefined, i).name).toBe(t.getLayer(undefined as never, i).name);
    expect(m.countParams()).toBe(t.countParams());
    const ours = m.getWeights(), theirs = t.getWeights();
    expect(ours.map((w) => w.shape)).toEqual(theirs.map((w) => w.shape));
    ours.forEach((w, i) => expect(maxDiff(w.dataSync(), theirs[i].dataSync() as Float32Array)).toBe(0));
    // A layer applied to a new input after the model was made leaves the model as it was.
    rl.layers.dense({ units: 2, name: 'late' }).apply(m.getLayer('shared').apply(rl.input({ shape: [4] })) as rl.SymbolicTensor);
    expect(namesOf(m.layers)).toEqual(namesOf(t.layers));
    expect(m.countParams()).toBe(t.countParams());
  });

  it('summary lists the layers in tfjs\'s order with each call\'s inputs, and tfjs\'s totals', () => {
    const { m, t } = pair();
    const ours: string[] = [], theirs: string[] = [];
    m.summary(undefined, undefined, (l) => ours.push(l));
    t.summary(undefined, undefined, (l) => theirs.push(l));
    const rowsOf = (lines: string[]) => lines.map((l) => /^(\w+) \((\w+)\)/.exec(l)).filter((r) => r !== null).map((r) => r![1]);
    expect(rowsOf(ours)).toEqual(rowsOf(theirs));
    const text = ours.join('\n');
    expect(text).toMatch(/shared \(Dense\)\s+\(None, 5\)\s+25\s+proj_a\[0\]\[0\]\s*\n\s+proj_b\[0\]\[0\]/);
    expect(text).toMatch(/reg \(Dense\)\s+\(None, 1\)\s+6\s+shared\[1\]\[0\]/);
    for (const label of ['Total params', 'Trainable params', 'Non-trainable params']) {
      expect(ours.find((l) => l.startsWith(label))).toBe(theirs.find((l) => l.startsWith(label)));
    }
  });

  it('an input no output depends on is kept, as tfjs keeps it: still taken, not in model.layers (test/model/unused_input_r49)', () => {
    const a = rl.input({ shape: [4], name: 'used' });
    const b = rl.input({ shape: [3], name: 'unused' });
    const h = rl.layers.dense({ units: 2 }).apply(a) as rl.SymbolicTensor;
    const m = rl.model({ inputs: [a, b], outputs: h });
    expect(m.inputNames).toEqual(['used', 'unused']);
    expect(m.layers.map((l) => l.name)).toEqual(['used', h.sourceLayer.name]);
    // An input that is itself an output counts as used.
    expect(rl.model({ inputs: [a, b], outputs: [h, b] }).outputNames).toEqual([h.sourceLayer.name, 'unused']);
  });

  it('classWeight per output (a list or {outputName: table}; an output left out is unweighted) trains as tfjs', async () => {
    const d = data(20, 3);
    const forms = [[{ 0: 1, 1: 3, 2: 0.5 }, null], { cls: { 0: 1, 1: 3, 2: 0.5 } }];
    for (const classWeight of forms) {
      const { m, t } = pair();
      compileBoth(m, t);
      const opts = { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 as const };
      const ours = await m.fit(xs(rl, d), ys(rl, d), { ...opts, classWeight: classWeight as never });
      const theirs = await t.fit(xs(tf, d), ys(tf, d), { ...opts, classWeight: classWeight as never });
      expectHistoryClose(ours.history as never, theirs.history as never, ['loss', 'cls_loss', 'reg_loss']);
    }
    const { m } = pair();
    m.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'meanSquaredError'] });
    await expect(m.fit(xs(rl, d), ys(rl, d), { verbose: 0, classWeight: { 0: 1, 1: 2, 2: 1 } })).rejects.toThrow(/the model has 2 outputs \(cls, reg\); give a list/);
    await expect(m.fit(xs(rl, d), ys(rl, d), { verbose: 0, classWeight: [{ 0: 1 }] })).rejects.toThrow(/classWeight lists 1 tables but the model has 2 outputs/);
    await expect(m.fit(xs(rl, d), ys(rl, d), { verbose: 0, classWeight: { out: { 0: 1 } } })).rejects.toThrow(/classWeight names output 'out', but the outputs are cls, reg/);
    await expect(m.fit(xs(rl, d), ys(rl, d), { verbose: 0, classWeight: { reg: { 0: 1 } } })).rejects.toThrow(/classWeight\['reg'\] has no weight for class/);
  });

  it('sampleWeight per output (Keras\'s list or {outputName: weights}) weighs only that output: as tfjs\'s classWeight giving the same weights', async () => {
    const d = data(20, 5);
    const table: Record<number, number> = { 0: 0.5, 1: 2, 2: 1.5 };
    const perSample = d.ids.map((c) => table[c]);
    const { m, t } = pair();
    compileBoth(m, t);
    const opts = { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 as const };
    const theirs = await t.fit(xs(tf, d), ys(tf, d), { ...opts, classWeight: [table, null] as never });
    const ours = await m.fit(xs(rl, d), ys(rl, d), { ...opts, sampleWeight: { cls: rl.tensor(perSample) } });
    expectHistoryClose(ours.history as never, theirs.history as never, ['loss', 'cls_loss', 'reg_loss']);
    // The list form, and evaluate weighing each output by its own weights.
    const again = pair();
    compileBoth(again.m, again.t);
    const viaList = await again.m.fit(xs(rl, d), ys(rl, d), { ...opts, sampleWeight: [rl.tensor(perSample), null] });
    expectHistoryClose(viaList.history as never, theirs.history as never, ['loss', 'cls_loss', 'reg_loss']);
    const ones = rl.ones([d.n]);
    const [plain] = again.m.evaluate(xs(rl, d), ys(rl, d), { sampleWeight: [ones, ones] }) as rl.Tensor[];
    const [unweighted] = again.m.evaluate(xs(rl, d), ys(rl, d)) as rl.Tensor[];
    expect(plain.dataSync()[0]).toBeCloseTo(unweighted.dataSync()[0], 6);
    const [zeroReg, , regLoss] = again.m.evaluate(xs(rl, d), ys(rl, d), { sampleWeight: { reg: rl.zeros([d.n]) } }) as rl.Tensor[];
    expect(regLoss.dataSync()[0]).toBe(0);
    expect(() => again.m.evaluate(xs(rl, d), ys(rl, d), { sampleWeight: { out: ones } })).toThrow(/sampleWeight names output 'out'/);
    expect(() => again.m.evaluate(xs(rl, d), ys(rl, d), { sampleWeight: [ones] })).toThrow(/sampleWeight lists 1 weight tensors but the model has 2 outputs/);
    expect(zeroReg.dataSync()[0]).toBeLessThan(unweighted.dataSync()[0]);
  });

  it('validationSplit and validationData with two inputs: training as tfjs, val_loss as tfjs\'s evaluate of the held-out rows', async () => {
    const d = data(20, 7), v = data(6, 8);
    const opts = { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 as const };
    {
      const { m, t } = pair();
      compileBoth(m, t, ['accuracy']);
      const ours = await m.fit(xs(rl, d), ys(rl, d), { ...opts, validationSplit: 0.25 });
      const theirs = await t.fit(xs(tf, d), ys(tf, d), { ...opts, validationSplit: 0.25 });
      expectHistoryClose(ours.history as never, theirs.history as never, ['loss', 'cls_loss', 'reg_loss', 'cls_acc']);
      // tfjs 4.22 files its validation values under shifted names, and its evaluate of a model with several outputs
      // puts one extra value first (one more than its metricsNames): the reference is that evaluate's [1..3].
      const held = (lib: Lib, f: (l: Lib, d: Data) => unknown[]) => f(lib, d).map((x: any) => x.slice([15], [5]));
      const ref = (t.evaluate(held(tf, xs) as tf.Tensor[], held(tf, ys) as tf.Tensor[]) as tf.Tensor[]).map((x) => x.dataSync()[0]);
      expect(maxDiff([ours.history.val_loss[0], ours.history.val_cls_loss[0], ours.history.val_reg_loss[0]], ref.slice(1, 4))).toBeLessThan(1e-5);
      expect(ref).toHaveLength(t.metricsNames.length + 1);
    }
    {
      const { m, t } = pair();
      compileBoth(m, t);
      const ours = await m.fit({ a: xs(rl, d)[0], b: xs(rl, d)[1] }, { cls: ys(rl, d)[0], reg: ys(rl, d)[1] }, { ...opts, validationData: [{ a: xs(rl, v)[0], b: xs(rl, v)[1] }, ys(rl, v)] as never });
      const theirs = await t.fit(xs(tf, d), ys(tf, d), { ...opts, validationData: [xs(tf, v), ys(tf, v)] });
      expectHistoryClose(ours.history as never, theirs.history as never, ['loss', 'cls_loss', 'reg_loss']);
      const ref = (t.evaluate(xs(tf, v), ys(tf, v)) as tf.Tensor[]).map((x) => x.dataSync()[0]);
      expect(maxDiff([ours.history.val_loss[0], ours.history.val_cls_loss[0], ours.history.val_reg_loss[0]], ref.slice(1))).toBeLessThan(1e-5);
      // evaluate takes {inputName: tensor} and {outputName: tensor}, as tfjs's evaluate.
      const byName = (m.evaluate({ a: xs(rl, v)[0], b: xs(rl, v)[1] }, { reg: ys(rl, v)[1], cls: ys(rl, v)[0] }) as rl.Tensor[]).map((x) => x.dataSync()[0]);
      const tfByName = (t.evaluate(xs(tf, v), { cls: ys(tf, v)[0], reg: ys(tf, v)[1] } as never) as tf.Tensor[]).map((x) => x.dataSync()[0]);
      expect(maxDiff(byName, tfByName.slice(1))).toBeLessThan(1e-5);
    }
  });

  it('shuffling keeps every input and target of a sample together, and repeats per seed', async () => {
    // out = a + b exactly: any row mixed up between a, b and y gives a non-zero loss.
    const build = () => {
      const a = rl.input({ shape: [2], name: 'a' }), b = rl.input({ shape: [2], name: 'b' });
      const sum = rl.layers.add().apply([a, b]) as rl.SymbolicTensor;
      const out = rl.layers.dense({ units: 2, kernelInitializer: 'identity', biasInitializer: 'zeros', name: 'out' }).apply(sum) as rl.SymbolicTensor;
      const m = rl.model({ inputs: [a, b], outputs: out });
      m.compile({ optimizer: rl.train.sgd(0.01), loss: 'meanSquaredError' });
      return m;
    };
    const n = 32, r = new rl.Random(4);
    const av = Float32Array.from({ length: n * 2 }, () => r.int(100)), bv = Float32Array.from({ length: n * 2 }, () => r.int(100));
    const x = { a: rl.tensor(av, [n, 2]), b: rl.tensor(bv, [n, 2]) }, y = rl.tensor(av.map((v, i) => v + bv[i]), [n, 2]);
    const run = async (seed: number) => {
      rl.setSeed(seed);
      const m = build();
      const losses: number[] = [];
      await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: { onBatchEnd: async (_b: number, logs: { loss: number }) => { losses.push(logs.loss); } } as never });
      return { losses, w: m.getWeights().map((t) => Array.from(t.dataSync())) };
    };
    const first = await run(3);
    expect(Math.max(...first.losses)).toBe(0);
    expect(await run(3)).toEqual(first);
  });

  it('saved with several inputs, outputs and a shared layer: rnnlab and tfjs load it with the same layers, weights and predictions', async () => {
    const { m } = pair(9);
    m.compile({ optimizer: 'adam', loss: ['categoricalCrossentropy', 'meanSquaredError'] });
    const dir = join(root, 'ours');
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
    const tm = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as tf.io.ModelArtifacts));
    expect(namesOf(back.layers)).toEqual(namesOf(m.layers));
    expect(namesOf(tm.layers)).toEqual(namesOf(m.layers));
    const tw = tm.getWeights();
    m.getWeights().forEach((w, i) => expect(maxDiff(w.dataSync(), tw[i].dataSync() as Float32Array)).toBe(0));
    const d = data(5, 11);
    const ours = m.predict(xs(rl, d)) as rl.Tensor[], again = back.predict(xs(rl, d)) as rl.Tensor[];
    const theirs = tm.predict(xs(tf, d)) as tf.Tensor[];
    for (let i = 0; i < 2; i++) {
      expect(maxDiff(ours[i].dataSync(), again[i].dataSync())).toBe(0);
      expect(maxDiff(ours[i].dataSync(), theirs[i].dataSync() as Float32Array)).toBeLessThan(1e-5);
    }
    // And the reverse: tfjs's own file of the same graph.
    const tdir = join(root, 'theirs');
    await tm.save(folderSaveHandler(tf.io as never, tdir) as tf.io.IOHandler);
    const fromTf = await rl.loadLayersModel(`file://${tdir}`) as rl.Functional;
    expect(namesOf(fromTf.layers)).toEqual(namesOf(tm.layers));
    const p = fromTf.predict({ a: xs(rl, d)[0], b: xs(rl, d)[1] }) as rl.Tensor[];
    for (let i = 0; i < 2; i++) expect(maxDiff(p[i].dataSync(), theirs[i].dataSync() as Float32Array)).toBeLessThan(1e-5);
    expect(fromTf.getLayer('shared').inboundNodes).toHaveLength(2);
    expect(fromTf.countParams()).toBe(tm.countParams());
  });

  it('accuracy on a one-unit output compares the target with the thresholded prediction, as tfjs (soft targets never hit)', async () => {
    const yTrue = [1, 0, 0.9, 0.2, 1], yPred = [0.8, 0.3, 0.7, 0.1, 0.4];
    const ours = rl.metrics.binaryAccuracy(rl.tensor(yTrue, [5, 1]), rl.tensor(yPred, [5, 1])).dataSync();
    const theirs = tf.metrics.binaryAccuracy(tf.tensor(yTrue, [5, 1]), tf.tensor(yPred, [5, 1])).dataSync();
    expect(Array.from(ours)).toEqual(Array.from(theirs));
    const d = data(20, 13);
    const { m, t } = pair();
    compileBoth(m, t, ['accuracy']);
    const opts = { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 as const };
    const h1 = await m.fit(xs(rl, d), ys(rl, d), opts), h2 = await t.fit(xs(tf, d), ys(tf, d), opts);
    // The regression head's 'accuracy' (binary, one unit) on targets in (-1, 1): tfjs counts no hits.
    expect(h1.history.reg_accuracy[0]).toBe(h2.history.reg_acc[0]);
    expect(h1.history.cls_accuracy[0]).toBeCloseTo(h2.history.cls_acc[0] as number, 6);
  });
});
