/**
 * Errors of the model surface that named the wrong thing: a real tensor given to rl.model (taken for a {name: tensor}
 * map), rl.loadModel on a tfjs Sequential holding a model (said "holds a Functional model"), setWeights on an unbuilt
 * layer ("expected 0 arrays"), a functional model applied to a row-less tensor (shown as "(None,)"), getLayer() with
 * no argument ("got undefined"). Each now names what was given and what is needed.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

function dense2(): rl.Functional {
  const x = rl.input({ shape: [3], name: 'feats' });
  return rl.model({ inputs: x, outputs: rl.layers.dense({ units: 2 }).apply(x) as rl.SymbolicTensor, name: 'm' });
}

describe('rl.model given a concrete tensor', () => {
  it('says the input is a concrete tensor where a symbolic one is needed', () => {
    expect(() => rl.model({ inputs: rl.ones([2, 3]) as never, outputs: rl.ones([1, 1]) as never, name: 'a' }))
      .toThrow("model 'a': inputs is a concrete tensor (shape [2, 3], holding values), where a symbolic one is needed (make inputs with rl.input())");
  });

  it('in a list, and as an output', () => {
    const x = rl.input({ shape: [3] });
    expect(() => rl.model({ inputs: [x, rl.ones([2, 3])] as never, outputs: x, name: 'b' }))
      .toThrow("model 'b': inputs[1] is a concrete tensor (shape [2, 3]");
    expect(() => rl.model({ inputs: x, outputs: rl.ones([1, 1]) as never, name: 'c' }))
      .toThrow(/^model 'c': outputs is a concrete tensor \(shape \[1, 1\], holding values\), where a symbolic one is needed \(an output is what layer\.apply\(\) returns/);
    expect(() => rl.model({ inputs: x, outputs: [rl.ones([1])] as never, name: 'd' })).toThrow("model 'd': outputs[0] is a concrete tensor (shape [1]");
  });

  it('a plain object is still refused as a map', () => {
    const x = rl.input({ shape: [3] });
    expect(() => rl.model({ inputs: { feats: x } as never, outputs: x, name: 'e' })).toThrow(/a map \{name: tensor\} is not supported/);
  });
});

describe('rl.loadModel on a tfjs Sequential holding a model as a layer', () => {
  it('names the Sequential and its nested model; loadLayersModel loads it', async () => {
    const inner = tf.sequential({ name: 'inner', layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const outer = tf.sequential({ name: 'outer' });
    outer.add(inner);
    outer.add(tf.layers.dense({ units: 1 }));
    let artifacts: tf.io.ModelArtifacts | undefined;
    await outer.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    expect((artifacts!.modelTopology as { class_name: string }).class_name).toBe('Sequential');
    const message = "artifacts: holds a Sequential model with a model as a layer, 'inner' (Sequential), which rnnlab reads as a Functional model (an rnnlab Sequential holds layers only); load it with rl.loadLayersModel";
    await expect(rl.loadModel(rl.io.fromMemory(artifacts!))).rejects.toThrow(message);
    expect(() => rl.modelFromArtifacts(artifacts as rl.io.ModelArtifacts)).toThrow(message);
    const loaded = await rl.loadLayersModel(rl.io.fromMemory(artifacts!));
    const x = [[0.5, -1, 2], [1, 0, -0.25]];
    const want = (outer.predict(tf.tensor(x)) as tf.Tensor).dataSync();
    const got = (loaded.predict(rl.tensor(x)) as rl.Tensor).dataSync();
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
  });
});

describe('setWeights on an unbuilt layer', () => {
  it('says the layer is not built yet', () => {
    const d = rl.layers.dense({ units: 3, name: 'd' });
    expect(() => d.setWeights([rl.ones([2, 3]), rl.ones([3])]))
      .toThrow('d (Dense): setWeights got 2 arrays, but the layer is not built yet, so it has 0 weights; call build(inputShape) or apply it first');
    d.build([null, 2]);
    d.setWeights([rl.ones([2, 3]), rl.ones([3])]);
    expect(Array.from(d.getWeights()[1].dataSync())).toEqual([1, 1, 1]);
    // Built, a wrong count keeps the count's message.
    expect(() => d.setWeights([rl.ones([2, 3])])).toThrow('d: setWeights expected 2 arrays, got 1');
  });
});

describe("a functional model's apply on tensors of the wrong shape", () => {
  it('shows the tensor as given, as predict does', () => {
    const m = dense2();
    expect(() => m.apply(rl.ones([3]))).toThrow("m.apply: input 'feats' expects shape (None, 3), got [3]");
    expect(() => m.apply(rl.ones([2, 4]))).toThrow("m.apply: input 'feats' expects shape (None, 3), got [2, 4]");
    expect(() => m.predict(rl.ones([3]))).toThrow("input 'feats' expects shape (None, 3), got [3]");
    expect((m.apply(rl.ones([2, 3])) as rl.Tensor).shape).toEqual([2, 2]);
  });

  it('names the input that is wrong among several', () => {
    const a = rl.input({ shape: [3], name: 'a' }), b = rl.input({ shape: [3], name: 'b' });
    const m = rl.model({ inputs: [a, b], outputs: rl.layers.add().apply([a, b]) as rl.SymbolicTensor, name: 'two' });
    expect(() => m.apply([rl.ones([2, 3]), rl.ones([3])])).toThrow("two.apply: input 'b' expects shape (None, 3), got [3]");
    expect(Array.from((m.apply([rl.ones([1, 3]), rl.ones([1, 3])]) as rl.Tensor).dataSync())).toEqual([2, 2, 2]);
  });
});

describe('getLayer with no argument', () => {
  it('says it takes a name or an index', () => {
    const m = dense2();
    expect(() => m.getLayer()).toThrow('m: getLayer needs a name or an index (getLayer(name), or getLayer(undefined, index) as tfjs), got neither');
    expect(() => m.getLayer(null, null)).toThrow(/got neither/);
    expect(() => m.getLayer(undefined, 7)).toThrow("m: getLayer takes an integer index in [0, 2), got number 7");
    expect(m.getLayer(undefined, 1).className).toBe('Dense');
  });
});
