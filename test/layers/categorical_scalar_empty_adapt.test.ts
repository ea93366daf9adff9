/**
 * Edge inputs of Keras 3's IntegerLookup, Hashing and Discretization: a scalar (Keras upranks it to one sample of one
 * value), adapt on empty data (per layer, as Keras's), and Discretization's Keras 3.15+ quantile summary start.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;
const out = (layer: rl.layerClasses.Layer, x: rl.Tensor) => {
  const y = layer.apply(x) as rl.Tensor;
  return { shape: y.shape, v: Array.from(y.dataSync()) };
};

describe('a scalar input is one sample of one value (Keras upranks it)', () => {
  // 6 looks up to index 2 of [OOV, 5, 6]; Hashing's bin of 6 among 3 and Discretization's bin of 6 above boundary 1.
  const layers = (outputMode: string) => [
    ['IntegerLookup', L.integerLookup({ vocabulary: [5, 6], outputMode: outputMode as never }), 3, 2],
    ['Hashing', L.hashing({ numBins: 3, outputMode: outputMode as never }), 3, out(L.hashing({ numBins: 3 }), rl.tensor([6])).v[0]],
    ['Discretization', L.discretization({ binBoundaries: [1], outputMode: outputMode as never }), 2, 1],
  ] as [string, rl.layerClasses.Layer, number, number][];
  const hot = (depth: number, k: number) => Array.from({ length: depth }, (_, i) => (i === k ? 1 : 0));

  it('int mode: a scalar in, a scalar out (Keras squeezes the upranked lookup back)', () => {
    for (const [name, layer, , k] of layers('int')) expect(out(layer, rl.scalar(6)), name).toEqual({ shape: [], v: [k] });
    expect(out(L.integerLookup({ vocabulary: [5, 6], invert: true }), rl.scalar(2))).toEqual({ shape: [], v: [6] });
  });

  it('one_hot gives (1, depth); multi_hot and count give (depth,), as Keras\'s encode_categorical_inputs', () => {
    for (const [name, layer, depth, k] of layers('one_hot')) expect(out(layer, rl.scalar(6)), name).toEqual({ shape: [1, depth], v: hot(depth, k) });
    for (const mode of ['multi_hot', 'count']) {
      for (const [name, layer, depth, k] of layers(mode)) expect(out(layer, rl.scalar(6)), `${name} ${mode}`).toEqual({ shape: [depth], v: hot(depth, k) });
    }
    // A mask token outside 'int' mode is dropped: nothing is counted.
    expect(out(L.integerLookup({ vocabulary: [5, 6], maskToken: 0, outputMode: 'count' }), rl.scalar(0))).toEqual({ shape: [3], v: [0, 0, 0] });
  });

  it('a layer already built for batches takes a scalar too, and batches after it', () => {
    const lookup = L.integerLookup({ vocabulary: [5, 6] });
    expect(out(lookup, rl.tensor([[5, 6, 7]])).v).toEqual([1, 2, 0]);
    expect(out(lookup, rl.scalar(5))).toEqual({ shape: [], v: [1] });
    expect(out(lookup, rl.tensor([[7, 7, 6]])).v).toEqual([0, 0, 2]);
    const disc = L.discretization({ binBoundaries: [0, 1], outputMode: 'multi_hot' });
    expect(out(disc, rl.tensor([[-1, 2]])).shape).toEqual([1, 3]);
    expect(out(disc, rl.scalar(0.5))).toEqual({ shape: [3], v: [0, 1, 0] });
  });

  it('still refuses what it refused before on a scalar: no vocabulary, no boundaries', () => {
    expect(() => L.integerLookup().apply(rl.scalar(1))).toThrow(/has no vocabulary yet/);
    expect(() => L.discretization({ numBins: 3 }).apply(rl.scalar(1))).toThrow(/no bin boundaries yet/);
  });
});

describe('adapt on empty data, per layer as Keras 3', () => {
  it('IntegerLookup keeps its vocabulary (Keras\'s finalize_state returns on no counts)', () => {
    const layer = L.integerLookup();
    layer.adapt([1, 1, 2]);
    layer.adapt([]);
    expect(layer.getVocabulary()).toEqual([-1, 1, 2]);
    layer.adapt(rl.tensor([], [0, 2]));
    expect(layer.getVocabulary()).toEqual([-1, 1, 2]);
    expect(out(layer, rl.tensor([[2, 1, 9]])).v).toEqual([2, 1, 0]);
    // Data of special tokens only is not empty: Keras counts it, drops the specials, and learns no token.
    const masked = L.integerLookup({ maskToken: 0 });
    masked.adapt([1, 1, 2]);
    masked.adapt([0, 0]);
    expect(masked.getVocabulary()).toEqual([0, -1]);
  });

  it('Discretization and Normalization refuse it by name (Keras would learn a single bin, or NaN statistics)', () => {
    expect(() => L.discretization({ numBins: 3 }).adapt([])).toThrow(/adapt data holds no values/);
    expect(() => L.normalization().adapt(rl.tensor([], [0, 1]))).toThrow(/adapt data of shape \[0, 1\] holds no values/);
  });
});

describe('Discretization.adapt samples each batch as Keras 3.15+ (keras-team/keras#22892)', () => {
  it('0..999 in 4 bins: boundaries just under 249, 499, 749 (Keras before 3.15: 247.5, 495, 742.5)', () => {
    const layer = L.discretization({ numBins: 4 });
    layer.adapt(rl.tensor(Array.from({ length: 1000 }, (_, i) => i)));
    expect(layer.binBoundaries).toEqual([248.999755859375, 498.99981689453125, 748.9999389648438]);
    const small = L.discretization({ numBins: 4 });
    small.adapt(Array.from({ length: 200 }, (_, i) => i));
    expect(small.binBoundaries).toEqual([48.99996566772461, 98.99996185302734, 148.99996948242188]);
    expect(out(small, rl.tensor([[48, 49]])).v).toEqual([0, 1]);
  });
});
