/**
 * A Functional model called as a layer in another (tfjs's inner.apply(x), Keras's inner(x)) against @tensorflow/tfjs
 * 4.22: the same predictions, one training step, the weights shared with the inner model, and files both ways (tfjs
 * writes the nested model as class 'Model' with its topology as config, numbers its calls from 1, and names the
 * weights '<inner layer>/<leaf>').
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { folderArtifacts, folderSaveHandler, maxDiff, removeDir, tempDir } from '../compat/functional_helpers.js';
import { randomF32, tfjsReady, toTf } from '../layers/tfjs_twin.js';

beforeAll(() => tfjsReady());
const root = tempDir('rnnlab-nested-');
afterAll(() => removeDir(root));
type Lib = any;

/** An encoder model (LSTM then Dense) applied to two inputs (siamese), its outputs concatenated into a head. */
function siamese(lib: Lib, p: string) {
  const i = lib.input({ shape: [4, 2], name: `${p}enc_in` });
  const h = lib.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', name: `${p}enc_lstm` }).apply(i);
  const enc = lib.model({ inputs: i, outputs: lib.layers.dense({ units: 2, activation: 'tanh', name: `${p}enc_d` }).apply(h), name: `${p}encoder` });
  const a = lib.input({ shape: [4, 2], name: `${p}a` }), b = lib.input({ shape: [4, 2], name: `${p}b` });
  const cat = lib.layers.concatenate({ name: `${p}cat` }).apply([enc.apply(a), enc.apply(b)]);
  const y = lib.layers.dense({ units: 1, name: `${p}head` }).apply(cat);
  return { enc, m: lib.model({ inputs: [a, b], outputs: y, name: `${p}outer` }) };
}

const xs = () => [randomF32([3, 4, 2], 1), randomF32([3, 4, 2], 2)];

/** rnnlab's pair and tfjs's, tfjs's weights copied from rnnlab's by name. */
function twins(p: string) {
  rl.setSeed(8);
  const o = siamese(rl, p), t = siamese(tf, p);
  const ours = new Map((o.m as rl.Functional).weights.map((w) => [w.name, w]));
  for (const w of (t.m as tf.LayersModel).weights) w.write(tf.tensor(Array.from(ours.get(w.originalName)!.values), w.shape as number[]));
  return { o, t };
}

describe('nested Functional models', () => {
  it('predict, layers, weights and tensor names match tfjs; the inner model shares its weights', () => {
    const { o, t } = twins('q1_');
    const m = o.m as rl.Functional, tm = t.m as tf.LayersModel;
    expect(m.layers.map((l) => l.name)).toEqual(tm.layers.map((l) => l.name));
    expect(m.weights.map((w) => w.name)).toEqual(tm.weights.map((w) => w.originalName));
    expect(m.countParams()).toBe(tm.countParams());
    const outs = m.getLayer('q1_cat').getInputAt(0) as rl.SymbolicTensor[];
    expect(outs.map((s) => s.name)).toEqual(['q1_encoder/q1_encoder', 'q1_encoder/q1_encoder_1']);
    const x = xs();
    expect(maxDiff((m.predict(x) as rl.Tensor).dataSync(), (tm.predict(x.map(toTf)) as tf.Tensor).dataSync())).toBeLessThan(2e-6);
    // The inner model on real tensors (tfjs's model.apply) is its predict.
    expect(Array.from((o.enc.apply(x[0]) as rl.Tensor).dataSync())).toEqual(Array.from((o.enc.predict(x[0]) as rl.Tensor).dataSync()));
    expect(m.weights[0]).toBe(o.enc.weights[0]);
  });

  it('one SGD step trains the inner weights as tfjs does', async () => {
    const { o, t } = twins('q2_');
    const m = o.m as rl.Functional, tm = t.m as tf.LayersModel;
    m.compile({ optimizer: rl.train.sgd(0.3), loss: 'meanSquaredError' });
    tm.compile({ optimizer: tf.train.sgd(0.3), loss: 'meanSquaredError' });
    const x = xs(), y = randomF32([3, 1], 5);
    const ours = m.trainOnBatch(x, y) as number;
    const theirs = await tm.trainOnBatch(x.map(toTf), toTf(y)) as number;
    expect(Math.abs(ours - theirs)).toBeLessThan(1e-5);
    const tw = tm.getWeights();
    m.getWeights().forEach((w, i) => expect(maxDiff(w.dataSync(), tw[i].dataSync())).toBeLessThan(1e-5));
    expect(maxDiff(o.enc.getWeights()[0].dataSync(), tw[0].dataSync())).toBeLessThan(1e-5);
  });

  it('saves and loads: rnnlab -> rnnlab, rnnlab -> tfjs, tfjs -> rnnlab', async () => {
    const { o, t } = twins('q3_');
    const m = o.m as rl.Functional, tm = t.m as tf.LayersModel;
    const x = xs();
    const want = (m.predict(x) as rl.Tensor).dataSync();
    const dir = join(root, 'ours');
    await m.save(`file://${dir}`);
    const json = folderArtifacts(dir) as { modelTopology: any };
    const enc = json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'q3_encoder');
    expect(enc.class_name).toBe('Model');
    expect(json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'q3_cat').inbound_nodes).toEqual([[['q3_encoder', 1, 0, {}], ['q3_encoder', 2, 0, {}]]]);
    const back = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
    expect(Array.from((back.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from(want));
    expect(back.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    const inTfjs = await tf.loadLayersModel(tf.io.fromMemory(json as tf.io.ModelArtifacts));
    expect(maxDiff((inTfjs.predict(x.map(toTf)) as tf.Tensor).dataSync(), want)).toBeLessThan(2e-6);

    const tDir = join(root, 'theirs');
    await tm.save(folderSaveHandler(tf.io as never, tDir) as tf.io.IOHandler);
    const fromTfjs = await rl.loadLayersModel(`file://${tDir}`) as rl.Functional;
    expect(maxDiff((fromTfjs.predict(x) as rl.Tensor).dataSync(), want)).toBeLessThan(2e-6);
  });

  it('the outer model\'s resetStates() resets a stateful layer inside the nested model', () => {
    rl.setSeed(9);
    const i = rl.input({ batchShape: [2, 3, 2], name: 'q5_i' });
    const inner = rl.model({ inputs: i, outputs: rl.layers.lstm({ units: 2, stateful: true, name: 'q5_lstm' }).apply(i) as rl.SymbolicTensor, name: 'q5_inner' });
    const j = rl.input({ batchShape: [2, 3, 2], name: 'q5_j' });
    const outer = rl.model({ inputs: j, outputs: inner.apply(j) as rl.SymbolicTensor, name: 'q5_outer' });
    expect(outer.getLayer('q5_inner').stateful).toBe(true);
    const x = randomF32([2, 3, 2], 3);
    const first = Array.from((outer.predict(x) as rl.Tensor).dataSync());
    expect(maxDiff((outer.predict(x) as rl.Tensor).dataSync(), first)).toBeGreaterThan(1e-4);
    outer.resetStates();
    expect(Array.from((outer.predict(x) as rl.Tensor).dataSync())).toEqual(first);
  });

  it('refusals name the problem: a Sequential, input counts and shapes, call 0 in a file, clashing weight names', async () => {
    const { o } = twins('q4_');
    const seq = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    expect(() => seq.apply(rl.input({ shape: [2] }))).toThrow(/is a model, not a layer.*rl\.model\(\{inputs: seq\.inputs, outputs: seq\.outputs\}\)/);
    // The way round it that the error names: the Sequential's graph as a Functional model nests.
    const z = rl.input({ shape: [2], name: 'q4_z' });
    const viaSeq = rl.model({ inputs: z, outputs: rl.model({ inputs: seq.inputs, outputs: seq.outputs, name: 'q4_seqf' }).apply(z) as rl.SymbolicTensor });
    const x2 = randomF32([3, 2], 4);
    expect(Array.from((viaSeq.predict(x2) as rl.Tensor).dataSync())).toEqual(Array.from((seq.predict(x2) as rl.Tensor).dataSync()));
    expect(() => o.enc.apply([rl.input({ shape: [4, 2] }), rl.input({ shape: [4, 2] })])).toThrow(/q4_encoder \(nested model\): takes 1 input tensor\(s\) \(q4_enc_in\), got 2/);
    expect(() => o.enc.apply(rl.input({ shape: [4, 5] }))).toThrow(/q4_encoder \(Model\): was built for input \(None, 4, 2\) but is applied to \(None, 4, 5\)/);
    expect(() => rl.sequential({ layers: [(o.m as rl.Functional).getLayer('q4_encoder')] })).toThrow(/a nested model is not supported in a Sequential model/);

    const topo = JSON.parse((o.m as rl.Functional).toJSON(null, true) as string);
    topo.config.layers.find((l: { name: string }) => l.name === 'q4_cat').inbound_nodes[0][0][1] = 0;
    await expect(rl.models.modelFromJSON({ modelTopology: topo })).rejects.toThrow(/refers to call 0 of nested model 'q4_encoder', but files number a nested model's calls from 1/);

    const i = rl.input({ shape: [2], name: 'q4_i' });
    const inner = rl.model({ inputs: i, outputs: rl.layers.dense({ units: 2, name: 'q4_same' }).apply(i) as rl.SymbolicTensor, name: 'q4_inner' });
    const j = rl.input({ shape: [2], name: 'q4_j' });
    const clash = rl.model({ inputs: j, outputs: rl.layers.dense({ units: 1, name: 'q4_same2' }).apply(inner.apply(j) as rl.SymbolicTensor) as rl.SymbolicTensor, name: 'q4_clash' });
    (clash.getLayer('q4_same2') as { name: string }).name = 'q4_same';
    await expect(clash.save(`file://${join(root, 'clash')}`)).rejects.toThrow(/two different layers would save their weights as 'q4_same\/kernel' \(one in q4_clash > q4_inner, one in q4_clash\).*rename one of the layers/);
  });
});

describe('a nested model passes on what it makes', () => {
  it('an Embedding mask made inside reaches the outer LSTM, as in a flat model (Keras)', () => {
    rl.setSeed(3);
    const flatIn = rl.input({ shape: [5] });
    const e = rl.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true });
    const l = rl.layers.lstm({ units: 2 });
    const flat = rl.model({ inputs: flatIn, outputs: l.apply(e.apply(flatIn)) as rl.SymbolicTensor });
    const i = rl.input({ shape: [5] });
    const inner = rl.model({ inputs: i, outputs: e.apply(i) as rl.SymbolicTensor });
    const j = rl.input({ shape: [5] });
    const outer = rl.model({ inputs: j, outputs: l.apply(inner.apply(j) as rl.SymbolicTensor) as rl.SymbolicTensor });
    const x = rl.tensor([[1, 2, 3, 0, 0], [4, 0, 0, 0, 0]]);
    const want = Array.from((flat.predict(x) as rl.Tensor).dataSync());
    expect(Array.from((outer.predict(x) as rl.Tensor).dataSync())).toEqual(want);
  });

  it('trainable is the inner model\'s own flag: freezing through the outer model reaches its layers', () => {
    const i = rl.input({ shape: [2] });
    const d = rl.layers.dense({ units: 2, name: 'nd_d' });
    const inner = rl.model({ inputs: i, outputs: d.apply(i) as rl.SymbolicTensor, name: 'nd_inner' });
    const j = rl.input({ shape: [2] });
    const outer = rl.model({ inputs: j, outputs: rl.layers.dense({ units: 1 }).apply(inner.apply(j) as rl.SymbolicTensor) as rl.SymbolicTensor });
    const standIn = outer.getLayer('nd_inner');
    standIn.trainable = false;
    expect(inner.trainable).toBe(false);
    expect(d.trainable).toBe(false);
    expect(standIn.trainableWeights).toEqual([]);
    expect(outer.trainableWeights.length).toBe(2);
    standIn.trainable = true;
    expect([inner.trainable, d.trainable, standIn.trainableWeights.length]).toEqual([true, true, 2]);
  });
});
