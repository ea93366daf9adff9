/**
 * Keras 3's keras.mixed_precision names on rl.mixedPrecision (dtype_policy() / global_policy() return the global
 * policy, set_dtype_policy, the DTypePolicy / Policy class with compute_dtype and variable_dtype), the options
 * setGlobalPolicy refuses, the layer getters (dtypePolicy, computeDtype, variableDtype), and API.md's account of
 * which recurrences run in bf16.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { getBackend, setBackend } from '../../src/backend/index.js';

const mp = rl.mixedPrecision;
const startBackend = getBackend();
afterEach(() => {
  mp.setGlobalPolicy('float32');
  setBackend(startBackend);
});

describe('rl.mixedPrecision: Keras 3 names', () => {
  it('dtypePolicy() and globalPolicy() return the global policy; dtypePolicy(name) makes one', () => {
    setBackend('reference');
    expect(mp.dtypePolicy().name).toBe('float32');
    mp.setGlobalPolicy('mixed_bfloat16');
    expect(mp.dtypePolicy()).toBe(mp.getGlobalPolicy());
    expect(mp.globalPolicy()).toBe(mp.getGlobalPolicy());
    expect(mp.globalPolicy().name).toBe('mixed_bfloat16');
    expect(mp.dtypePolicy('float32').computeDtype).toBe('float32');
  });

  it('setDtypePolicy is setGlobalPolicy', () => {
    setBackend('reference');
    expect(mp.setDtypePolicy('mixed_bfloat16').name).toBe('mixed_bfloat16');
    expect(mp.getGlobalPolicy().name).toBe('mixed_bfloat16');
    expect(() => mp.setDtypePolicy('mixed_float16' as never)).toThrow(/'mixed_float16' is not supported/);
  });

  it('DTypePolicy / Policy: name, computeDtype, variableDtype and their snake_case getters; no name takes the global one', () => {
    setBackend('reference');
    const p = new mp.DTypePolicy('mixed_bfloat16');
    expect(p).toBeInstanceOf(mp.Policy);
    expect(rl.DTypePolicy).toBe(mp.DTypePolicy);
    expect([p.name, p.computeDtype, p.variableDtype, p.compute_dtype, p.variable_dtype]).toEqual(['mixed_bfloat16', 'bfloat16', 'float32', 'bfloat16', 'float32']);
    expect(Object.isFrozen(p)).toBe(true);
    expect(new mp.Policy('float32').compute_dtype).toBe('float32');
    expect(new mp.DTypePolicy().name).toBe('float32');
    mp.setGlobalPolicy(p);
    expect(new mp.DTypePolicy().name).toBe('mixed_bfloat16');
    expect(mp.getGlobalPolicy()).toBeInstanceOf(mp.DTypePolicy);
    expect(mp.getGlobalPolicy().compute_dtype).toBe('bfloat16');
    expect(() => new mp.DTypePolicy('mixed_bfloat' as never)).toThrow(/did you mean 'mixed_bfloat16'/);
  });

  it('setGlobalPolicy refuses unknown option keys, a non-function warn and a policy whose dtypes contradict its name', () => {
    expect(() => mp.setGlobalPolicy('float32', { bogus: 1 } as never)).toThrow(/setGlobalPolicy: unknown option 'bogus': the only option is warn/);
    expect(() => mp.setGlobalPolicy('float32', { wran: () => {} } as never)).toThrow(/unknown option 'wran' \(did you mean 'warn'\?\)/);
    expect(() => mp.setGlobalPolicy('float32', { warn: 1 } as never)).toThrow(/option warn must be a function/);
    expect(() => mp.setGlobalPolicy('float32', null as never)).toThrow(/options must be an object/);
    expect(() => mp.setGlobalPolicy({ name: 'mixed_bfloat16', computeDtype: 'float16' } as never)).toThrow(/policy 'mixed_bfloat16': computeDtype the string "float16" contradicts the name, whose computeDtype is 'bfloat16'/);
    expect(() => mp.setGlobalPolicy({ name: 'float32', variable_dtype: 'bfloat16' } as never)).toThrow(/variable_dtype .* contradicts the name/);
    expect(mp.getGlobalPolicy().name).toBe('float32');
    setBackend('reference');
    expect(mp.setGlobalPolicy({ name: 'mixed_bfloat16', computeDtype: 'bfloat16', variableDtype: 'float32' } as never).name).toBe('mixed_bfloat16');
    expect(mp.setGlobalPolicy('float32', { warn: () => {} }).name).toBe('float32');
  });
});

describe('layer.dtypePolicy, computeDtype, variableDtype (Keras 3 getters)', () => {
  it('follow the global policy on every layer; variables stay float32', () => {
    setBackend('reference');
    const layers = [rl.layers.dense({ units: 2 }), rl.layers.lstm({ units: 2 }), rl.layers.conv1d({ filters: 2, kernelSize: 1 }),
      rl.layers.embedding({ inputDim: 4, outputDim: 2 }), rl.layers.dropout({ rate: 0.5 }), rl.layers.dense({ units: 2, dtype: 'mixed_bfloat16' })];
    for (const l of layers) {
      expect(l.dtypePolicy.name, l.name).toBe('float32');
      expect(l.computeDtype, l.name).toBe('float32');
      expect(l.variableDtype, l.name).toBe('float32');
    }
    mp.setGlobalPolicy('mixed_bfloat16');
    for (const l of layers) {
      expect(l.dtypePolicy, l.name).toBe(mp.getGlobalPolicy());
      expect(l.computeDtype, l.name).toBe('bfloat16');
      expect(l.variableDtype, l.name).toBe('float32');
      expect(l.dtype, l.name).toBe('float32');
    }
  });
});

describe("API.md on bf16 recurrences", () => {
  it('says the composed-step path runs h·R in bf16, not that every recurrence but the LSTM and every predict stays fp32', () => {
    const api = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    expect(api).not.toMatch(/every recurrent layer's `predict` path, stay fp32/);
    expect(api).toMatch(/composed steps instead \(a `softmax` activation or recurrentActivation, in `predict` too, or `recurrentDropout`, or `dropout` under `implementation: 1`, while training\) computes h·R as a bf16 GEMM/);
  });

  it('a softmax SimpleRNN (composed steps) runs its recurrence in bf16: predict equals apply, and differs from float32', () => {
    setBackend('reference');
    rl.setSeed(3);
    const m = rl.sequential({ layers: [rl.layers.simpleRNN({ units: 4, activation: 'softmax', inputShape: [5, 3] })] });
    const x = rl.tensor(Float32Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.cos(i * 0.7) * 1.7), [2, 5, 3]);
    const f32 = Array.from((m.predict(x) as rl.Tensor).dataSync());
    mp.setGlobalPolicy('mixed_bfloat16');
    const bf16 = Array.from((m.predict(x) as rl.Tensor).dataSync());
    expect(bf16).toEqual(Array.from((m.apply(x) as rl.Tensor).dataSync()));
    expect(bf16).not.toEqual(f32);
  });
});
