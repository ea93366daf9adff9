/**
 * TypeScript written for tfjs type-checks against rnnlab's types (the repo's typecheck compiles this file; the
 * lines below come from tfjs-examples' translation.ts): tf.Rank, rank-typed tensors and buffers, and apply's casts.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as tf from '../../src/index.js';

describe('tfjs TypeScript against rnnlab', () => {
  it('tf.Rank is tfjs\'s enum, as a type and a value', () => {
    expect(tf.Rank.R3).toBe('R3');
    expect(Object.values(tf.Rank)).toEqual(['R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6']);
    expectTypeOf<tf.Tensor<tf.Rank.R2>>().toEqualTypeOf<tf.Tensor2D>();
  });

  it('Tensor, TensorBuffer and buffer take tfjs\'s rank parameter; array() is typed by rank', async () => {
    const buf = tf.buffer<tf.Rank.R3>([1, 1, 4]);
    buf.set(2, 0, 0, 3);
    const t3: tf.Tensor<tf.Rank.R3> = buf.toTensor();
    expectTypeOf(t3.arraySync()).toEqualTypeOf<number[][][]>();
    expect(t3.arraySync()).toEqual([[[0, 0, 0, 2]]]);
    // A plain Tensor (what ops return) is assignable to every ranked type, as before the parameter existed.
    const t2: tf.Tensor<tf.Rank.R2> = tf.zeros([2, 2]);
    const plain: tf.Tensor = t2;
    expectTypeOf(t2.arraySync()).toEqualTypeOf<number[][]>();
    const v = tf.tensor1d([1, 2]) as tf.Tensor1D;
    const arr = await v.array();
    expectTypeOf(arr).toEqualTypeOf<number[]>();
    expect(arr.map((x) => x + 1)).toEqual([2, 3]);
    expectTypeOf((tf.scalar(4) as tf.Scalar).arraySync()).toEqualTypeOf<number>();
    expectTypeOf((plain as tf.Tensor4D).bufferSync()).toEqualTypeOf<tf.TensorBuffer<tf.Rank.R4>>();
    expect(plain.shape).toEqual([2, 2]);
  });

  it('apply\'s result casts as tfjs code writes them (symbolic as Tensor[], Tensor as SymbolicTensor)', () => {
    const inp = tf.layers.input({ shape: [null, 4] });
    const lstm = tf.layers.lstm({ units: 3, returnState: true });
    const [o, h] = lstm.apply(inp) as tf.Tensor[];
    const d = tf.layers.dense({ units: 2 }).apply(o) as tf.SymbolicTensor;
    expect(d.shape).toEqual([null, 2]);
    // Without a cast the result stays assignable to the kind it is.
    expect((h as unknown as tf.SymbolicTensor).shape).toEqual([null, 3]);
    const x = tf.input({ shape: [3] });
    const m = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1 }).apply(x) });
    expect(m.outputs[0].shape).toEqual([null, 1]);
    const y = tf.layers.dense({ units: 2 }).apply(tf.ones([1, 3]));
    expect((y as tf.Tensor).shape).toEqual([1, 2]);
    // MultiHeadAttention's own apply overloads allow the same casts.
    const q = tf.input({ shape: [2, 4] });
    const att = tf.layers.multiHeadAttention({ numHeads: 1, keyDim: 2 }).apply([q, q]) as tf.Tensor;
    expect((att as unknown as tf.SymbolicTensor).shape).toEqual([null, 2, 4]);
  });

  it('tf.Variable takes tfjs\'s rank parameter', () => {
    const v: tf.Variable<tf.Rank.R2> = tf.variable(tf.zeros([2, 2]));
    expectTypeOf(v.arraySync()).toEqualTypeOf<number[][]>();
    expect(v.arraySync()).toEqual([[0, 0], [0, 0]]);
  });
});
