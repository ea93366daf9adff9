// rl.train.* and rl.optimizers.* refuse arguments past their signatures: tfjs's factories drop them, so a setting
// given there (sgd's third argument as Nesterov's flag, Keras's options after adam's positionals) was lost silently.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const call = (f: unknown, ...args: unknown[]) => (f as (...a: unknown[]) => rl.Optimizer)(...args);

describe('rl.train factories refuse arguments past tfjs\'s signature', () => {
  it('sgd(lr, momentum, true) is refused, pointing to rl.train.momentum, which builds Nesterov SGD', () => {
    expect(() => call(rl.train.sgd, 0.1, 0.9, true)).toThrow(
      'rl.train.sgd takes at most 2 arguments (learningRate, momentum), got 3: argument 3, true, would be ignored; for Nesterov momentum write rl.train.momentum(0.1, 0.9, true)');
    expect(rl.train.momentum(0.1, 0.9, true).getConfig()).toMatchObject({ learningRate: 0.1, momentum: 0.9, nesterov: true });
    expect(rl.train.sgd(0.1, 0.9).getConfig()).toMatchObject({ learningRate: 0.1, momentum: 0.9, nesterov: false });
  });

  it('adam(lr, b1, b2, eps, {clipnorm}) is refused, pointing to rl.optimizers.adam; the four positionals still work', () => {
    expect(() => call(rl.train.adam, 0.01, 0.9, 0.999, 1e-7, { clipnorm: 1 })).toThrow(
      'rl.train.adam takes at most 4 arguments (learningRate, beta1, beta2, epsilon), got 5: argument 5, {"clipnorm":1}, would be ignored; '
      + "Keras's options (clipnorm) go in one object: rl.optimizers.adam({learningRate, ...})");
    expect(rl.train.adam(0.01, 0.8, 0.99, 1e-6).getConfig()).toMatchObject({ learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 });
  });

  it.each([
    ['rmsprop', [0.01, 0.9, 0, 1e-7, false], 6],
    ['adagrad', [0.01, 0.1], 3],
    ['adadelta', [0.01, 0.95, 1e-7], 4],
    ['adamax', [0.01, 0.9, 0.999, 1e-7, 0], 6],
    ['momentum', [0.01, 0.9, false], 4],
  ] as const)('%s takes its tfjs arguments and refuses one more', (name, args, count) => {
    const factory = (rl.train as Record<string, unknown>)[name];
    expect(call(factory, ...args)).toBeInstanceOf(rl.Optimizer);
    expect(() => call(factory, ...args, 7)).toThrow(`rl.train.${name} takes at most ${count - 1} arguments`);
    expect(() => call(factory, ...args, 7)).toThrow(`got ${count}: argument ${count}, 7, would be ignored`);
    // A wrapper forwarding an optional argument it was not given passes undefined: nothing is lost.
    expect(call(factory, ...args, undefined)).toBeInstanceOf(rl.Optimizer);
  });

  it('an uncalled factory still reads as rl.train.<name> in compile\'s error', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1] })] });
    expect(() => m.compile({ optimizer: rl.train.sgd as never, loss: 'mse' })).toThrow('compile: optimizer is the factory rl.train.sgd, not an optimizer');
  });
});

describe('rl.optimizers factories take one options object', () => {
  it('adam({learningRate}, {clipnorm}) is refused naming the second argument; one object with both works', () => {
    expect(() => call(rl.optimizers.adam, { learningRate: 0.1 }, { clipnorm: 1 })).toThrow(
      'rl.optimizers.adam takes one argument (options), got 2: argument 2, {"clipnorm":1}, would be ignored');
    expect(rl.optimizers.adam({ learningRate: 0.1, clipnorm: 1 }).getConfig()).toMatchObject({ learningRate: 0.1, clipnorm: 1 });
  });
});
