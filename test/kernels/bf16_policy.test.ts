/**
 * The mixed_bfloat16 policy (src/mixed_precision.ts): names, the fallback where the native bf16 kernels cannot run,
 * the routing of a layer's products through the bf16 kernels, and a tiny Conv1D model that trains under it to the
 * accuracy it reaches in float32. Runs on the native kernels where AVX512-BF16 is there, else on the reference
 * backend, which emulates bf16.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { Act, nativeKernels, setBackend, setIsa, backendInfo } from '../../src/backend/index.js';
import { gemmBf16 } from '../../src/backend/reference/bf16_gemm.js';
import { lcg, trainTiny, type TinyRun } from './bf16_tiny_model.js';

const addon = nativeKernels() as unknown as { bf16Supported?: () => boolean } | null;
const nativeBf16 = !!addon?.bf16Supported?.();
const startIsa = addon ? backendInfo().isa : '';

afterEach(() => {
  rl.mixedPrecision.setGlobalPolicy('float32');
  if (addon) { setBackend('native'); setIsa(startIsa); }
});

/** Token sequences; the label says whether token 7 occurs (a Conv1D + max-pool finds it). */
function data(n: number, seed: number): { x: rl.Tensor; y: rl.Tensor } {
  const T = 20, next = lcg(seed);
  const x = new Float32Array(n * T), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const pos = next() < 0.5 ? Math.floor(next() * T) : -1;
    for (let t = 0; t < T; t++) x[i * T + t] = t === pos ? 7 : 8 + Math.floor(next() * 8);
    y[i] = pos >= 0 ? 1 : 0;
  }
  return { x: rl.tensor(x, [n, T]), y: rl.tensor(y, [n, 1]) };
}

const conv: TinyRun = {
  layers: () => [
    rl.layers.embedding({ inputDim: 16, outputDim: 8, inputLength: 20 }),
    rl.layers.conv1d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
    rl.layers.globalMaxPooling1d({}),
    rl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
  data, epochs: 12, seed: 3, learningRate: 0.02, weight: 1,
};

describe('mixed precision policy', () => {
  it('starts as float32 and names a bad policy', () => {
    expect(rl.mixedPrecision.getGlobalPolicy()).toMatchObject({ name: 'float32', computeDtype: 'float32', variableDtype: 'float32' });
    expect(() => rl.mixedPrecision.setGlobalPolicy('mixed_float16' as never)).toThrow(/mixed precision policy 'mixed_float16' is not supported: .*use mixed_bfloat16/);
  });

  it('on the reference backend emulates bf16 on any CPU: a Dense layer computes with bf16 products', () => {
    setBackend('reference');
    expect(rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16')).toMatchObject({ name: 'mixed_bfloat16', computeDtype: 'bfloat16', variableDtype: 'float32' });
    rl.setSeed(1);
    const d = rl.layers.dense({ units: 5, useBias: false });
    const x = rl.tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) * 3), [4, 3]);
    const y = d.apply(x) as rl.Tensor;
    const want = new Float32Array(20);
    gemmBf16(false, false, 4, 5, 3, 1, x.values as Float32Array, d.getWeightValues()[0], 0, want, null, Act.linear);
    expect([...y.values]).toEqual([...want]);
    rl.mixedPrecision.setGlobalPolicy('float32');
    const y32 = d.apply(x) as rl.Tensor;
    expect([...y32.values]).not.toEqual([...want]);
  });

  it.skipIf(!addon || !backendInfo().isas.includes('avx2'))('falls back to float32 with one message where the bf16 kernels cannot run (RNNLAB_ISA=avx2)', () => {
    const messages: string[] = [];
    setIsa('avx2');
    expect(rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16', { warn: (m) => messages.push(m) }).name).toBe('float32');
    expect(rl.mixedPrecision.getGlobalPolicy().computeDtype).toBe('float32');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^rnnlab: mixed_bfloat16 needs .*(avx2|AVX512-BF16).*; running in float32 instead\.$/);
  });

  it('a tiny Conv1D model trains under mixed_bfloat16 to its float32 accuracy', async () => {
    if (!nativeBf16) setBackend('reference'); // no AVX512-BF16 here: the emulation trains the same model
    const fp32 = await trainTiny('float32', conv);
    const bf16 = await trainTiny('mixed_bfloat16', conv);
    expect(rl.mixedPrecision.getGlobalPolicy().name).toBe('mixed_bfloat16');
    expect(fp32.acc).toBeGreaterThan(0.9);
    expect(bf16.acc).toBeGreaterThan(0.9);
    expect(Math.abs(bf16.acc - fp32.acc)).toBeLessThan(0.05);
    // The master weights stay float32 and the runs really differ (the products were rounded).
    expect(bf16.weights).toBeInstanceOf(Float32Array);
    expect([...bf16.weights]).not.toEqual([...fp32.weights]);
  }, 120_000);
});
