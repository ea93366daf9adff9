/**
 * Attention and AdditiveAttention take apply's mask only as Keras's list [queryMask, valueMask]: a single mask
 * tensor is refused naming the layer (Keras 3 refuses it too), instead of silently masking the query's steps.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;
const q = rl.tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), [1, 3, 4]);
const v = rl.tensor(Float32Array.from({ length: 12 }, (_, i) => Math.cos(i)), [1, 3, 4]);
const pad = rl.tensor([[1, 1, 0]], [1, 3], 'bool');

describe('attention layers and a single mask', () => {
  for (const [name, make] of [['attention', () => L.attention({ name: 'att' })], ['additiveAttention', () => L.additiveAttention({ name: 'att' })]] as const) {
    it(`${name}: a single mask tensor is refused, the list form still masks the value`, () => {
      const layer = make();
      expect(() => layer.apply([q, v], { mask: pad })).toThrow(/att \((Additive)?Attention\): mask must be a list \[queryMask, valueMask\].*\[null, valueMask\]/);
      const masked = (layer.apply([q, v], { mask: [null, pad] }) as rl.Tensor).arraySync() as number[][][];
      // Value step 2 gets no weight: the output is the same as attending over the first two steps alone.
      const short = (layer.apply([q, rl.slice(v, [0, 0, 0], [1, 2, 4])]) as rl.Tensor).arraySync() as number[][][];
      masked[0].forEach((row, i) => row.forEach((a, j) => expect(a).toBeCloseTo(short[0][i][j], 6)));
    });
  }

  it('multiHeadAttention keeps its own documented rule for a single mask', () => {
    const mha = L.multiHeadAttention({ numHeads: 1, keyDim: 2 });
    expect((mha.apply([q, v], { mask: pad }) as rl.Tensor).shape).toEqual([1, 3, 4]);
  });
});
