/**
 * compile's optimizer beyond an object or a name: Keras's {class_name, config} (its optimizers.get form) is read as a
 * saved config is; a factory or class passed uncalled is an error saying to call it, not its source code.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function dense(): rl.Sequential {
  rl.setSeed(1);
  return rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
}

function compileError(optimizer: unknown): string {
  try {
    dense().compile({ optimizer: optimizer as never, loss: 'mse' });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('compile accepted it');
}

describe("compile's optimizer as Keras's {className, config}", () => {
  it('builds the class from its config (camelCase or snake_case keys, className or class_name)', () => {
    const a = dense();
    a.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.1, beta_1: 0.8 } } as never, loss: 'mse' });
    expect(a.optimizer).toBeInstanceOf(rl.Adam);
    expect(a.optimizer!.learningRate).toBe(0.1);
    expect((a.optimizer as rl.Adam).beta1).toBe(0.8);
    const s = dense();
    s.compile({ optimizer: { class_name: 'SGD', config: { learning_rate: 0.5, momentum: 0.9 } } as never, loss: 'mse' });
    expect(s.optimizer).toBeInstanceOf(rl.SGD);
    expect(s.optimizer!.learningRate).toBe(0.5);
    expect((s.optimizer as rl.SGD).momentum).toBe(0.9);
    const d = dense();
    d.compile({ optimizer: { className: 'RMSprop' } as never, loss: 'mse' });
    expect(d.optimizer!.learningRate).toBe(0.001);
  });

  it('trains as the same optimizer built directly', async () => {
    const x = rl.tensor([[1, 2], [0, 1], [2, 0]]), y = rl.tensor([[1], [0], [2]]);
    const a = dense(), b = dense();
    a.compile({ optimizer: { className: 'Adam', config: { learning_rate: 0.05 } } as never, loss: 'mse' });
    b.compile({ optimizer: rl.optimizers.adam({ learningRate: 0.05 }), loss: 'mse' });
    await a.fit(x, y, { epochs: 3, verbose: 0 });
    await b.fit(x, y, { epochs: 3, verbose: 0 });
    expect(a.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(b.getWeights().map((w) => Array.from(w.dataSync())));
  });

  it('refuses an unknown class, an unknown config key, other keys, naming them', () => {
    expect(compileError({ className: 'Lion' })).toMatch(/^compile: optimizer className 'Lion' is not an optimizer rnnlab has \(.*Adam.*SGD.*\)/);
    expect(compileError({ className: 'Adam', config: { learningRat: 0.1 } })).toMatch(/^compile: optimizer 'Adam': .*learningRat/);
    expect(compileError({ learningRate: 0.1 })).toMatch(/^compile: optimizer 'learningRate': an object given as the optimizer is Keras's \{className, config\}.*rl\.optimizers\.adam\(\{learningRate: 0\.01\}\)/);
    expect(compileError({ className: 'Adam', class_name: 'Adam' })).toBe('compile: optimizer: give className or class_name, not both');
    expect(compileError({ className: 'Adam', config: 3 })).toMatch(/^compile: optimizer 'Adam': config must be an object/);
    expect(compileError('lion')).toMatch(/^unknown optimizer 'lion'/);
  });

  it("takes Keras 3's serialize() form, with module and registered_name; a custom class registered in Python is refused", () => {
    const a = dense();
    a.compile({ optimizer: { module: 'keras.optimizers', class_name: 'Adam', config: { learning_rate: 0.01 }, registered_name: null } as never, loss: 'mse' });
    expect(a.optimizer).toBeInstanceOf(rl.Adam);
    expect(a.optimizer!.learningRate).toBe(0.01);
    expect(compileError({ module: 'my_pkg', class_name: 'Adam', config: {}, registered_name: 'Custom>Adam' }))
      .toMatch(/^compile: optimizer 'Adam' has registered_name "Custom>Adam", a custom optimizer registered in Python/);
    expect(compileError({ module: 3, class_name: 'Adam', config: {} })).toBe("compile: optimizer 'Adam': module must be a string, got 3");
  });
});

describe('compile given a factory or class uncalled', () => {
  it('says to call it, without printing its source', () => {
    const adam = compileError(rl.optimizers.adam);
    expect(adam).toBe('compile: optimizer is the factory rl.optimizers.adam, not an optimizer: call it, rl.optimizers.adam() or rl.optimizers.adam({learningRate: 0.01})');
    expect(compileError(rl.train.sgd)).toBe('compile: optimizer is the factory rl.train.sgd, not an optimizer: call it, rl.train.sgd() or rl.train.sgd(0.01)');
    expect(compileError(rl.Adam)).toMatch(/^compile: optimizer is the class Adam, not an optimizer: create one with new rl\.Adam\(\)/);
    expect(compileError(() => 1)).toMatch(/^compile: optimizer is a function, not an optimizer: give an optimizer object/);
    expect(compileError(null)).toMatch(/^compile: optimizer must be an optimizer object/);
    // The factories still make optimizers.
    expect(rl.optimizers.adam({ learningRate: 0.2 }).learningRate).toBe(0.2);
  });

  it('a functional model says the same', () => {
    const inp = rl.input({ shape: [2] });
    const m = rl.model({ inputs: inp, outputs: rl.layers.dense({ units: 1 }).apply(inp) as rl.SymbolicTensor });
    expect(() => m.compile({ optimizer: rl.optimizers.rmsprop as never, loss: 'mse' })).toThrow('compile: optimizer is the factory rl.optimizers.rmsprop, not an optimizer: call it');
  });
});
