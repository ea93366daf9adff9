// The Layer members of tfjs's LayersModel on rnnlab's models, compared with @tensorflow/tfjs 4.22 (cpu backend):
// inboundNodes/outboundNodes (also once the model is nested in another), getInputAt/getOutputAt,
// computeOutputShape, call(inputs, kwargs) and computeMask(inputs, mask).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type Lib = any;
const values = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());

function inner(lib: Lib) {
  const i = lib.input({ shape: [2], name: 'i' });
  const o = lib.layers.dense({ units: 1, name: 'd', kernelInitializer: 'ones' }).apply(i);
  return { i, o, m: lib.model({ inputs: i, outputs: o, name: 'inner' }) };
}

function twoByTwo(lib: Lib) {
  const a = lib.input({ shape: [2], name: 'a' }), b = lib.input({ shape: [3], name: 'b' });
  const c = lib.layers.concatenate({ name: 'c' }).apply([a, b]);
  const p = lib.layers.dense({ units: 1, name: 'p', kernelInitializer: 'ones' }).apply(c);
  const q = lib.layers.dense({ units: 2, name: 'q', kernelInitializer: 'ones' }).apply(c);
  return lib.model({ inputs: [a, b], outputs: [p, q] });
}

describe('a functional model as a layer', () => {
  it("has its own graph as inbound node 0, and each call in another model after it, as tfjs's", () => {
    for (const lib of [tf, rl] as Lib[]) {
      const { i, o, m } = inner(lib);
      expect([m.inboundNodes.length, m.outboundNodes.length]).toEqual([1, 0]);
      expect(m.getInputAt(0)).toBe(i);
      expect(m.getOutputAt(0)).toBe(o);
      expect(() => m.getInputAt(1)).toThrow(/1/);
      const i2 = lib.input({ shape: [2] });
      const h = m.apply(i2);
      const next = lib.layers.dense({ units: 1, name: 'after' });
      lib.model({ inputs: i2, outputs: next.apply(h) });
      expect([m.inboundNodes.length, m.outboundNodes.length]).toEqual([2, 1]);
      expect(m.getInputAt(1)).toBe(i2);
      expect(m.getOutputAt(1)).toBe(h);
      // tfjs's Node says outboundLayer, rnnlab's (as its layers' nodes) layer.
      expect((m.outboundNodes[0].outboundLayer ?? m.outboundNodes[0].layer).name).toBe('after');
    }
    expect(() => inner(rl).m.getOutputAt(2)).toThrow(/inner.getOutputAt: no call 2; the model has 1 inbound node/);
  });

  it("computeOutputShape, call and getInputAt with two inputs and two outputs give tfjs's answers", () => {
    const t = twoByTwo(tf), r = twoByTwo(rl);
    expect((r.getInputAt(0) as rl.SymbolicTensor[]).map((x: rl.SymbolicTensor) => x.shape)).toEqual(t.getInputAt(0).map((x: tf.SymbolicTensor) => x.shape));
    expect(r.computeOutputShape([[null, 2], [null, 3]])).toEqual(t.computeOutputShape([[null, 2], [null, 3]]));
    expect(r.computeOutputShape([[5, 2], [5, 3]])).toEqual([[5, 1], [5, 2]]);
    expect(() => r.computeOutputShape([null, 2])).toThrow(/has 2 input\(s\), but 1 shape\(s\) were given/);
    expect(() => r.computeOutputShape([[null, 2], [null, 4]])).toThrow(/input 1 expects shape \[null, 3\], got \[null, 4\]/);
    const ta = [tf.tensor2d([[1, 2]]), tf.tensor2d([[3, 4, 5]])], ra = [rl.tensor2d([[1, 2]]), rl.tensor2d([[3, 4, 5]])];
    const tOut = t.call(ta, {}) as tf.Tensor[], rOut = r.call(ra, {});
    expect(rOut.map((x: rl.Tensor) => x.shape)).toEqual(tOut.map((x) => x.shape));
    expect(rOut.map(values)).toEqual(tOut.map(values));
    expect(() => r.call([ra[0]], {})).toThrow(/has 2 input\(s\), but 1 tensor\(s\) were given/);
  });

  it('call returns a list for one output too, runs training mode when asked, and refuses what it would ignore', () => {
    const t = inner(tf).m, r = inner(rl).m;
    const tOut = t.call(tf.ones([1, 2]), {}) as tf.Tensor[], rOut = r.call(rl.ones([1, 2]));
    expect(Array.isArray(rOut)).toBe(Array.isArray(tOut));
    expect(rOut.map(values)).toEqual(tOut.map(values));
    rl.setSeed(3);
    const i = rl.input({ shape: [200] });
    const drop = rl.model({ inputs: i, outputs: rl.layers.dropout({ rate: 0.5 }).apply(i) as rl.SymbolicTensor });
    const x = rl.ones([1, 200]);
    expect(values(drop.call(x, { training: false })[0])).toEqual(values(x));
    expect(values(drop.call(x, { training: true })[0])).toContain(0);
    expect(() => r.call(rl.ones([1, 2]), { trainng: true } as never)).toThrow(/trainng/);
    // A mask is each input's (test/model/model_call_masks_r53.test.ts): one that does not fit the input is refused.
    expect(() => r.call(rl.ones([1, 2]), { mask: rl.ones([1, 3]) })).toThrow(/inner\.call: mask must be a tensor \[batch, steps\] matching the input \[1, 2\], got a tensor of shape \[1, 3\]/);
    expect(() => r.call(rl.input({ shape: [2] }) as never)).toThrow(/must be a Tensor.*use apply\(\)/);
  });

  it("computeMask gives each output's padding mask, in a list, as tfjs", () => {
    const masked = (lib: Lib) => {
      const i = lib.input({ shape: [3] });
      return lib.model({ inputs: i, outputs: lib.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true }).apply(i) });
    };
    const t = masked(tf).computeMask(tf.tensor2d([[1, 0, 2]]), null) as tf.Tensor[];
    const r = masked(rl).computeMask(rl.tensor2d([[1, 0, 2]]), null);
    expect(r[0]!.dtype).toBe(t[0].dtype);
    expect(values(r[0]!)).toEqual(values(t[0]));
    expect(values(r[0]!)).toEqual([1, 0, 1]);
    expect(inner(rl).m.computeMask(rl.ones([1, 2]))).toEqual(inner(tf).m.computeMask(tf.ones([1, 2])));
    // A mask given in is replaced by the one the Embedding makes.
    expect(values(masked(rl).computeMask(rl.tensor2d([[1, 0, 2]]), rl.ones([1, 3], 'bool'))[0]!)).toEqual([1, 0, 1]);
  });
});

describe('a Sequential model as a layer', () => {
  const seq = (lib: Lib) => lib.sequential({ layers: [lib.layers.dense({ units: 3, inputShape: [2], name: 's1', kernelInitializer: 'ones' })] });

  it("has one inbound node once built (its own graph), none outbound, as tfjs's", () => {
    const t = seq(tf), r = seq(rl);
    expect([r.inboundNodes.length, r.outboundNodes.length]).toEqual([t.inboundNodes.length, t.outboundNodes.length]);
    expect(r.getInputAt(0)).toBe(r.inputs[0]);
    expect(r.getOutputAt(0)).toBe(r.outputs[0]);
    r.add(rl.layers.dense({ units: 1 }));
    expect(r.getOutputAt(0)).toBe(r.outputs[0]);
    expect(r.computeOutputShape([null, 2])).toEqual([null, 1]);
    const unbuilt = rl.sequential({ layers: [rl.layers.dense({ units: 1 })] });
    expect(unbuilt.inboundNodes).toEqual([]);
    expect(() => unbuilt.getInputAt(0)).toThrow(/not built yet/);
    expect(() => unbuilt.computeOutputShape([null, 2])).toThrow(/not built yet/);
  });

  it('call gives [output] as tfjs; computeMask gives the mask an Embedding makes', () => {
    const t = seq(tf), r = seq(rl);
    expect(r.call(rl.tensor2d([[1, 2]]), {}).map(values)).toEqual((t.call(tf.tensor2d([[1, 2]]), {}) as tf.Tensor[]).map(values));
    expect(r.computeMask(rl.tensor2d([[1, 2]]), null)).toEqual([null]);
    const e = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, inputLength: 3 })] });
    expect(values(e.computeMask(rl.tensor2d([[0, 3, 0]]))[0]!)).toEqual([0, 1, 0]);
    expect(() => r.call([rl.ones([1, 2]), rl.ones([1, 2])])).toThrow(/has 1 input\(s\), but 2 tensor\(s\)/);
  });
});
