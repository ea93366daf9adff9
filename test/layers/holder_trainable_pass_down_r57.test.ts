/**
 * A user's layer that holds layers (tracked as Keras 3 tracks them) passes its trainable flag down to them, as Keras
 * 3's Layer setter sets it on every tracked sub-layer: a held layer reads frozen while its holder is, and unfreezing
 * the holder unfreezes it.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

class Holder extends rl.layers.Layer {
  static className = 'HolderR57';
  inner = rl.layers.dense({ units: 2 });
  parts = { outs: [rl.layers.dense({ units: 1 })] };
  override call(x: rl.Tensor | rl.Tensor[]): rl.Tensor {
    return this.parts.outs[0].apply(this.inner.apply(Array.isArray(x) ? x[0] : x) as rl.Tensor) as rl.Tensor;
  }
  override computeOutputShape(s: (number | null)[]): (number | null)[] { return [...s.slice(0, -1), 1]; }
}

describe('a user layer holding layers: trainable passes down', () => {
  it('freezing the holder freezes the layers it holds (at any depth of lists and objects), unfreezing unfreezes them', () => {
    const h = new Holder({});
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2] }), h] });
    expect(m.trainableWeights).toHaveLength(6);
    h.trainable = false;
    expect([h.inner.trainable, h.parts.outs[0].trainable]).toEqual([false, false]);
    expect(h.inner.trainableWeights).toHaveLength(0);
    expect([m.trainableWeights.length, m.nonTrainableWeights.length]).toEqual([2, 4]);
    h.trainable = true;
    expect([h.inner.trainable, h.parts.outs[0].trainable]).toEqual([true, true]);
    expect(m.trainableWeights).toHaveLength(6);
    m.trainable = false;
    expect([h.inner.trainable, h.parts.outs[0].trainable]).toEqual([false, false]);
  });

  it('two user layers holding each other: setting one sets both, once', () => {
    const a = new Holder({});
    const b = new Holder({});
    (a as unknown as { peer: unknown }).peer = b;
    (b as unknown as { peer: unknown }).peer = a;
    a.trainable = false;
    expect([a.trainable, b.trainable, b.inner.trainable]).toEqual([false, false, false]);
    b.trainable = true;
    expect([a.trainable, a.inner.trainable]).toEqual([true, true]);
  });
});
