// tf.keras 2.11-2.15 writes jit_compile and is_legacy_optimizer in every optimizer config; Keras 3's constructors
// refuse them ("Argument(s) not recognized"). One rule: what the user constructs refuses them, a serialized config
// (fromConfig, compile's {class_name, config}, a loaded file) takes them.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const model = () => rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });

describe('run-only optimizer keys', () => {
  it.each([
    ['new rl.Adam', () => new rl.Adam({ jit_compile: true } as never), 'jit_compile'],
    ['new rl.RMSprop, camelCase', () => new rl.RMSprop({ jitCompile: false } as never), 'jitCompile'],
    ['rl.optimizers.sgd', () => rl.optimizers.sgd({ learningRate: 0.1, is_legacy_optimizer: false } as never), 'is_legacy_optimizer'],
    ['rl.optimizers.adamw, null', () => rl.optimizers.adamw({ jit_compile: null } as never), 'jit_compile'],
    ['new rl.Nadam, isLegacyOptimizer', () => new rl.Nadam({ isLegacyOptimizer: true } as never), 'isLegacyOptimizer'],
  ])('%s refuses the key by name', (_, make, key) => {
    expect(make).toThrow(new RegExp(`Argument\\(s\\) not recognized: '${key}'`));
  });

  it('fromConfig and compile\'s {class_name, config} take them (a serialized config)', () => {
    const config = { learning_rate: 0.02, beta_1: 0.8, jit_compile: true, is_legacy_optimizer: false };
    expect(rl.Adam.fromConfig(config).getConfig()).toMatchObject({ learningRate: 0.02, beta1: 0.8 });
    const sgd = rl.SGD.fromConfig({ learning_rate: 0.3, momentum: 0.5, jit_compile: false });
    expect([sgd.learningRate, sgd.momentum]).toEqual([0.3, 0.5]);
    const m = model();
    m.compile({ optimizer: { class_name: 'RMSprop', config: { learning_rate: 0.004, rho: 0.8, jit_compile: true } } as never, loss: 'mse' });
    expect(m.optimizer!.getConfig()).toMatchObject({ learningRate: 0.004, rho: 0.8 });
  });

  it.each(['jit_compile', 'jitCompile'])('compile refuses its own %s, naming it', (key) => {
    const m = model();
    expect(() => m.compile({ optimizer: 'adam', loss: 'mse', [key]: true } as never)).toThrow(new RegExp(`option '${key}' is not supported by rnnlab \\(it chooses only how Keras runs`));
  });
});
