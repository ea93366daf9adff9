/**
 * A custom layer's own call arguments (apply(x, {scale: 2})) through rnnlab's wrappers, against @tensorflow/tfjs 4.22:
 * TimeDistributed hands its kwargs to the wrapped layer's call as tfjs's does; layers that would only drop them
 * (Bidirectional's RNNs, a wrapped Dense) refuse them by name; a copy of a custom call's kwargs handed to a built-in
 * layer is refused naming the key, the receiving layer and the call it came from.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from './tfjs_twin.js';

beforeAll(() => tfjsReady());

type Lib = typeof rl | typeof tf;
type AnyLayer = { apply(x: unknown, kwargs?: unknown): unknown; call(x: unknown, kwargs?: unknown): unknown };
const values = (t: unknown) => Array.from((t as { dataSync(): ArrayLike<number> }).dataSync());

/** x * scale (and + shift), read from the call's kwargs: the same class for either library. */
function scaleLayer(L: Lib) {
  const lib = L as unknown as { layers: { Layer: new (a: object) => object }; mul(a: unknown, b: unknown): unknown; add(a: unknown, b: unknown): unknown };
  return class ScaleR50 extends (lib.layers.Layer as new (a: object) => object) {
    static className = 'ScaleR50';
    call(x: unknown, kw: { scale?: number; shift?: number }) {
      const t = Array.isArray(x) ? x[0] : x;
      return lib.add(lib.mul(t, kw.scale ?? 1), kw.shift ?? 0);
    }
  } as unknown as new (a: object) => AnyLayer;
}

/** A custom layer that hands a copy of its kwargs ({...kwargs}) to an inner Dense and scales the result. */
function copyingLayer(L: Lib) {
  const lib = L as unknown as { layers: { Layer: new (a: object) => object; dense(a: object): AnyLayer }; mul(a: unknown, b: unknown): unknown };
  return class CopyR50 extends (lib.layers.Layer as new (a: object) => object) {
    static className = 'CopyR50';
    d = lib.layers.dense({ units: 1, kernelInitializer: 'ones', useBias: false });
    call(x: unknown, kw: { scale?: number }) {
      const t = Array.isArray(x) ? x[0] : x;
      return lib.mul(this.d.apply(t, { ...kw }), kw.scale ?? 1);
    }
  } as unknown as new (a: object) => AnyLayer;
}

const seq = (L: Lib) => (L as typeof rl).tensor([[[1, 2], [3, 4], [5, 6]]]);

describe('TimeDistributed over a custom layer', () => {
  it('apply hands the call arguments to the wrapped layer\'s call, as tfjs', () => {
    const run = (L: Lib) => values((L as typeof rl).layers.timeDistributed({ layer: new (scaleLayer(L))({}) as never }).apply(seq(L), { scale: 2, shift: 1 }));
    expect(run(rl)).toEqual(run(tf));
    expect(run(rl)).toEqual([3, 5, 7, 9, 11, 13]);
  });

  it('call does too, as tfjs\'s TimeDistributed.call', () => {
    const run = (L: Lib) => {
      const td = (L as typeof rl).layers.timeDistributed({ layer: new (scaleLayer(L))({}) as never }) as unknown as AnyLayer;
      td.apply(seq(L));
      return values(td.call(seq(L), { scale: 3 }));
    };
    expect(run(rl)).toEqual(run(tf));
    expect(run(rl)).toEqual([3, 6, 9, 12, 15, 18]);
  });

  it('through a TimeDistributed nested in another', () => {
    const inner = rl.layers.timeDistributed({ layer: new (scaleLayer(rl))({}) as never });
    const y = rl.layers.timeDistributed({ layer: inner }).apply(rl.ones([1, 2, 2, 1]), { scale: 5 });
    expect(values(y)).toEqual([5, 5, 5, 5]);
  });

  it('is still refused on rl.input()s, naming the argument', () => {
    const td = rl.layers.timeDistributed({ layer: new (scaleLayer(rl))({}) as never });
    expect(() => td.apply(rl.input({ shape: [3, 2] }), { scale: 2 })).toThrow(/time_distributed\w* \(TimeDistributed\): apply on rl\.input\(\)s does not take 'scale'/);
  });
});

describe('wrappers of rnnlab\'s own layers refuse the arguments they would drop', () => {
  it('TimeDistributed over Dense, in apply and call', () => {
    const td = rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 1 }) }) as unknown as AnyLayer;
    expect(() => td.apply(seq(rl), { scale: 2 })).toThrow(/\(TimeDistributed\): apply does not take 'scale'/);
    expect(() => td.call(seq(rl), { scale: 2 })).toThrow(/\(TimeDistributed\): call does not take 'scale' in kwargs/);
  });

  it('Bidirectional (tfjs\'s RNN hands its cells only training)', () => {
    const bi = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 1 }) });
    expect(() => bi.apply(seq(rl), { scale: 2 })).toThrow(/\(Bidirectional\): apply does not take 'scale'/);
  });
});

describe('a copy of a custom call\'s kwargs handed to a built-in layer', () => {
  it('tfjs ignores the extra key; rnnlab refuses it naming the key, the receiving layer and the call it came from', () => {
    expect(values(new (copyingLayer(tf))({}).apply(tf.ones([1, 2]), { scale: 3 }))).toEqual([6]);
    const layer = new (copyingLayer(rl))({ name: 'copier' });
    expect(() => layer.apply(rl.ones([1, 2]), { scale: 3 })).toThrow(
      /copier\/d \(Dense\): apply does not take 'scale'.*'scale' is a call argument of copier \(CopyR50\)'s call, handed on in a copy of its kwargs: leave it out \(const \{scale, \.\.\.rest\} = kwargs\)/,
    );
  });

  it('a key the copy sets to a value of its own is not said to come from the call', () => {
    const lib = rl as unknown as { layers: { Layer: new (a: object) => object } };
    class OwnValue extends (lib.layers.Layer as new (a: object) => object) {
      static className = 'OwnValueR50';
      d = rl.layers.dense({ units: 1 });
      call(x: unknown, kw: { scale?: number }) { return (this.d as unknown as AnyLayer).apply(Array.isArray(x) ? x[0] : x, { ...kw, scale: 7 }); }
    }
    const layer = new (OwnValue as unknown as new (a: object) => AnyLayer)({});
    let message = '';
    try { layer.apply(rl.ones([1, 2]), { scale: 3 }); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/apply does not take 'scale'/);
    expect(message).not.toMatch(/call argument of/);
  });
});
