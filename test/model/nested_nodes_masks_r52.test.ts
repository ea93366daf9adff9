/**
 * A Functional model called as a layer, against @tensorflow/tfjs 4.22: its own graph is its inbound node 0 (with
 * tfjs's Node fields), so its calls are nodes 1, 2, ... in nodeIndex, nodeIndices, getOutputAt, summary and the file
 * alike; sourceLayer and outboundLayer are the model itself. Padding masks cross it both ways, as in tfjs and Keras:
 * one going in reaches the layers reading that input, and each output carries its own.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxDiff } from '../compat/functional_helpers.js';
import { randomF32, tfjsReady, toTf } from '../layers/tfjs_twin.js';

beforeAll(() => tfjsReady());
type Lib = any;

/** The brief's graph: inner (one Dense) called twice, its two outputs added. */
function twoCalls(lib: Lib, p: string) {
  const ii = lib.input({ shape: [3], name: `${p}ii` });
  const inner = lib.model({ inputs: ii, outputs: lib.layers.dense({ units: 2, name: `${p}d` }).apply(ii), name: `${p}inner` });
  const x = lib.input({ shape: [3], name: `${p}x` }), z = lib.input({ shape: [3], name: `${p}z` });
  const p1 = inner.apply(x), p2 = inner.apply(z);
  const m = lib.model({ inputs: [x, z], outputs: lib.layers.add({ name: `${p}ad` }).apply([p1, p2]), name: `${p}outer` });
  return { ii, inner, x, z, p1, p2, m };
}

/** What a Node says, as plain data (tensors and layers by name). */
function nodeFacts(n: any) {
  const names = (ts: { name: string }[]) => ts.map((t) => t.name);
  return {
    outboundLayer: n.outboundLayer.name, inboundLayers: n.inboundLayers.map((l: { name: string }) => l.name),
    nodeIndices: n.nodeIndices, tensorIndices: n.tensorIndices, inputTensors: names(n.inputTensors), outputTensors: names(n.outputTensors),
    inputShapes: n.inputShapes, outputShapes: n.outputShapes,
  };
}

describe("a nested model's nodes are tfjs's", () => {
  it('its calls are nodes 1 and 2 everywhere; node 0 is its own graph, with the Node fields', () => {
    const r = twoCalls(rl, 'nn_'), t = twoCalls(tf, 'nn_');
    for (const g of [r, t] as Lib[]) {
      expect([g.p1.nodeIndex, g.p2.nodeIndex]).toEqual([1, 2]);
      expect(g.m.getLayer('nn_ad').inboundNodes[0].nodeIndices).toEqual([1, 2]);
      expect(g.inner.getOutputAt(g.p1.nodeIndex)).toBe(g.p1);
      expect(g.inner.getOutputAt(g.p2.nodeIndex)).toBe(g.p2);
      expect(g.inner.getInputAt(2)).toBe(g.z);
      expect(g.inner.getOutputAt(0)).toBe(g.inner.outputs[0]);
      expect(g.inner.getInputAt(0)).toBe(g.ii);
      // An input layer's node lists its own tensor as input.
      expect([g.x.sourceLayer.getInputAt(0), g.x.sourceLayer.input]).toEqual([g.x, g.x]);
      expect(g.p1.sourceLayer).toBe(g.inner);
      expect(g.inner.inboundNodes[1].outboundLayer).toBe(g.inner);
      expect(g.m.getLayer('nn_ad').inboundNodes[0].inboundLayers).toEqual([g.inner, g.inner]);
      const own = g.inner.inboundNodes[0];
      expect(own.outboundLayer).toBe(g.inner);
      expect(own.inputTensors[0]).toBe(g.ii);
      expect(own.outputTensors[0]).toBe(g.inner.outputs[0]);
    }
    expect(r.inner.inboundNodes.map(nodeFacts)).toEqual(t.inner.inboundNodes.map(nodeFacts));
    expect([r.p1.name, r.p2.name]).toEqual([t.p1.name, t.p2.name]);
    // The summary and the file number the calls as nodeIndex does.
    const lines: string[] = [];
    r.m.summary(undefined, undefined, (l: string) => lines.push(l));
    expect(lines.join('\n')).toMatch(/nn_ad \(Add\)[^\n]*nn_inner\[1\]\[0\]\s*\n\s*nn_inner\[2\]\[0\]/);
    const entry = (m: Lib) => (m.toJSON(null, false) as any).config.layers.find((l: { name: string }) => l.name === 'nn_ad').inbound_nodes;
    expect(entry(r.m)).toEqual(entry(t.m));
    expect(entry(r.m)[0].map((ref: unknown[]) => ref[1])).toEqual([1, 2]);
  });

  it("a Sequential's own node has the fields too", () => {
    const seq = (lib: Lib) => lib.sequential({ layers: [lib.layers.dense({ units: 3, inputShape: [2], name: 'sn_d' })], name: 'sn_seq' });
    const r = seq(rl), t = seq(tf);
    // tfjs's Sequential gives its own node's outputShapes as one shape, not a list of one: rnnlab lists, as for any node.
    const facts = (m: Lib) => ({ ...nodeFacts(m.inboundNodes[0]), inputTensors: m.inboundNodes[0].inputTensors.length, outputTensors: m.inboundNodes[0].outputTensors.length, outputShapes: undefined });
    expect(facts(r)).toEqual(facts(t));
    expect(r.inboundNodes[0].outputShapes).toEqual([t.inboundNodes[0].outputShapes]);
    expect(r.inboundNodes[0].outboundLayer).toBe(r);
    expect(r.inboundNodes[0].inputTensors[0]).toBe(r.inputs[0]);
  });

  it("model.layers holds the stand-in, a Layer whose layers are the model's; getLayer gives the model", () => {
    const { inner, m } = twoCalls(rl, 'nl_');
    const standIn = m.layers.find((l: { name: string }) => l.name === 'nl_inner');
    expect(standIn).toBeInstanceOf(rl.layers.Layer);
    expect(standIn).not.toBeInstanceOf(rl.Functional);
    expect(standIn.layers).toBe(inner.layers);
    expect([standIn.input, standIn.output, standIn.getInputAt(0), standIn.getOutputAt(2)]).toEqual([inner.input, inner.output, inner.inputs[0], inner.getOutputAt(2)]);
    expect(m.getLayer('nl_inner')).toBe(inner);
  });

  it("the stand-in's getOutputAt past its nodes says what the model's says (it counted node 0 as a call: 'applied 3 time(s)')", () => {
    const { inner, m } = twoCalls(rl, 'na_');
    const standIn = m.layers.find((l: { name: string }) => l.name === 'na_inner');
    const nodes = 'the model has 3 inbound node(s) (0: its own graph, then each call of it in another model)';
    expect(() => standIn.getOutputAt(5)).toThrow(`na_inner.getOutputAt: no call 5; ${nodes}`);
    expect(() => standIn.getInputAt(3)).toThrow(`na_inner.getInputAt: no call 3; ${nodes}`);
    expect(() => inner.getOutputAt(5)).toThrow(`na_inner.getOutputAt: no call 5; ${nodes}`);
  });
});

/** rnnlab's weights copied into tfjs's twin by name ('<layer>/<leaf>', wherever the layer is nested). */
function copyWeights(from: rl.Functional, to: tf.LayersModel): void {
  const ours = new Map(from.weights.map((w) => [w.name, w]));
  expect(to.weights.map((w) => w.originalName).sort()).toEqual([...ours.keys()].sort());
  for (const w of to.weights) w.write(tf.tensor(Array.from(ours.get(w.originalName)!.values), w.shape as number[]));
}

function expectSamePredictions(r: rl.Functional, t: tf.LayersModel, xs: rl.Tensor[]): void {
  const ours = r.predict(xs.length === 1 ? xs[0] : xs), theirs = t.predict(xs.length === 1 ? toTf(xs[0]) : xs.map(toTf));
  const os = Array.isArray(ours) ? ours : [ours], ts = Array.isArray(theirs) ? theirs : [theirs];
  expect(os.length).toBe(ts.length);
  os.forEach((o, i) => {
    expect(o.shape).toEqual(ts[i].shape);
    expect(maxDiff(o.dataSync(), ts[i].dataSync())).toBeLessThan(1e-5);
  });
}

const T = 5;
/** Token ids with trailing padding and a hole, so a masked layer's result differs from an unmasked one's. LSTMs are
 * given Keras's recurrentActivation, 'sigmoid' (tfjs's default is 'hardSigmoid'). */
const ids = () => rl.tensor([[3, 1, 0, 4, 0], [2, 0, 0, 0, 0], [1, 2, 3, 4, 1]]);

/**
 * Keras's rule: a nested model computes as its layers applied directly. tfjs 4.22 passes a mask going into a nested
 * model's first input through it, but drops one going into another input and one made inside, so the oracle is tfjs's
 * flat model (the same layers, not nested), which rnnlab's nested one must equal (and tfjs's nested one, where it
 * passes the mask).
 */
describe('padding masks cross a nested model as in Keras', () => {
  it('a mask going in reaches the inner LSTM and comes out with its sequence, to the outer LSTM', async () => {
    const build = (lib: Lib, nested: boolean) => {
      const lstm = lib.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', name: 'mi_inner_lstm' });
      const x = lib.input({ shape: [T], name: 'mi_x' });
      const e = lib.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, name: 'mi_emb' }).apply(x);
      const ii = lib.input({ shape: [T, 3], name: 'mi_ii' });
      const h = nested ? lib.model({ inputs: ii, outputs: lstm.apply(ii), name: 'mi_inner' }).apply(e) : lstm.apply(e);
      return lib.model({ inputs: x, outputs: lib.layers.lstm({ units: 2, recurrentActivation: 'sigmoid', name: 'mi_outer_lstm' }).apply(h), name: 'mi_outer' });
    };
    rl.setSeed(5);
    const r = build(rl, true) as rl.Functional;
    for (const nested of [true, false]) {
      const t = build(tf, nested) as tf.LayersModel;
      copyWeights(r, t);
      expectSamePredictions(r, t, [ids()]);
    }
    // A file round trip keeps it.
    let saved: rl.io.ModelArtifacts | undefined;
    await r.save(rl.io.withSaveHandler((a) => { saved = a; return {}; }));
    const back = await rl.loadLayersModel(rl.io.fromMemory(saved!)) as rl.Functional;
    expect(maxDiff((back.predict(ids()) as rl.Tensor).dataSync(), (r.predict(ids()) as rl.Tensor).dataSync())).toBe(0);
  });

  it('with two inputs, the mask of the second goes to the layers reading the second', () => {
    const build = (lib: Lib, nested: boolean) => {
      const dense = lib.layers.dense({ units: 2, name: 'mt_dense' }), rnn = lib.layers.simpleRNN({ units: 2, name: 'mt_rnn' });
      const x = lib.input({ shape: [2], name: 'mt_x' }), y = lib.input({ shape: [T], name: 'mt_y' });
      const e = lib.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, name: 'mt_emb' }).apply(y);
      if (!nested) return lib.model({ inputs: [x, y], outputs: [dense.apply(x), rnn.apply(e)], name: 'mt_flat' });
      const a = lib.input({ shape: [2], name: 'mt_a' }), b = lib.input({ shape: [T, 3], name: 'mt_b' });
      const inner = lib.model({ inputs: [a, b], outputs: [dense.apply(a), rnn.apply(b)], name: 'mt_inner' });
      return lib.model({ inputs: [x, y], outputs: inner.apply([x, e]), name: 'mt_outer' });
    };
    rl.setSeed(6);
    const r = build(rl, true) as rl.Functional, t = build(tf, false) as tf.LayersModel;
    copyWeights(r, t);
    expectSamePredictions(r, t, [randomF32([3, 2], 7), ids()]);
  });

  it("outputs carrying different masks each pass on their own: none after an LSTM, the Embedding's beside it", () => {
    const build = (lib: Lib, nested: boolean) => {
      const emb = lib.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, name: 'md_emb' });
      const lstm = lib.layers.lstm({ units: 2, recurrentActivation: 'sigmoid', name: 'md_last' });
      const x = lib.input({ shape: [T], name: 'md_x' });
      let last, seq;
      if (nested) {
        const ii = lib.input({ shape: [T], name: 'md_ii' });
        const e = emb.apply(ii);
        [last, seq] = lib.model({ inputs: ii, outputs: [lstm.apply(e), e], name: 'md_inner' }).apply(x);
      } else {
        seq = emb.apply(x);
        last = lstm.apply(seq);
      }
      const read = lib.layers.simpleRNN({ units: 2, name: 'md_rnn' }).apply(seq);
      return lib.model({ inputs: x, outputs: [read, lib.layers.dense({ units: 1, name: 'md_head' }).apply(last)], name: 'md_outer' });
    };
    rl.setSeed(7);
    const r = build(rl, true) as rl.Functional, t = build(tf, false) as tf.LayersModel;
    copyWeights(r, t);
    expectSamePredictions(r, t, [ids()]);
    const inner = r.getLayer('md_inner') as unknown as rl.Functional;
    const masks = inner.computeMask(ids());
    expect(masks[0]).toBeNull();
    expect(Array.from(masks[1]!.dataSync())).toEqual(Array.from(ids().dataSync(), (v) => (v === 0 ? 0 : 1)));
  });
});
