/**
 * What the mixed_bfloat16 policy reaches (src/mixed_precision.ts): as in Keras 3, layers only. Plain tensor ops
 * (matMul, dot, outerProduct, conv1d, basicLSTMCell) compute in fp32 under it, while Dense keeps its bf16 products;
 * an LSTM's predict computes what apply and evaluate compute (the bf16 recurrence); and float64 tensors are refused
 * while the policy is in force, as the policy is refused under float64. Runs on the reference backend, which emulates
 * bf16 on any CPU.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { Act, getBackend, getPrecision, setBackend, setPrecision } from '../../src/backend/index.js';
import { gemmBf16 } from '../../src/backend/reference/bf16_gemm.js';
import type { Layer } from '../../src/layers/layer.js';

const startBackend = getBackend();
afterEach(() => {
  rl.mixedPrecision.setGlobalPolicy('float32');
  setPrecision(32);
  setBackend(startBackend);
});

function underBoth<T>(fn: () => T): { f32: T; bf16: T } {
  setBackend('reference');
  rl.mixedPrecision.setGlobalPolicy('float32');
  const f32 = fn();
  expect(rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16').name).toBe('mixed_bfloat16');
  const bf16 = fn();
  rl.mixedPrecision.setGlobalPolicy('float32');
  return { f32, bf16 };
}

const vals = (t: rl.Tensor): number[] => Array.from(t.dataSync());

describe('mixed_bfloat16 applies to layers, not to plain tensor ops', () => {
  it('matMul, dot, outerProduct, conv1d, einsum and basicLSTMCell stay fp32 under the policy', () => {
    const a = rl.tensor2d([[0.1234567, 1.0000123, -0.3333333]]), b = rl.tensor2d([[1], [1], [1]]);
    const u = rl.tensor1d([1.0000123, 3.14159]), v = rl.tensor1d([2.7182818, 1]);
    const ops: Record<string, () => rl.Tensor> = {
      matMul: () => rl.matMul(a, b),
      matMulT: () => rl.matMul(rl.tensor2d([[1.0000123, 2.7182818], [3.14159, -0.1234567]]), rl.tensor2d([[1.0000123, 0.3333333], [1, 2]]), true, true),
      dot: () => rl.dot(a, b),
      outerProduct: () => rl.outerProduct(u, v),
      conv1d: () => rl.conv1d(rl.reshape(a, [1, 3, 1]), rl.ones([1, 1, 1]), 1, 'valid') as rl.Tensor,
      einsum: () => rl.einsum('ij,jk->ik', a, b),
      basicLSTMCell: () => {
        const kernel = rl.tensor2d(Array.from({ length: 4 * 8 / 2 }, (_, i) => [Math.sin(i + 0.123456), Math.cos(i * 1.7 + 0.0001234)]).flat(), [4, 8]);
        const [c, h] = rl.basicLSTMCell(rl.scalar(1), kernel, rl.zeros([8]), rl.tensor2d([[1.0000123, -0.7654321]]),
          rl.tensor2d([[0.11111, 0.2222222]]), rl.tensor2d([[0.3333333, -0.4444444]]));
        return rl.concat([c, h], 1);
      },
    };
    for (const [name, f] of Object.entries(ops)) {
      const { f32, bf16 } = underBoth(() => vals(f()));
      expect(bf16, name).toEqual(f32);
    }
    // float32 products, not bf16: 1.0000123 keeps its low bits.
    expect(underBoth(() => vals(rl.outerProduct(u, v))).bf16[1]).toBe(Math.fround(1.0000123));
  });

  it('a Dense layer still computes with bf16 products under the policy (the bf16 reference GEMM), unlike rl.matMul', () => {
    setBackend('reference');
    rl.setSeed(1);
    const d = rl.layers.dense({ units: 5, useBias: false });
    const x = rl.tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) * 3.0001), [4, 3]);
    const { f32, bf16 } = underBoth(() => vals(d.apply(x) as rl.Tensor));
    const w = d.getWeightValues()[0];
    const want = new Float32Array(20);
    gemmBf16(false, false, 4, 5, 3, 1, x.values as Float32Array, w, 0, want, null, Act.linear);
    expect(bf16).toEqual([...want]);
    expect(bf16).not.toEqual(f32);
    const plain = underBoth(() => vals(rl.matMul(x, rl.tensor(w, [3, 5]))));
    expect(plain.bf16).toEqual(plain.f32);
    expect(plain.bf16).toEqual(f32);
  });
});

describe('mixed_bfloat16: predict computes what apply and evaluate compute', () => {
  function model(layers: () => Layer[]): rl.Sequential {
    rl.setSeed(5);
    const m = rl.sequential();
    for (const l of layers()) m.add(l);
    m.add(rl.layers.dense({ units: 1, activation: 'sigmoid' }));
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    return m;
  }
  const x = rl.tensor(Float32Array.from({ length: 6 * 7 * 3 }, (_, i) => Math.sin(i * 0.37) * 1.3), [6, 7, 3]);
  const y = rl.tensor(Float32Array.from({ length: 6 }, (_, i) => i % 2), [6, 1]);

  it.each([
    ['lstm', () => [rl.layers.lstm({ units: 8, inputShape: [7, 3] })]],
    ['stacked lstm, goBackwards and returnSequences', () => [rl.layers.lstm({ units: 8, inputShape: [7, 3], goBackwards: true, returnSequences: true }), rl.layers.lstm({ units: 4 })]],
    ['bidirectional lstm', () => [rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 4 }) as never, inputShape: [7, 3] })]],
    ['gru', () => [rl.layers.gru({ units: 8, inputShape: [7, 3] })]],
  ] as [string, () => Layer[]][])('%s: predict equals apply exactly, and evaluate equals the loss of predict', (_name, layer) => {
    setBackend('reference');
    const m = model(layer);
    expect(rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16').name).toBe('mixed_bfloat16');
    const p = vals(m.predict(x) as rl.Tensor);
    const a = vals(m.apply(x) as rl.Tensor);
    expect(p).toEqual(a);
    const ev = (m.evaluate(x, y) as rl.Tensor).dataSync()[0];
    const bce = vals(rl.losses.binaryCrossentropy(y, m.predict(x) as rl.Tensor) as rl.Tensor);
    expect(Math.abs(ev - bce.reduce((s, v) => s + v, 0) / bce.length)).toBeLessThan(1e-7);
    rl.mixedPrecision.setGlobalPolicy('float32');
    // float32 differs from the bf16 run, so the bf16 recurrence really ran above.
    expect(vals(m.predict(x) as rl.Tensor)).not.toEqual(p);
  });
});

describe('setPrecision(64) under mixed_bfloat16', () => {
  it('is refused naming the policy, as the policy is refused under float64; float32 and the policy stay in force', () => {
    setBackend('reference');
    rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16');
    expect(() => rl.setPrecision(64)).toThrow(/setPrecision\(64\): the mixed precision policy 'mixed_bfloat16' is in force and needs float32 tensors: call rl\.mixedPrecision\.setGlobalPolicy\('float32'\) first/);
    expect(getPrecision()).toBe(32);
    expect(rl.mixedPrecision.getGlobalPolicy().name).toBe('mixed_bfloat16');
    expect(rl.backendInfo().precision).toBe('mixed_bfloat16');
    rl.setPrecision(32);
    rl.mixedPrecision.setGlobalPolicy('float32');
    rl.setPrecision(64);
    expect(getPrecision()).toBe(64);
  });
});
