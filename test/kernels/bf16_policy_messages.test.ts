/**
 * What setGlobalPolicy and a layer's dtype say: a fallback message a caller's warn took does not count as shown on
 * stderr, and a policy object's keys rnnlab does not read are refused by name rather than dropped.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { backendInfo, nativeKernels, setIsa } from '../../src/backend/index.js';

const addon = nativeKernels();
const startIsa = addon ? backendInfo().isa : '';

afterEach(() => {
  vi.restoreAllMocks();
  rl.mixedPrecision.setGlobalPolicy('float32');
  if (addon) setIsa(startIsa);
});

describe('the fallback message', () => {
  it.skipIf(!addon || !backendInfo().isas.includes('avx2'))('still reaches stderr once after an earlier call gave it to warn', () => {
    const stderr = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    setIsa('avx2');
    const taken: string[] = [];
    rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16', { warn: (m) => taken.push(m) });
    expect([taken.length, stderr.mock.calls.length]).toEqual([1, 0]);
    expect(rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16').name).toBe('float32');
    rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16');
    expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/^rnnlab: mixed_bfloat16 needs .*; running in float32 instead\.$/)]);
  });
});

describe('policy objects', () => {
  it.each([
    [{ className: 'DTypePolicy', config: { name: 'float32', foo: 1 } }, "'config.foo' is not read by rnnlab"],
    [{ class_name: 'DTypePolicy', config: { name: 'mixed_bfloat16', quantization_mode: 'int8' } }, "'config.quantization_mode' is not read"],
    [{ name: 'mixed_bfloat16', bogus: 1 }, "'bogus' is not read by rnnlab (a policy object has name, computeDtype"],
    [{ name: 'float32', className: 'DTypePolicy', config: { name: 'mixed_bfloat16' } }, "'name' is not read by rnnlab (a serialized policy has"],
  ])('%j is refused naming the key', (p, message) => {
    expect(() => rl.mixedPrecision.setGlobalPolicy(p as never)).toThrow(message);
    expect(() => rl.layers.dense({ units: 1, dtype: p as never })).toThrow(message);
  });

  it("Keras 3's serialize() form and a Policy object are read", () => {
    const keras3 = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    expect(rl.mixedPrecision.setGlobalPolicy(keras3 as never).name).toBe('float32');
    expect(rl.mixedPrecision.setGlobalPolicy(new rl.mixedPrecision.Policy('float32')).name).toBe('float32');
    expect(rl.mixedPrecision.setGlobalPolicy({ name: 'float32', computeDtype: 'float32' } as never).name).toBe('float32');
  });
});
