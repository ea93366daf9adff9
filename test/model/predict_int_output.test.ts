// predict keeps an output's dtype, as tfjs's predict returns what the graph computes: a custom last layer returning
// argMax gives int32 class ids (exact, joined across batches), which feed oneHot directly; a bool output stays bool.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

class ArgMaxLast extends rl.layers.Layer {
  static className = 'ArgMaxLastProbe';
  override computeOutputShape(s: unknown): (number | null)[] { return (s as (number | null)[]).slice(0, -1); }
  override call(x: rl.Tensor | rl.Tensor[]): rl.Tensor { return rl.argMax(Array.isArray(x) ? x[0] : x, -1); }
}

class Positive extends rl.layers.Layer {
  static className = 'PositiveProbe';
  override call(x: rl.Tensor | rl.Tensor[]): rl.Tensor { return rl.greater(Array.isArray(x) ? x[0] : x, 0); }
}

/** Dense, then argMax: input feature 0, 1, 2 scores highest in class 2, 0, 1. */
function argMaxModel(): rl.Sequential {
  const dense = rl.layers.dense({ units: 3, inputShape: [3], useBias: false });
  const model = rl.sequential({ layers: [dense, new ArgMaxLast({})] });
  dense.setWeights([rl.tensor2d([[0, 0, 5], [5, 0, 0], [0, 5, 0]])]);
  return model;
}

const rows = 7;
// Row i is one-hot at feature (i + 1) % 3, so its class is [2, 0, 1][(i + 1) % 3].
const x = rl.tensor2d(Array.from({ length: rows }, (_, i) => [0, 1, 2].map((c) => (c === (i + 1) % 3 ? 1 : 0))));
const expected = Array.from({ length: rows }, (_, i) => [2, 0, 1][(i + 1) % 3]);

describe('predict keeps int32 and bool outputs', () => {
  it('an argMax output is int32 with exact values across several batches', () => {
    const model = argMaxModel();
    for (const batchSize of [2, 3, 32]) {
      const p = model.predict(x, { batchSize }) as rl.Tensor;
      expect(p.dtype).toBe('int32');
      expect(p.shape).toEqual([rows]);
      expect(Array.from(p.dataSync())).toEqual(expected);
    }
  });

  it('int32 values above 2^24 come back exact (float32 would round them)', () => {
    class Offset extends rl.layers.Layer {
      static className = 'OffsetIdsProbe';
      override call(v: rl.Tensor | rl.Tensor[]): rl.Tensor {
        return rl.add(rl.cast(Array.isArray(v) ? v[0] : v, 'int32'), rl.scalar(2 ** 24, 'int32'));
      }
    }
    const model = rl.sequential({ layers: [new Offset({ inputShape: [1] })] });
    const p = model.predict(rl.tensor2d([[1], [3], [5]]), { batchSize: 2 }) as rl.Tensor;
    expect(p.dtype).toBe('int32');
    expect(Array.from(p.dataSync())).toEqual([16777217, 16777219, 16777221]);
  });

  it('the predicted ids feed oneHot', () => {
    const ids = argMaxModel().predict(x, { batchSize: 3 }) as rl.Tensor;
    const oh = rl.oneHot(ids, 3);
    expect(oh.shape).toEqual([rows, 3]);
    expect(oh.arraySync()).toEqual(expected.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))));
  });

  it('a bool output stays bool; a float output stays float32', () => {
    const dense = rl.layers.dense({ units: 2, inputShape: [1], useBias: false });
    const model = rl.sequential({ layers: [dense, new Positive({})] });
    dense.setWeights([rl.tensor2d([[1, -1]])]);
    const p = model.predict(rl.tensor2d([[1], [-2], [3]]), { batchSize: 2 }) as rl.Tensor;
    expect(p.dtype).toBe('bool');
    expect(p.arraySync()).toEqual([[1, 0], [0, 1], [1, 0]]);
    const f = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [1] })] }).predict(rl.ones([3, 1]), { batchSize: 2 }) as rl.Tensor;
    expect(f.dtype).toBe('float32');
  });

  it('a functional model with a float and an int32 output keeps each one\'s dtype', () => {
    const input = rl.input({ shape: [3] });
    const dense = rl.layers.dense({ units: 3, useBias: false });
    const scores = dense.apply(input) as rl.SymbolicTensor;
    const ids = new ArgMaxLast({}).apply(scores) as rl.SymbolicTensor;
    const model = rl.model({ inputs: input, outputs: [scores, ids] });
    dense.setWeights([rl.tensor2d([[0, 0, 5], [5, 0, 0], [0, 5, 0]])]);
    const [s, i] = model.predict(x, { batchSize: 2 }) as rl.Tensor[];
    expect(s.dtype).toBe('float32');
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.dataSync())).toEqual(expected);
  });
});
