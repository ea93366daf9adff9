/**
 * Keras 3's mixed precision API as rnnlab reads it (src/mixed_precision.ts): every policy name Keras accepts is run
 * or refused by name, serialized DTypePolicy objects, layer dtype policies, the one fallback message, and a model
 * trained under mixed_bfloat16 (reference emulation, any CPU): deterministic per seed, near its float32 twin, fp32
 * weights and optimizer state, saved and reloaded in float32 with exact weights.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { getBackend, nativeKernels, setBackend, setPrecision } from '../../src/backend/index.js';
import { layerDtypePolicy } from '../../src/mixed_precision.js';
import { lcg } from './bf16_tiny_model.js';

const mp = rl.mixedPrecision;
const startBackend = getBackend();
const nativeBf16 = !!(nativeKernels() as unknown as { bf16Supported?: () => boolean } | null)?.bf16Supported?.();
const root = mkdtempSync(join(tmpdir(), 'rnnlab-mp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  setPrecision(32);
  setBackend('reference');
  mp.setGlobalPolicy('float32');
  setBackend(startBackend);
});

describe('mixed precision policies as Keras 3 names them', () => {
  it.skipIf(startBackend !== 'native' || nativeBf16)('without AVX512-BF16 falls back to float32 and says so once on stderr, naming what runs', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(mp.setGlobalPolicy('mixed_bfloat16').name).toBe('float32');
      expect(mp.setGlobalPolicy('mixed_bfloat16').name).toBe('float32');
      expect(mp.getGlobalPolicy()).toMatchObject({ name: 'float32', computeDtype: 'float32' });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/^rnnlab: mixed_bfloat16 needs .*AVX512-BF16.*; running in float32 instead\.$/);
    } finally { warn.mockRestore(); }
  });

  it('refuses the Keras policies it does not run, each by name with what to use', () => {
    const cases: [string, RegExp][] = [
      ['mixed_float16', /mixed precision policy 'mixed_float16' is not supported: float16 products .*loss scaling.*use mixed_bfloat16/],
      ['float16', /policy 'float16' is not supported: .*float16.*use mixed_bfloat16/],
      ['bfloat16', /policy 'bfloat16' is not supported: it keeps the variables in bfloat16.*use mixed_bfloat16/],
      ['float64', /policy 'float64' is not supported: use rl\.setPrecision\(64\)/],
      ['int8_from_mixed_bfloat16', /policy 'int8_from_mixed_bfloat16' is not supported: quantized policies/],
      ['float8_from_float32', /policy 'float8_from_float32' is not supported: quantized/],
    ];
    for (const [name, want] of cases) expect(() => mp.setGlobalPolicy(name as never), name).toThrow(want);
    expect(mp.getGlobalPolicy().name).toBe('float32');
  });

  it('names an unknown policy with the nearest one', () => {
    expect(() => mp.setGlobalPolicy('mixed_bfloat' as never)).toThrow(/unknown mixed precision policy 'mixed_bfloat' \(did you mean 'mixed_bfloat16'\?\): use float32 or mixed_bfloat16/);
    expect(() => mp.setGlobalPolicy('Float32' as never)).toThrow(/did you mean 'float32'/);
    expect(() => mp.setGlobalPolicy('half' as never)).toThrow(/^unknown mixed precision policy 'half': use float32 or mixed_bfloat16$/);
    expect(() => mp.setGlobalPolicy(16 as never)).toThrow(/unknown mixed precision policy number 16/);
    expect(() => mp.setGlobalPolicy({ className: 'DTypePolicy', config: {} } as never)).toThrow(/an object without a name/);
    expect(() => mp.setGlobalPolicy({ className: 'Dense', config: { name: 'float32' } } as never)).toThrow(/class the string "Dense" is not a DTypePolicy/);
  });

  it('takes a policy, a name or a serialized DTypePolicy (camelCase or Keras snake_case); the getter follows', () => {
    setBackend('reference');
    expect(mp.setGlobalPolicy({ className: 'DTypePolicy', config: { name: 'mixed_bfloat16' } })).toEqual({ name: 'mixed_bfloat16', computeDtype: 'bfloat16', variableDtype: 'float32' });
    expect(mp.getGlobalPolicy().name).toBe('mixed_bfloat16');
    mp.setGlobalPolicy({ module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null } as never);
    expect(mp.getGlobalPolicy().computeDtype).toBe('float32');
    expect(mp.setGlobalPolicy(mp.dtypePolicy('mixed_bfloat16')).computeDtype).toBe('bfloat16');
    expect(() => mp.dtypePolicy('mixed_float16' as never)).toThrow(/'mixed_float16' is not supported/);
  });

  it('refuses mixed_bfloat16 under float64 tensors rather than naming a policy that would not run', () => {
    setBackend('reference');
    setPrecision(64);
    expect(() => mp.setGlobalPolicy('mixed_bfloat16')).toThrow(/'mixed_bfloat16' needs float32 tensors: call rl\.setPrecision\(32\)/);
    expect(mp.getGlobalPolicy().name).toBe('float32');
  });

  it("checks a layer's dtype policy: float32 variables accepted, a policy differing from the global one said, others refused by name", () => {
    const said: string[] = [];
    expect(layerDtypePolicy('dense (Dense)', { className: 'DTypePolicy', config: { name: 'mixed_bfloat16' } }, (m) => said.push(m))).toBe('mixed_bfloat16');
    expect(said).toEqual([`rnnlab: dense (Dense): dtype policy 'mixed_bfloat16' differs from the global policy 'float32', which rnnlab applies to every layer (rl.mixedPrecision.setGlobalPolicy).`]);
    expect(layerDtypePolicy('d', 'float32', (m) => said.push(m))).toBe('float32');
    expect(layerDtypePolicy('d', null, (m) => said.push(m))).toBe('float32');
    expect(said).toHaveLength(1);
    expect(() => layerDtypePolicy('out (Dense)', 'mixed_float16')).toThrow(/^out \(Dense\): dtype policy 'mixed_float16' is not supported/);
    expect(() => layerDtypePolicy('out (Dense)', 'float61')).toThrow(/^out \(Dense\): unknown dtype policy 'float61' \(did you mean 'float32'\?\)/);
  });

  it("reads tfjs's legacy inputDType as dtype: the same policies taken and refused, two different values refused", () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], inputDType: 'float32' })] });
    expect(m.predict(rl.ones([1, 3])).shape).toEqual([1, 2]);
    expect(m.layers[0].getConfig().dtype).toBe('float32');
    expect(() => rl.layers.embedding({ inputDim: 5, outputDim: 2, inputDType: 'int32' as 'float32' })).toThrow(/unknown dtype policy 'int32'/);
    expect(() => rl.layers.dense({ units: 2, dtype: 'float32', inputDType: 'mixed_bfloat16' })).toThrow(/dtype "float32" and inputDType "mixed_bfloat16" disagree; give one of them/);
  });
});

/** y = 1 when x0 * x1 > 0: a tiny nonlinear task a Dense-tanh-Dense model learns. */
function data(n: number, seed: number): { x: rl.Tensor; y: rl.Tensor } {
  const next = lcg(seed), x = new Float32Array(n * 2), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = next() * 2 - 1; x[2 * i + 1] = next() * 2 - 1;
    y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0;
  }
  return { x: rl.tensor(x, [n, 2]), y: rl.tensor(y, [n, 1]) };
}

async function train(policy: 'float32' | 'mixed_bfloat16'): Promise<{ model: rl.Sequential; loss: number }> {
  mp.setGlobalPolicy(policy);
  rl.setSeed(5);
  const model = rl.sequential({ layers: [
    rl.layers.dense({ units: 16, activation: 'tanh', inputShape: [2] }),
    rl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  model.compile({ optimizer: rl.train.adam(0.05), loss: 'binaryCrossentropy' });
  const d = data(200, 1);
  const h = await model.fit(d.x, d.y, { epochs: 8, batchSize: 20, verbose: 0 });
  const losses = h.history.loss as number[];
  return { model, loss: losses[losses.length - 1] };
}

describe('a model trained under mixed_bfloat16 (reference emulation)', () => {
  it('is deterministic per seed, near float32, keeps fp32 weights and loss, and reloads in float32 exactly', async () => {
    setBackend('reference');
    const a = await train('mixed_bfloat16'), b = await train('mixed_bfloat16');
    const wa = a.model.getWeights().map((w) => [...w.dataSync()]), wb = b.model.getWeights().map((w) => [...w.dataSync()]);
    expect(wb).toEqual(wa);
    expect(b.loss).toBe(a.loss);
    const f = await train('float32');
    expect(f.loss).toBeLessThan(0.45);
    expect(Math.abs(a.loss - f.loss)).toBeLessThan(0.05);
    expect(wa).not.toEqual(f.model.getWeights().map((w) => [...w.dataSync()]));
    for (const w of a.model.getWeights()) expect(w.values).toBeInstanceOf(Float32Array);

    mp.setGlobalPolicy('mixed_bfloat16');
    const dir = join(root, 'bf16-model');
    await a.model.save(`file://${dir}`);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const dtypes = json.modelTopology.config.layers.map((l: { config: { dtype: unknown } }) => l.config.dtype);
    expect(dtypes).toEqual(['float32', 'float32']); // tfjs's dtype string: the variables' dtype, readable by tfjs
    mp.setGlobalPolicy('float32');
    const loaded = await rl.loadLayersModel(`file://${dir}`);
    expect(loaded.getWeights().map((w) => [...w.dataSync()])).toEqual(wa);
    const x = data(10, 3).x;
    expect([...(loaded.predict(x) as rl.Tensor).dataSync()]).toEqual([...(a.model.predict(x) as rl.Tensor).dataSync()]);
  }, 120_000);
});

describe('the policy after the backend changes', () => {
  it.skipIf(startBackend !== 'native' || nativeBf16)('names the policy when native kernels without AVX512-BF16 would have to run it', () => {
    setBackend('reference');
    expect(mp.setGlobalPolicy('mixed_bfloat16').name).toBe('mixed_bfloat16');
    const d = rl.layers.dense({ units: 2, inputShape: [3] });
    setBackend('native');
    expect(() => d.apply(rl.tensor2d([[1, 2, 3]]))).toThrow(/the mixed_bfloat16 policy is in force but the native kernels cannot run it \(they need a CPU with AVX512-BF16 .*\): set the policy again/);
    mp.setGlobalPolicy('float32');
    expect((d.apply(rl.tensor2d([[1, 2, 3]])) as rl.Tensor).shape).toEqual([1, 2]);
  });
});
