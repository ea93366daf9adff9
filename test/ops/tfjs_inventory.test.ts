/**
 * Every tensor op on tfjs 4.22's top level, in its op namespaces and on tf.Tensor.prototype exists in rnnlab:
 * implemented, or refused with an error naming the op and why (src/ops/unsupported.ts), never absent.
 * Excluded are tfjs's names that are not tensor ops (listed below with the reason).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';

const NOT_TENSOR_OPS: Record<string, string[]> = {
  'layers, models and training (other parts of rnnlab)': ['AdadeltaOptimizer', 'AdagradOptimizer', 'AdamOptimizer', 'AdamaxOptimizer',
    'MomentumOptimizer', 'RMSPropOptimizer', 'SGDOptimizer', 'OptimizerConstructors', 'Optimizer', 'Callback', 'CallbackList', 'CustomCallback',
    'EarlyStopping', 'History', 'InputSpec', 'LayerVariable', 'LayersModel', 'RNN', 'Sequential', 'SymbolicTensor', 'Variable', 'Tensor',
    'TensorBuffer', 'input', 'model', 'sequential', 'loadLayersModel', 'registerCallbackConstructor', 'train'],
  'the graph-model converter': ['GraphModel', 'loadGraphModel', 'loadGraphModelSync', 'registerOp', 'deregisterOp'],
  'engine, backend and kernel registries': ['DataStorage', 'Environment', 'KernelBackend', 'MathBackendCPU', 'MathBackendWebGL', 'GPGPUContext',
    'backend', 'engine', 'env', 'findBackend', 'findBackendFactory', 'getBackend', 'getGradient', 'getKernel', 'getKernelsForBackend',
    'registerBackend', 'registerGradient', 'registerKernel', 'removeBackend', 'copyRegisteredKernels', 'unregisterGradient', 'unregisterKernel',
    'setPlatform', 'setWebGLContext', 'forceHalfFloat', 'enableDebugMode', 'enableProdMode', 'deprecationWarn', 'disableDeprecationWarnings',
    'op', 'profile', 'time'],
};
const excluded = new Set(Object.values(NOT_TENSOR_OPS).flat());
const tfTop = tf as unknown as Record<string, unknown>, rlTop = rl as unknown as Record<string, unknown>;

describe('tfjs tensor ops exist in rnnlab', () => {
  it('every top-level tensor function', () => {
    const names = Object.keys(tfTop).filter((k) => typeof tfTop[k] === 'function' && !excluded.has(k));
    expect(names.length).toBeGreaterThan(200);
    expect(names.filter((k) => typeof rlTop[k] !== 'function')).toEqual([]);
  });

  it.each(['linalg', 'signal', 'spectral', 'image', 'sparse', 'string', 'fused'])('every member of tf.%s', (ns) => {
    const theirs = Object.keys(tfTop[ns] as object), ours = rlTop[ns] as Record<string, unknown>;
    expect(theirs.filter((k) => typeof ours?.[k] !== 'function')).toEqual([]);
  });

  it('every Tensor method and property', () => {
    const theirs = Object.getOwnPropertyNames(tf.Tensor.prototype).filter((k) => k !== 'constructor');
    const x = rl.ones([2]) as unknown as Record<string, unknown>;
    expect(theirs.filter((k) => !(k in x))).toEqual([]);
  });
});
