/**
 * Symbolic tensor names against @tensorflow/tfjs 4.22: an input is named after its layer ('a'), a layer's outputs
 * '<layer>/<layer>', '<layer>/<layer>_1', ... over its calls and outputs; model.inputNames / outputNames are layer
 * names. Code that feeds a dict keyed by model.inputs.map(t => t.name) runs unchanged. Layer names are unique per
 * test (tfjs numbers repeated names across the process).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxDiff } from '../compat/functional_helpers.js';
import { randomF32, tfjsReady, toTf } from '../layers/tfjs_twin.js';

beforeAll(() => tfjsReady());
type Lib = any;

/** Two inputs through a shared Dense (a siamese pair), an LSTM with returnState, a concatenation, three outputs. */
function graph(lib: Lib, p: string) {
  const a = lib.input({ shape: [4, 3], name: `${p}a` });
  const b = lib.input({ shape: [4, 3], name: `${p}b` });
  const shared = lib.layers.dense({ units: 2, name: `${p}shared` });
  const ha = shared.apply(a), hb = shared.apply(b);
  const [seq, h, c] = lib.layers.lstm({ units: 2, returnState: true, returnSequences: true, recurrentActivation: 'sigmoid', name: `${p}lstm` }).apply(ha);
  const cat = lib.layers.concatenate({ name: `${p}cat` }).apply([seq, hb]);
  const m = lib.model({ inputs: [a, b], outputs: [c, cat, h], name: `${p}model` });
  return { m, shared, ha, hb, seq, h, c, cat };
}

describe('symbolic tensor names match tfjs', () => {
  it('inputs, shared-layer outputs, multi-output layers, model outputs', () => {
    const o = graph(rl, 'n1_'), t = graph(tf, 'n1_');
    const names = (g: Lib) => [g.ha, g.hb, g.seq, g.h, g.c, g.cat].map((x: { name: string }) => x.name);
    expect(names(o)).toEqual(names(t));
    expect(names(o)).toEqual(['n1_shared/n1_shared', 'n1_shared/n1_shared_1', 'n1_lstm/n1_lstm', 'n1_lstm/n1_lstm_1', 'n1_lstm/n1_lstm_2', 'n1_cat/n1_cat']);
    for (const k of ['inputNames', 'outputNames'] as const) expect(o.m[k]).toEqual(t.m[k]);
    expect(o.m.inputs.map((x: rl.SymbolicTensor) => x.name)).toEqual(['n1_a', 'n1_b']);
    expect(o.m.inputs.map((x: rl.SymbolicTensor) => x.name)).toEqual(t.m.inputs.map((x: tf.SymbolicTensor) => x.name));
    expect(o.m.outputs.map((x: rl.SymbolicTensor) => x.name)).toEqual(t.m.outputs.map((x: tf.SymbolicTensor) => x.name));
    expect(o.m.outputNames).toEqual(['n1_lstm', 'n1_cat', 'n1_lstm']);
  });

  it('a dict keyed by model.inputs names feeds predict; multi-output predict order is tfjs\'s', () => {
    rl.setSeed(2);
    const o = graph(rl, 'n2_'), t = graph(tf, 'n2_');
    for (const l of o.m.layers as rl.Functional["layers"]) if (l.weights.length) t.m.getLayer(l.name).setWeights(l.getWeights().map(toTf));
    const xa = randomF32([3, 4, 3], 1), xb = randomF32([3, 4, 3], 2);
    const feed = Object.fromEntries((o.m.inputs as rl.SymbolicTensor[]).map((s, i) => [s.name, [xa, xb][i]]));
    const ours = o.m.predict(feed) as rl.Tensor[];
    const theirs = t.m.predict([toTf(xa), toTf(xb)]) as tf.Tensor[];
    expect(ours.map((x) => x.shape)).toEqual(theirs.map((x) => x.shape));
    ours.forEach((x, i) => expect(maxDiff(x.dataSync(), theirs[i].dataSync())).toBeLessThan(2e-6));
    // Feeding by position gives the same; the shared Dense has one set of weights (siamese).
    const byList = o.m.predict([xa, xb]) as rl.Tensor[];
    byList.forEach((x, i) => expect(Array.from(x.dataSync())).toEqual(Array.from(ours[i].dataSync())));
    expect(o.m.weights.length).toBe(t.m.weights.length);
    expect(o.m.countParams()).toBe(t.m.countParams());
  });

  it('Sequential: tfjs\'s <first layer>_input and <layer>/<layer>', () => {
    const make = (lib: Lib) => lib.sequential({ layers: [lib.layers.dense({ units: 2, inputShape: [3], name: 'n3_d' }), lib.layers.dense({ units: 1, name: 'n3_e' })] });
    const o = make(rl), t = make(tf);
    expect(o.inputs.map((x: rl.SymbolicTensor) => x.name)).toEqual(t.inputs.map((x: tf.SymbolicTensor) => x.name));
    expect(o.outputs.map((x: rl.SymbolicTensor) => x.name)).toEqual(t.outputs.map((x: tf.SymbolicTensor) => x.name));
    expect(o.outputs[0].name).toBe('n3_e/n3_e');
    expect(o.layers[0].output.name).toBe(t.layers[0].output.name);
  });

  it('a loaded model\'s tensors are named as the saved model\'s', async () => {
    const o = graph(rl, 'n4_');
    const back = await rl.models.modelFromJSON({ modelTopology: JSON.parse(o.m.toJSON(null, true) as string) }) as rl.Functional;
    expect(back.inputs.map((x) => x.name)).toEqual(['n4_a', 'n4_b']);
    expect(back.outputs.map((x) => x.name)).toEqual(o.m.outputs.map((x: rl.SymbolicTensor) => x.name));
  });
});

describe('shared layers in a graph, as tfjs', () => {
  it('layer.output and input of a shared layer are errors pointing at getOutputAt / getInputAt; those match tfjs', () => {
    const o = graph(rl, 'n5_'), t = graph(tf, 'n5_');
    expect(() => o.m.getLayer('n5_shared').output).toThrow(/n5_shared \(Dense\): output is ambiguous: the layer has been applied 2 times \(it is shared\); use getOutputAt\(nodeIndex\)/);
    expect(() => t.m.getLayer('n5_shared').output).toThrow(/multiple inbound nodes/);
    expect(() => o.shared.input).toThrow(/use getInputAt\(nodeIndex\)/);
    for (const k of [0, 1]) {
      expect(o.shared.getOutputAt(k).name).toBe(t.shared.getOutputAt(k).name);
      expect(o.shared.getInputAt(k).name).toBe(t.shared.getInputAt(k).name);
    }
    expect(o.shared.getOutputAt(1)).toBe(o.hb);
    expect(() => o.shared.getOutputAt(2)).toThrow(/n5_shared \(Dense\): getOutputAt: no call 2; the layer has been applied 2 time\(s\)/);
  });

  it('outputs given as a map are refused by name (tfjs 4.22 fails on them with a TypeError)', () => {
    const a = rl.input({ shape: [3], name: 'n6_a' });
    const y = rl.layers.dense({ units: 1, name: 'n6_d' }).apply(a) as rl.SymbolicTensor;
    expect(() => rl.model({ inputs: a, outputs: { y } as never, name: 'n6' })).toThrow(/model 'n6': outputs must be a symbolic tensor or a list of them, got .*a map \{name: tensor\} is not supported.*give a list/);
    expect(() => rl.model({ inputs: { a } as never, outputs: y, name: 'n6b' })).toThrow(/model 'n6b': inputs must be a symbolic tensor or a list/);
  });
});
