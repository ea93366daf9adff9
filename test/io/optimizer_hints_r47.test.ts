// Two promises about optimizers that must hold together: a refusal that points elsewhere names an API that exists,
// and an optimizer config reads the same whether a file's Keras training config or compile's {class_name, config}
// carries it (no-op keys such as jit_compile taken, keys that would change training refused, on both).
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';

/** Each `rl.a.b` a message names, looked up on the exported rl object. */
function namedApis(message: string): { name: string; type: string }[] {
  return [...message.matchAll(/\brl\.[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/g)].map(([name]) => {
    const value = name.split('.').slice(1).reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], rl);
    return { name, type: typeof value };
  });
}

async function saveRefusal(optimizer: rl.Optimizer): Promise<string> {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer, loss: 'mse' });
  const handler = rl.io.withSaveHandler(async () => ({}));
  const err = await m.save(handler, { includeOptimizer: true }).then(() => undefined, (e: Error) => e);
  expect(err).toBeInstanceOf(Error);
  return (err as Error).message;
}

describe('includeOptimizer refusals name APIs that exist', () => {
  it.each([
    ['Adam with a weight decay', () => rl.optimizers.adam({ weightDecay: 0.01 })],
    ['SGD with a schedule', () => rl.optimizers.sgd({ learningRate: new rl.optimizers.schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }) })],
  ])('%s: every rl.* the message names is a function', async (_, make) => {
    const message = await saveRefusal(make());
    const named = namedApis(message);
    expect(named.map((n) => n.name)).toContain('rl.writeCheckpoint');
    for (const n of named) expect(n, message).toEqual({ name: n.name, type: 'function' });
  });
});

// tf.keras 2.12's Adam().get_config(): what TF 2.11-2.15 writes for a built-in optimizer.
const TF212 = { name: 'Adam', weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false, ema_momentum: 0.99,
  ema_overwrite_frequency: null, jit_compile: true, is_legacy_optimizer: false, learning_rate: 0.002, beta_1: 0.8, beta_2: 0.99, epsilon: 1e-7, amsgrad: false };

function topology(config: Record<string, unknown>) {
  return {
    class_name: 'Sequential', keras_version: '2.12.0', backend: 'tensorflow',
    config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 1, batch_input_shape: [null, 2], dtype: 'float32', activation: 'linear', use_bias: true } }] },
    training_config: { loss: 'mse', metrics: [], optimizer_config: { class_name: 'Custom>Adam', config } },
  };
}

/** The file path: the optimizer's config when the model loads compiled, else the warning it loads uncompiled with. */
async function viaFile(config: Record<string, unknown>): Promise<{ config?: unknown; refused?: string }> {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const m = await rl.loadLayersModel(rl.io.fromMemory({
    modelTopology: topology(config), weightData: new Float32Array(3).buffer,
    weightSpecs: [{ name: 'd/kernel', shape: [2, 1], dtype: 'float32' }, { name: 'd/bias', shape: [1], dtype: 'float32' }],
  }));
  const warned = warn.mock.calls.map((c) => String(c[0])).join('\n');
  warn.mockRestore();
  return m.optimizer ? { config: m.optimizer.getConfig() } : { refused: warned };
}

/** The compile path: the same config as Keras's serialized {class_name, config}. */
function viaCompile(config: Record<string, unknown>): { config?: unknown; refused?: string } {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  try {
    m.compile({ optimizer: { class_name: 'Adam', config }, loss: 'mse' });
  } catch (e) {
    return { refused: (e as Error).message };
  }
  return { config: m.optimizer!.getConfig() };
}

afterEach(() => vi.restoreAllMocks());

describe('a file and compile read an optimizer config by one rule', () => {
  const expected = { name: 'Adam', learningRate: 0.002, beta1: 0.8, beta2: 0.99, epsilon: 1e-7, amsgrad: false };
  it.each([
    ['TF 2.12 get_config()', TF212],
    ['jit_compile false', { ...TF212, jit_compile: false }],
    ['camelCase jitCompile', { learning_rate: 0.002, beta_1: 0.8, beta_2: 0.99, epsilon: 1e-7, name: 'Adam', jitCompile: true }],
    ['use_ema false with ema settings Keras never reads', { ...TF212, ema_momentum: 0.5, ema_overwrite_frequency: 10 }],
  ])('takes %s on both, as the same optimizer', async (_, config) => {
    expect(await viaFile(config)).toEqual({ config: expected });
    expect(viaCompile(config)).toEqual({ config: expected });
  });

  it.each([
    ['use_ema true', { ...TF212, use_ema: true }, 'use_ema'],
    ['global_clipnorm 1', { ...TF212, global_clipnorm: 1 }, 'global_clipnorm'],
    ['loss_scale_factor 2', { ...TF212, loss_scale_factor: 2 }, 'loss_scale_factor'],
    ['ema_momentum 0.5 without use_ema false', { learning_rate: 0.002, ema_momentum: 0.5 }, 'ema_momentum'],
    ['ema_overwrite_frequency 10 with use_ema true', { ...TF212, use_ema: true, ema_overwrite_frequency: 10 }, 'use_ema'],
    ['amsgrad true', { ...TF212, amsgrad: true }, 'amsgrad'],
    ['an unknown key', { ...TF212, jit_compiles: true }, 'jit_compiles'],
  ])('refuses %s on both, naming the key', async (_, config, key) => {
    const file = await viaFile(config);
    const compiled = viaCompile(config);
    expect(file.config).toBeUndefined();
    expect(compiled.config).toBeUndefined();
    expect(file.refused).toContain(`'${key}'`);
    expect(compiled.refused).toContain(`'${key}'`);
  });

  it('constructors read the same rule', () => {
    // Keras 3's constructors refuse tf.keras 2's run-only keys, which only a saved config carries (r48).
    expect(() => rl.optimizers.adam({ learningRate: 0.002, jit_compile: true } as never)).toThrow(/Argument\(s\) not recognized: 'jit_compile'/);
    expect(new rl.Adam({ use_ema: false, ema_momentum: 0.5, ema_overwrite_frequency: 10 } as never).learningRate).toBe(0.001);
    expect(() => rl.optimizers.adam({ ema_momentum: 0.5 } as never)).toThrow(/option 'ema_momentum' = 0.5 is not supported/);
    expect(() => rl.optimizers.adam({ use_ema: true } as never)).toThrow(/option 'use_ema' = true is not supported/);
  });
});
