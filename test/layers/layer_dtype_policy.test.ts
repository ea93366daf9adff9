/**
 * A layer's dtype policy (src/layers/layer.ts's checkDtype → src/mixed_precision.ts's layerDtypePolicy): a Keras 3
 * model saved under mixed_bfloat16 (every layer's dtype a DTypePolicy named mixed_bfloat16, float32 weights) loads
 * in float32 with exact weights and fp32 results; a policy rnnlab cannot run is refused naming the layer and policy.
 */
import { describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { layerDtypePolicy } from '../../src/mixed_precision.js';

describe('layer dtype policies', () => {
  it('loads a Keras 3 model saved under mixed_bfloat16 in float32, saying once that the global policy applies', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'mixed_bfloat16' }, registered_name: null };
      const topology = { class_name: 'Sequential', config: { name: 'sequential', layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 3], dtype: 'float32', name: 'input_layer' } },
        { module: 'keras.layers', class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: policy, units: 2, activation: 'linear', use_bias: true } },
      ] } };
      const kernel = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6], bias = [0.05, -0.05];
      const m = rl.layersModelFromArtifacts({ modelTopology: topology, weightSpecs: [
        { name: 'dense/kernel', shape: [3, 2], dtype: 'float32' }, { name: 'dense/bias', shape: [2], dtype: 'float32' }],
      weightData: new Float32Array([...kernel, ...bias]).buffer });
      expect([...m.getWeights()[0].dataSync()]).toEqual([...new Float32Array(kernel)]);
      const y = (m.predict(rl.tensor2d([[1.001, 2.003, 3.007]])) as rl.Tensor).dataSync();
      expect(y[0]).toBeCloseTo(0.1 * 1.001 + 0.3 * 2.003 - 0.5 * 3.007 + 0.05, 6);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/dense \(Dense\): dtype policy 'mixed_bfloat16' differs from the global policy 'float32'/);
    } finally { warn.mockRestore(); }
  });

  it('refuses a layer dtype policy rnnlab cannot run, naming the layer and the policy', () => {
    expect(() => rl.layers.dense({ units: 1, name: 'out', dtype: 'mixed_float16' } as never)).toThrow(/^out \(Dense\): dtype policy 'mixed_float16' is not supported/);
    expect(() => rl.layers.lstm({ units: 1, name: 'rnn', dtype: { className: 'DTypePolicy', config: { name: 'bfloat16' } } } as never)).toThrow(/^rnn \(LSTM\): dtype policy 'bfloat16' is not supported/);
    expect(() => rl.layers.dense({ units: 1, name: 'o2', dtype: 'flaot32' } as never)).toThrow(/did you mean 'float32'/);
  });

  it("says nothing of a layer's 'float32' (its weights' dtype, what rnnlab saves) under mixed_bfloat16", () => {
    const backend = rl.getBackend();
    rl.setBackend('reference');
    try {
      rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16');
      const said: string[] = [];
      expect(layerDtypePolicy('d (Dense)', 'float32', (m) => said.push(m))).toBe('float32');
      expect(said).toEqual([]);
    } finally {
      rl.mixedPrecision.setGlobalPolicy('float32');
      rl.setBackend(backend);
    }
  });
});
