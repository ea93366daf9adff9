// The ONNX file computes in float32 whatever the dtype policy: the policy decides how predict's products round
// (bf16 operands under mixed_bfloat16), not the weights, and the file holds only the weights and the graph. So
// export under mixed_bfloat16 writes the same bytes as under float32; ONNX Runtime then matches predict under
// float32 (<= 1e-5) and differs from predict under mixed_bfloat16 by bf16 rounding (docs/ONNX.md states the size).
// Runs on the native bf16 kernels where the CPU has them, else on the reference backend, which emulates bf16.
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { getBackend, nativeKernels, setBackend } from '../../src/backend/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { maxAbsDiff, ortPredict, ortSession, tokenIds } from './helpers.js';

const addon = nativeKernels() as unknown as { bf16Supported?: () => boolean } | null;
const nativeBf16 = !!addon?.bf16Supported?.();
const startBackend = getBackend();

afterEach(() => {
  rl.mixedPrecision.setGlobalPolicy('float32');
  setBackend(startBackend);
});

describe('ONNX export under the mixed_bfloat16 policy', () => {
  it('writes the float32 file: same bytes as under float32, equal to float32 predict, off bf16 predict by bf16 rounding', async () => {
    if (!nativeBf16) setBackend('reference');
    rl.setSeed(5);
    const L = rl.layers;
    const m = rl.sequential({ layers: [
      L.embedding({ inputDim: 60, outputDim: 32 }), L.conv1d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L.lstm({ units: 32, returnSequences: true }), L.gru({ units: 16 }), L.dense({ units: 8 }),
    ] });
    m.build([null, null]);
    const x = tokenIds(6, 30, 60, 2);
    const f32Bytes = toOnnx(m);
    const f32 = (m.predict(x) as rl.Tensor).values;
    rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16');
    expect(rl.mixedPrecision.getGlobalPolicy().computeDtype).toBe('bfloat16');
    const bf16Bytes = toOnnx(m);
    const bf16 = (m.predict(x) as rl.Tensor).values;
    expect(Buffer.from(bf16Bytes).equals(Buffer.from(f32Bytes))).toBe(true);
    const onnx = await ortPredict(await ortSession(bf16Bytes), x);
    const toF32 = maxAbsDiff(onnx, f32), toBf16 = maxAbsDiff(onnx, bf16);
    const scale = Math.max(...Array.from(f32, Math.abs));
    expect(toF32).toBeLessThanOrEqual(1e-5);
    // The policy was in effect (predict moved past float32 noise), and by rounding only: a few bf16 ulps (2^-8
    // relative) of the outputs' scale.
    expect(toBf16).toBeGreaterThan(1e-6);
    expect(toBf16).toBeLessThan(scale / 64);
  });
});
