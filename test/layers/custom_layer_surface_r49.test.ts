/**
 * The custom-layer surface against @tensorflow/tfjs 4.22: a multi-output layer's outputShape, the fields of the
 * nodes in inboundNodes/outboundNodes, and call arguments of a custom layer's own (apply(x, {scale: 3})).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from './tfjs_twin.js';

beforeAll(() => tfjsReady());

type Lib = typeof rl | typeof tf;
type AnyLayer = { name: string; apply(x: unknown, kwargs?: unknown): unknown; call(x: unknown, kwargs?: unknown): unknown; outputShape: unknown; inboundNodes: NodeView[]; outboundNodes: NodeView[] };
type NodeView = {
  inboundLayers: { name: string }[]; nodeIndices: number[]; tensorIndices: number[]; outboundLayer: { name: string };
  inputShapes: unknown; outputShapes: unknown; inputTensors: unknown[]; outputTensors: unknown[];
};
const values = (t: unknown) => Array.from((t as { dataSync(): ArrayLike<number> }).dataSync());

/** The same custom layer class for either library (each has its own Layer base). */
function twoOutputs(L: Lib) {
  const lib = L as unknown as { layers: { Layer: new (a: object) => object }; concat(x: unknown[], axis: number): unknown };
  return class Two extends (lib.layers.Layer as new (a: object) => object) {
    static className = 'Two';
    call(x: unknown) { const t = Array.isArray(x) ? x[0] : x; return [t, lib.concat([t, t], -1)]; }
    computeOutputShape(s: (number | null)[]) { return [s, [s[0], (s[1] as number) * 2]]; }
  } as unknown as new (a: object) => AnyLayer;
}

/** A custom layer reading its own call argument `scale`, optionally through an inner Dense given its kwargs. */
function scaled(L: Lib, inner: 'none' | 'kwargs' | 'held') {
  const lib = L as unknown as { layers: { Layer: new (a: object) => object; dense(a: object): AnyLayer }; mul(a: unknown, b: unknown): unknown };
  return class Scaled extends (lib.layers.Layer as new (a: object) => object) {
    static className = 'Scaled';
    d = inner === 'none' ? null : lib.layers.dense({ units: 2, kernelInitializer: 'ones', biasInitializer: 'ones' });
    call(x: unknown, kw: { scale?: number }) {
      const t = Array.isArray(x) ? x[0] : x;
      if (inner === 'held') return lib.mul(this.d!.apply(t), kw.scale);
      return lib.mul(inner === 'kwargs' ? this.d!.apply(t, kw) : t, kw.scale ?? 1);
    }
    computeOutputShape(s: (number | null)[]) { return inner === 'none' ? s : [s[0], 2]; }
  } as unknown as new (a: object) => AnyLayer;
}

describe('outputShape of a custom layer with several outputs', () => {
  it('lists every output\'s shape, as tfjs', () => {
    const shape = (L: Lib) => {
      const t = new (twoOutputs(L))({ name: 't' });
      t.apply((L as typeof rl).input({ shape: [2] }));
      return JSON.stringify(t.outputShape);
    };
    expect(shape(rl)).toBe(shape(tf));
    expect(shape(rl)).toBe('[[null,2],[null,4]]');
  });

  it('lists them from the build when the layer ran on tensors only', () => {
    const t = new (twoOutputs(rl))({});
    const outs = t.apply(rl.ones([3, 2])) as rl.Tensor[];
    expect(outs.map((o) => o.shape)).toEqual([[3, 2], [3, 4]]);
    expect(t.outputShape).toEqual([[null, 2], [null, 4]]);
  });
});

describe('inbound and outbound nodes', () => {
  const graph = (L: Lib) => {
    const lib = L as typeof rl;
    const i = lib.input({ shape: [2], name: 'i' }), j = lib.input({ shape: [2], name: 'j' });
    const d = lib.layers.dense({ units: 3, name: 'd' }) as unknown as AnyLayer;
    const add = lib.layers.add({ name: 'add' }) as unknown as AnyLayer;
    add.apply([d.apply(i), d.apply(j)]);
    return { i, d, add };
  };
  const fields = (n: NodeView) => ({
    inboundLayers: n.inboundLayers.map((l) => l.name), nodeIndices: n.nodeIndices, tensorIndices: n.tensorIndices,
    outboundLayer: n.outboundLayer.name, inputShapes: n.inputShapes, outputShapes: n.outputShapes,
    inputTensors: n.inputTensors.length, outputTensors: n.outputTensors.length,
  });

  it('a node has tfjs\'s fields with tfjs\'s values', () => {
    const r = graph(rl), t = graph(tf);
    expect(fields(r.add.inboundNodes[0])).toEqual(fields(t.add.inboundNodes[0]));
    expect(fields(r.add.inboundNodes[0]).inboundLayers).toEqual(['d', 'd']);
    expect(fields(r.d.inboundNodes[1])).toEqual(fields(t.d.inboundNodes[1]));
  });

  it('an input layer\'s node lists its own tensor as input, as tfjs\'s', () => {
    const src = (x: unknown) => (x as { sourceLayer: AnyLayer }).sourceLayer;
    const r = graph(rl), t = graph(tf);
    expect(fields(src(r.i).inboundNodes[0])).toEqual(fields(src(t.i).inboundNodes[0]));
  });

  it('a layer whose two outputs feed one call has that call twice in outboundNodes, as tfjs', () => {
    const r = graph(rl), t = graph(tf);
    expect(r.d.outboundNodes.length).toBe(t.d.outboundNodes.length);
    expect(r.d.outboundNodes.length).toBe(2);
  });

  it('initial states are inputs of the recurrent layer\'s node, as in tfjs', () => {
    const node = (L: Lib) => {
      const lib = L as typeof rl;
      const x = lib.input({ shape: [3, 2], name: 'x' }), h = lib.input({ shape: [4], name: 'h' });
      const g = lib.layers.simpleRNN({ units: 4, name: 'g' }) as unknown as AnyLayer;
      g.apply(x, { initialState: [h] });
      return fields(g.inboundNodes[0]);
    };
    expect(node(rl)).toEqual(node(tf));
  });
});

describe('a custom layer\'s own call arguments', () => {
  it('apply on tensors hands them to call, as tfjs', () => {
    const run = (L: Lib) => values(new (scaled(L, 'none'))({}).apply((L as typeof rl).ones([1, 2]), { scale: 3 }));
    expect(run(rl)).toEqual(run(tf));
    expect(run(rl)).toEqual([3, 3]);
  });

  it('an inner layer given the same kwargs ignores them, as tfjs\'s', () => {
    const run = (L: Lib) => values(new (scaled(L, 'kwargs'))({}).apply((L as typeof rl).ones([1, 2]), { scale: 2 }));
    expect(run(rl)).toEqual(run(tf));
    expect(run(rl)).toEqual([6, 6]);
  });

  it('the call that builds a held layer gets them too', () => {
    const run = (L: Lib) => values(new (scaled(L, 'held'))({}).apply((L as typeof rl).ones([1, 2]), { scale: 2 }));
    expect(run(rl)).toEqual(run(tf));
  });

  it('are refused on rl.input()s, naming the argument', () => {
    const layer = new (scaled(rl, 'none'))({});
    expect(() => layer.apply(rl.input({ shape: [2] }), { scale: 3 })).toThrow(/does not take 'scale'.*on tensors/);
  });

  it('are refused as symbolic tensors on tensor inputs', () => {
    const layer = new (scaled(rl, 'none'))({});
    expect(() => layer.apply(rl.ones([1, 2]), { scale: rl.input({ shape: [2] }) })).toThrow(/'scale' is a symbolic tensor/);
  });

  it('rnnlab\'s own layers still refuse keys they do not take', () => {
    const d = rl.layers.dense({ units: 2 }) as unknown as AnyLayer;
    expect(() => d.apply(rl.ones([1, 2]), { scale: 3 })).toThrow(/apply does not take 'scale'/);
    expect(() => d.call(rl.ones([1, 2]), { scale: 3 })).toThrow(/call does not take 'scale'/);
  });
});
